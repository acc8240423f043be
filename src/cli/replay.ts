/**
 * `idemcheck replay REPORT.json` reproduces a counterexample from its event list and says whether
 * it reproduced exactly (the same trace fingerprint). `idemcheck replay --suite S --seed N --path P`
 * reproduces one from fast-check's coordinates alone.
 */

import { SUITES } from '../../properties/index.js';
import { buildReport } from '../checker/build-report.js';
import { fingerprint } from '../checker/fingerprint.js';
import { CLIENT_REPORT_FORMAT } from '../report/client-report.js';
import { firstViolation, stepAll } from '../checker/replay.js';
import { runSuite } from '../checker/run-suite.js';
import { parseEvent, TraceError } from '../checker/trace.js';
import { describeConfig, resolveConfig } from '../model/config.js';
import type { ConfigInput } from '../model/config.js';
import { BOUND_HELP, CONSUMER_BOUNDS, FAULTS } from '../model/events.js';
import type { Bounds, Event, Fault, Setup } from '../model/events.js';
import { invariantByName } from '../model/invariants.js';
import type { State } from '../model/types.js';
import { formatEvent } from '../report/format.js';
import { narrate } from '../report/narrate.js';
import { REPORT_FORMAT, REPORT_VERSION } from '../report/report.js';
import { describeViolation } from '../report/violations.js';
import { seedFlag } from './selection.js';
import { parseCommandArgs } from './args.js';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from './errors.js';
import { readJsonFile } from './run.js';

export const REPLAY_HELP = `Usage: idemcheck replay REPORT.json
       idemcheck replay --suite NAME --seed N --path PATH [--replay-path R] [--fingerprint F]

Reproduce a counterexample.
  REPORT.json        a report written by 'idemcheck check' or 'idemcheck explore': its events are
                     stepped through the model and the trace fingerprint compared with the report's
  --suite/--seed/--path/--replay-path
                     fast-check's coordinates (in every report 'check' writes for a named suite;
                     an ad-hoc report replays from its .json): re-run that exact case;
                     --replay-path is the commands' replay log fast-check needs to walk a
                     shrunk path (a path of one run, with no shrink, works without it)
  --fingerprint F    compare the result with the report's trace fingerprint

Exit codes: 0 reproduced exactly, 1 not reproduced (the model or the report changed), 2 bad input.`;

interface CheckedReport {
  readonly setup: Setup;
  readonly events: readonly Event[];
  readonly invariant: string;
  readonly fingerprint: string;
  readonly suite: string | null;
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
  for (const key of Object.keys(BOUND_HELP)) {
    const value = bounds[key];
    // A report of a run without a consumer group leaves the consumer bounds out.
    if (value === undefined && (CONSUMER_BOUNDS as readonly string[]).includes(key)) continue;
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
  if (invariantByName(invariant) === undefined) throw damaged(path, "'violation.invariant' names no invariant");
  if (typeof r.fingerprint !== 'string') throw damaged(path, "'fingerprint' is missing");
  return {
    setup: { config: resolved.config, faults: r.faults as Fault[], bounds: bounds as unknown as Bounds },
    events,
    invariant,
    fingerprint: r.fingerprint,
    suite: typeof r.suite === 'string' ? r.suite : null,
  };
}

function printTrace(print: (line: string) => void, states: readonly State[], events: readonly Event[]): void {
  events.forEach((event, i) => {
    print(`${String(i + 1).padStart(4)} ${formatEvent(event).padEnd(30)} ${narrate(states[i] as State, states[i + 1] as State, event)}`);
  });
}

function replayFile(path: string, print: (line: string) => void): number {
  const report = readReport(path, readJsonFile(path, null));
  const stepped = stepAll(report.setup, report.events);
  if (!stepped.ok) {
    print(`not reproduced: step ${stepped.step} (${formatEvent(stepped.event)}) is not enabled: ${stepped.reason} (the model or the report changed)`);
    return EXIT_VIOLATION;
  }
  printTrace(print, stepped.states, report.events);
  const invariant = invariantByName(report.invariant);
  const found = invariant === undefined ? null : firstViolation(stepped.states, [invariant]);
  const print2 = found === null ? null : found.results[0]?.violations[0];
  const fp = fingerprint(stepped.states);
  print('');
  if (found === null || print2 === undefined || print2 === null) {
    print(`not reproduced: ${report.invariant} holds throughout the trace (fingerprint ${fp}, report has ${report.fingerprint})`);
    return EXIT_VIOLATION;
  }
  print(`${report.invariant} violated at step ${found.step}: ${describeViolation(stepped.states[found.step] as State, print2)}.`);
  if (fp === report.fingerprint) {
    print(`reproduced exactly: same trace fingerprint ${fp}.`);
    return EXIT_OK;
  }
  print(`reproduced the violation, but the states differ from the report's (fingerprint ${fp}, report has ${report.fingerprint}): the model or the report changed.`);
  return EXIT_VIOLATION;
}

function replayCoordinates(
  suiteName: string,
  seed: number,
  path: string,
  replayPath: string | undefined,
  expectedFingerprint: string | undefined,
  print: (line: string) => void,
): number {
  const suite = SUITES.find((s) => s.name === suiteName);
  if (suite === undefined && suiteName === 'ad-hoc') throw new UsageError("--suite ad-hoc: an ad-hoc check has no coordinates to re-run; replay its report's .json (idemcheck replay REPORT.json)");
  if (suite === undefined) throw new UsageError(`--suite: no suite named '${suiteName}' (idemcheck list shows the suites)`);
  if (!/^\d+(:\d+)*$/.test(path)) throw new UsageError(`--path must look like 12:0:3 (fast-check's counterexample path), got '${path}'`);
  let result;
  try {
    result = runSuite(suite, { seed, runs: suite.runs, path, ...(replayPath === undefined ? {} : { replayPath }) });
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
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      suite: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      'replay-path': { type: 'string' },
      fingerprint: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    {
      allowPositionals: true,
      wants: {
        suite: 'a suite name (see idemcheck list)',
        seed: 'a 32-bit integer',
        path: "fast-check's path, as a report gives it",
        'replay-path': "the commands' replay path, as a report gives it",
        fingerprint: 'a trace fingerprint, as a report gives it',
      },
    },
  );
  if (values.help) {
    print(REPLAY_HELP);
    return EXIT_OK;
  }
  const coordinates = values.suite !== undefined || values.seed !== undefined || values.path !== undefined;
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
    return replayCoordinates(values.suite, seedFlag(values.seed), values.path, values['replay-path'], values.fingerprint?.toLowerCase(), print);
  }
  if (positionals.length !== 1) throw new UsageError('give one REPORT.json (see idemcheck replay --help)');
  return replayFile(positionals[0] as string, print);
}
