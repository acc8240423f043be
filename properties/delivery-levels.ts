/**
 * The three delivery levels (reference §3.4, §5):
 * - acks=0 is at most once: an acknowledged record may never reach the log;
 * - acks=1 with retries and no idempotence is at least once: a lost ack makes a duplicate;
 * - the idempotent producer (the 3.x default) is exactly once per producer session: no loss of an
 *   acknowledged record and no duplicate, however requests and acks are lost and batches retried;
 *   a record the application sends again is a new send, which it does not recognise.
 */

import { defineSuite } from '../src/checker/suite.js';
import type { Suite } from '../src/checker/suite.js';
import { ALL_INVARIANTS, SMALL } from './common.js';
import { resendCause, retriedSendWrittenTwice } from './trace-facts.js';

export const acksZeroLoses: Suite = defineSuite({
  name: 'delivery.acks0-loses-acknowledged',
  claim: 'With acks=0 the producer reports success at once, so a request lost with its connection loses an acknowledged record.',
  config: { acks: '0' },
  faults: ['disconnect'],
  bounds: SMALL,
  invariants: ['NoAckedRecordLost'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoAckedRecordLost' },
  runs: 300,
  mechanism: {
    how: 'with acks=0 a record counts as acknowledged when it is sent, before any broker has it',
    shows: (trace) => trace.config.producer.acks === 0,
  },
});

export const acksOneDuplicates: Suite = defineSuite({
  name: 'delivery.acks1-retry-duplicates',
  claim: 'With acks=1, retries and enable.idempotence=false, a retry after a lost ack appends the batch a second time.',
  config: { acks: '1', 'enable.idempotence': false },
  faults: ['disconnect', 'request-timeout'],
  bounds: SMALL,
  invariants: ['NoDuplicateRecord', 'NoAckedRecordLost'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoDuplicateRecord' },
  runs: 300,
  mechanism: {
    how: 'idempotence is off, so a retry after a lost acknowledgement appends the batch again',
    shows: (trace) => !trace.config.producer.idempotence && retriedSendWrittenTwice(trace),
  },
});

/**
 * The idempotent producer deduplicates the retries of one send, not a second send of the same
 * record: a send that fails at its delivery timeout may have been written (its batch expired in
 * flight, or its ack was lost), and
 * an application that resends it makes a new batch with a new sequence. One request in flight, so
 * that the producer alone cannot duplicate (delivery.idempotent-in-flight-1 holds) and no restart.
 */
export const timeoutResendDuplicates: Suite = defineSuite({
  name: 'delivery.resend-after-timeout-duplicates',
  claim:
    'An idempotent producer fails a send at its delivery timeout although its batch was appended (it expired in flight, or its ack was lost); an at-least-once application that resends the record writes it twice, with no producer restart and one request in flight.',
  config: { application: 'at-least-once', 'max.in.flight.requests.per.connection': 1 },
  faults: ['disconnect', 'delivery-timeout'],
  bounds: { ...SMALL, resendsMax: 2 },
  invariants: ['NoDuplicateRecord', 'NoAckedRecordLost'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoDuplicateRecord' },
  runs: 300,
  mechanism: {
    how: 'a send failed at its delivery timeout although its batch was written, and the application sent the record again; a new send gets a new sequence, which idempotence does not recognise',
    shows: (trace) => resendCause(trace) === 'delivery-timeout',
  },
});

/**
 * The idempotent producer with 1 to 5 requests in flight, under lost requests and acks, request
 * timeouts and retries. With more than one in flight, delivery timeouts are left out: a batch
 * that fails after its deadline bumps the epoch and rewrites the batch behind it
 * (KAFKA-14034, findings.ts). With one in flight there is no batch behind it, and it holds.
 */
export const idempotentInFlight: readonly Suite[] = [1, 2, 3, 4, 5].map((inFlight) => defineSuite({
  name: `delivery.idempotent-in-flight-${inFlight}`,
  claim:
    inFlight === 1
      ? 'The idempotent producer with one request in flight neither loses an acknowledged record nor writes one twice, under lost requests and acks, request and delivery timeouts and retries.'
      : `The idempotent producer with max.in.flight.requests.per.connection=${inFlight} neither loses an acknowledged record nor writes one twice, under lost requests and acks, request timeouts and retries.`,
  config: { 'max.in.flight.requests.per.connection': inFlight },
  faults: inFlight === 1 ? ['disconnect', 'request-timeout', 'delivery-timeout'] : ['disconnect', 'request-timeout'],
  // At least as many records as requests in flight: each request carries a new batch, so fewer
  // records could never fill the pipeline (PipelineFull checks that it is filled; with 2 in flight
  // it is the same moment as Pipelined, kept so that every pipelined suite states it).
  bounds: { ...SMALL, recordsMax: Math.max(4, inFlight), eventsMax: 40, lostMessagesMax: 3 },
  invariants: [...ALL_INVARIANTS],
  witnesses: inFlight > 1 ? ['LostAckDeduplicated', 'BatchRetried', 'Pipelined', 'PipelineFull'] : ['LostAckDeduplicated', 'BatchRetried', 'DeliveryTimedOut', 'FailedAfterDeadline'],
  expect: { verdict: 'holds' },
  // A full pipeline of 4 or 5 is rare in random runs (about 1.5% and 0.6% of them): more runs reach it.
  runs: inFlight === 1 ? 1000 : inFlight >= 4 ? 4000 : 400,
}));

export default [acksZeroLoses, acksOneDuplicates, timeoutResendDuplicates, ...idempotentInFlight];
