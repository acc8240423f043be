/**
 * The transactional side of the HTML sequence diagram (html.ts draws it): one lane for the
 * transaction coordinator, with the transaction manager's requests and the coordinator's answers
 * between the producer and it, its markers to the partition leaders, and marks for its log
 * writes, timeouts, failovers and the zombie's steps. A trace without transactional.id has no lane.
 */

import type { Event } from '../model/events.js';
import type { State } from '../model/types.js';
import { leaderAdd, leaderLogGrew, markerOf, markerText, metaText, parkedAnswer, requestOf, requestText, TXN_NARRATED } from './narrate-txn.js';

export type TxnLane = 'tc';

export function txnLanes(state: State | undefined): readonly TxnLane[] {
  return state?.txn === null || state?.txn === undefined ? [] : ['tc'];
}

export const TXN_LANE_TITLE = 'Txn coordinator';

type End = 'app' | 'producer' | TxnLane | number;

/** What a transactional step draws: arrows between lanes (a broker is its number) and marks. */
export interface TxnDrawing {
  readonly arrows: readonly { readonly from: End; readonly to: End; readonly label: string; readonly kind: 'app' | 'request' | 'response' }[];
  readonly marks: readonly { readonly lane: 'producer' | TxnLane; readonly text: string; readonly tone: string }[];
}

const APP_CALLS: Partial<Record<Event['kind'], string>> = {
  AppInitTransactions: 'initTransactions()',
  AppBeginTransaction: 'beginTransaction()',
  AppCommitTransaction: 'commitTransaction()',
  AppAbortTransaction: 'abortTransaction()',
};

