/**
 * Real clients against the wire broker, with fixed seeds: what a sound setup must survive, and the
 * client defects idemcheck found, each of which must still be detected (a test that stops seeing
 * them means the harness went blind, or the library changed: then check, do not delete).
 *
 * Faults are keyed to the order of produce requests, so a seed injects the same faults whenever a
 * client sends the same requests in the same order; these seeds reproduced 3 of 3 times here.
 */

import { describe, expect, it } from 'vitest';
import { clientViolations } from '../report/client-report.js';
import type { Fault } from './broker-core.js';
import { DRIVERS } from './drivers.js';
import type { ClientDriver, ClientSettings } from './drivers.js';
import { notTestedAsAsked, runClient } from './harness.js';
import { DEFAULT_CLIENT_FAULTS } from '../cli/clients.js';
import type { RunResult, Workload } from './harness.js';

const SOUND: ClientSettings = { idempotent: true, acks: -1, maxInFlight: 1, retries: 1000, requestTimeoutMs: 300, oneRecordPerBatch: true };
const SEQUENTIAL: Workload = { mode: 'sequential', records: 10, keyed: false, byHarness: true, partitions: 2, brokers: 1 };
const TRANSIENT: readonly Fault[] = ['lose-request', 'lose-response', 'error-after-append', 'error-without-append', 'hold-response'];

function run(driver: ClientDriver, seed: number, options: { settings?: Partial<ClientSettings>; workload?: Partial<Workload>; faults: readonly Fault[]; rate: number }): Promise<RunResult> {
  const settings = { ...SOUND, ...options.settings };
  return runClient({
    driver,
    settings,
    workload: { ...SEQUENTIAL, ...options.workload },
    seed,
    faultRate: options.rate,
    faults: options.faults,
    deadlineMs: 8000,
  });
}

const names = (r: RunResult): string[] => r.violations.map((v) => v.invariant);

describe('the pinned clients are found', () => {
  it('kafkajs 2.2.4 and @platformatic/kafka 1.35.0 report their versions', () => {
    expect(DRIVERS.kafkajs.version()).toBe('2.2.4');
    expect(DRIVERS.platformatic.version()).toBe('1.35.0');
  });
});

describe('records are sent as applications send them', () => {
  it('kafkajs, no key and no partition: its own partitioner spreads the records over the partitions', async () => {
    const r = await run(DRIVERS.kafkajs, 1, { workload: { byHarness: false }, faults: [], rate: 0 });
    expect(r.error).toBeNull();
    const written = new Set(r.trace.flatMap((t) => t.batches.map((b) => b.partition)));
    expect(written.size).toBe(2);
    // The partition each send reports is the one the broker stored it in.
    for (const o of r.outcomes) expect(r.trace.flatMap((t) => t.batches).find((b) => b.sends.includes(o.send))?.partition).toBe(o.partition);
    expect(names(r)).toEqual([]);
  });

  it('--partition-by-harness names partition i mod P on every record', async () => {
    const r = await run(DRIVERS.kafkajs, 1, { workload: { byHarness: true, records: 4 }, faults: [], rate: 0 });
    expect(r.trace.flatMap((t) => t.batches).map((b) => [b.sends[0], b.partition])).toEqual([[0, 0], [1, 1], [2, 0], [3, 1]]);
  });
});

describe('a cluster of three brokers on loopback', () => {
  const CLUSTER: Partial<Workload> = { brokers: 3 };
  it('a leader move: the old leader answers NOT_LEADER_OR_FOLLOWER, and kafkajs, reading the new leader from Metadata, sends to it', async () => {
    // Seed 25 moves the leader at the first produce request and at none of the next three.
    const r = await run(DRIVERS.kafkajs, 25, { workload: { ...CLUSTER, records: 3, partitions: 1 }, faults: ['move-leader'], rate: 0.3 });
    const first = r.trace[0];
    expect(first?.fault).toBe('move-leader');
    expect(first?.batches[0]?.result).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(r.brokerLog).toContain('produce #0: leader of partition 0 moved from broker 0 to 1');
    // The retry goes to broker 1, named leader by Metadata with a higher leader epoch.
    expect(r.trace[1]?.broker).toBe(1);
    expect(r.state.cluster.partitions[0]?.leaderEpoch).toBeGreaterThan(0);
    expect(r.outcomes.every((o) => o.outcome === 'ok')).toBe(true);
    expect(names(r)).toEqual([]);
  });

  it('kafkajs, partitions named by the harness, every default fault including leader moves, crashes and ISR shrinks: nothing flagged', async () => {
    const r = await run(DRIVERS.kafkajs, 3, { workload: CLUSTER, faults: [...TRANSIENT, 'move-leader', 'crash-leader', 'shrink-isr'], rate: 0.25 });
    expect(r.trace.some((t) => t.fault === 'move-leader' || t.fault === 'crash-leader')).toBe(true);
    expect(r.error).toBeNull();
    expect(names(r)).toEqual([]);
  });
});

