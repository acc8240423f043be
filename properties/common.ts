/**
 * Shared pieces of the suites: the invariant sets and a default bound. Every suite still states
 * its bounds in full (spread from here and overridden where it differs).
 */

import type { Bounds } from '../src/model/events.js';

/** Every invariant the model has. */
export const ALL_INVARIANTS = [
  'NoAckedRecordLost',
  'NoDuplicateRecord',
  'SessionOrderKept',
  'NoPhantomRecord',
  'AckedOffsetHoldsRecord',
  'FailedRecordAbsent',
  'DistinctAckedOffsets',
  'NoDuplicateAcrossPartitions',
] as const;

/** The invariants about loss: acknowledged records stay, offsets hold, definite failures stay out. */
export const LOSS_INVARIANTS = ['NoAckedRecordLost', 'AckedOffsetHoldsRecord', 'DistinctAckedOffsets', 'FailedRecordAbsent', 'NoPhantomRecord'] as const;

/** A single producer, a few records, a few faults. */
export const SMALL: Bounds = {
  recordsMax: 3,
  resendsMax: 0,
  eventsMax: 30,
  lostMessagesMax: 2,
  restartsMax: 0,
  crashesMax: 0,
  clusterChangesMax: 0,
  powerLossesMax: 0,
};
