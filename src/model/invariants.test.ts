/**
 * Each invariant on a state that holds and on the same state with one thing broken. Three of them
 * (NoPhantomRecord, AckedOffsetHoldsRecord, FailedRecordAbsent) guard the broker code and no
 * suite violates them, so these hand-broken states are what shows they can fail at all.
 */

import { describe, expect, it } from 'vitest';
import { play } from '../checker/fixtures.js';
import {
  AckedOffsetHoldsRecord,
  DistinctAckedOffsets,
  FailedRecordAbsent,
  INVARIANTS,
  NoAckedRecordLost,
  NoDuplicateAcrossPartitions,
  NoDuplicateRecord,
  NoPhantomRecord,
  SessionOrderKept,
  violatedInvariants,
} from './invariants.js';
import type { LogBatch, SendInfo, State } from './types.js';

// Two records sent as two batches, both appended (offsets 0 and 1, high watermark 2) and acknowledged.
const ACKED = play({}, ['AppSend(p0)', 'ProducerDrain(b0)', 'AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)', 'ProducerReceive(b0)']).last;
// The first record's request written to the network and not read yet.
const IN_TRANSIT = play({}, ['AppSend(p0)', 'ProducerDrain(b0)']).last;

const LOG = ACKED.cluster.partitions[0]?.replicas[0]?.log as readonly LogBatch[];

/** The state with partition 0's only replica holding `log` with high watermark `hw`. */
function withLog(state: State, log: readonly LogBatch[], hw: number): State {
  const partition = state.cluster.partitions[0] as State['cluster']['partitions'][number];
  const replica = { ...partition.replicas[0], log, hw } as (typeof partition.replicas)[number];
  return { ...state, cluster: { ...state.cluster, partitions: [{ ...partition, replicas: [replica] }] } } as State;
}

/** The state with send `id`'s ghost record changed. */
function withSend(state: State, id: number, change: Partial<SendInfo>): State {
  const sends = state.ghost.sends.map((s, i) => (i === id ? { ...s, ...change } : s));
  return { ...state, ghost: { ...state.ghost, sends } } as State;
}

const batch = (baseOffset: number, sends: number[]): LogBatch => ({ ...(LOG[0] as LogBatch), baseOffset, sends });

