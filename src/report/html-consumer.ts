/**
 * The consumer side of the HTML sequence diagram (html.ts draws it): a lane per consumer, one for
 * the group coordinator and one for the sink, with what each consumer step sent where (a fetch to
 * the partition leader, an effect to the sink, a commit to the coordinator) and short marks.
 * A trace without a consumer group has none of these lanes.
 */

import type { Event } from '../model/events.js';
import type { State } from '../model/types.js';
import { sendLabel } from './format.js';
import { isConsumerEvent } from './narrate-consumer.js';

/** A consumer-side lane: `c0`, `c1`, the coordinator or the sink. */
export type ConsumerLane = `c${number}` | 'coordinator' | 'sink';

export function consumerLanes(state: State | undefined): readonly ConsumerLane[] {
  const side = state?.consumers;
  if (side === null || side === undefined) return [];
  return [...side.consumers.map((_, c) => `c${c}` as ConsumerLane), 'coordinator', 'sink'];
}

export function consumerLaneTitle(lane: ConsumerLane): string {
  return lane === 'coordinator' ? 'Group coordinator' : lane === 'sink' ? 'Sink' : `Consumer ${lane}`;
}

/** Whether a consumer lane is up after a step (a crashed consumer's lane is dashed). */
export function consumerLaneUp(lane: ConsumerLane, state: State | undefined): boolean {
  if (lane === 'coordinator' || lane === 'sink') return true;
  return state?.consumers?.consumers[Number(lane.slice(1))]?.running === true;
}

/** What a consumer step draws: an arrow from a lane to a lane (a broker is its number), and marks. */
export interface ConsumerDrawing {
  readonly arrow: { readonly from: ConsumerLane; readonly to: ConsumerLane | number; readonly label: string } | null;
  readonly marks: readonly { readonly lane: ConsumerLane; readonly text: string; readonly tone: string }[];
}

function committedText(before: State, after: State): string {
  const b = before.consumers;
  const a = after.consumers;
  if (b === null || a === null) return '';
  const changed = a.group.committed.filter((e, p) => b.group.committed[p]?.offset !== e.offset);
  return changed.map((e) => `p${e.partition}→${e.offset}`).join(' ');
}

