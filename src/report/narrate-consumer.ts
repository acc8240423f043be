/**
 * One sentence per consumer-side step (narrate.ts hands these events over): what the consumer,
 * the group coordinator or the sink did, read from the difference between the two states.
 */

import { fetchFromLeader } from '../model/consumer-fetch.js';
import type { ConsumedRecord, ConsumerSide, ConsumerState } from '../model/consumer-types.js';
import { isConsumerKind } from '../model/events.js';
import type { ConsumerKind, Event, EventOf } from '../model/events.js';
import type { State } from '../model/types.js';
import { sendLabel } from './format.js';

export type ConsumerEvent = EventOf<ConsumerKind>;

export function isConsumerEvent(event: Event): event is ConsumerEvent {
  return isConsumerKind(event.kind);
}

function sentence(parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join('; ');
}

function recordText(state: State, r: ConsumedRecord): string {
  return `${sendLabel(state, r.send)}@${r.offset}`;
}

/** Offsets the group's commit changed, as "commits p0→3". */
function committedChanges(before: ConsumerSide, after: ConsumerSide): string {
  const changed = after.group.committed.filter((e, p) => {
    const old = before.group.committed[p];
    return old === undefined || old.offset !== e.offset || old.leaderEpoch !== e.leaderEpoch;
  });
  return changed.length === 0 ? '' : `the group's committed offset is now ${changed.map((e) => `p${e.partition}→${e.offset}`).join(', ')}`;
}

function groupText(side: ConsumerSide): string {
  const members = side.group.members.map((m) => `m${m.memberId}(c${m.consumer}${m.assignment.length > 0 ? `: p${m.assignment.join(',p')}` : ''})`).join(' ');
  return `generation ${side.group.generation}, ${side.group.phase}${members === '' ? '' : `, members ${members}`}`;
}

function consumerAt(side: ConsumerSide, c: number): ConsumerState | undefined {
  return side.consumers[c];
}

/** The send a partition's leader log holds at `offset`, or -1. */
function sendAtOffset(state: State, partition: number, offset: number): number {
  const p = state.cluster.partitions[partition];
  for (const b of p?.replicas[p.leader]?.log ?? []) {
    const i = offset - b.baseOffset;
    if (i >= 0 && i < b.sends.length) return b.sends[i] as number;
  }
  return -1;
}

/**
 * What a fetch that buffered data read, said again from the leader's answer in the state before it
 * (consumer-fetch.ts `fetchFromLeader`, deterministic): its upper bound, the records kept, and,
 * with transactions, the aborted records and markers the client dropped. Without transactional.id
 * the sentence is the one reports had before (no markers can be in the log).
 */
function fetchText(before: State, after: State, consumer: number, partition: number): string {
  const who = `c${consumer}`;
  const data = after.consumers?.consumers[consumer]?.assigned.find((p) => p.partition === partition)?.buffered;
  const held = before.consumers?.consumers[consumer]?.assigned.find((p) => p.partition === partition);
  const leader = before.cluster.partitions[partition];
  if (data === null || data === undefined) return `${who} fetches p${partition}`;
  const records = data.records.map((r) => recordText(after, r)).join(' ');
  const txn = before.txn;
  if (txn === null || held === undefined || leader === undefined || before.consumers === null) return `${who} fetches p${partition} up to the HW: ${records}`;
  const read = { level: txn.isolation, ignoreAbortedIndex: txn.ignoreAbortedIndex };
  const generation = before.consumers.consumers[consumer]?.generation ?? -1;
  const answer = fetchFromLeader(leader, partition, { ...held.position, offset: data.fetchOffset }, before.consumers.keys, generation, read);
  if (answer.kind !== 'records') return `${who} fetches p${partition}: ${records}`;
  const bound = txn.isolation === 'read_committed' ? `up to the LSO, ${answer.bound} (read_committed)` : `up to the HW, ${answer.bound} (read_uncommitted)`;
  const aborted = answer.abortedSkipped.map((o) => `${sendLabel(before, sendAtOffset(before, partition, o))}@${o}`);
  return sentence([
    `${who} fetches p${partition} ${bound}: ${records === '' ? 'no record to return' : records}`,
    aborted.length === 0 ? '' : `drops ${aborted.join(' ')}, of an aborted transaction the fetch response lists (aborted index)`,
    answer.controlSkipped.length === 0 ? '' : `skips the marker${answer.controlSkipped.length === 1 ? '' : 's'} at ${answer.controlSkipped.map((o) => `@${o}`).join(', ')}`,
    `the next fetch offset is ${data.nextFetchOffset}`,
  ]);
}