describe('what broke, by its name', () => {
  it('kafkajs, keyless: a record retried after a lost answer is sent to another partition: a duplicate across partitions, not a phantom', async () => {
    const r = await run(DRIVERS.kafkajs, 2, { workload: { byHarness: false }, faults: TRANSIENT, rate: 0.25 });
    expect(names(r)).toContain('NoDuplicateAcrossPartitions');
    expect(names(r)).not.toContain('NoPhantomRecord');
    const twice = r.violations.find((v) => v.invariant === 'NoDuplicateAcrossPartitions')?.violations[0];
    expect(twice?.code === 'duplicate_across_partitions' && new Set(twice.partitions).size).toBe(2);
  });

  it('an acknowledgement without an offset under acks=all is reported as that', async () => {
    // kafkajs with its answers' offsets dropped: what a client that acknowledges without reading them would report.
    const noOffsets: ClientDriver = {
      ...DRIVERS.kafkajs,
      async open(options) {
        const producer = await DRIVERS.kafkajs.open(options);
        return { send: async (record) => ({ ...(await producer.send(record)), offset: -1 }), close: () => producer.close() };
      },
    };
    const r = await run(noOffsets, 1, { workload: { records: 2 }, faults: [], rate: 0 });
    expect(names(r)).toEqual(['NoAckWithoutOffset']);
  });
});

describe('a send the client answers only when the harness closes it', () => {
  it('stays pending (unfinished), not failed: the error that close gives a pending send is not its answer', async () => {
    // A client that never answers a send until it is closed, and then fails every pending send,
    // as kafkajs 2.2.4 did in CI on a loaded machine (a KafkaJSNonRetriableError on disconnect).
    const pending: Array<(error: Error) => void> = [];
    const stuck: ClientDriver = {
      ...DRIVERS.kafkajs,
      open: async () => ({
        send: () => new Promise((_, reject) => pending.push(reject)),
        close: async () => {
          for (const reject of pending) reject(new Error('closed with the send pending'));
        },
      }),
    };
    const r = await runClient({ driver: stuck, settings: SOUND, workload: { ...SEQUENTIAL, mode: 'concurrent', records: 2 }, seed: 1, faultRate: 0, faults: [], deadlineMs: 200 });
    expect(pending).toHaveLength(2);
    expect(r.outcomes.map((o) => o.outcome)).toEqual(['pending', 'pending']);
    expect(r.error).toBe('Error: the workload did not finish within 200 ms');
  });
});

describe('the pipeline, as seen on the wire', () => {
  it('kafkajs without idempotence, 5 in flight, concurrent sends: several requests await answers on one connection; idempotent, one at a time, which is not what was asked', async () => {
    const piped = await run(DRIVERS.kafkajs, 1, { settings: { idempotent: false, maxInFlight: 5 }, workload: { mode: 'concurrent', partitions: 1 }, faults: [], rate: 0 });
    expect(piped.maxInFlightSeen).toBeGreaterThan(1);
    expect(piped.maxInFlightSeen).toBeLessThanOrEqual(5);
    const locked = await run(DRIVERS.kafkajs, 1, { settings: { maxInFlight: 5 }, workload: { mode: 'concurrent', partitions: 1 }, faults: ['lose-request'], rate: 0 });
    expect(locked.maxInFlightSeen).toBe(1);
    expect(locked.notAsAsked).toEqual(['at most 1 request in flight per connection on the wire, not the 5 asked for']);
  });

  it('faults asked for of which none was injected: not tested as asked', () => {
    const entry = { ordinal: 0, broker: 0, connection: 0, apiVersion: 7, acks: -1, fault: null, inFlight: 1, batches: [], answer: 'sent' } as const;
    expect(notTestedAsAsked(SOUND, SOUND, ['lose-request'], 0.25, [entry])).toEqual(['no fault injected']);
    expect(notTestedAsAsked(SOUND, SOUND, ['lose-request'], 0.25, [{ ...entry, fault: 'lose-request' }])).toEqual([]);
    expect(notTestedAsAsked(SOUND, SOUND, [], 0.25, [entry])).toEqual([]);
  });
});

