/**
 * `idemcheck replay REPORT.json` reproduces a counterexample from its event list and says whether
 * it reproduced exactly (every stored state, the trace fingerprint, the suite it names and its
 * invariant). `idemcheck replay --suite S --seed N --path P` reproduces one from fast-check's
 * coordinates alone.
 */

import { findSuite, SUITES } from '../../properties/index.js';
import { buildReport } from '../checker/build-report.js';
import { comparableForm, fingerprinter, stateJson } from '../checker/fingerprint.js';
import { CLIENT_REPORT_FORMAT } from '../report/client-report.js';
import { InvariantWatch, stepEach } from '../checker/replay.js';
import { diffStates, readablePath } from '../checker/state-diff.js';
import { runSuite } from '../checker/run-suite.js';
import { describeExpectation } from '../checker/suite.js';
import { parseEvent, TraceError } from '../checker/trace.js';
import { describeConfig, resolveConfig } from '../model/config.js';
import type { ConfigInput } from '../model/config.js';
import { BOUND_HELP, FAULTS, OPTIONAL_BOUNDS } from '../model/events.js';
import type { Bounds, Event, Fault, Setup } from '../model/events.js';
import { INVARIANTS, invariantByName } from '../model/invariants.js';
import { LIVENESS_NAME, livenessInvariant } from '../checker/liveness.js';
import type { State } from '../model/types.js';
import { initialState } from '../model/system.js';
import { formatEvent } from '../report/format.js';
import { narrate } from '../report/narrate.js';
import { describeSwarm, REPORT_FORMAT, REPORT_VERSION } from '../report/report.js';
import { describeViolation } from '../report/violations.js';
import { COMMON_FLAGS, flagHelp, flags, parseFlags } from './args.js';
import { MAX_RUNS } from './selection.js';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from './errors.js';
import { readJsonFile, refuseLongTrace } from './run.js';

/** replay's flags: fast-check's coordinates of a counterexample, and the fingerprint to compare. */
const FLAGS = flags({
  suite: { kind: 'text', arg: 'NAME', wants: 'a suite name (see idemcheck list)', help: 'the suite whose counterexample to re-run' },
  seed: { kind: 'seed', arg: 'N', help: "fast-check's seed, as the report gives it" },
  path: { kind: 'text', arg: 'PATH', wants: "fast-check's path, as a report gives it", help: "fast-check's counterexample path, as the report gives it (12:0:3)" },
  runs: {
    kind: 'integer',
    arg: 'N',
    min: 1,
    max: MAX_RUNS,
    help: "the runs the check made, when it was given --runs (default: the suite's own);\nthe path's first number, the run index, must be below it",
  },
  'replay-path': {
    kind: 'text',
    arg: 'R',
    wants: "the commands' replay path, as a report gives it",
    help: "the commands' replay log fast-check needs to walk a shrunk path\n(a path of one run, with no shrink, works without it)",
  },
  fingerprint: { kind: 'text', arg: 'F', wants: 'a trace fingerprint, as a report gives it', help: "compare the result with the report's trace fingerprint" },
  help: COMMON_FLAGS.help,
});

export const REPLAY_HELP = `Usage: idemcheck replay REPORT.json
       idemcheck replay --suite NAME --seed N --path PATH [--runs N] [--replay-path R] [--fingerprint F]

Reproduce a counterexample.

  REPORT.json           a report written by 'idemcheck check' or 'idemcheck explore': its events are
                        stepped through the model and every state compared with the report's

fast-check's coordinates (in every report 'check' writes for a named suite; an ad-hoc report
replays from its .json), to re-run that exact case:
${flagHelp(FLAGS, Object.keys(FLAGS), 22)}

Exit codes: 0 reproduced exactly, 1 not reproduced (the model or the report changed), 2 bad input.`;

interface CheckedReport {
  readonly setup: Setup;
  readonly events: readonly Event[];
  readonly invariant: string;
  readonly fingerprint: string;
  readonly suite: string | null;
  readonly configInput: ConfigInput;
  readonly invariants: unknown;
  readonly expected: unknown;
  /** The states the report stored: states[0] is the initial state, states[i] follows events[i-1]. */
  readonly states: readonly unknown[];
}