export function narrateConsumer(before: State, after: State, event: ConsumerEvent): string {
  const b = before.consumers;
  const a = after.consumers;
  if (b === null || a === null) return event.kind;
  const stat = (key: keyof ConsumerSide['stats']): number => a.stats[key] - b.stats[key];
  switch (event.kind) {
    case 'ConsumerPoll':
    case 'ConsumerPollAutoCommit': {
      const old = consumerAt(b, event.consumer);
      const now = consumerAt(a, event.consumer);
      const who = `c${event.consumer}`;
      const commit = committedChanges(b, a);
      const autoCommit = commit === '' ? '' : `it auto-commits what earlier polls returned: ${commit}`;
      if (old === undefined || now === undefined) return `${who} polls`;
      if (old.memberId !== now.memberId) return sentence([`${who} polls and joins the group as member m${now.memberId}`, groupText(a)]);
      if (old.assigned.length > 0 && now.assigned.length === 0) return sentence([`${who} polls: the group is rebalancing`, autoCommit, 'EAGER revokes its partitions and it rejoins']);
      if (old.generation !== now.generation) {
        const parts = now.assigned.map((p) => `p${p.partition} from ${p.fetchState === 'AWAIT_RESET' ? 'the earliest offset (no commit)' : `committed offset ${p.position.offset}`}`);
        return `${who} polls and takes its assignment in generation ${now.generation}: ${parts.join(', ') || 'no partitions'}`;
      }
      const returned = now.returned.slice(old.returned.length);
      const what = returned.length === 0 ? 'nothing' : returned.map((r) => recordText(after, r)).join(' ');
      // A fetch of only aborted records or markers: the position moves with nothing returned (FC fetchRecords).
      const moved = returned.length > 0 ? [] : now.assigned.filter((p) => old.assigned.some((o) => o.partition === p.partition && o.buffered !== null && o.position.offset !== p.position.offset));
      const past = moved.map((p) => `its position on p${p.partition} moves past the skipped records to ${p.position.offset}`).join(', ');
      return sentence([`${who} polls`, autoCommit, `poll() returns ${what}`, past]);
    }
    case 'ConsumerFetch': {
      const now = consumerAt(a, event.consumer)?.assigned.find((p) => p.partition === event.partition);
      const who = `c${event.consumer}`;
      if (stat('truncationsDetected') > 0) return `${who} validates its position on p${event.partition} with the new leader: the log it read was truncated; it seeks back to ${now?.position.offset ?? 'the earliest offset'}`;
      if (stat('offsetResets') > 0 && now?.fetchState === 'FETCHING') return `${who} has no committed offset on p${event.partition}: it resets to the earliest offset, ${now.position.offset} (ListOffsets)`;
      if (now?.buffered !== null && now?.buffered !== undefined) return fetchText(before, after, event.consumer, event.partition);
      if (now?.fetchState === 'AWAIT_RESET') return `${who}'s position on p${event.partition} is out of range; it will reset to the earliest offset`;
      if (now?.fetchState === 'AWAIT_VALIDATION') return `${who} learns p${event.partition} has a new leader; its position awaits validation`;
      return `${who}'s position on p${event.partition} is now ${now?.position.offset ?? '?'}`;
    }
    case 'ConsumerProcess': {
      const record = consumerAt(b, event.consumer)?.returned[0];
      const text = record === undefined ? 'a record' : recordText(after, record);
      if (stat('dedupSkips') > 0) return `c${event.consumer} skips ${text}: the sink already holds record r${record?.key}'s id`;
      const lost = stat('processedAfterLoss') > 0 ? ' (its partition now belongs to another member)' : '';
      return `c${event.consumer} processes ${text}: the sink gets effect of r${record?.key}${lost}`;
    }
    case 'ConsumerWriteId':
      return `c${event.consumer} writes record r${consumerAt(b, event.consumer)?.idToWrite}'s id to the sink (second write)`;
    case 'ConsumerCommit':
    case 'ConsumerCommitResponseLost': {
      const commit = committedChanges(b, a);
      const lost = event.kind === 'ConsumerCommitResponseLost' ? 'the response is lost: commitSync() will send the same offsets again' : '';
      const rejected = stat('commitsRejected') > 0 ? 'the commit is rejected (CommitFailedException): the loop drops its returned records and polls again' : '';
      return sentence([`c${event.consumer} commits (commitSync)`, commit === '' && rejected === '' ? 'nothing changes' : commit, lost, rejected]);
    }
    case 'ConsumerCrash':
      return `c${event.consumer} crashes: its positions and unprocessed records are gone; the group still lists its member`;
    case 'ConsumerRestart':
      return `c${event.consumer} restarts as a new process (session ${consumerAt(a, event.consumer)?.session})`;
    case 'GroupCompleteRebalance':
      return `the rebalance completes: ${groupText(a)}`;
    case 'GroupExpireSession':
    case 'GroupEvictMember': {
      const member = b.group.members[event.nth];
      const why = event.kind === 'GroupExpireSession' ? 'its session times out' : 'its poll() is late (max.poll.interval.ms); the consumer does not know yet and goes on processing';
      return `the coordinator removes member m${member?.memberId} (c${member?.consumer}): ${why}`;
    }
    case 'GroupPrepareRebalance':
      return 'the group starts a rebalance: every member must rejoin';
  }
}
