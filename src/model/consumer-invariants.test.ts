/**
 * Each consumer invariant on a state that holds and on the same state broken by hand (or by the
 * one fault it is about).
 */

import { describe, expect, it } from 'vitest';
import { initialPartition } from './cluster.js';
import { fetchStep } from './consumer-fetch.js';
import { commitStep, completeRebalance, crashConsumer, evictMember, initialConsumerSide, pollStep, processStep, recordKey } from './consumer.js';
import {
  CONSUMER_INVARIANTS,
  NoEffectOfLostRecord,
  NoRecordProcessedTwice,
  NoRecordSkipped,
  ProcessedInLogOrder,
} from './consumer-invariants.js';
import type { ConsumerView } from './consumer-invariants.js';
import type { ConsumerMode, ConsumerSide, ConsumerState } from './consumer-types.js';
import * as make from './records.js';
import type { ClusterState, LogBatch, PartitionState } from './types.js';

const batch = (baseOffset: number, sends: number[]): LogBatch => ({ baseOffset, leaderEpoch: 0, producerId: 1, epoch: 0, baseSequence: baseOffset, sends });

function cluster(log: LogBatch[], hw: number): ClusterState {
  const p = initialPartition(0, 1);
  const partition: PartitionState = make.partition({ ...p, replicas: [make.replica({ ...(p.replicas[0] as PartitionState['replicas'][number]), log, hw })] });
  return make.cluster({ alive: [true], partitions: [partition] });
}

const CLUSTER = cluster([batch(0, [0, 1]), batch(2, [2])], 3);

/** One consumer polls the three records of CLUSTER (keys 10, 11, 12). */
function polled(mode: ConsumerMode): ConsumerSide {
  const partition = CLUSTER.partitions[0] as PartitionState;
  let side = [10, 11, 12].reduce((s, key, send) => recordKey(s, send, key), initialConsumerSide(1, 1));
  side = pollStep(side, 0, mode, [0], false).side;
  side = completeRebalance(side, 1);
  side = pollStep(side, 0, mode, [0], false).side;
  for (let i = 0; i < 2; i++) side = { ...side, consumers: [fetchStep(side.consumers[0] as ConsumerState, 0, partition, side.keys).consumer] };
  return pollStep(side, 0, mode, [0], false).side;
}

const PTC: ConsumerMode = { kind: 'process-then-commit' };

/** Everything processed and committed. */
function done(): ConsumerSide {
  let side = polled(PTC);
  for (let i = 0; i < 3; i++) side = processStep(side, 0, PTC);
  return commitStep(side, 0, PTC, false);
}

const view = (consumers: ConsumerSide, c: ClusterState = CLUSTER): ConsumerView => ({ cluster: c, consumers });