describe('the settings reach the wire', () => {
  it.each([-1, 1, 0] as const)('@platformatic/kafka without idempotence sends acks=%i, as asked (send() ignores the constructor\'s acks)', async (acks) => {
    const r = await run(DRIVERS.platformatic, 1, { settings: { idempotent: false, acks }, workload: { records: 3 }, faults: [], rate: 0 });
    expect(r.trace.length).toBeGreaterThan(0);
    expect(new Set(r.trace.map((t) => t.acks))).toEqual(new Set([acks]));
  });

  it('acks=0 sends, answered by nothing, reach the broker before the run ends: no fault, nothing lost', async () => {
    const r = await run(DRIVERS.kafkajs, 1, { settings: { idempotent: false, acks: 0 }, faults: [], rate: 0 });
    expect(r.trace.map((t) => t.acks)).toEqual(Array.from({ length: 10 }, () => 0));
    expect(names(r)).toEqual([]);
  });

  it.each(['kafkajs', 'platformatic'] as const)('acks=0, %s, 200 concurrent keyed sends: every record reaches the broker', async (client) => {
    const r = await run(DRIVERS[client], 1, { settings: { idempotent: false, acks: 0 }, workload: { mode: 'concurrent', records: 200, keyed: true }, faults: [], rate: 0 });
    expect(r.error).toBeNull();
    expect(r.trace.length).toBeGreaterThan(0);
    expect(r.trace.reduce((n, t) => n + t.batches.reduce((m, b) => m + b.sends.length, 0), 0)).toBe(200);
    expect(names(r)).toEqual([]);
  });

  it('@platformatic/kafka without idempotence keeps to --max-in-flight (it used to run 5 whatever was asked)', async () => {
    // hold-response answers a request only when the next one arrives on its connection. With 5
    // allowed, concurrent sends release each other's answers; with 1, the next request waits for
    // the held answer, which never comes before the request times out.
    const held = (maxInFlight: number): Promise<RunResult> =>
      run(DRIVERS.platformatic, 1, { settings: { idempotent: false, maxInFlight }, workload: { mode: 'concurrent', records: 6, partitions: 1 }, faults: ['hold-response'], rate: 1 });
    expect((await held(1)).outcomes.filter((o) => o.outcome === 'ok')).toEqual([]);
    expect((await held(5)).outcomes.filter((o) => o.outcome === 'ok').length).toBeGreaterThanOrEqual(4);
  });
});

describe('sound setups: nothing is flagged', () => {
  it.each([1, 2, 3])('kafkajs idempotent, acks=all, retries 1000, every transient fault (seed %i)', async (seed) => {
    const r = await run(DRIVERS.kafkajs, seed, { faults: TRANSIENT, rate: 0.3 });
    expect(r.error).toBeNull();
    expect(r.trace.some((t) => t.fault !== null)).toBe(true);
    expect(names(r)).toEqual([]);
    expect(r.outcomes.every((o) => o.outcome === 'ok')).toBe(true);
  });

  it.each([1, 2, 3])('@platformatic/kafka idempotent, acks=all, retries 1000, faults it retries (seed %i)', async (seed) => {
    const r = await run(DRIVERS.platformatic, seed, { faults: ['lose-request', 'lose-response', 'error-after-append', 'error-without-append'], rate: 0.3 });
    expect(r.error).toBeNull();
    expect(names(r)).toEqual([]);
    expect(r.outcomes.every((o) => o.outcome === 'ok')).toBe(true);
  });
});

describe('the delivery levels show through a real client', () => {
  it('kafkajs without idempotence writes a record twice when an answer is lost (at least once)', async () => {
    const r = await run(DRIVERS.kafkajs, 1, { settings: { idempotent: false }, faults: ['lose-response'], rate: 0.3 });
    expect(names(r)).toContain('NoDuplicateRecord');
  });

  it('producer-state loss on the broker duplicates even an idempotent client (a broker caveat, not a client defect)', async () => {
    const r = await run(DRIVERS.kafkajs, 3, { faults: ['state-loss', 'lose-response'], rate: 0.3 });
    expect(names(r)).toContain('NoDuplicateRecord');
  });
});

