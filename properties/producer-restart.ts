/**
 * The idempotent producer's limit (reference §3.4, §7): its guarantee is per producer session.
 * A restarted producer gets a new producer id, so the broker cannot recognise a record the
 * application resends after the restart: an at-least-once application writes it twice.
 */

import { defineSuite } from '../src/checker/suite.js';
import type { Suite } from '../src/checker/suite.js';
import { SMALL } from './common.js';
import { resendCause } from './trace-facts.js';

export const restartDuplicates: Suite = defineSuite({
  name: 'restart.at-least-once-duplicates',
  claim: 'An idempotent producer that restarts after a lost ack, with an application that resends unacknowledged records, writes a record twice.',
  config: { application: 'at-least-once' },
  faults: ['disconnect', 'producer-restart'],
  bounds: { ...SMALL, resendsMax: 2, restartsMax: 1 },
  invariants: ['NoDuplicateRecord', 'NoAckedRecordLost'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoDuplicateRecord' },
  runs: 300,
  mechanism: {
    how: 'the producer restarted after a record\'s batch was written, failing its send, and the application sent the record again; a new send gets a new sequence (and here a new producer id), which idempotence does not recognise',
    shows: (trace) => resendCause(trace) === 'producer-restart',
  },
});

export const restartWithoutResend: Suite = defineSuite({
  name: 'restart.without-resend-no-duplicates',
  claim: 'Restarts alone do not duplicate: without application resends every record is written at most once.',
  config: {},
  // No delivery timeouts: with 5 in flight they duplicate on their own (KAFKA-14034, findings.ts).
  faults: ['disconnect', 'producer-restart', 'request-timeout'],
  bounds: { ...SMALL, restartsMax: 2 },
  invariants: ['NoDuplicateRecord', 'NoAckedRecordLost', 'SessionOrderKept', 'FailedRecordAbsent'],
  witnesses: ['ProducerRestarted', 'LostAckDeduplicated'],
  expect: { verdict: 'holds' },
  runs: 300,
});

export default [restartDuplicates, restartWithoutResend];