describe('consumer invariants', () => {
  it('all hold when every record was processed once, in order, and committed', () => {
    const side = done();
    expect(side.sink.effects.map((e) => [e.offset, e.key])).toEqual([
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
    expect(side.group.committed[0]?.offset).toBe(3);
    for (const inv of CONSUMER_INVARIANTS) expect(inv.check(view(side)), inv.name).toEqual([]);
  });

  it('NoRecordProcessedTwice: a second effect of a key', () => {
    const side = done();
    const broken = { ...side, sink: { ...side.sink, effects: [...side.sink.effects, { ...(side.sink.effects[1] as ConsumerSide['sink']['effects'][number]), session: 1 }] } };
    expect(NoRecordProcessedTwice.check(view(broken))).toEqual([
      {
        code: 'record_processed_twice',
        record: 11,
        effects: [
          { partition: 0, offset: 1, consumer: 0, session: 0 },
          { partition: 0, offset: 1, consumer: 0, session: 1 },
        ],
      },
    ]);
  });

  it('NoRecordProcessedTwice holds for two records with different keys at the same offset (not keyed on offsets)', () => {
    const side = done();
    const other = { ...side, sink: { ...side.sink, effects: [...side.sink.effects, { ...(side.sink.effects[0] as ConsumerSide['sink']['effects'][number]), key: 99, send: 9 }] } };
    expect(NoRecordProcessedTwice.check(view(other))).toEqual([]);
  });

  it('NoRecordSkipped: a record below the committed offset with no effect', () => {
    const side = done();
    const broken = { ...side, sink: { ...side.sink, effects: side.sink.effects.filter((e) => e.key !== 11) } };
    expect(NoRecordSkipped.check(view(broken))).toEqual([{ code: 'record_skipped', partition: 0, offset: 1, send: 1, record: 11, resumeOffset: 3 }]);
  });

  it('NoRecordSkipped: commit-then-process holds while the consumer still holds the records, and breaks when it crashes', () => {
    const ctp: ConsumerMode = { kind: 'commit-then-process' };
    const committed = commitStep(polled(ctp), 0, ctp, false);
    expect(committed.group.committed[0]?.offset).toBe(3);
    expect(NoRecordSkipped.check(view(committed))).toEqual([]);
    expect(NoRecordSkipped.check(view(crashConsumer(committed, 0))).map((v) => v.code === 'record_skipped' && v.offset)).toEqual([0, 1, 2]);
  });

  it('NoRecordSkipped: commit-then-process whose stored commit the client saw fail (lost response, then evicted) drops records below it', () => {
    const ctp: ConsumerMode = { kind: 'commit-then-process' };
    let side = commitStep(polled(ctp), 0, ctp, true);
    side = evictMember(side, 0);
    side = commitStep(side, 0, ctp, false);
    expect(side.consumers[0]).toMatchObject({ phase: 'poll', returned: [], memberId: -1 });
    expect(side.group.committed[0]?.offset).toBe(3);
    expect(NoRecordSkipped.check(view(side))).toHaveLength(3);
  });

  it('NoRecordSkipped counts a sink offset as a resume point (offsets-in-sink)', () => {
    const side = done();
    const broken = { ...side, group: { ...side.group, committed: [{ partition: 0, offset: -1, leaderEpoch: -1 }] }, sink: { ...side.sink, effects: [], offsets: [1] } };
    expect(NoRecordSkipped.check(view(broken)).map((v) => v.code === 'record_skipped' && v.resumeOffset)).toEqual([1]);
  });

  it('ProcessedInLogOrder: one generation\'s effects going back in offset', () => {
    const side = done();
    const [a, b, c] = side.sink.effects;
    const broken = { ...side, sink: { ...side.sink, effects: [a, c, b] as ConsumerSide['sink']['effects'] } };
    expect(ProcessedInLogOrder.check(view(broken))).toEqual([
      { code: 'processed_out_of_order', partition: 0, consumer: 0, session: 0, generation: 1, earlierEffect: { offset: 2, record: 12 }, laterEffect: { offset: 1, record: 11 } },
    ]);
    // The same effects from a later generation are re-delivery, not reordering.
    const regen = { ...side, sink: { ...side.sink, effects: [a, c, { ...(b as ConsumerSide['sink']['effects'][number]), generation: 2 }] as ConsumerSide['sink']['effects'] } };
    expect(ProcessedInLogOrder.check(view(regen))).toEqual([]);
  });

  it('NoEffectOfLostRecord: the leader\'s log no longer holds the record at the offset it was read from', () => {
    const side = done();
    // As after an unclean election: offset 2 now holds another send, offset 1 survives.
    const truncated = cluster([batch(0, [0, 1]), batch(2, [7])], 2);
    expect(NoEffectOfLostRecord.check(view(side, truncated))).toEqual([{ code: 'effect_of_lost_record', partition: 0, offset: 2, send: 2, record: 12 }]);
    // A new leader whose HW lags (offset 2 above it, still in its log) has lost nothing.
    expect(NoEffectOfLostRecord.check(view(side, cluster([batch(0, [0, 1]), batch(2, [2])], 1)))).toEqual([]);
    // No leader: nothing to compare against.
    const offline = { ...truncated, partitions: [{ ...(truncated.partitions[0] as PartitionState), leader: -1 }] };
    expect(NoEffectOfLostRecord.check(view(side, offline))).toEqual([]);
  });
});