describe('client defects found by idemcheck', () => {
  it('@platformatic/kafka, concurrent idempotent sends, no fault: batches share a sequence and later ones are acknowledged at the first one\'s offset', async () => {
    const r = await run(DRIVERS.platformatic, 1, { workload: { mode: 'concurrent', partitions: 1 }, faults: [], rate: 0 });
    expect(r.trace.every((t) => t.fault === null)).toBe(true);
    expect(names(r)).toContain('NoAckedRecordLost');
    expect(r.trace.flatMap((t) => t.batches).some((b) => b.result.startsWith('duplicate@'))).toBe(true);
    // The report explains the invariant for the wire cluster (clean elections, acks=all answered
    // once the ISR has the batch), not with the general text's "acks=1 and acks=0 do not promise
    // it", which would excuse the client.
    const reported = clientViolations(r.state, r.violations, r.trace).find((v) => v.invariant === 'NoAckedRecordLost');
    expect(reported?.why).toContain('answers acks=all with success only once every in-sync replica has the batch');
    expect(reported?.why).not.toContain('do not promise it');
  });

  it('kafkajs, idempotent with retries 1: a send that fails after its batch was appended gives its sequence to the next record, which is deduplicated and lost', async () => {
    const r = await run(DRIVERS.kafkajs, 1, { settings: { retries: 1 }, workload: { partitions: 1 }, faults: ['error-after-append'], rate: 0.5 });
    expect(r.outcomes.some((o) => o.outcome === 'failed')).toBe(true);
    expect(names(r)).toContain('NoAckedRecordLost');
  });

  it('kafkajs, idempotent with retries 1000, concurrent sends: one retriable error rolls the sequence back under a send already using it: one record lost, another written twice', async () => {
    const r = await run(DRIVERS.kafkajs, 1, { workload: { mode: 'concurrent' }, faults: TRANSIENT, rate: 0.25 });
    expect(r.outcomes.every((o) => o.outcome === 'ok')).toBe(true);
    expect(names(r)).toEqual(expect.arrayContaining(['NoAckedRecordLost', 'NoDuplicateRecord']));
  });

  it('@platformatic/kafka, idempotent with retries 1000: a request timeout is not retried, and the next record reuses the timed-out batch\'s sequence and is lost', async () => {
    const r = await run(DRIVERS.platformatic, 3, { faults: ['hold-response'], rate: 0.25 });
    expect(r.outcomes.some((o) => o.outcome === 'failed' && (o.error ?? '').includes('Request timed out'))).toBe(true);
    expect(names(r)).toContain('NoAckedRecordLost');
  });
});

// The README's findings table, row by row, as the CLI runs it: the CLI's defaults (3 brokers,
// keyless records the client partitions, one record per batch, every default fault) with each
// row's own settings, at the seed its committed report was made with.
describe("the README's findings, with the CLI's defaults", () => {
  const EVERY_DEFAULT: readonly Fault[] = [...TRANSIENT, 'move-leader', 'crash-leader', 'shrink-isr'];
  const CLI: Partial<Workload> = { brokers: 3, byHarness: false };
  it.each<[string, ClientDriver, number, { settings?: Partial<ClientSettings>; workload?: Partial<Workload>; faults: readonly Fault[]; rate: number }, readonly string[]]>([
    ['kafkajs, the defaults, seed 2', DRIVERS.kafkajs, 2, { workload: CLI, faults: EVERY_DEFAULT, rate: 0.25 }, ['NoAckedRecordLost', 'NoDuplicateAcrossPartitions']],
    ['kafkajs, retries 1, error-after-append, seed 1', DRIVERS.kafkajs, 1, { settings: { retries: 1 }, workload: { ...CLI, partitions: 1 }, faults: ['error-after-append'], rate: 0.5 }, ['NoAckedRecordLost']],
    ['kafkajs, concurrent sends, seed 1', DRIVERS.kafkajs, 1, { workload: { ...CLI, mode: 'concurrent' }, faults: EVERY_DEFAULT, rate: 0.25 }, ['SessionOrderKept']],
    ['@platformatic/kafka, concurrent sends, no fault, seed 1', DRIVERS.platformatic, 1, { workload: { ...CLI, mode: 'concurrent', partitions: 1 }, faults: [], rate: 0 }, ['NoAckedRecordLost', 'DistinctAckedOffsets']],
    ['@platformatic/kafka, hold-response, seed 3', DRIVERS.platformatic, 3, { workload: CLI, faults: ['hold-response'], rate: 0.25 }, ['NoAckedRecordLost']],
  ])('%s', async (_row, driver, seed, options, expected) => {
    const r = await run(driver, seed, options);
    expect(names(r)).toEqual(expect.arrayContaining([...expected]));
  });
});