function damaged(path: string, what: string): UsageError {
  return new UsageError(`${path}: not a usable idemcheck report (${what})`);
}

/** Validate a report document enough to replay it; every problem is a one-line error. */
function readReport(path: string, doc: unknown): CheckedReport {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw damaged(path, 'not a JSON object');
  const r = doc as Record<string, unknown>;
  if (r.format === undefined && Array.isArray(r.events)) {
    throw new UsageError(`${path}: this looks like a trace file, not a report; step it with: idemcheck run --trace ${path}`);
  }
  if (r.format === CLIENT_REPORT_FORMAT) {
    const command = typeof r.command === 'string' ? `: ${r.command}` : ' (its .md gives the command)';
    throw new UsageError(`${path}: a report of a real-client run, which replay cannot step; rerun it with idemcheck clients${command}`);
  }
  if (r.format !== REPORT_FORMAT) {
    throw damaged(path, r.format === undefined ? "'format' is missing" : `'format' is ${JSON.stringify(r.format)}, expected "${REPORT_FORMAT}"`);
  }
  if (r.version !== REPORT_VERSION) {
    throw new UsageError(`${path}: report version ${JSON.stringify(r.version)} is not supported; this idemcheck reads version ${REPORT_VERSION} (re-run the check to regenerate it)`);
  }
  const configInput = r.configInput;
  if (typeof configInput !== 'object' || configInput === null || Array.isArray(configInput)) throw damaged(path, "'configInput' is missing");
  const resolved = resolveConfig(configInput as ConfigInput);
  if (!resolved.ok) throw damaged(path, `configInput.${resolved.key}: ${resolved.error}`);
  // 'config' is the resolved form of 'configInput', written for people: they must agree.
  if (JSON.stringify(r.config) !== JSON.stringify(describeConfig(resolved.config))) {
    throw damaged(path, "'config' does not match what 'configInput' resolves to (one of them was edited)");
  }
  if (!Array.isArray(r.faults) || !r.faults.every((f) => FAULTS.includes(f as Fault))) throw damaged(path, "'faults' is not a list of known faults");
  const bounds = r.bounds as Record<string, unknown> | undefined;
  if (typeof bounds !== 'object' || bounds === null) throw damaged(path, "'bounds' is missing");
  // The report's keys are read as own properties only: `constructor` or `__proto__` is not a bound.
  const unknownBound = Object.keys(bounds).find((key) => !Object.hasOwn(BOUND_HELP, key));
  if (unknownBound !== undefined) throw damaged(path, `bounds.${unknownBound} is not a bound (bounds: ${Object.keys(BOUND_HELP).join(', ')})`);
  for (const key of Object.keys(BOUND_HELP)) {
    const value = bounds[key];
    // A report of a run without a consumer group leaves the consumer bounds out.
    if (value === undefined && (OPTIONAL_BOUNDS as readonly string[]).includes(key)) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw damaged(path, `bounds.${key} must be a non-negative integer`);
  }
  if (!Array.isArray(r.events)) throw damaged(path, r.events === undefined ? "'events' is missing" : "'events' must be a list of events");
  let events: Event[];
  try {
    events = r.events.map((e, i) => parseEvent(`events[${i}]`, e));
  } catch (error) {
    if (error instanceof TraceError) throw damaged(path, error.message);
    throw error;
  }
  const violation = r.violation as Record<string, unknown> | undefined;
  const invariant = typeof violation?.invariant === 'string' ? violation.invariant : '';
  if (invariantByName(invariant) === undefined && invariant !== LIVENESS_NAME) throw damaged(path, "'violation.invariant' names no invariant");
  if (r.fingerprint === undefined) throw damaged(path, "'fingerprint' is missing");
  if (typeof r.fingerprint !== 'string' || !/^[0-9a-f]{16}$/i.test(r.fingerprint)) {
    throw damaged(path, `'fingerprint' must be a string of 16 hex digits, got ${shown(r.fingerprint)}`);
  }
  if (!Array.isArray(r.states) || r.states.length !== events.length + 1) {
    throw damaged(path, `'states' must hold the initial state and one per event, ${events.length + 1} in all${Array.isArray(r.states) ? `, not ${r.states.length}` : ''}`);
  }
  if (r.suite !== null && typeof r.suite !== 'string') throw damaged(path, "'suite' must be a suite name, or null for an ad-hoc check");
  return {
    setup: { config: resolved.config, faults: r.faults as Fault[], bounds: bounds as unknown as Bounds },
    events,
    invariant,
    fingerprint: r.fingerprint.toLowerCase(),
    suite: typeof r.suite === 'string' ? r.suite : null,
    configInput: configInput as ConfigInput,
    invariants: r.invariants,
    expected: r.expected,
    states: r.states,
  };
}

