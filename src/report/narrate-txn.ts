/**
 * What a transactional step did, in a sentence (narrate.ts hands these kinds here), read from the
 * states before and after the step: the transaction manager's requests and answers, the
 * coordinator's transitions and log writes, markers at the partition leaders, timeouts, failovers
 * and the zombie's steps. Also the transactions cell of the steps table.
 */

import { TXN_KINDS } from '../model/events.js';
import type { Event } from '../model/events.js';
import type { CoordinatorMarker, TransactionMetadata, TxnMarker, TxnRequest, TxnSide } from '../model/txn-types.js';
import type { State } from '../model/types.js';
import { sendLabel } from './format.js';

/** The transactional kinds, narrated here (events.ts TXN_KINDS). */
export const TXN_NARRATED: ReadonlySet<Event['kind']> = new Set(TXN_KINDS);

/** The group's offsets partition in a marker or request (txn-side.ts OFFSETS_PARTITION). */
const partitionText = (p: number): string => (p < 0 ? 'offsets' : `p${p}`);

export function requestText(r: TxnRequest): string {
  const who = r.producerId < 0 ? '' : ` ${r.producerId}/${r.epoch}`;
  switch (r.kind) {
    case 'InitProducerId':
      return `InitProducerId${who}`;
    case 'AddPartitionsToTxn':
      return `AddPartitionsToTxn{${r.partitions.map(partitionText).join(',')}}${who}`;
    case 'EndTxn':
      return `EndTxn(${r.result})${who}`;
    case 'TxnOffsetCommit':
      return `TxnOffsetCommit(${r.offset})${who}`;
    case 'OffsetCommit':
      return `OffsetCommit(${r.offset})`;
  }
}

export function markerText(m: TxnMarker): string {
  return `${m.result} marker ${m.producerId}/${m.epoch} to ${partitionText(m.partition)}`;
}

/**
 * transaction.version=2: a produce step in which a partition leader added the batch's partition at
 * the coordinator (txn-events.ts `v2AddPartition` writes the transaction log in the same step), or null.
 */
export function leaderAddedPartition(before: State, after: State): string | null {
  const added = leaderAdd(before, after);
  return added === null ? null : `the leader adds the partition at the coordinator for the producer (transaction.version=2): ${added}`;
}

/** The coordinator's metadata a produce step's leader add wrote (`leaderAddedPartition`), as text, or null. */
export function leaderAdd(before: State, after: State): string | null {
  const b = before.txn?.coordinator;
  const a = after.txn?.coordinator;
  return b === undefined || a === undefined || a.log.length === b.log.length ? null : metaText(a.meta);
}

/** A marker TMCM holds, with where it waits when a leader appended it (replication.factor > 1). */
export function heldMarkerText(m: CoordinatorMarker): string {
  return m.appended === undefined ? markerText(m) : `${markerText(m)} (appended at b${m.appended.broker}, awaiting HW ${m.appended.requiredOffset})`;
}

/** How a parked marker's leader answers it (txn-coordinator.ts `markerAnswer`), from the state before the step, or null while it waits. */
export function parkedAnswer(before: State, marker: CoordinatorMarker, acknowledged: boolean): string | null {
  const a = marker.appended;
  if (a === undefined) return null;
  if (acknowledged) return 'NONE';
  const p = before.cluster.partitions[marker.partition];
  const moved = p === undefined || p.leader !== a.broker || p.leaderEpoch !== a.leaderEpoch || before.cluster.alive[a.broker] !== true;
  return moved ? 'NOT_LEADER_OR_FOLLOWER' : 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
}

export function metaText(m: TransactionMetadata | null): string {
  if (m === null) return 'no metadata';
  const parts = m.partitions.length > 0 ? `{${m.partitions.map(partitionText).join(',')}}` : '';
  return `${m.state}${parts} ${m.producerId}/${m.epoch}`;
}

/** The coordinator request a step takes (held up, or read from the inbox or the delayed copies), from the state before it. */
export function requestOf(event: Event, before: TxnSide): TxnRequest | undefined {
  switch (event.kind) {
    case 'CoordinatorDelayRequest':
    case 'CoordinatorReceive':
      return before.coordinator.inbox[event.nth];
    case 'CoordinatorReceiveDelayed':
      return before.coordinator.delayed[event.nth];
    default:
      return undefined;
  }
}