// The control: librdkafka under the very setups that break the other two clients, rerun with
// node-rdkafka 3.6.1 built on 2026-12-07: it loses nothing under the transient faults, acknowledges
// some records implicitly (no offset), loses one when a leader moves away and back (seed 9), and writes
// one twice after an epoch bump on OUT_OF_ORDER behind a refused retry (seed 6). Where it is
// not installed (the default) these are skipped; see the README for how to build it.
describe.skipIf(DRIVERS.rdkafka.version() === null)('node-rdkafka, the control (when installed and built)', () => {
  it('idempotent, acks=all, sequential, every transient fault: nothing flagged', async () => {
    const r = await run(DRIVERS.rdkafka, 1, { faults: TRANSIENT, rate: 0.3 });
    expect(r.trace.some((t) => t.fault !== null)).toBe(true);
    expect(names(r)).toEqual([]);
  });

  it('concurrent sends, 5 in flight, every transient fault (where kafkajs and @platformatic/kafka lose records): nothing lost, duplicated or reordered; implicit acks carry no offset', async () => {
    const r = await run(DRIVERS.rdkafka, 1, { settings: { maxInFlight: 5 }, workload: { mode: 'concurrent' }, faults: TRANSIENT, rate: 0.25 });
    // A batch answered with an error whose next batch succeeded is acknowledged implicitly
    // (rd_kafka_dr_implicit_ack: PERSISTED, no offset), which NoAckWithoutOffset reports as what it is.
    expect(names(r).filter((n) => n !== 'NoAckWithoutOffset')).toEqual([]);
    for (const o of r.outcomes) expect(o.outcome).toBe('ok');
  });

  it("a first batch refused by a moving leader is acknowledged when the next one lands: NoAckedRecordLost (seed 9, the CLI's defaults, concurrent, 5 in flight)", async () => {
    // Kafka 3.8 accepts the next batch as the producer's first on a leader with no entry for it
    // (ProducerAppendInfo.checkSequence), and librdkafka, seeing it succeed, acknowledges the refused
    // one as delivered (rdkafka_request.c rd_kafka_handle_idempotent_Produce_success →
    // rd_kafka_dr_implicit_ack). Reproduced 3 of 3 times from the CLI; report client-rdkafka-seed9-2d80a644.
    const r = await run(DRIVERS.rdkafka, 9, {
      settings: { maxInFlight: 5 },
      workload: { mode: 'concurrent', byHarness: false, brokers: 3, partitions: 2 },
      faults: DEFAULT_CLIENT_FAULTS,
      rate: 0.25,
    });
    expect(names(r)).toContain('NoAckedRecordLost');
  });

  it('an appended batch whose retry is refused, then OUT_OF_ORDER behind it: librdkafka bumps the epoch and writes it again (NoDuplicateRecord; seed 6, one partition, 5 in flight)', async () => {
    // rdkafka_request.c rd_kafka_handle_idempotent_Produce_error (OUT_OF_ORDER with base seq > next
    // ack seq) → rd_kafka_idemp_drain_epoch_bump: every queued record again from sequence 0, the
    // appended one included (librdkafka#4953). Timing decides; 10 of 10 CLI reruns on an idle machine,
    // 1 of 3 on a busy one, so up to three runs are tried.
    const options = {
      settings: { maxInFlight: 5 },
      workload: { mode: 'concurrent' as const, byHarness: false, brokers: 3, partitions: 1 },
      faults: ['lose-response', 'error-without-append'] as const,
      rate: 0.4,
    };
    let found: string[] = [];
    for (let attempt = 0; attempt < 3 && !found.includes('NoDuplicateRecord'); attempt++) found = names(await run(DRIVERS.rdkafka, 6, options));
    expect(found).toContain('NoDuplicateRecord');
  });

  it('retries 1, failures after append (where kafkajs loses the next record): sends fail, nothing is lost', async () => {
    const r = await run(DRIVERS.rdkafka, 2, { settings: { retries: 1 }, workload: { partitions: 1 }, faults: ['error-after-append'], rate: 0.5 });
    expect(r.outcomes.some((o) => o.outcome === 'failed')).toBe(true);
    expect(names(r)).toEqual([]);
  });
});