function printTrace(print: (line: string) => void, states: readonly State[], events: readonly Event[]): void {
  events.forEach((event, i) => printStep(print, i, states[i] as State, states[i + 1] as State, event));
}

function printStep(print: (line: string) => void, index: number, before: State, after: State, event: Event): void {
  print(`${String(index + 1).padStart(4)} ${formatEvent(event).padEnd(30)} ${narrate(before, after, event)}`);
}

/** A value for a one-line message: JSON, cut short. */
function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Where a report that names a shipped suite disagrees with that suite's definition: settings,
 * faults, invariants, or a bound other than the events bound (--max-steps may change that one).
 */
function suiteMismatch(report: CheckedReport): string | null {
  if (report.suite === null) return null;
  const name = report.suite;
  const suite = findSuite(name) ?? undefined;
  if (suite === undefined) return `the report names suite '${name}', which is no shipped suite (idemcheck list shows them)`;
  const { eventsMax: _events, ...bounds } = report.setup.bounds;
  const { eventsMax: _suiteEvents, ...suiteBounds } = suite.bounds;
  const fields: [string, unknown, unknown][] = [
    ['configInput', report.configInput, suite.config],
    ['faults', report.setup.faults, suite.faults],
    ['invariants', report.invariants, suite.invariants],
    ['bounds', bounds, suiteBounds],
    ['expected', report.expected, describeExpectation(suite.expect)],
  ];
  for (const [field, ours, theirs] of fields) {
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) return `the report names suite ${name}, but its '${field}' ${shown(ours)} is not the suite's ${shown(theirs)}`;
  }
  return null;
}

/**
 * A stored state as the fingerprint sees it: a null consumer side left out, so that a report written
 * before the model had consumers (no such field) and one written since (`consumers: null`) compare alike.
 */
function producerOnlyForm(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  // Likewise a null transactional side (reports written before transactions have no such field),
  // and delayed-produce's fields at their defaults (fingerprint.ts `comparableForm`).
  return comparableForm(stored as Record<string, unknown>);
}

/** The first difference between the report's state and the model's, in words. */
function stateMismatch(step: number, stored: unknown, model: State): string {
  const [first] = diffStates(stored, JSON.parse(stateJson(model)) as unknown);
  const at = first === undefined ? 'the whole state' : readablePath(first.path);
  const storedValue = first === undefined || first.op === 'add' ? undefined : first.path.split('/').slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], stored);
  const modelValue = first === undefined || first.op === 'remove' ? undefined : first.value;
  return `${step === 0 ? 'the initial state' : `the state after step ${step}`} differs from the report's at ${at}: the report has ${shown(storedValue)}, the model gives ${shown(modelValue)}`;
}

/**
 * Step a report's events and compare what the README says is compared: every state with the
 * report's, the trace fingerprint, the suite it names, and its violated invariant. Each mismatch
 * says what differs.
 */
