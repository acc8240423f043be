/**
 * Bounded liveness: once faults stop, every send resolves and no partition is left unable to drain.
 */

import { describe, expect, it } from 'vitest';
import { suiteByName } from '../../properties/index.js';
import * as make from '../model/records.js';
import { explore } from './explore.js';
import { play } from './fixtures.js';
import { livenessInvariant, settle } from './liveness.js';
import { runSuite } from './run-suite.js';

const pipelined = ['AppSend(p0)', 'ProducerDrain(b0)', 'AppSend(p0)', 'ProducerDrain(b0)'];

describe('Liveness (EventuallySettled)', () => {
  it('from a state mid-protocol, with faults stopped, every send resolves and nothing is left to resolve', () => {
    const { setup, last } = play({}, [...pipelined, 'BrokerReceive(b0)', 'NetworkDisconnect(b0)']);
    const outcome = settle(setup, last);
    expect(outcome.settled).toBe(true);
    expect(outcome.state.ghost.sends.map((s) => s.outcome)).toEqual(['ok', 'ok']);
    expect(livenessInvariant(setup).check(last)).toEqual([]);
  });

  it('a partition whose unresolved sequence can never resolve fails it as stuck (hand-built: a finished batch left in flight)', () => {
    const { setup, last } = play({}, [...pipelined, 'BrokerReceive(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)', 'ProducerReceive(b0)']);
    expect(settle(setup, last).settled).toBe(true);
    const part = last.producer.partitions[0];
    if (part === undefined) throw new Error('no partition');
    // TM's in-flight list still holds a batch no request will ever answer, and the sequence after it is unresolved.
    const ghostBatch = make.batch({ id: 99, partition: 0, sends: [], producerId: 1, epoch: 0, baseSequence: 2, attempts: 1, inRetry: true, reopened: false, drained: true, done: true, deadlinePassed: true });
    const broken = make.state({
      ...last,
      producer: make.producer({
        ...last.producer,
        unresolved: [3],
        batches: [...last.producer.batches, ghostBatch],
        partitions: [make.producerPartition({ ...part, inFlight: [99] })],
      }),
    });
    expect(livenessInvariant(setup).check(broken)).toEqual([{ code: 'not_settled', pending: [], stuck: true, steps: 0 }]);
  });

  it('a retry loop that only the delivery timeout ends settles once time passes, and not within a budget too short for it', () => {
    // A new producer id's first batch is rejected (leader moved) while the second is appended: the
    // first is OUT_OF_ORDER and not the next, retried until its delivery timeout (TM canRetry).
    const config = { 'replication.factor': 3, 'min.insync.replicas': 2 };
    const { setup, last } = play(config, ['AppSend(p0)', 'ProducerDrain(b0)', 'ControllerMoveLeader(p0,b1)', 'AppSend(p0)', 'ProducerDrain(b1)']);
    expect(settle(setup, last).settled).toBe(true);
    const short = livenessInvariant(setup, 12).check(last);
    expect(short).toHaveLength(1);
    expect(short[0]).toMatchObject({ code: 'not_settled', stuck: false, steps: 12 });
  });

  it('random runs check it after each run, and explore from every state', () => {
    const suite = suiteByName('delivery.idempotent-in-flight-2');
    if (suite?.setup === null || suite === undefined) throw new Error('no suite');
    const result = runSuite(suite, { seed: 1, runs: 100, liveness: true });
    expect(result.verdict).toBe('holds');
    const explored = explore(suite.setup, suite.checked, [], { maxStates: 20_000, liveness: true });
    expect(explored.verdict.kind).toBe('complete');
  });
});
