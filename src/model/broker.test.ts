/**
 * Reference §2: the broker's idempotence decisions, producer-state loss and the high watermark.
 * Each test names the rule and the Kafka 3.8.0 source it follows.
 */

import { describe, expect, it } from 'vitest';
import {
  appendAsFollower,
  appendAsLeader,
  EMPTY_REPLICA,
  expireProducer,
  maybeIncrementLeaderHw,
  reloadAfterRestart,
  truncateTo,
} from './broker.js';
import type { AppendRules, LeaderAppend } from './broker.js';
import type { LogBatch, PartitionState, Replica, WireBatch } from './types.js';

const KAFKA: AppendRules = { window: 5, ignoreSequences: false };
let nextSend = 0;

function wire(producerId: number, epoch: number, baseSequence: number, count = 1): WireBatch {
  const sends = Array.from({ length: count }, () => nextSend++);
  return { partition: 0, batch: 0, producerId, epoch, baseSequence, sends };
}

function appended(result: LeaderAppend): Replica {
  if (result.kind !== 'appended') throw new Error(`expected an append, got ${JSON.stringify(result)}`);
  return result.replica;
}

/** Append batches that must all be accepted. */
function leaderWith(batches: readonly WireBatch[], rules = KAFKA): Replica {
  return batches.reduce((replica, b) => appended(appendAsLeader(replica, b, 0, rules)), EMPTY_REPLICA);
}

