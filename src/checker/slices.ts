/**
 * Spreading a suite's random runs over worker threads and machines: its runs are cut into
 * `count` slices; slice k runs its share with a seed derived from the run's seed (slice 0 keeps
 * the seed itself, so one slice is exactly today's run). A slice's result carries its own seed,
 * so a counterexample replays from the coordinates it prints. `mergeResults` combines the slices
 * of one suite into one result.
 */

import type { SuiteResult } from './run-suite.js';

export interface Slice {
  readonly index: number;
  readonly count: number;
}

export const WHOLE: Slice = { index: 0, count: 1 };

/** The seed of slice k: the run's seed for k = 0, else a 32-bit mix of the two (deterministic). */
export function sliceSeed(seed: number, index: number): number {
  if (index === 0) return seed;
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Runs of slice k when `runs` are cut into `count` slices (the first ones get the remainder). */
export function sliceRuns(runs: number, slice: Slice): number {
  return Math.floor(runs / slice.count) + (slice.index < runs % slice.count ? 1 : 0);
}

function sum(records: readonly Readonly<Record<string, number | undefined>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

/**
 * One result from the slices of a suite, given in slice order: the first slice's counterexample
 * (or rejection), the runs, steps and counts of all of them, the longest slice's time.
 */
export function mergeResults(results: readonly SuiteResult[]): SuiteResult {
  const first = results[0];
  if (first === undefined) throw new Error('checker bug: no slices to merge');
  const chosen = results.find((r) => r.verdict !== 'holds') ?? first;
  const toFailure = results.map((r) => r.msToFirstFailure).filter((x): x is number => x !== null);
  return {
    ...chosen,
    runs: results.reduce((n, r) => n + r.runs, 0),
    steps: results.reduce((n, r) => n + r.steps, 0),
    eventCounts: sum(results.map((r) => r.eventCounts)),
    witnessRuns: sum(results.map((r) => r.witnessRuns)),
    ms: Math.max(...results.map((r) => r.ms)),
    msToFirstFailure: toFailure.length === 0 ? null : Math.min(...toFailure),
  };
}
