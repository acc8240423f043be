/**
 * The counterexample report: one JSON document, the source of truth, from which the Markdown,
 * HTML and regression-test renderings are made. Everything needed to replay is in it: the
 * configuration, the minimal event list, and fast-check's coordinates.
 */

import type { ConfigInput } from '../model/config.js';
import type { Bounds, Event, Fault } from '../model/events.js';
import { boundInUse } from '../model/events.js';
import type { Violation } from '../model/invariants.js';
import type { State } from '../model/types.js';
import { sentence } from './format.js';
import { describeKnown } from './known.js';
import type { KnownMechanism } from './known.js';

export const REPORT_FORMAT = 'idemcheck-report';
export const REPORT_VERSION = 1;

export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  readonly tool: string;
  /** The suite's name, or null for an ad-hoc check. */
  readonly suite: string | null;
  readonly claim: string;
  /** What the suite expected: "holds", "violates X". */
  readonly expected: string;
  readonly configInput: ConfigInput;
  readonly config: Readonly<Record<string, string | number | boolean>>;
  readonly faults: readonly Fault[];
  readonly bounds: Bounds;
  readonly invariants: readonly string[];
  /** fast-check's coordinates, for a counterexample found by `check`; null for one found by `explore`. */
  readonly fastCheck: {
    readonly seed: number;
    readonly path: string;
    readonly replayPath: string | null;
    readonly runs: number;
    readonly numShrinks: number;
    readonly failingRun: number;
    /**
     * The swarm draw of the run the trace comes from: a multiplier per event kind the setup can
     * take (0: that fault was off in the run). Absent in reports written before it was printed.
     */
    readonly swarm?: Readonly<Record<string, number>> | null;
  } | null;
  /** The exhaustive search, for a counterexample found by `explore`; null for one found by `check`. */
  readonly explorer: { readonly unique: number; readonly generated: number; readonly depth: number } | null;
  readonly violation: {
    readonly invariant: string;
    readonly claim: string;
    readonly why: string;
    readonly violations: readonly Violation[];
    readonly explanation: string;
    /** The invariant the first failing run broke, before shrinking. */
    readonly firstFailure: string;
  };
  /**
   * Trace lengths: as first found, after fast-check's shrinking, after the final minimisation, and
   * the shortest possible (from an exhaustive search of the same suite; null when not found).
   * `shortestLimit` is the state budget that search had (0: not searched; absent in older reports).
   */
  readonly lengths: { readonly found: number; readonly shrunk: number; readonly minimal: number; readonly shortest: number | null; readonly shortestLimit?: number };
  /** The minimal event list; `replay` folds these with step(). */
  readonly events: readonly Event[];
  readonly fingerprint: string;
  /** states[0] is the initial state; states[i] follows events[i-1]. */
  readonly states: readonly State[];
}

/** A short stable hash of text, to tell ad-hoc reports with different settings apart. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * File-name-safe stem for a report: the suite (or "ad-hoc-" and a hash of its settings, faults,
 * bounds, invariants and expectation), then the seed, or "explore".
 */
export function reportStem(report: Pick<Report, 'suite' | 'fastCheck' | 'configInput' | 'faults' | 'bounds' | 'invariants' | 'expected'> & Partial<Pick<Report, 'explorer'>>): string {
  const name =
    report.suite === null
      ? `ad-hoc-${shortHash(JSON.stringify([report.configInput, report.faults, report.bounds, report.invariants, report.expected]))}`
      : report.suite.replace(/[^A-Za-z0-9._-]+/g, '-');
  // A hand-written trace's report (neither coordinates nor a search) ends in -trace.
  if (report.fastCheck === null) return report.explorer === null ? `${name}-trace` : `${name}-explore`;
  return `${name}-seed${report.fastCheck.seed}`;
}

/** The command that reproduces a report. */
export function replayCommand(jsonPath: string): string {
  return `npx idemcheck replay ${jsonPath}`;
}

