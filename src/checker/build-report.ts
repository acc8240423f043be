/**
 * Turn a suite's counterexample into a Report: replay the minimal events to get every state, and
 * explain the violation in words.
 */

import { describeConfig } from '../model/config.js';
import { invariantByName } from '../model/invariants.js';
import { REPORT_FORMAT, REPORT_VERSION } from '../report/report.js';
import type { Report } from '../report/report.js';
import { describeViolation } from '../report/violations.js';
import { fingerprint } from './fingerprint.js';
import { stepAll } from './replay.js';
import type { SuiteResult } from './run-suite.js';
import { describeExpectation } from './suite.js';
import type { Suite } from './suite.js';

export const TOOL = 'idemcheck 0.1.0';

export function buildReport(suite: Suite, result: SuiteResult, adHoc: boolean): Report | null {
  const cx = result.counterexample;
  if (cx === null || suite.setup === null || suite.modelConfig === null) return null;
  const setup = { ...suite.setup, bounds: { ...suite.setup.bounds, eventsMax: result.eventsMax } };
  const stepped = stepAll(setup, cx.events);
  if (!stepped.ok) throw new Error(`checker bug: the counterexample does not replay (step ${stepped.step}: ${stepped.reason})`);
  const first = cx.results[0];
  const invariant = first === undefined ? undefined : invariantByName(first.invariant);
  const violation = first?.violations[0];
  if (first === undefined || invariant === undefined || violation === undefined) throw new Error('checker bug: a counterexample without a violation');
  const last = stepped.states[stepped.states.length - 1];
  if (last === undefined) throw new Error('checker bug: no states');
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
    fastCheck: {
      seed: result.seed,
      path: cx.path,
      replayPath: cx.replayPath,
      runs: result.runs,
      numShrinks: cx.numShrinks,
      failingRun: cx.failingRun,
    },
    violation: {
      invariant: invariant.name,
      claim: invariant.claim,
      why: invariant.why,
      violations: first.violations,
      explanation: describeViolation(last, violation),
      firstFailure: cx.firstFailure,
    },
    lengths: { found: cx.foundLength, shrunk: cx.shrunkLength, minimal: cx.events.length },
    events: cx.events,
    fingerprint: fingerprint(stepped.states),
    states: stepped.states,
  };
}
