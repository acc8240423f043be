/**
 * idemcheck as a library: define suites (a config, faults, bounds, invariants, an expected
 * verdict), check them with fast-check or explore every state within their bounds, replay event
 * lists through the model, and render reports. The CLI is built on the same functions.
 *
 *   import { check, defineSuite } from 'idemcheck';
 *   const outcome = check(defineSuite({ name: 'mine', ... }), { seed: 1 });
 *   if (!outcome.judgement.asExpected) throw new Error(outcome.judgement.problem ?? '');
 */

import { buildExploreReport, buildReport } from './checker/build-report.js';
import { DEFAULT_MAX_STATES, explore as exploreStates, judgeExploration, NO_STORAGE } from './checker/explore.js';
import type { ExploreProgress, ExploreResult } from './checker/explore.js';
import { judge, runSuite } from './checker/run-suite.js';
import type { Judgement, SuiteResult } from './checker/run-suite.js';
import { DEFAULT_SEED } from './checker/seed.js';
import { defineSuite } from './checker/suite.js';
import { SUITES } from '../properties/index.js';
import { renderHtml as htmlOf } from './report/html.js';
import { otherKnownMechanism } from './report/known.js';
import { renderMarkdown as markdownOf } from './report/markdown.js';
import type { Suite, SuiteDefinition } from './checker/suite.js';
import type { Report } from './report/report.js';

// Suites: the built-in ones, and defining your own.
export { SUITES as suites, suiteByName } from '../properties/index.js';
export { defineSuite, describeExpectation, SuiteError } from './checker/suite.js';
export type { Expectation, Suite, SuiteDefinition } from './checker/suite.js';

// The model: configuration, events, states and the step function.
export { resolveConfig } from './model/config.js';
export type { Acks, ConfigInput, ConfigResult, ModelConfig } from './model/config.js';
export { EVENT_KINDS, FAULTS, traceSetup } from './model/events.js';
export type { Bounds, Event, EventKind, Fault, Setup } from './model/events.js';
export { EventNotEnabled, enabledEvents, initialState, step, stepEnabled, whyDisabled } from './model/system.js';
export type { State } from './model/types.js';

// What is checked: invariants after every step, witnesses that runs must reach.
export { INVARIANTS as invariants, invariantByName, violatedInvariants } from './model/invariants.js';
export type { Invariant, InvariantResult, Violation } from './model/invariants.js';
export { WITNESSES as witnesses, witnessByName } from './model/witnesses.js';
export type { Witness } from './model/witnesses.js';

// Events as text ("AppSend(p0)") and replaying them.
export { formatEvent } from './model/event-text.js';
export { parseEventText as parseEvent } from './checker/trace.js';
export { replayScenario as replay, firstViolation, stepAll } from './checker/replay.js';
export type { FirstViolation, Stepped } from './checker/replay.js';

// Results and reports.
export type { Counterexample, Judgement, SuiteResult } from './checker/run-suite.js';
export { DEFAULT_MAX_STATES } from './checker/explore.js';
export type { ExploreProgress, ExploreResult, ExploreVerdict } from './checker/explore.js';
export type { Report } from './report/report.js';

/** The report as Markdown; a mechanism one of the built-in suites documents is named in it. */
export function renderMarkdown(report: Report, jsonPath: string): string {
  return markdownOf(report, jsonPath, otherKnownMechanism(report, SUITES));
}

/** The report as a self-contained HTML page with its sequence diagram. */
export function renderHtml(report: Report, jsonPath: string): string {
  return htmlOf(report, jsonPath, otherKnownMechanism(report, SUITES));
}
export { DEFAULT_SEED } from './checker/seed.js';
export { DEFAULT_LIVENESS_BUDGET, LIVENESS_CLAIM, LIVENESS_NAME, livenessInvariant, settle } from './checker/liveness.js';
export { PACKAGE_VERSION as VERSION } from './package.js';

export interface CheckOptions {
  /** fast-check's seed (default DEFAULT_SEED, the CLI's). */
  readonly seed?: number;
  /** Random runs (default: the suite's own). */
  readonly runs?: number;
  /** Longest run in events (default: the suite's bounds.eventsMax). */
  readonly maxSteps?: number;
  /** Also check bounded liveness after each run (EventuallySettled). */
  readonly liveness?: boolean;
}

export interface CheckOutcome {
  readonly result: SuiteResult;
  /** The result against what the suite expects: `asExpected`, and the `problem` when not. */
  readonly judgement: Judgement;
  /** The shrunk counterexample as a report (for renderMarkdown/renderHtml), or null when none. */
  readonly report: Report | null;
}

/** Check a suite with fast-check's random runs, shrinking the first counterexample found. */
export function check(suite: Suite | SuiteDefinition, options: CheckOptions = {}): CheckOutcome {
  const defined = asSuite(suite);
  const result = runSuite(defined, {
    seed: options.seed ?? DEFAULT_SEED,
    runs: options.runs ?? defined.runs,
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    ...(options.liveness === undefined ? {} : { liveness: options.liveness }),
  });
  return { result, judgement: judge(defined, result), report: buildReport(defined, result, false) };
}

export interface ExploreOptions {
  /** Stop (incomplete) after this many unique states (default DEFAULT_MAX_STATES, the CLI's). */
  readonly maxStates?: number;
  /** Deepest trace in events (default: the suite's bounds.eventsMax). */
  readonly maxSteps?: number;
  /** Called now and then; return true to stop the search (incomplete). */
  readonly onProgress?: (progress: ExploreProgress) => boolean | void;
  /** Also check bounded liveness from every state visited (EventuallySettled). */
  readonly liveness?: boolean;
}

export interface ExploreOutcome {
  readonly result: ExploreResult;
  readonly judgement: Judgement;
  /** A shortest counterexample as a report, or null when none was found. */
  readonly report: Report | null;
}

/**
 * Visit every state within the suite's bounds (breadth first): complete, a shortest
 * counterexample, or incomplete when a limit stops it. A suite whose config Kafka rejects has no
 * states to visit: its judgement says whether the rejection was expected.
 */
export function explore(suite: Suite | SuiteDefinition, options: ExploreOptions = {}): ExploreOutcome {
  const defined = asSuite(suite);
  if (defined.setup === null) {
    // defineSuite accepts a rejected config only in a suite that expects the rejection.
    const result: ExploreResult = { verdict: { kind: 'incomplete', reason: `the config is rejected: ${defined.configError}` }, generated: 0, unique: 0, depth: 0, ms: 0, witnessStates: {}, storage: NO_STORAGE };
    return { result, judgement: { asExpected: true, got: 'ConfigException', problem: null }, report: null };
  }
  const result = exploreStates(defined.setup, defined.checked, defined.sought, {
    maxStates: options.maxStates ?? DEFAULT_MAX_STATES,
    ...(options.maxSteps === undefined ? {} : { maxDepth: options.maxSteps }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.liveness === undefined ? {} : { liveness: options.liveness }),
  });
  return { result, judgement: judgeExploration(defined, result), report: buildExploreReport(defined, result, options.maxSteps ?? defined.setup.bounds.eventsMax, false) };
}

function asSuite(suite: Suite | SuiteDefinition): Suite {
  return 'checked' in suite ? suite : defineSuite(suite);
}