/** Where a counterexample came from, in a few words. */
export function describeOrigin(report: Report): string {
  if (report.fastCheck !== null) {
    const f = report.fastCheck;
    const swarm = f.swarm === undefined || f.swarm === null ? '' : `, ${describeSwarm(f.swarm)}`;
    return `seed ${f.seed}, failing run ${f.failingRun}, ${f.numShrinks} shrinks${swarm}`;
  }
  const e = report.explorer;
  return e === null ? 'a hand-written trace of the suite' : `exhaustive search: ${e.unique} unique states to depth ${e.depth}`;
}

/** A swarm draw in a few words: the kinds weighed other than plain, by multiplier. */
export function describeSwarm(swarm: Readonly<Record<string, number>>): string {
  const skewed = Object.entries(swarm).filter(([, m]) => m !== 1);
  if (skewed.length === 0) return 'plain draw (every event kind ×1)';
  const by = (m: number): string[] => skewed.filter(([, x]) => x === m).map(([k]) => k);
  const parts = [...new Set(skewed.map(([, m]) => m))].sort((a, b) => b - a).map((m) => (m === 0 ? `off: ${by(m).join(', ')}` : `×${m}: ${by(m).join(', ')}`));
  return `swarm draw ${parts.join('; ')}; the other kinds ×1`;
}

/** The trace's length as found, shrunk, minimised and against the shortest possible. */
export function describeLengths(report: Report): string {
  const l = report.lengths;
  if (report.fastCheck === null && report.explorer === null) return `${l.minimal} steps, written by hand (no search found it; idemcheck run --trace stepped it)`;
  if (report.fastCheck === null) return `${l.minimal} steps, the shortest possible (breadth-first search)`;
  const shortest = l.shortest !== null ? `the shortest possible is ${l.shortest}` : shortestUnknown(l.shortestLimit);
  return `found ${l.found} steps, fast-check shrank to ${l.shrunk}, minimised to ${l.minimal}; ${shortest}`;
}

/** Why a report has no shortest length: no search, or a search that its state budget stopped. */
export function shortestUnknown(limit: number | undefined): string {
  if (limit === undefined) return 'the shortest possible is unknown';
  if (limit === 0) return 'the shortest possible was not searched for (--shortest-states 0)';
  return `the shortest possible is unknown: a search of ${limit} states did not reach it (check --shortest-states N searches further)`;
}

/**
 * The bounds that limit something: a fault bound with none of its faults injected, or resends
 * without an at-least-once application, is named apart so that a reader does not look for it.
 */
export function describeBounds(report: Pick<Report, 'bounds' | 'faults' | 'config'>): string {
  const idle = (key: keyof Bounds): boolean => !boundInUse(key, report.faults, String(report.config.application));
  const entries = Object.entries(report.bounds) as [keyof Bounds, number][];
  const used = entries.filter(([k]) => !idle(k)).map(([k, v]) => `${k}=${v}`);
  const unused = entries.filter(([k]) => idle(k)).map(([k]) => k);
  return `${used.join(' ')}${unused.length > 0 ? ` (unused, no fault or application takes them: ${unused.join(', ')})` : ''}`;
}

/**
 * Whether the suite expected this violation, in a sentence for the report, with the other shipped
 * suite whose mechanism it repeats (`otherKnownMechanism`), if any.
 */
export function expectationSentence(report: Report, other: KnownMechanism | null): string {
  const expected = report.expected === `violates ${report.violation.invariant}`;
  const known = other === null ? '' : ` ${sentence(describeKnown(other))}.`;
  if (report.suite === null) {
    return expected
      ? `You ran an ad-hoc check expecting this violation (${report.expected}): it reproduces.${known}`
      : `You ran an ad-hoc check expecting "${report.expected}"; this counterexample says otherwise. (Pass --expect violated:${report.violation.invariant} if the violation was the point.)${known}`;
  }
  return expected
    ? `Expected: suite ${report.suite} exists to show this. ${report.claim}${known}`
    : `Not expected: suite ${report.suite} claims "${report.claim}" (it expects ${report.expected}), and this counterexample breaks that.${known}`;
}