describe('invariants', () => {
  it('all hold on two acknowledged records in order, and on a request still in transit', () => {
    expect(LOG.map((b) => b.sends)).toEqual([[0], [1]]);
    expect(ACKED.ghost.sends.map((s) => [s.outcome, s.offset])).toEqual([
      ['ok', 0],
      ['ok', 1],
    ]);
    expect(violatedInvariants(ACKED, INVARIANTS)).toEqual([]);
    expect(violatedInvariants(IN_TRANSIT, INVARIANTS)).toEqual([]);
  });

  it('NoAckedRecordLost: an acknowledged record missing from the leader\'s log, unless its request is still on its way', () => {
    expect(NoAckedRecordLost.check(withLog(ACKED, [LOG[1] as LogBatch], 2))).toEqual([
      { code: 'acked_record_lost', partition: 0, send: 0, record: 0, ackedOffset: 0 },
    ]);
    const ackedInTransit = withSend(IN_TRANSIT, 0, { outcome: 'ok', offset: 0 });
    expect(NoAckedRecordLost.check(ackedInTransit)).toEqual([]);
    const lostInTransit = { ...ackedInTransit, network: ackedInTransit.network.map((c) => ({ ...c, toBroker: [] })) } as State;
    expect(NoAckedRecordLost.check(lostInTransit)).toEqual([{ code: 'acked_record_lost', partition: 0, send: 0, record: 0, ackedOffset: 0 }]);
  });

  it('NoDuplicateRecord: a record committed twice, once per record with every copy; a copy above the high watermark does not count yet', () => {
    const twice = [...LOG, batch(2, [0]), batch(3, [1, 0])];
    expect(NoDuplicateRecord.check(withLog(ACKED, twice, 5))).toEqual([
      { code: 'duplicate_record', partition: 0, record: 0, offsets: [0, 2, 4], sends: [0, 0, 0] },
      { code: 'duplicate_record', partition: 0, record: 1, offsets: [1, 3], sends: [1, 1] },
    ]);
    expect(NoDuplicateRecord.check(withLog(ACKED, twice, 2))).toEqual([]);
    // A resend is a new send of the same record: still a duplicate record.
    const resent = withSend(ACKED, 1, { record: 0 });
    expect(NoDuplicateRecord.check(resent)).toEqual([{ code: 'duplicate_record', partition: 0, record: 0, offsets: [0, 1], sends: [0, 1] }]);
  });

  it('SessionOrderKept: a later send committed before an earlier one of the same session; other sessions and uncommitted records do not count', () => {
    const swapped = [batch(0, [1]), batch(1, [0])];
    expect(SessionOrderKept.check(withLog(ACKED, swapped, 2))).toEqual([
      { code: 'session_order_violated', partition: 0, session: 0, later: { offset: 0, send: 1 }, earlier: { offset: 1, send: 0 } },
    ]);
    expect(SessionOrderKept.check(withLog(ACKED, swapped, 1))).toEqual([]);
    expect(SessionOrderKept.check(withSend(withLog(ACKED, swapped, 2), 1, { session: 1 }))).toEqual([]);
    // A retried copy of the earlier send after both is not a reordering: only first copies count.
    expect(SessionOrderKept.check(withLog(ACKED, [...LOG, batch(2, [0])], 3))).toEqual([]);
  });

  it('NoPhantomRecord: a stored record that no send made, or that was sent to another partition', () => {
    expect(NoPhantomRecord.check(withLog(ACKED, [...LOG, batch(2, [7])], 2))).toEqual([{ code: 'phantom_record', partition: 0, offset: 2, send: 7 }]);
    expect(NoPhantomRecord.check(withSend(ACKED, 1, { partition: 1 }))).toEqual([{ code: 'phantom_record', partition: 0, offset: 1, send: 1 }]);
  });

  it('AckedOffsetHoldsRecord: an acknowledged record stored, but not at the offset its acknowledgement reported', () => {
    expect(AckedOffsetHoldsRecord.check(withSend(ACKED, 1, { offset: 5 }))).toEqual([
      { code: 'acked_offset_mismatch', partition: 0, send: 1, ackedOffset: 5, offsets: [1] },
    ]);
    // Stored twice, once at the acknowledged offset: that holds (a duplicate is NoDuplicateRecord's).
    expect(AckedOffsetHoldsRecord.check(withLog(ACKED, [...LOG, batch(2, [1])], 3))).toEqual([]);
    // Not stored at all: that is NoAckedRecordLost's.
    expect(AckedOffsetHoldsRecord.check(withLog(ACKED, [LOG[0] as LogBatch], 1))).toEqual([]);
  });

  it('FailedRecordAbsent: a definitely failed send in a replica\'s log, committed or not; a send of unknown outcome may be there', () => {
    expect(FailedRecordAbsent.check(withSend(withLog(ACKED, LOG, 1), 1, { outcome: 'fail' }))).toEqual([
      { code: 'failed_record_present', partition: 0, replica: 0, send: 1, offset: 1 },
    ]);
    expect(FailedRecordAbsent.check(withSend(ACKED, 1, { outcome: 'info' }))).toEqual([]);
  });

  it('DistinctAckedOffsets: two different records acknowledged at one offset of a partition; the same record twice, or another partition, is not', () => {
    expect(DistinctAckedOffsets.check(ACKED)).toEqual([]);
    // After an unclean election the new leader appends r1 where r0 was acknowledged.
    expect(DistinctAckedOffsets.check(withSend(ACKED, 1, { offset: 0 }))).toEqual([
      { code: 'acked_offset_shared', partition: 0, offset: 0, sends: [0, 1], records: [0, 1] },
    ]);
    expect(DistinctAckedOffsets.check(withSend(ACKED, 1, { offset: 0, record: 0 }))).toEqual([]);
    expect(DistinctAckedOffsets.check(withSend(ACKED, 1, { offset: 0, partition: 1 }))).toEqual([]);
    expect(DistinctAckedOffsets.check(withSend(ACKED, 1, { offset: 0, outcome: 'info' }))).toEqual([]);
  });

  it('DistinctAckedOffsets: after an unclean election the new leader acknowledges r1 at the offset where r0 was acknowledged', () => {
    const config = { 'replication.factor': 2, 'unclean.leader.election.enable': true };
    const { last } = play(config, [
      'AppSend(p0)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'LeaderShrinkIsr(p0,b1)',
      'AppSend(p0)',
      'BrokerCompleteProduce(b0)',
      'ProducerReceive(b0)',
      'BrokerCrash(b0)',
      'ProducerDrain(b1)',
      'BrokerReceive(b1)',
      'ProducerReceive(b1)',
    ]);
    expect(last.ghost.stats.uncleanElections).toBe(1);
    expect(DistinctAckedOffsets.check(last)).toEqual([{ code: 'acked_offset_shared', partition: 0, offset: 0, sends: [0, 1], records: [0, 1] }]);
    // AckedOffsetHoldsRecord sees nothing wrong: r0 is gone and r1 is where its ack says.
    expect(AckedOffsetHoldsRecord.check(last)).toEqual([]);
  });

  it('NoDuplicateAcrossPartitions: a record committed in two partitions; uncommitted copies do not count', () => {
    // r0 to p0 and r1 to p1, each appended, acknowledged and committed.
    const two = play({ partitions: 2 }, ['AppSend(p0)', 'AppSend(p1)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)']).last;
    expect(two.ghost.sends.map((s) => [s.partition, s.outcome])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
    ]);
    expect(NoDuplicateAcrossPartitions.check(two)).toEqual([]);
    // The second send was a resend of r0 that went to p1.
    const resentElsewhere = withSend(two, 1, { record: 0 });
    expect(NoDuplicateAcrossPartitions.check(resentElsewhere)).toEqual([
      { code: 'duplicate_across_partitions', record: 0, partitions: [0, 1], offsets: [0, 0] },
    ]);
    // Within one partition it is NoDuplicateRecord's, not this one's.
    expect(NoDuplicateRecord.check(resentElsewhere)).toEqual([]);
    const p1 = resentElsewhere.cluster.partitions[1] as State['cluster']['partitions'][number];
    const uncommitted = {
      ...resentElsewhere,
      cluster: { ...resentElsewhere.cluster, partitions: [resentElsewhere.cluster.partitions[0], { ...p1, replicas: [{ ...p1.replicas[0], hw: 0 }] }] },
    } as State;
    expect(NoDuplicateAcrossPartitions.check(uncommitted)).toEqual([]);
  });

  it('violatedInvariants names each violated invariant with its violations, in the order given', () => {
    const broken = withSend(withLog(ACKED, [...LOG, batch(2, [0])], 3), 0, { outcome: 'fail' });
    expect(violatedInvariants(broken, INVARIANTS).map((r) => [r.invariant, r.violations.length])).toEqual([
      ['NoDuplicateRecord', 1],
      ['FailedRecordAbsent', 2],
    ]);
  });
});
