/**
 * The counterexample report: one JSON document, the source of truth, from which the Markdown,
 * HTML and regression-test renderings are made. Everything needed to replay is in it: the
 * configuration, the minimal event list, and fast-check's coordinates.
 */

import type { ConfigInput } from '../model/config.js';
import type { Bounds, Event, Fault } from '../model/events.js';
import type { Violation } from '../model/invariants.js';
import type { State } from '../model/types.js';

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
  readonly fastCheck: {
    readonly seed: number;
    readonly path: string;
    readonly replayPath: string | null;
    readonly runs: number;
    readonly numShrinks: number;
    readonly failingRun: number;
  };
  readonly violation: {
    readonly invariant: string;
    readonly claim: string;
    readonly why: string;
    readonly violations: readonly Violation[];
    readonly explanation: string;
    /** The invariant the first failing run broke, before shrinking. */
    readonly firstFailure: string;
  };
  readonly lengths: { readonly found: number; readonly shrunk: number; readonly minimal: number };
  /** The minimal event list; `replay` folds these with step(). */
  readonly events: readonly Event[];
  readonly fingerprint: string;
  /** states[0] is the initial state; states[i] follows events[i-1]. */
  readonly states: readonly State[];
}

/** File-name-safe stem for a report: suite (or "ad-hoc"), seed. */
export function reportStem(report: Pick<Report, 'suite' | 'fastCheck'>): string {
  const name = (report.suite ?? 'ad-hoc').replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${name}-seed${report.fastCheck.seed}`;
}

/** The command that reproduces a report. */
export function replayCommand(jsonPath: string): string {
  return `npx idemcheck replay ${jsonPath}`;
}