export function txnDrawing(event: Event, before: State, after: State): TxnDrawing | null {
  const b = before.txn;
  const a = after.txn;
  if (b === null || a === null) return null;
  // transaction.version=2: a leader that reads a producer's first batch of the epoch adds the partition at the coordinator.
  const added = event.kind === 'BrokerReceive' || event.kind === 'BrokerReceiveDelayed' ? leaderAdd(before, after) : null;
  if (added !== null) {
    const broker = event.kind === 'BrokerReceive' ? event.broker : event.kind === 'BrokerReceiveDelayed' ? (before.held[event.nth]?.broker ?? 0) : 0;
    return { arrows: [{ from: broker, to: 'tc', label: 'AddPartitionsToTxn (for the producer)', kind: 'request' }], marks: [{ lane: 'tc', text: `log: ${added}`, tone: 'note' }] };
  }
  if (!TXN_NARRATED.has(event.kind)) return null;
  const call = APP_CALLS[event.kind];
  if (call !== undefined) return { arrows: [{ from: 'app', to: 'producer', label: call, kind: 'app' }], marks: [] };
  switch (event.kind) {
    case 'ProducerSendTxnRequest': {
      const sent = a.client.inFlight;
      if (sent === null || sent.id === b.client.inFlight?.id) return { arrows: [], marks: [{ lane: 'producer', text: 'ends without EndTxn', tone: 'note' }] };
      return { arrows: [{ from: 'producer', to: 'tc', label: requestText(sent), kind: 'request' }], marks: [] };
    }
    case 'ProducerReceiveTxnResponse': {
      const response = b.client.responses[0];
      if (response === undefined) return null;
      const tm = a.client.tm.state !== b.client.tm.state ? [{ lane: 'producer' as const, text: a.client.tm.state, tone: a.client.tm.state === 'FATAL_ERROR' || a.client.tm.state === 'ABORTABLE_ERROR' ? 'bad' : 'note' }] : [];
      return { arrows: [{ from: 'tc', to: 'producer', label: response.error, kind: 'response' }], marks: tm };
    }
    case 'ProducerTxnRequestTimeout':
      return { arrows: [], marks: [{ lane: 'producer', text: 'txn request timeout', tone: 'warn' }] };
    case 'CoordinatorDelayRequest': {
      const request = requestOf(event, b);
      return request === undefined ? null : { arrows: [], marks: [{ lane: 'tc', text: `${request.kind} held up`, tone: 'warn' }] };
    }
    case 'CoordinatorReceive':
    case 'CoordinatorReceiveDelayed': {
      const delayed = event.kind === 'CoordinatorReceiveDelayed';
      const request = requestOf(event, b);
      if (request === undefined) return null;
      const pending = a.coordinator.pending !== null && b.coordinator.pending === null ? ` → ${a.coordinator.pending.meta.state}` : '';
      return { arrows: [], marks: [{ lane: 'tc', text: `reads ${request.kind}${delayed ? ' (delayed)' : ''}${pending}`, tone: delayed ? 'warn' : 'note' }] };
    }
    case 'CoordinatorAppendLog':
      return { arrows: [], marks: [{ lane: 'tc', text: `log: ${metaText(b.coordinator.pending?.meta ?? null)}`, tone: 'note' }] };
    case 'BrokerWriteMarker':
    case 'BrokerWriteLateMarker': {
      const marker = markerOf(event, b);
      if (marker === undefined) return null;
      const late = event.kind === 'BrokerWriteLateMarker' ? 'late ' : '';
      if (marker.partition < 0) return { arrows: [], marks: [{ lane: 'tc', text: `${late}${marker.result} offsets`, tone: 'note' }] };
      const leader = before.cluster.partitions[marker.partition]?.leader ?? 0;
      // A marker the leader rejects (an older epoch) is drawn with a mark saying so; one it parks until its HW passes it (acks=-1), too.
      const written = leaderLogGrew(before, after, marker.partition);
      const parked = event.kind === 'BrokerWriteMarker' ? a.coordinator.markers[event.nth]?.appended : undefined;
      const marks = !written ? [{ lane: 'tc' as const, text: `p${marker.partition} rejects it`, tone: 'warn' }] : parked !== undefined ? [{ lane: 'tc' as const, text: `p${marker.partition} waits for HW ${parked.requiredOffset}`, tone: 'note' }] : [];
      return { arrows: [{ from: 'tc', to: leader, label: `${late}${markerText(marker)}`, kind: 'request' }], marks };
    }
    case 'BrokerCompleteMarker': {
      const marker = markerOf(event, b);
      const answer = marker === undefined ? null : parkedAnswer(before, marker, a.coordinator.markers.length < b.coordinator.markers.length);
      if (marker?.appended === undefined || answer === null) return null;
      const marks = answer === 'NONE' ? [] : [{ lane: 'tc' as const, text: `resend → p${marker.partition}`, tone: 'warn' }];
      return { arrows: [{ from: marker.appended.broker, to: 'tc', label: `${answer} for ${markerText(marker)}`, kind: 'response' }], marks };
    }
    case 'CoordinatorAbortTimedOut':
      return { arrows: [], marks: [{ lane: 'tc', text: 'timeout: abort, fence', tone: 'warn' }] };
    case 'CoordinatorFailover':
      return { arrows: [], marks: [{ lane: 'tc', text: `failover: epoch ${a.coordinator.coordinatorEpoch}, ${a.coordinator.meta?.state ?? 'empty'}`, tone: 'warn' }] };
    case 'CoordinatorRetryMarker': {
      const marker = markerOf(event, b);
      return marker === undefined ? null : { arrows: [], marks: [{ lane: 'tc', text: `retry ${marker.result} → ${marker.partition < 0 ? 'offsets' : `p${marker.partition}`}`, tone: 'warn' }] };
    }
    case 'AppCommitOffsets':
      return { arrows: [], marks: [{ lane: 'producer', text: `OffsetCommit ${a.client.inFlight?.offset ?? '?'}`, tone: 'note' }] };
    case 'ProducerZombieStep':
      return { arrows: [], marks: [{ lane: 'producer', text: `zombie (session ${b.zombie?.producer.session ?? '?'}) steps`, tone: 'bad' }] };
    default:
      return null;
  }
}
