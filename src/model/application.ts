/**
 * The application: it sends records, receives the producer's callbacks, and, when it is
 * at-least-once, resends a record whose send failed.
 */

import { at, badIndex, inRange } from './access.js';
import type { EventRules, Setup } from './events.js';
import { bump, recordSend, settle, updateSends, withStats } from './ghost.js';
import { recordKey } from './consumer.js';
import { appendRecord } from './producer.js';
import type { ProducerOutbox } from './producer.js';
import * as make from './records.js';
import { ctpRecord, txnAfterSend, txnOnBatchFailed, txnSendDisabled } from './txn-client.js';
import { isCtp } from './txn-side.js';
import type { State } from './types.js';

/** A send of `record` to `partition`, and with transactional.id the TransactionManager's and the ghost transaction's part of it. */
function sendRecord(setup: Setup, state: State, partition: number, record: number): State {
  const next = appSend(state, partition, record);
  return next.txn === null ? next : txnAfterSend(setup, next, partition, next.ghost.sends.length - 1);
}

/** The application calls send(): the record joins the producer's accumulator and the ghost history. */
export function appSend(state: State, partition: number, record: number): State {
  const send = state.ghost.sends.length;
  return make.state({
    ...state,
    producer: appendRecord(state.producer, partition, send),
    ghost: recordSend(state.ghost, record, partition, state.producer.session),
    // The producer writes the application's record id as the record's key, the same on a resend.
    consumers: state.consumers === null ? null : recordKey(state.consumers, send, record),
  });
}

/**
 * Deliver the producer's callbacks: ghost outcomes, and an at-least-once application's resend list.
 * A failure is `fail` (definitely not written) only when every attempt that reached the network was
 * definitely rejected; otherwise it is `info` (Jepsen's indeterminate).
 */
export function applyOutbox(setup: Setup, state: State, out: ProducerOutbox): State {
  let ghost = state.ghost;
  let toResend = state.application.toResend;
  for (const completion of out.completions) {
    if (completion.kind === 'ok') {
      ghost = updateSends(ghost, completion.sends, (info, i) => settle(info, 'ok', completion.baseOffset < 0 ? -1 : completion.baseOffset + i, info.error));
    } else {
      // The attempt counts' only reader; settle then clears them (ghost.ts).
      ghost = updateSends(ghost, completion.sends, (info) => settle(info, info.transmitted === info.rejected ? 'fail' : 'info', info.offset, completion.error));
      if (setup.config.application !== 'at-least-once' || state.txn !== null) continue;
      for (const id of completion.sends) {
        const record = at(ghost.sends, id, 'send').record;
        if (!toResend.includes(record)) toResend = [...toResend, record];
      }
    }
  }
  const stats = bump(ghost.stats, { retries: out.retries, epochBumps: out.epochBumps, deliveryTimeouts: out.expired, deadlineFailures: out.deadlineFailures });
  if (stats !== ghost.stats) ghost = make.ghost({ ...ghost, stats });
  if (ghost === state.ghost && toResend === state.application.toResend) return state;
  let next = make.state({ ...state, ghost, application: toResend === state.application.toResend ? state.application : { toResend } });
  // A transactional producer's failed batch makes the transaction abortable (a transactional
  // application resends a transaction's records when the transaction ends without a commit, txn-client.ts).
  for (const completion of out.completions) if (completion.kind === 'failed') next = txnOnBatchFailed(setup, next, completion.error);
  return next;
}

export const APPLICATION_EVENTS: EventRules<'AppSend' | 'AppResend'> = {
  AppSend: {
    disabled: (setup, state, event) => badIndex('partition', event.partition, setup.config.topic.partitions) ?? (state.txn === null ? null : txnSendDisabled(setup, state)),
    // The record's id is the number of records sent so far; a consume-transform-produce application's is its input offset.
    apply(setup, state, event) {
      const record = state.txn !== null && isCtp(setup.config) ? ctpRecord(state) : state.counters.records;
      return sendRecord(setup, state, event.partition, record);
    },
  },
  AppResend: {
    disabled(setup, state, event) {
      if (setup.config.application !== 'at-least-once') return 'the application is not at-least-once';
      if (!inRange(event.nth, state.application.toResend.length)) return 'no failed record waits for a resend at that index';
      if (state.txn !== null) return isCtp(setup.config) ? 'a consume-transform-produce application reads its input again instead' : txnSendDisabled(setup, state);
      return null;
    },
    // The record goes to the partition of its first send.
    apply(setup, state, event) {
      const toResend = state.application.toResend;
      const record = at(toResend, event.nth, 'record to resend');
      const first = state.ghost.sends.find((s) => s.record === record);
      if (first === undefined) throw new Error(`model bug: record ${record} waits for a resend but was never sent`);
      const next = sendRecord(setup, make.state({ ...state, application: { toResend: toResend.filter((_, i) => i !== event.nth) } }), first.partition, record);
      return withStats(next, { resends: 1 });
    },
  },
};