function replayFile(path: string, print: (line: string) => void): number {
  const doc = readJsonFile(path, null);
  refuseLongTrace(path, doc);
  const report = readReport(path, doc);
  // A first pass finds a step that is not enabled before anything is printed; each pass holds two
  // states at a time, not the whole trace.
  const mismatches: string[] = [];
  const suite = suiteMismatch(report);
  if (suite !== null) mismatches.push(suite);
  const checked = stepEach(report.setup, report.events);
  if (!checked.ok) {
    mismatches.push(`step ${checked.step} (${formatEvent(checked.event)}) is not enabled: ${checked.reason}`);
    return notReproduced(print, mismatches);
  }
  // Bounded liveness is checked from each state like an invariant (a report of `check --liveness`).
  const liveness = report.invariant === LIVENESS_NAME ? livenessInvariant(report.setup) : undefined;
  const named = invariantByName(report.invariant) ?? liveness;
  // Every invariant is watched, so that a report naming the wrong one can say which one fails.
  const watch = new InvariantWatch(liveness === undefined ? INVARIANTS : [...INVARIANTS, liveness]);
  const hash = fingerprinter();
  let stateDiffers: string | null = null;
  const compare = (step: number, state: State): void => {
    watch.observe(step, state);
    hash.add(state);
    const stored = producerOnlyForm(report.states[step]);
    if (stateDiffers === null && stateJson(state) !== JSON.stringify(stored)) stateDiffers = stateMismatch(step, stored, state);
  };
  compare(0, initialState(report.setup));
  stepEach(report.setup, report.events, (i, before, after, event) => {
    compare(i + 1, after);
    printStep(print, i, before, after, event);
  });
  if (stateDiffers !== null) mismatches.push(stateDiffers);
  const fp = hash.digest();
  if (stateDiffers === null && fp !== report.fingerprint) {
    mismatches.push(`every state matches the report's, but its 'fingerprint' ${report.fingerprint} is not theirs, ${fp}`);
  }
  const verdicts = watch.verdicts();
  const verdict = verdicts.find((v) => v.invariant.name === named?.name);
  const first = verdict?.at?.results[0]?.violations[0];
  print('');
  if (verdict?.at === null || verdict?.at === undefined || verdict.state === null || first === undefined) {
    const others = verdicts.filter((v) => v.at !== null).map((v) => `${v.invariant.name} from step ${v.at?.step}`);
    mismatches.push(`the report says ${report.invariant} is violated, but it holds in every state of the trace${others.length > 0 ? ` (the trace violates ${others.join(', ')})` : ''}`);
  } else {
    print(`${report.invariant} violated at step ${verdict.at.step}: ${describeViolation(verdict.state, first)}.`);
  }
  if (mismatches.length === 0) {
    print(`reproduced exactly: same trace fingerprint ${fp}; every state, the suite and the violated invariant match the report's.`);
    return EXIT_OK;
  }
  return notReproduced(print, mismatches);
}

function notReproduced(print: (line: string) => void, mismatches: readonly string[]): number {
  print('not reproduced (the model or the report changed):');
  for (const m of mismatches) print(`  - ${m}`);
  return EXIT_VIOLATION;
}

