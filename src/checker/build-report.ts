/**
 * Turn a counterexample (from `check` or `explore`) into a Report: replay the events to get every
 * state, and explain the violation in words.
 */

import { describeConfig } from '../model/config.js';
import type { Event } from '../model/events.js';
import { invariantByName } from '../model/invariants.js';
import { LIVENESS_NAME, livenessInvariant } from './liveness.js';
import type { InvariantResult } from '../model/invariants.js';
import { REPORT_FORMAT, REPORT_VERSION } from '../report/report.js';
import type { Report } from '../report/report.js';
import { describeViolation } from '../report/violations.js';
import { fingerprint } from './fingerprint.js';
import { stepAll } from './replay.js';
import type { ExploreResult } from './explore.js';
import type { SuiteResult } from './run-suite.js';
import { TOOL } from '../package.js';
import { describeExpectation } from './suite.js';
import type { Suite } from './suite.js';

export interface Found {
  readonly events: readonly Event[];
  readonly results: readonly InvariantResult[];
  readonly eventsMax: number;
  readonly fastCheck: Report['fastCheck'];
  readonly explorer: Report['explorer'];
  readonly firstFailure: string;
  readonly lengths: Report['lengths'];
}

export function buildReportFrom(suite: Suite, found: Found, adHoc: boolean): Report {
  if (suite.setup === null || suite.modelConfig === null) throw new Error('checker bug: a rejected config has no counterexample');
  const setup = { ...suite.setup, bounds: { ...suite.setup.bounds, eventsMax: found.eventsMax } };
  const stepped = stepAll(setup, found.events);
  if (!stepped.ok) throw new Error(`checker bug: the counterexample does not replay (step ${stepped.step}: ${stepped.reason})`);
  const first = found.results[0];
  const invariant = first === undefined ? undefined : (invariantByName(first.invariant) ?? (first.invariant === LIVENESS_NAME ? livenessInvariant(setup) : undefined));
  const violation = first?.violations[0];
  const last = stepped.states[stepped.states.length - 1];
  if (first === undefined || invariant === undefined || violation === undefined || last === undefined) {
    throw new Error('checker bug: a counterexample without a violation');
  }
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    tool: TOOL,
    suite: adHoc ? null : suite.name,
    claim: suite.claim,
    expected: describeExpectation(suite.expect),
    configInput: suite.config,
    config: describeConfig(suite.modelConfig),
    faults: suite.faults,
    bounds: setup.bounds,
    invariants: suite.invariants,
    fastCheck: found.fastCheck,
    explorer: found.explorer,
    violation: {
      invariant: invariant.name,
      claim: invariant.claim,
      why: invariant.why,
      violations: first.violations,
      explanation: describeViolation(last, violation),
      firstFailure: found.firstFailure,
    },
    lengths: found.lengths,
    events: found.events,
    fingerprint: fingerprint(stepped.states),
    states: stepped.states,
  };
}

/**
 * The report of a `check` counterexample. `search` is the exhaustive search for the shortest one:
 * its length when found within `limit` states (limit 0: not searched); null: no search at all.
 */
export function buildReport(suite: Suite, result: SuiteResult, adHoc: boolean, search: { readonly shortest: number | null; readonly limit: number } | null = null): Report | null {
  const cx = result.counterexample;
  if (cx === null) return null;
  return buildReportFrom(
    suite,
    {
      events: cx.events,
      results: cx.results,
      eventsMax: result.eventsMax,
      fastCheck: { seed: result.seed, path: cx.path, replayPath: cx.replayPath, runs: result.runs, numShrinks: cx.numShrinks, failingRun: cx.failingRun, swarm: cx.swarm },
      explorer: null,
      firstFailure: cx.firstFailure,
      lengths: {
        found: cx.foundLength,
        shrunk: cx.shrunkLength,
        minimal: cx.events.length,
        shortest: search?.shortest ?? null,
        ...(search === null ? {} : { shortestLimit: search.limit }),
      },
    },
    adHoc,
  );
}

/** The report of an `explore` counterexample (a shortest one), or null when the search found none. */
export function buildExploreReport(suite: Suite, result: ExploreResult, eventsMax: number, adHoc: boolean): Report | null {
  const verdict = result.verdict;
  if (verdict.kind !== 'violated') return null;
  const length = verdict.events.length;
  return buildReportFrom(
    suite,
    {
      events: verdict.events,
      results: verdict.results,
      eventsMax,
      fastCheck: null,
      explorer: { unique: result.unique, generated: result.generated, depth: result.depth },
      firstFailure: verdict.results[0]?.invariant ?? '',
      lengths: { found: length, shrunk: length, minimal: length, shortest: length },
    },
    adHoc,
  );
}