/** The marker a step writes, answers or retries (a late copy for BrokerWriteLateMarker), from the state before it. */
export function markerOf(event: Event, before: TxnSide): CoordinatorMarker | undefined {
  switch (event.kind) {
    case 'BrokerWriteMarker':
    case 'BrokerCompleteMarker':
    case 'CoordinatorRetryMarker':
      return before.coordinator.markers[event.nth];
    case 'BrokerWriteLateMarker':
      return before.coordinator.lateMarkers[event.nth];
    default:
      return undefined;
  }
}

/** Whether a step grew the log of the partition's leader (as it was before the step): a marker written, not rejected. */
export function leaderLogGrew(before: State, after: State, partition: number): boolean {
  const p = before.cluster.partitions[partition];
  const leader = p?.leader ?? -1;
  return (after.cluster.partitions[partition]?.replicas[leader]?.log.length ?? 0) > (p?.replicas[leader]?.log.length ?? 0);
}

/** The coordinator's completion a marker's acknowledgement started, as a clause. */
function completes(b: TxnSide, a: TxnSide): string {
  return b.coordinator.meta?.state !== a.coordinator.meta?.state || (a.coordinator.pending !== null && b.coordinator.pending === null) ? `; the coordinator completes: pending ${metaText(a.coordinator.pending?.meta ?? a.coordinator.meta)}` : '';
}

function sides(before: State, after: State): { b: TxnSide; a: TxnSide } | null {
  return before.txn === null || after.txn === null ? null : { b: before.txn, a: after.txn };
}

/** The answers a step delivered to either instance, as `ERROR` words. */
function delivered(b: TxnSide, a: TxnSide): string[] {
  const grew = (x: readonly { error: string }[], y: readonly { error: string }[]): string[] => (y.length > x.length ? y.slice(x.length).map((r) => r.error) : []);
  return [...grew(b.client.responses, a.client.responses), ...(b.zombie !== null && a.zombie !== null ? grew(b.zombie.client.responses, a.zombie.client.responses) : [])];
}

function tmChange(b: TxnSide, a: TxnSide): string {
  const from = b.client.tm;
  const to = a.client.tm;
  const epoch = to.producerId >= 0 && (to.producerId !== from.producerId || to.epoch !== from.epoch) ? ` with ${to.producerId}/${to.epoch}` : '';
  return from.state === to.state ? epoch.trim() : `TM ${from.state} → ${to.state}${epoch}`;
}

function coordinatorChange(b: TxnSide, a: TxnSide): string {
  const parts: string[] = [];
  if (a.coordinator.pending !== null && b.coordinator.pending === null) parts.push(`pending ${metaText(a.coordinator.pending.meta)}`);
  const answers = delivered(b, a);
  if (answers.length > 0) parts.push(`answers ${answers.join(', ')}`);
  if (a.coordinator.markers.length > b.coordinator.markers.length) parts.push(`sends ${a.coordinator.markers.slice(b.coordinator.markers.length).map(markerText).join(', ')}`);
  return parts.join('; ');
}

