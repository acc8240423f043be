/**
 * Mutants: deliberately broken variants the checker must catch. If one of these suites stops
 * finding its violation, the checker has lost its teeth.
 */

import { defineSuite } from '../src/checker/suite.js';
import type { Suite } from '../src/checker/suite.js';
import { SMALL } from './common.js';

export const noDedup: Suite = defineSuite({
  name: 'mutant.broker-ignores-sequences',
  claim: 'A broker that ignores sequence numbers appends a retried batch again after a lost ack.',
  config: { mutant: 'ignore-sequences' },
  faults: ['disconnect'],
  bounds: SMALL,
  invariants: ['NoDuplicateRecord'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoDuplicateRecord' },
  runs: 300,
});

export const oneBatchCache: Suite = defineSuite({
  name: 'mutant.dedup-window-1',
  claim: 'A dedup cache of one batch forgets the earlier of two pipelined batches; its retry is OUT_OF_ORDER, the producer bumps its epoch and rewrites both.',
  config: { mutant: 'dedup-window:1' },
  faults: ['disconnect'],
  bounds: { ...SMALL, eventsMax: 40 },
  invariants: ['NoDuplicateRecord'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoDuplicateRecord' },
  runs: 1000,
});

export const sixInFlight: Suite = defineSuite({
  name: 'mutant.six-in-flight',
  claim: 'Six requests in flight against the 5-batch cache: the first batch falls out of the cache, its retry is OUT_OF_ORDER and the epoch bump rewrites and duplicates all six.',
  config: { mutant: 'in-flight:6' },
  faults: ['disconnect'],
  bounds: { ...SMALL, recordsMax: 6, eventsMax: 60, lostMessagesMax: 1 },
  invariants: ['NoDuplicateRecord'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoDuplicateRecord' },
  // A deep interleaving (six separate batches in flight, then one disconnect): the swarm half of
  // the runs reaches it, within about 21,000 runs on every seed of the benchmark (median 7,000;
  // bench/results/swarm.md); the search stops at the first failure.
  runs: 40000,
});

export const consumerCommitsAtPoll: Suite = defineSuite({
  name: 'mutant.consumer-commits-before-processing',
  claim: 'An at-least-once consumer loop that commits what poll() returned before processing it (reference §7) skips records after a crash.',
  config: { consumer: 'process-then-commit', mutant: 'consumer-commits-at-poll' },
  faults: ['consumer-crash'],
  bounds: { ...SMALL, recordsMax: 2, lostMessagesMax: 0, consumerCrashesMax: 1 },
  invariants: ['NoRecordSkipped'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordSkipped' },
  runs: 300,
});

export const dedupForgetsIds: Suite = defineSuite({
  name: 'mutant.consumer-dedup-forgets-ids',
  claim: 'A dedup sink that never stores the ids it processed is plain at-least-once: a crash before the commit processes a record twice.',
  config: { consumer: 'dedup', mutant: 'dedup-forgets-ids' },
  faults: ['consumer-crash'],
  bounds: { ...SMALL, recordsMax: 2, lostMessagesMax: 0, consumerCrashesMax: 1 },
  invariants: ['NoRecordProcessedTwice'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordProcessedTwice' },
  runs: 2000,
});

export default [noDedup, oneBatchCache, sixInFlight, consumerCommitsAtPoll, dedupForgetsIds];
