/**
 * Run by src/model/records.test.ts as `node --allow-natives-syntax --import tsx bench/records-probe.ts`:
 * walks the model along seeded random paths, gathers every record of every state by type, and
 * prints as JSON how many V8 hidden classes each type has (src/model/records.ts keeps it to one).
 */

import seedrandom from 'seedrandom';
import { setupWithFaults, walk } from '../src/checker/fixtures.js';
import type { State } from '../src/model/types.js';

// V8 intrinsics: only valid when node runs with --allow-natives-syntax.
const sameShape = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const BOUNDS = { recordsMax: 3, resendsMax: 2, eventsMax: 40, lostMessagesMax: 3, restartsMax: 1, crashesMax: 2, clusterChangesMax: 2, powerLossesMax: 0 };
const SETUPS = [
  setupWithFaults({}, BOUNDS),
  setupWithFaults({ 'replication.factor': 3, 'min.insync.replicas': 2, partitions: 2, application: 'at-least-once', 'max.in.flight.requests.per.connection': 1 }, BOUNDS),
  setupWithFaults({ acks: '1', 'enable.idempotence': false, 'replication.factor': 2, 'unclean.leader.election.enable': true, network: 'lossy' }, BOUNDS),
];

function recordsByType(state: State): Record<string, object[]> {
  const p = state.producer;
  const connections = state.network;
  const partitions = state.cluster.partitions;
  const replicas = partitions.flatMap((x) => x.replicas);
  const snapshots = replicas.flatMap((r) => r.snapshots);
  return {
    state: [state],
    producer: [p],
    producerPartition: [...p.partitions],
    batch: [...p.batches],
    connection: [...connections],
    pending: connections.flatMap((c) => (c.pending === null ? [] : [c.pending])),
    pendingPartition: connections.flatMap((c) => c.pending?.partitions ?? []),
    cluster: [state.cluster],
    partition: [...partitions],
    replica: replicas,
    producerEntry: [...replicas.flatMap((r) => r.producers), ...snapshots.flatMap((s) => s.entries)],
    snapshot: snapshots,
    ghost: [state.ghost],
    sendInfo: [...state.ghost.sends],
    stats: [state.ghost.stats],
    counters: [state.counters],
  };
}

const shapes: Record<string, object[]> = {};
const seen: Record<string, number> = {};
const random = seedrandom('records-probe');
for (const setup of SETUPS) {
  for (let w = 0; w < 300; w++) {
    const choices = Array.from({ length: 40 }, () => Math.floor(random() * 1024));
    for (const state of walk(setup, choices).states) {
      for (const [type, records] of Object.entries(recordsByType(state))) {
        const known = (shapes[type] ??= []);
        for (const record of records) {
          seen[type] = (seen[type] ?? 0) + 1;
          if (!known.some((k) => sameShape(k, record))) known.push(record);
        }
      }
    }
  }
}
const result = Object.fromEntries(Object.entries(shapes).map(([type, known]) => [type, { shapes: known.length, records: seen[type] ?? 0 }]));
process.stdout.write(`${JSON.stringify(result)}\n`);