/** A transactional step in a sentence, or null for the other kinds. */
export function narrateTxn(before: State, after: State, event: Event): string | null {
  if (!TXN_NARRATED.has(event.kind)) return null;
  const s = sides(before, after);
  if (s === null) return null;
  const { b, a } = s;
  const with_ = (text: string, extra: string): string => (extra === '' ? text : `${text}: ${extra}`);
  switch (event.kind) {
    case 'AppInitTransactions':
      return with_('initTransactions()', tmChange(b, a));
    case 'AppBeginTransaction':
      return `beginTransaction(): transaction #${a.ghost.txns.length} of session ${after.producer.session}`;
    case 'AppCommitTransaction':
      return with_('commitTransaction()', tmChange(b, a));
    case 'AppAbortTransaction':
      return with_('abortTransaction()', tmChange(b, a));
    case 'ProducerSendTxnRequest': {
      const sent = a.client.inFlight;
      if (sent !== null && sent.id !== b.client.inFlight?.id) return `producer sends ${requestText(sent)} to the transaction coordinator`;
      return with_('the transaction never added a partition, so it ends without EndTxn', tmChange(b, a));
    }
    case 'ProducerReceiveTxnResponse': {
      const response = b.client.responses[0];
      const request = b.client.inFlight;
      if (response === undefined) return null;
      if (request === null || request.id !== response.id) return `producer drops an answer (${response.error}) to a request it no longer waits for`;
      const retry = response.error === 'CONCURRENT_TRANSACTIONS' ? ', to be retried' : '';
      return with_(`producer reads ${response.error} for ${requestText(request)}${retry}`, tmChange(b, a));
    }
    case 'ProducerTxnRequestTimeout': {
      const request = b.client.inFlight;
      return `request.timeout.ms: ${request === null ? 'the request' : requestText(request)} times out; the producer sends it again, and the first copy may still arrive`;
    }
    case 'CoordinatorDelayRequest': {
      const request = requestOf(event, b);
      return request === undefined ? null : `${requestText(request)} is held up on its way to the coordinator; later requests overtake it`;
    }
    case 'CoordinatorReceive':
    case 'CoordinatorReceiveDelayed': {
      const request = requestOf(event, b);
      if (request === undefined) return null;
      const late = event.kind === 'CoordinatorReceiveDelayed' ? ' (a delayed copy, read after later requests)' : '';
      const who = request.session === after.producer.session ? '' : ` from the old instance (session ${request.session})`;
      return with_(`coordinator reads ${requestText(request)}${who}${late}`, coordinatorChange(b, a));
    }
    case 'CoordinatorAppendLog': {
      const written = b.coordinator.pending?.meta ?? null;
      return with_(`coordinator writes ${metaText(written)} to the transaction log`, coordinatorChange(b, a));
    }
    case 'BrokerWriteMarker':
    case 'BrokerWriteLateMarker': {
      const marker = markerOf(event, b);
      if (marker === undefined) return null;
      const late = event.kind === 'BrokerWriteLateMarker' ? 'the late first copy of a retried ' : '';
      if (marker.partition < 0) {
        const dropped = b.group.pendingOffset !== null && a.group.pendingOffset === null;
        const offset = a.group.committed !== b.group.committed ? `: committed offset ${a.group.committed}` : dropped ? `: the pending offset ${b.group.pendingOffset?.offset} is dropped` : ': no pending offset of that producer';
        const completes = a.coordinator.pending !== null && b.coordinator.pending === null ? `; the coordinator completes: pending ${metaText(a.coordinator.pending.meta)}` : '';
        return `group coordinator applies ${late}${marker.result} to the transactional offset commit${offset}${completes}`;
      }
      const leader = before.cluster.partitions[marker.partition]?.leader ?? -1;
      const grew = leaderLogGrew(before, after, marker.partition);
      const done = completes(b, a);
      // acks=-1: a marker the HW has not passed yet waits at the leader (txn-coordinator.ts brokerWriteMarker).
      const parked = event.kind === 'BrokerWriteMarker' ? a.coordinator.markers[event.nth]?.appended : undefined;
      const waits = parked === undefined ? '' : ` at offset ${parked.requiredOffset - 1}; it answers once the HW passes it (acks=-1; HW ${after.cluster.partitions[marker.partition]?.replicas[leader]?.hw ?? '?'} now)`;
      return `b${leader} ${grew ? 'appends' : 'rejects'} ${late}${markerText(marker)}${waits}${done}`;
    }
    case 'BrokerCompleteMarker': {
      const marker = markerOf(event, b);
      const answer = marker === undefined ? null : parkedAnswer(before, marker, a.coordinator.markers.length < b.coordinator.markers.length);
      if (marker?.appended === undefined || answer === null) return null;
      const at = `b${marker.appended.broker}`;
      if (answer === 'NONE') return `${at} answers the ${markerText(marker)}: the HW passed offset ${marker.appended.requiredOffset - 1}, acknowledged${completes(b, a)}`;
      if (answer === 'NOT_LEADER_OR_FOLLOWER') {
        const now = before.cluster.partitions[marker.partition]?.leader ?? -1;
        return `${at} no longer leads ${partitionText(marker.partition)}${now >= 0 ? ` (b${now} does)` : ''}: the ${markerText(marker)} is answered NOT_LEADER_OR_FOLLOWER and the coordinator sends it again`;
      }
      return `the HW passed the ${markerText(marker)} at ${at}, but the ISR is below min.insync.replicas: NOT_ENOUGH_REPLICAS_AFTER_APPEND, and the coordinator sends it again`;
    }
    case 'CoordinatorAbortTimedOut':
      return with_(`transaction.timeout.ms: the coordinator aborts ${metaText(b.coordinator.meta)} and bumps the epoch`, coordinatorChange(b, a));
    case 'CoordinatorFailover':
      return `the transaction log's leader moves: coordinator epoch ${a.coordinator.coordinatorEpoch}, state reloaded from the log: ${metaText(a.coordinator.meta)}${a.coordinator.markers.length > 0 ? `; markers sent again: ${a.coordinator.markers.map(markerText).join(', ')}` : ''}`;
    case 'CoordinatorRetryMarker': {
      const marker = markerOf(event, b);
      return marker === undefined ? null : `the coordinator sends the ${markerText(marker)} again after a disconnect; the first copy is still on its way`;
    }
    case 'AppCommitOffsets':
      // The step sends the OffsetCommit; the group's committed offset changes when the coordinator reads it.
      return `the consumer sends OffsetCommit(${a.client.inFlight?.offset ?? '?'}), separately, after the transaction`;
    case 'ProducerZombieStep': {
      const zb = b.zombie;
      const za = a.zombie;
      if (zb === null || za === null) return null;
      const what: string[] = [];
      if (za.client.inFlight !== null && za.client.inFlight.id !== zb.client.inFlight?.id) what.push(`sends ${requestText(za.client.inFlight)}`);
      const answer = zb.client.responses[0];
      if (answer !== undefined && za.client.responses.length < zb.client.responses.length) what.push(`reads ${answer.error}${zb.client.inFlight !== null && zb.client.inFlight.id === answer.id ? ` for ${requestText(zb.client.inFlight)}` : ' (no longer awaited)'}`);
      if (za.client.tm.state !== zb.client.tm.state) what.push(`TM ${zb.client.tm.state} → ${za.client.tm.state}`);
      if (a.ghost.fencedWrites > b.ghost.fencedWrites) what.push('its write is fenced');
      // Its produce requests and their answers (the inner step is one of zombie ZOMBIE_KINDS).
      const queued = (n: readonly { toBroker: readonly unknown[]; toClient: readonly unknown[] }[], side: 'toBroker' | 'toClient'): number => n.reduce((k, c) => k + c[side].length, 0);
      const unanswered = (p: typeof zb.producer): number => p.requests.reduce((k, rs) => k + rs.length, 0);
      if (queued(za.network, 'toBroker') > queued(zb.network, 'toBroker')) what.push('sends a produce request');
      else if (queued(za.network, 'toBroker') < queued(zb.network, 'toBroker')) what.push('a broker reads its produce request');
      if (unanswered(za.producer) < unanswered(zb.producer)) what.push('reads a produce answer');
      before.cluster.partitions.forEach((p, i) => {
        const was = p.replicas[p.leader]?.log.length ?? 0;
        const now = after.cluster.partitions[i]?.replicas[p.leader]?.log ?? [];
        for (const batch of now.slice(was)) what.push(`b${p.leader} appends its batch ${batch.producerId}/${batch.epoch} [${batch.sends.map((x) => sendLabel(after, x)).join(' ')}] to p${i}`);
      });
      const sends = after.ghost.sends.length - before.ghost.sends.length;
      if (sends > 0) what.push(`sends ${after.ghost.sends.slice(-sends).map((_, i) => sendLabel(after, before.ghost.sends.length + i)).join(' ')}`);
      return `the old instance (session ${zb.producer.session}, ${zb.producer.producerId}/${zb.producer.epoch}) takes a step${what.length > 0 ? `: ${what.join('; ')}` : ''}`;
    }
    default:
      return null;
  }
}