export function consumerDrawing(event: Event, before: State, after: State): ConsumerDrawing | null {
  const b = before.consumers;
  const a = after.consumers;
  if (!isConsumerEvent(event) || b === null || a === null) return null;
  const stat = (key: keyof NonNullable<State['consumers']>['stats']): number => a.stats[key] - b.stats[key];
  const none: ConsumerDrawing = { arrow: null, marks: [] };
  switch (event.kind) {
    case 'ConsumerPoll':
    case 'ConsumerPollAutoCommit': {
      const lane: ConsumerLane = `c${event.consumer}`;
      const old = b.consumers[event.consumer];
      const now = a.consumers[event.consumer];
      const commit = committedText(before, after);
      const marks: { lane: ConsumerLane; text: string; tone: string }[] = [];
      if (old !== undefined && now !== undefined) {
        if (old.memberId !== now.memberId) marks.push({ lane, text: `join → m${now.memberId}`, tone: 'note' });
        else if (old.assigned.length > 0 && now.assigned.length === 0) marks.push({ lane, text: 'revoke, rejoin', tone: 'warn' });
        else if (old.generation !== now.generation) marks.push({ lane, text: `g${now.generation}: ${now.assigned.map((p) => `p${p.partition}`).join(',') || 'nothing'}`, tone: 'note' });
        else {
          const returned = now.returned.slice(old.returned.length).map((r) => sendLabel(after, r.send));
          if (returned.length > 0) marks.push({ lane, text: `poll → ${returned.join(' ')}`, tone: 'ok' });
        }
      }
      return commit === '' ? { arrow: null, marks } : { arrow: { from: lane, to: 'coordinator', label: `auto-commit ${commit}` }, marks };
    }
    case 'ConsumerFetch': {
      const lane: ConsumerLane = `c${event.consumer}`;
      const leader = after.cluster.partitions[event.partition]?.leader ?? -1;
      const now = a.consumers[event.consumer]?.assigned.find((p) => p.partition === event.partition);
      if (stat('truncationsDetected') > 0) return { arrow: null, marks: [{ lane, text: `truncation: seek p${event.partition}→${now?.position.offset ?? 0}`, tone: 'bad' }] };
      if (now?.buffered !== null && now?.buffered !== undefined && leader >= 0) {
        // A read_committed fetch of only aborted records or markers returns none and moves the next offset.
        const got = now.buffered.records.length === 0 ? `no record, next ${now.buffered.nextFetchOffset}` : now.buffered.records.map((r) => sendLabel(after, r.send)).join(' ');
        return { arrow: { from: lane, to: leader, label: `fetch p${event.partition}: ${got}` }, marks: [] };
      }
      if (stat('offsetResets') > 0) return { arrow: null, marks: [{ lane, text: `p${event.partition} reset → ${now?.position.offset ?? '-'}`, tone: 'note' }] };
      return { arrow: null, marks: [{ lane, text: `p${event.partition} leader changed`, tone: 'warn' }] };
    }
    case 'ConsumerProcess': {
      const record = b.consumers[event.consumer]?.returned[0];
      const text = record === undefined ? '?' : `${sendLabel(after, record.send)}@${record.offset}`;
      if (stat('dedupSkips') > 0) return { arrow: null, marks: [{ lane: 'sink', text: `skip ${text} (id known)`, tone: 'note' }] };
      return { arrow: { from: `c${event.consumer}`, to: 'sink', label: `effect ${text}${stat('processedAfterLoss') > 0 ? ' (lost partition)' : ''}` }, marks: [] };
    }
    case 'ConsumerWriteId':
      return { arrow: { from: `c${event.consumer}`, to: 'sink', label: `id r${b.consumers[event.consumer]?.idToWrite}` }, marks: [] };
    case 'ConsumerCommit':
    case 'ConsumerCommitResponseLost': {
      const commit = committedText(before, after);
      const lane: ConsumerLane = `c${event.consumer}`;
      if (stat('commitsRejected') > 0) return { arrow: { from: lane, to: 'coordinator', label: 'commit: rejected' }, marks: [{ lane, text: 'CommitFailedException', tone: 'bad' }] };
      const lost = event.kind === 'ConsumerCommitResponseLost' ? ' (response lost)' : '';
      return { arrow: { from: lane, to: 'coordinator', label: `commit ${commit || 'unchanged'}${lost}` }, marks: [] };
    }
    case 'ConsumerCrash':
      return { arrow: null, marks: [{ lane: `c${event.consumer}`, text: '✗ crash', tone: 'bad' }] };
    case 'ConsumerRestart':
      return { arrow: null, marks: [{ lane: `c${event.consumer}`, text: '↻ restart', tone: 'ok' }] };
    case 'GroupCompleteRebalance':
      return { arrow: null, marks: [{ lane: 'coordinator', text: `g${a.group.generation}: ${a.group.members.map((m) => `c${m.consumer}[${m.assignment.map((p) => `p${p}`).join(',')}]`).join(' ')}`, tone: 'note' }] };
    case 'GroupExpireSession':
    case 'GroupEvictMember': {
      const member = b.group.members[event.nth];
      const why = event.kind === 'GroupExpireSession' ? 'session expired' : 'evicted (late poll)';
      return { arrow: null, marks: [{ lane: 'coordinator', text: `m${member?.memberId} ${why}`, tone: event.kind === 'GroupEvictMember' ? 'bad' : 'warn' }] };
    }
    case 'GroupPrepareRebalance':
      return { arrow: null, marks: [{ lane: 'coordinator', text: 'rebalance', tone: 'warn' }] };
  }
  return none;
}