describe('Broker: duplicate detection (UL analyzeAndValidateProducerState, PSE findDuplicateBatch)', () => {
  it('a resent batch with the same epoch and sequence range is answered with its original offsets and not appended', () => {
    const first = wire(7, 0, 0, 2);
    const replica = leaderWith([first, wire(7, 0, 2)]);
    const again = appendAsLeader(replica, { ...first }, 0, KAFKA);
    expect(again).toEqual({ kind: 'duplicate', baseOffset: 0, lastOffset: 1 });
  });

  it('only the exact (firstSeq, lastSeq) range is a duplicate: an overlapping batch is OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const replica = leaderWith([wire(7, 0, 0, 2)]);
    expect(appendAsLeader(replica, wire(7, 0, 0, 1), 0, KAFKA)).toEqual({ kind: 'rejected', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('a batch that fell out of the 5-batch cache is OUT_OF_ORDER_SEQUENCE_NUMBER, not a duplicate (NUM_BATCHES_TO_RETAIN = 5, KAFKA-6683)', () => {
    const batches = [0, 1, 2, 3, 4, 5].map((seq) => wire(7, 0, seq));
    const replica = leaderWith(batches);
    expect(replica.producers[0]?.batches.map((b) => b.firstSeq)).toEqual([1, 2, 3, 4, 5]);
    expect(appendAsLeader(replica, batches[0] as WireBatch, 0, KAFKA)).toEqual({ kind: 'rejected', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(appendAsLeader(replica, batches[1] as WireBatch, 0, KAFKA).kind).toBe('duplicate');
  });

  it('mutant dedup-window:1 keeps only the last batch, so the one before it is no longer recognised', () => {
    const rules = { window: 1, ignoreSequences: false };
    const batches = [wire(7, 0, 0), wire(7, 0, 1)];
    const replica = leaderWith(batches, rules);
    expect(appendAsLeader(replica, batches[0] as WireBatch, 0, rules).kind).toBe('rejected');
  });

  it('mutant ignore-sequences appends a resent batch again', () => {
    const rules = { window: 5, ignoreSequences: true };
    const first = wire(7, 0, 0);
    const replica = leaderWith([first], rules);
    expect(appendAsLeader(replica, first, 0, rules).kind).toBe('appended');
  });
});

describe('Broker: epoch and sequence checks (PAI checkProducerEpoch, checkSequence)', () => {
  it('an older epoch is INVALID_PRODUCER_EPOCH, not PRODUCER_FENCED (KAFKA-10687)', () => {
    const replica = leaderWith([wire(7, 1, 0)]);
    expect(appendAsLeader(replica, wire(7, 0, 1), 0, KAFKA)).toEqual({ kind: 'rejected', error: 'INVALID_PRODUCER_EPOCH' });
  });

  it('a higher epoch must start at sequence 0 ("invalid sequence for new epoch")', () => {
    const replica = leaderWith([wire(7, 0, 0)]);
    expect(appendAsLeader(replica, wire(7, 1, 3), 0, KAFKA)).toEqual({ kind: 'rejected', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('a higher epoch at sequence 0 is accepted and clears the cached batches (PSE maybeUpdateProducerEpoch)', () => {
    const old = wire(7, 0, 0);
    const replica = leaderWith([old, wire(7, 1, 0)]);
    expect(replica.producers[0]).toMatchObject({ epoch: 1, batches: [{ firstSeq: 0, firstOffset: 1 }] });
    // The old-epoch batch is no longer a duplicate: it is fenced.
    expect(appendAsLeader(replica, old, 0, KAFKA)).toEqual({ kind: 'rejected', error: 'INVALID_PRODUCER_EPOCH' });
  });

  it('an unknown producer id is accepted whatever its sequence (KAFKA-8710, no UNKNOWN_PRODUCER_ID since 2.5)', () => {
    const replica = appended(appendAsLeader(EMPTY_REPLICA, wire(9, 3, 42), 0, KAFKA));
    expect(replica.producers).toEqual([{ producerId: 9, epoch: 3, batches: [{ firstSeq: 42, lastSeq: 42, firstOffset: 0, lastOffset: 0 }] }]);
  });

  it('the same epoch continues at lastSeq + 1; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const replica = leaderWith([wire(7, 0, 0, 3)]);
    expect(appendAsLeader(replica, wire(7, 0, 3), 0, KAFKA).kind).toBe('appended');
    expect(appendAsLeader(replica, wire(7, 0, 4), 0, KAFKA)).toEqual({ kind: 'rejected', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('a batch without a producer id (idempotence off) is appended with no producer state', () => {
    const replica = leaderWith([wire(-1, -1, -1), wire(-1, -1, -1)]);
    expect(replica.log).toHaveLength(2);
    expect(replica.producers).toEqual([]);
  });
});

describe('Broker: follower appends (PAI maybeValidateDataBatch with REPLICATION origin)', () => {
  it('skip the sequence check and still build the dedup cache a new leader inherits', () => {
    const batches: LogBatch[] = [
      { baseOffset: 0, leaderEpoch: 0, producerId: 7, epoch: 0, baseSequence: 0, sends: [1] },
      { baseOffset: 1, leaderEpoch: 0, producerId: 7, epoch: 0, baseSequence: 5, sends: [2] },
    ];
    const follower = appendAsFollower(EMPTY_REPLICA, batches, 5);
    expect(follower.producers[0]?.batches.map((b) => b.firstSeq)).toEqual([0, 5]);
    expect(appendAsLeader(follower, { partition: 0, batch: 0, producerId: 7, epoch: 0, baseSequence: 0, sends: [1] }, 1, KAFKA).kind).toBe('duplicate');
  });
});

describe('Broker: losing producer state (reference §2.3)', () => {
  const three = (): Replica => leaderWith([wire(7, 0, 0), wire(7, 0, 1), wire(7, 0, 2)]);

  it('truncation with no snapshot replays the log from offset 0 and then snapshots at the target (UL truncateTo, rebuildProducerState)', () => {
    const truncated = truncateTo(three(), 2, 5);
    expect(truncated.log).toHaveLength(2);
    expect(truncated.producers[0]?.batches.map((b) => b.firstSeq)).toEqual([0, 1]);
    expect(truncated.snapshots).toEqual([{ offset: 2, entries: [{ producerId: 7, epoch: 0, batches: [{ firstSeq: 1, lastSeq: 1, firstOffset: 1, lastOffset: 1 }] }] }]);
  });

  it('a second truncation reloads the one-batch snapshot, so the dedup window shrinks', () => {
    let replica = truncateTo(three(), 2, 5);
    replica = appended(appendAsLeader(replica, wire(7, 0, 2), 0, KAFKA));
    replica = appended(appendAsLeader(replica, wire(7, 0, 3), 0, KAFKA));
    replica = truncateTo(replica, 3, 5);
    // Snapshot at 2 holds seq 1 only; the replay adds seq 2: seq 0 is forgotten.
    expect(replica.producers[0]?.batches.map((b) => b.firstSeq)).toEqual([1, 2]);
  });

  it('a crash restart replays the whole log, but snapshots it and loads the snapshot: one batch per producer too (LogLoader recoverSegment)', () => {
    const restarted = reloadAfterRestart(three(), 5);
    expect(restarted.producers).toEqual([{ producerId: 7, epoch: 0, batches: [{ firstSeq: 2, lastSeq: 2, firstOffset: 2, lastOffset: 2 }] }]);
    expect(restarted.snapshots).toEqual([{ offset: 3, entries: restarted.producers }]);
    // The retry of an earlier batch is no longer recognised: OUT_OF_ORDER, as after a clean shutdown.
    expect(appendAsLeader(restarted, wire(7, 0, 1), 0, KAFKA)).toEqual({ kind: 'rejected', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  });

  it('a restart keeps only the snapshot at the log end (PSM removeStraySnapshots), so a later truncation replays from offset 0', () => {
    let replica = truncateTo(three(), 2, 5);
    replica = appended(appendAsLeader(replica, wire(7, 0, 2), 0, KAFKA));
    replica = appended(appendAsLeader(replica, wire(7, 0, 3), 0, KAFKA));
    expect(replica.snapshots.map((x) => x.offset)).toEqual([2]);
    replica = reloadAfterRestart(replica, 5);
    expect(replica.snapshots.map((x) => x.offset)).toEqual([4]);
    // Truncating to 3 finds no snapshot at or below it: seq 0, 1 and 2 are replayed (with the
    // truncation's snapshot at 2 kept, only seq 1 and 2 would be).
    replica = truncateTo(replica, 3, 5);
    expect(replica.producers[0]?.batches.map((b) => b.firstSeq)).toEqual([0, 1, 2]);
  });

  it('a producer id the broker expired stays expired across a restart (PSM loadFromSnapshot drops expired entries)', () => {
    const other = appended(appendAsLeader(three(), wire(8, 0, 0), 0, KAFKA));
    const restarted = reloadAfterRestart(expireProducer(other, 7), 5);
    expect(restarted.producers.map((e) => e.producerId)).toEqual([8]);
    // One that writes again after its expiry is back, with its newest batch.
    const rewritten = appended(appendAsLeader(expireProducer(other, 7), wire(7, 0, 9), 0, KAFKA));
    expect(reloadAfterRestart(rewritten, 5).producers.map((e) => [e.producerId, e.batches[0]?.firstSeq])).toEqual([
      [7, 9],
      [8, 0],
    ]);
  });

  it('an expired producer id is unknown again and any sequence is accepted (PSM removeExpiredProducers)', () => {
    const expired = expireProducer(three(), 7);
    expect(expired.producers).toEqual([]);
    expect(appendAsLeader(expired, wire(7, 0, 0), 0, KAFKA).kind).toBe('appended');
  });
});

describe('Broker: high watermark (PART maybeIncrementLeaderHW)', () => {
  const partition = (isr: number[], followerLeo: number[]): PartitionState => ({
    leader: 0,
    leaderEpoch: 0,
    isr,
    leaderEpochStartOffset: 0,
    followerLeo,
    replicas: [leaderWith([wire(-1, -1, -1), wire(-1, -1, -1)]), EMPTY_REPLICA, EMPTY_REPLICA],
  });

  it('is the minimum LEO over the ISR', () => {
    expect(maybeIncrementLeaderHw(partition([0, 1, 2], [0, 2, 1]), 1).replicas[0]?.hw).toBe(1);
  });

  it('does not move while a follower\'s LEO is unknown', () => {
    expect(maybeIncrementLeaderHw(partition([0, 1], [0, -1, 0]), 1).replicas[0]?.hw).toBe(0);
  });

  it('does not move while the ISR is below min.insync.replicas (KAFKA-15583, 3.7)', () => {
    expect(maybeIncrementLeaderHw(partition([0], [0, 0, 0]), 2).replicas[0]?.hw).toBe(0);
    expect(maybeIncrementLeaderHw(partition([0], [0, 0, 0]), 1).replicas[0]?.hw).toBe(2);
  });
});