/** The transactional state in one cell: TM, coordinator, markers on their way, the committed input offset. */
export function txnCell(state: State): string {
  const t = state.txn;
  if (t === null) return '';
  const tm = t.client.tm;
  const client = `TM ${tm.state}${tm.producerId >= 0 ? ` ${tm.producerId}/${tm.epoch}` : ''}${tm.partitionsInTxn.length > 0 ? ` in{${tm.partitionsInTxn.map(partitionText).join(',')}}` : ''}${tm.pendingPartitions.length > 0 ? ` adding{${tm.pendingPartitions.map(partitionText).join(',')}}` : ''}`;
  const c = t.coordinator;
  const coordinator = `TC ${metaText(c.meta)}${c.pending !== null ? ` → ${c.pending.meta.state}` : ''}`;
  const held = c.delayed.length > 0 ? ` · held up: ${c.delayed.map(requestText).join(', ')}` : '';
  const markers = c.markers.length + c.lateMarkers.length > 0 ? ` · markers ${[...c.markers.map(heldMarkerText), ...c.lateMarkers.map((m) => `late ${markerText(m)}`)].join(', ')}` : '';
  const zombie = t.zombie === null ? '' : ` · zombie TM ${t.zombie.client.tm.state} ${t.zombie.producer.producerId}/${t.zombie.producer.epoch}`;
  const outcomes = t.ghost.txns.length > 0 ? ` · txns ${t.ghost.txns.map((x, i) => `#${i + 1} ${x.outcome}`).join(' ')}` : '';
  return `${client} · ${coordinator}${held}${markers}${zombie}${outcomes}`;
}