function replayCoordinates(
  suiteName: string,
  seed: number,
  path: string,
  runsGiven: number | null,
  replayPath: string | undefined,
  expectedFingerprint: string | undefined,
  print: (line: string) => void,
): number {
  const suite = SUITES.find((s) => s.name === suiteName);
  if (suite === undefined && suiteName === 'ad-hoc') throw new UsageError("--suite ad-hoc: an ad-hoc check has no coordinates to re-run; replay its report's .json (idemcheck replay REPORT.json)");
  if (suite === undefined) throw new UsageError(`--suite: no suite named '${suiteName}' (idemcheck list shows the suites)`);
  if (!/^\d+(:\d+)*$/.test(path)) {
    throw new UsageError(`--path must be non-negative integers joined by ':', like 12:0:3 (fast-check's counterexample path), got '${path}'`);
  }
  // fast-check walks to the path's first number, the run index, by generating every run before it:
  // an index past the runs a check makes would only take time, and cannot come from a report.
  const runs = runsGiven ?? suite.runs;
  const [runIndex = ''] = path.split(':');
  if (!(Number(runIndex) < runs)) {
    const how = runsGiven === null ? `${runs}, the runs of suite ${suite.name} (a check run with --runs N replays with the same --runs N)` : `${runs} (--runs)`;
    throw new UsageError(`--path: the run index ${runIndex} (the path's first number) must be below ${how}`);
  }
  if (path.split(':').some((n) => !Number.isSafeInteger(Number(n)))) throw new UsageError(`--path: each number must be below 2^53, got '${path}'`);
  let result;
  try {
    result = runSuite(suite, { seed, runs, path, ...(replayPath === undefined ? {} : { replayPath }) });
  } catch (error) {
    // fast-check throws while walking a path or decoding a replay path that do not fit this suite.
    const fromFastCheck = error instanceof Error && (error.message.startsWith('Unable to replay') || (error.stack ?? '').includes('ReplayPath'));
    if (fromFastCheck) {
      const hint = replayPath === undefined ? ' (pass --replay-path from the report)' : ' (copy --path and --replay-path from the report)';
      throw new UsageError(`fast-check cannot replay seed ${seed}, path ${path}${replayPath === undefined ? '' : `, replay path '${replayPath}'`}${hint}`);
    }
    throw error;
  }
  const report = buildReport(suite, result, false);
  if (report === null) {
    print(`not reproduced: seed ${seed} path ${path} does not fail ${suite.name}`);
    return EXIT_VIOLATION;
  }
  printTrace(print, report.states, report.events);
  print('');
  // The run's swarm draw comes from the seed and path too: the same coordinates give the same draw.
  const swarm = report.fastCheck?.swarm;
  if (swarm !== undefined && swarm !== null) print(`The run's ${describeSwarm(swarm)}.`);
  print(`${report.violation.invariant} violated at step ${report.events.length}: ${report.violation.explanation}.`);
  if (expectedFingerprint === undefined) {
    print(`found a counterexample at these coordinates: trace fingerprint ${report.fingerprint} (compare it with the report's, or pass --fingerprint).`);
    return EXIT_OK;
  }
  if (expectedFingerprint === report.fingerprint) {
    print(`reproduced exactly from fast-check's coordinates: same trace fingerprint ${report.fingerprint}.`);
    return EXIT_OK;
  }
  print(`not reproduced: these coordinates give fingerprint ${report.fingerprint}, not ${expectedFingerprint}.`);
  return EXIT_VIOLATION;
}

export function replayCommand(argv: readonly string[], print: (line: string) => void): number {
  const { values, positionals } = parseFlags(argv, FLAGS, { allowPositionals: true });
  if (values.help) {
    print(REPLAY_HELP);
    return EXIT_OK;
  }
  const coordinates = values.suite !== undefined || values.seed !== undefined || values.path !== undefined;
  if (!coordinates && values.runs !== undefined) throw new UsageError('--runs goes with --suite/--seed/--path; a REPORT.json carries its own');
  if (values.fingerprint !== undefined && !/^[0-9a-fA-F]{16}$/.test(values.fingerprint)) {
    throw new UsageError(`--fingerprint must be 16 hexadecimal digits, as a report gives it, got '${values.fingerprint}'`);
  }
  if (!coordinates && (values.fingerprint !== undefined || values['replay-path'] !== undefined)) {
    throw new UsageError(`--${values.fingerprint !== undefined ? 'fingerprint' : 'replay-path'} goes with --suite/--seed/--path; a REPORT.json carries its own`);
  }
  if (coordinates) {
    if (positionals.length > 0) throw new UsageError('give either REPORT.json or --suite/--seed/--path, not both');
    if (values.suite === undefined || values.seed === undefined || values.path === undefined) {
      throw new UsageError('replay from coordinates needs all of --suite, --seed and --path');
    }
    return replayCoordinates(values.suite, values.seed, values.path, values.runs ?? null, values['replay-path'], values.fingerprint?.toLowerCase(), print);
  }
  if (positionals.length !== 1) throw new UsageError('give one REPORT.json (see idemcheck replay --help)');
  return replayFile(positionals[0] as string, print);
}
