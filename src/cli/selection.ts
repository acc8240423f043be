/**
 * Flags shared by `check` and `explore`: which suites, or an ad-hoc suite from settings.
 */

import { SUITES } from '../../properties/index.js';
import type { AdHocOptions } from '../checker/ad-hoc.js';
import { AD_HOC_DEFAULT_BOUNDS, AD_HOC_DEFAULT_FAULTS, adHocSuite } from '../checker/ad-hoc.js';
import { DEFAULT_SEED } from '../checker/seed.js';
import { describeExpectation, SuiteError } from '../checker/suite.js';
import type { SuiteDefinition } from '../checker/suite.js';
import type { Expectation } from '../checker/suite.js';
import { resolveConfig } from '../model/config.js';
import type { Bounds, Fault } from '../model/events.js';
import { boundInUse, FAULT_TABLE, FAULTS, FAULTS_OF_BOUND } from '../model/events.js';
import { INVARIANTS } from '../model/invariants.js';
import { WITNESSES } from '../model/witnesses.js';
import type { Selection } from './check-worker.js';
import { UsageError } from './errors.js';
import { ensureReportDir } from './write-report.js';

/** parseArgs options for choosing suites or building an ad-hoc one. */
export const SELECTION_OPTIONS = {
  suite: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  faults: { type: 'string' },
  invariants: { type: 'string' },
  witnesses: { type: 'string' },
  expect: { type: 'string' },
  records: { type: 'string' },
  resends: { type: 'string' },
  lost: { type: 'string' },
  restarts: { type: 'string' },
  crashes: { type: 'string' },
  'cluster-changes': { type: 'string' },
  'power-losses': { type: 'string' },
} as const;

/** Upper bounds for the ad-hoc bounds flags: beyond them a search only runs into its limits. */
export const BOUND_LIMITS = { records: 20, resends: 20, lost: 20, restarts: 10, crashes: 10, 'cluster-changes': 10, 'power-losses': 10 } as const;

/** More random runs than this would take hours; the explorer is the tool for every state. */
export const MAX_RUNS = 10_000_000;

/** What each selection flag's value should be, for the "needs a value" message. */
export const SELECTION_WANTS: Readonly<Record<string, string>> = {
  suite: "a suite name or 'prefix*' (see idemcheck list)",
  set: 'KEY=VALUE, a Kafka or model setting (see idemcheck list)',
  faults: "a comma-separated list of faults, or 'none' (see idemcheck list)",
  invariants: 'a comma-separated list of invariants (see idemcheck list)',
  witnesses: 'a comma-separated list of witnesses (see idemcheck list)',
  expect: 'holds or violated:INVARIANT',
  ...Object.fromEntries(Object.entries(BOUND_LIMITS).map(([flag, max]) => [flag, `an integer from ${flag === 'records' ? 1 : 0} to ${max}`])),
  seed: 'a 32-bit integer',
  runs: `an integer from 1 to ${MAX_RUNS}`,
  'max-steps': 'an integer from 1 to 1000',
  'report-dir': 'a directory',
};

export interface SelectionValues {
  readonly suite?: string[] | undefined;
  readonly set?: string[] | undefined;
  readonly faults?: string | undefined;
  readonly invariants?: string | undefined;
  readonly witnesses?: string | undefined;
  readonly expect?: string | undefined;
  readonly records?: string | undefined;
  readonly resends?: string | undefined;
  readonly lost?: string | undefined;
  readonly restarts?: string | undefined;
  readonly crashes?: string | undefined;
  readonly 'cluster-changes'?: string | undefined;
  readonly 'power-losses'?: string | undefined;
}

export const SELECTION_HELP = `Ad-hoc suite (any of these replaces --suite):
  --set KEY=VALUE      a Kafka or model setting (repeatable), e.g. --set acks=1 --set enable.idempotence=false
  --faults A,B         faults to inject (default: ${AD_HOC_DEFAULT_FAULTS.join(',')}; 'none' for none)
  --invariants A,B     invariants to check (default: all)
  --witnesses A,B      witnesses that must be reached (default: RecordAcknowledged when expecting holds)
  --expect E           holds | violated:INVARIANT (default: holds)
  --records N          bound: new records, 1 to ${BOUND_LIMITS.records} (default ${AD_HOC_DEFAULT_BOUNDS.recordsMax})
  --resends N          bound: application resends, 0 to ${BOUND_LIMITS.resends} (default ${AD_HOC_DEFAULT_BOUNDS.resendsMax})
  --lost N             bound: lost messages, 0 to ${BOUND_LIMITS.lost} (default ${AD_HOC_DEFAULT_BOUNDS.lostMessagesMax})
  --restarts N         bound: producer restarts, 0 to ${BOUND_LIMITS.restarts} (default ${AD_HOC_DEFAULT_BOUNDS.restartsMax})
  --crashes N          bound: broker crashes, 0 to ${BOUND_LIMITS.crashes} (default ${AD_HOC_DEFAULT_BOUNDS.crashesMax})
  --cluster-changes N  bound: ISR shrinks, leader moves, producer-state losses,
                       0 to ${BOUND_LIMITS['cluster-changes']} (default ${AD_HOC_DEFAULT_BOUNDS.clusterChangesMax})
  --power-losses N     bound: broker power losses, 0 to ${BOUND_LIMITS['power-losses']} (default ${AD_HOC_DEFAULT_BOUNDS.powerLossesMax})
  (--max-steps sets the events bound, default ${AD_HOC_DEFAULT_BOUNDS.eventsMax})`;

const AD_HOC_FLAGS = ['set', 'faults', 'invariants', 'witnesses', 'expect', 'records', 'resends', 'lost', 'restarts', 'crashes', 'cluster-changes', 'power-losses'] as const;

export function integerFlag(flag: string, value: string | undefined, min: number, max?: number): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || !Number.isSafeInteger(n) || (max !== undefined && n > max)) {
    throw new UsageError(`--${flag} must be an integer ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}, got '${value}'`);
  }
  return n;
}

export function seedFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SEED;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isInteger(n) || n < -2147483648 || n > 2147483647) {
    throw new UsageError(`--seed must be a 32-bit integer (-2147483648 to 2147483647), got '${value}'`);
  }
  return n;
}

function listFlag(flag: string, value: string | undefined, allowed: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'none') return [];
  const items = value.split(',').map((s) => s.trim());
  if (items.every((s) => s === '')) throw new UsageError(`--${flag} needs a comma-separated list of ${allowed.join(', ')}, or 'none'`);
  // A stray comma or a repeated name is most likely a typo that dropped a name: say so.
  if (items.includes('')) throw new UsageError(`--${flag}: an empty name in '${value}' (a stray comma?)`);
  items.forEach((item, i) => {
    if (!allowed.includes(item)) throw new UsageError(`--${flag}: unknown '${item}' (allowed: ${allowed.join(', ')})`);
    if (items.indexOf(item) !== i) throw new UsageError(`--${flag}: '${item}' is given twice`);
  });
  return items;
}

export function selectSuites(patterns: readonly string[]): string[] {
  const names: string[] = [];
  for (const pattern of patterns) {
    if (pattern.slice(0, -1).includes('*')) throw new UsageError(`--suite: '${pattern}': only a trailing * is supported (a prefix, e.g. 'delivery.*'; idemcheck list shows the suites)`);
    const matched = pattern.endsWith('*') ? SUITES.filter((s) => s.name.startsWith(pattern.slice(0, -1))) : SUITES.filter((s) => s.name === pattern);
    if (matched.length === 0) {
      const prefixed = SUITES.some((s) => s.name.startsWith(`${pattern}.`));
      const hint = prefixed ? `; did you mean '${pattern}.*'?` : ' (idemcheck list shows the suites)';
      throw new UsageError(`--suite: no suite matches '${pattern}'${hint}`);
    }
    for (const s of matched) if (!names.includes(s.name)) names.push(s.name);
  }
  return names;
}

function parseExpect(value: string | undefined): Expectation | undefined {
  if (value === undefined) return undefined;
  if (value === 'holds') return { verdict: 'holds' };
  const match = /^violated:(\w+)$/.exec(value);
  const names = INVARIANTS.map((i) => i.name);
  if (match?.[1] !== undefined && names.includes(match[1])) return { verdict: 'violated', invariant: match[1] };
  throw new UsageError(`--expect must be 'holds' or 'violated:INVARIANT' with one of ${names.join(', ')}; got '${value}'`);
}

function parseSets(values: readonly string[] | undefined): Record<string, string> {
  const config: Record<string, string> = {};
  for (const raw of values ?? []) {
    const at = raw.indexOf('=');
    if (at <= 0) throw new UsageError(`--set must be KEY=VALUE, got '${raw}'`);
    const key = raw.slice(0, at).trim();
    if (key in config) throw new UsageError(`--set ${key} is given twice ('${config[key]}' and '${raw.slice(at + 1).trim()}'); give it once`);
    config[key] = raw.slice(at + 1).trim();
  }
  return config;
}

function adHocOptions(values: SelectionValues, runs: number | null): AdHocOptions {
  const bounds: Partial<Bounds> = {};
  const put = (key: keyof Bounds, flag: keyof typeof BOUND_LIMITS, value: string | undefined): void => {
    // At least one record: with none the producer does nothing and no check can mean anything.
    const n = integerFlag(flag, value, flag === 'records' ? 1 : 0, BOUND_LIMITS[flag]);
    if (n !== null) (bounds as Record<string, number>)[key] = n;
  };
  put('recordsMax', 'records', values.records);
  put('resendsMax', 'resends', values.resends);
  put('lostMessagesMax', 'lost', values.lost);
  put('restartsMax', 'restarts', values.restarts);
  put('crashesMax', 'crashes', values.crashes);
  put('clusterChangesMax', 'cluster-changes', values['cluster-changes']);
  put('powerLossesMax', 'power-losses', values['power-losses']);
  const faults = listFlag('faults', values.faults, FAULTS) as Fault[] | undefined;
  const invariants = listFlag('invariants', values.invariants, INVARIANTS.map((i) => i.name));
  const witnesses = listFlag('witnesses', values.witnesses, WITNESSES.map((w) => w.name));
  const expect = parseExpect(values.expect);
  const config = parseSets(values.set);
  const resolved = resolveConfig(config);
  if (!resolved.ok) throw new UsageError(`--set ${resolved.key}: ${resolved.configException ? 'ConfigException: ' : ''}${resolved.error}`);
  refuseIdleBounds(values, faults ?? AD_HOC_DEFAULT_FAULTS, resolved.config.application);
  refuseDeadFaults(values, faults ?? AD_HOC_DEFAULT_FAULTS, bounds, resolved.config.topic.replicationFactor);
  const options: AdHocOptions = {
    config,
    ...(faults === undefined ? {} : { faults }),
    ...(invariants === undefined ? {} : { invariants }),
    // By default an ad-hoc check that expects to hold must see some record acknowledged, so it
    // cannot pass vacuously (a config under which nothing is ever acknowledged).
    ...(witnesses === undefined ? (expect === undefined || expect.verdict === 'holds' ? { witnesses: ['RecordAcknowledged'] } : {}) : { witnesses }),
    ...(expect === undefined ? {} : { expect }),
    bounds,
    ...(runs === null ? {} : { runs }),
  };
  // Validate now, in the main thread, so bad input is a one-line error before anything runs.
  try {
    adHocSuite(options);
  } catch (error) {
    // The suite's checks name a definition field; here the user gave it as a flag.
    if (error instanceof SuiteError) {
      const flag = error.field === null ? null : FLAG_OF_FIELD[error.field];
      throw new UsageError(`${flag === undefined || flag === null ? '' : `${flag}: `}${error.message.replace(/^suite ad-hoc: /, '')}`);
    }
    throw error;
  }
  return options;
}

/**
 * The bound each bound flag sets, and what its faults do (the model's FAULTS_OF_BOUND lists them).
 * A bound given for faults that are not injected changes nothing, and a user who gives --crashes
 * most likely thinks crashes are on: that is an error, not a silent no-op.
 */
const BOUND_FLAGS: Readonly<Record<'lost' | 'restarts' | 'crashes' | 'cluster-changes' | 'power-losses', { readonly bound: keyof Bounds; readonly does: string }>> = {
  lost: { bound: 'lostMessagesMax', does: 'loses a message' },
  restarts: { bound: 'restartsMax', does: 'restarts the producer' },
  crashes: { bound: 'crashesMax', does: 'stops a broker' },
  'cluster-changes': { bound: 'clusterChangesMax', does: 'changes the cluster' },
  'power-losses': { bound: 'powerLossesMax', does: 'cuts a broker\'s power' },
};

const BOUND_FLAG_ENTRIES = Object.entries(BOUND_FLAGS) as [keyof typeof BOUND_FLAGS, (typeof BOUND_FLAGS)[keyof typeof BOUND_FLAGS]][];

/** The faults that use up the bound a flag sets. */
function faultsOfFlag(flag: keyof typeof BOUND_FLAGS): readonly Fault[] {
  return FAULTS_OF_BOUND[BOUND_FLAGS[flag].bound] ?? [];
}

function refuseIdleBounds(values: SelectionValues, faults: readonly Fault[], application: string): void {
  if (values.resends !== undefined && !boundInUse('resendsMax', faults, application)) {
    throw new UsageError('--resends has no effect: only an application that resends failed records uses it; add --set application=at-least-once');
  }
  for (const [flag, { bound, does }] of BOUND_FLAG_ENTRIES) {
    if (values[flag] === undefined || boundInUse(bound, faults, application)) continue;
    const injected =
      values.faults === undefined
        ? `none of the default faults (${AD_HOC_DEFAULT_FAULTS.join(',')}) ${does}`
        : faults.length === 0
          ? 'no fault is injected (--faults none)'
          : `none of --faults ${faults.join(',')} ${does}`;
    throw new UsageError(`--${flag} has no effect: ${injected}; add ${faultsOfFlag(flag).join(' or ')} to --faults`);
  }
}

/**
 * A fault that can never fire is the mirror of an idle bound: the check would report "holds"
 * without having taken a single such event. Refuse a fault whose bound is set to 0, and one that
 * needs a follower when replication.factor=1.
 */
function refuseDeadFaults(values: SelectionValues, faults: readonly Fault[], bounds: Partial<Bounds>, replicationFactor: number): void {
  const given = (list: readonly Fault[]): string => (values.faults === undefined ? `the default fault${list.length === 1 ? '' : 's'} ${list.join(', ')}` : list.join(', '));
  for (const [flag, { bound }] of BOUND_FLAG_ENTRIES) {
    const dead = faultsOfFlag(flag).filter((f) => faults.includes(f));
    if (bounds[bound] !== 0 || dead.length === 0) continue;
    const rest = faults.filter((f) => !dead.includes(f));
    const without = values.faults === undefined ? `give --faults ${rest.length === 0 ? 'none' : rest.join(',')}` : `leave ${dead.length === 1 ? 'it' : 'them'} out of --faults`;
    throw new UsageError(`--${flag} 0: ${given(dead)} can never fire; raise --${flag} or ${without}`);
  }
  if (replicationFactor > 1) return;
  for (const fault of faults) {
    const why = FAULT_TABLE[fault].needsFollower;
    if (why === null) continue;
    throw new UsageError(`--faults: ${fault} can never fire with replication.factor=1 (${why}); add --set replication.factor=2 or more, or leave it out`);
  }
}

/** The flag that sets each field of an ad-hoc suite's definition. */
const FLAG_OF_FIELD: Partial<Record<keyof SuiteDefinition, string>> = {
  config: '--set',
  faults: '--faults',
  invariants: '--invariants',
  witnesses: '--witnesses',
  expect: '--expect',
};

/** Whether any ad-hoc flag (--set, --faults, ...) was given: the suite is then built from them. */
export function isAdHoc(values: SelectionValues): boolean {
  return AD_HOC_FLAGS.some((flag) => values[flag] !== undefined);
}

/** --report-dir and --no-report contradict each other. */
export function refuseReportDirWithNoReport(values: { readonly 'report-dir'?: string | undefined; readonly 'no-report'?: boolean | undefined }): void {
  if (values['no-report'] === true && values['report-dir'] !== undefined) throw new UsageError('give --report-dir or --no-report, not both');
}

/** Choose the suites from the flags: an ad-hoc suite, the named ones, or all. */
export function parseSelection(values: SelectionValues, runs: number | null): Selection {
  const adHoc = isAdHoc(values);
  if (adHoc && values.suite !== undefined) throw new UsageError('--suite cannot be combined with ad-hoc settings (--set, --faults, ...)');
  if (adHoc) return { kind: 'ad-hoc', options: adHocOptions(values, runs) };
  return { kind: 'suites', names: values.suite === undefined ? SUITES.map((s) => s.name) : selectSuites(values.suite) };
}

function selectionNames(selection: Selection): readonly string[] {
  return selection.kind === 'ad-hoc' ? ['ad-hoc'] : selection.names;
}

/**
 * What Kafka logs for each selected suite's config (ProducerConfig's INFO lines, for example that
 * idempotence was silently disabled), by suite name.
 */
function configLogs(selection: Selection): Map<string, readonly string[]> {
  if (selection.kind === 'ad-hoc') return new Map([['ad-hoc', adHocLogs(selection.options)]]);
  return new Map(SUITES.filter((s) => selection.names.includes(s.name)).map((s) => [s.name, s.kafkaLogs]));
}

/** An ad-hoc config's log lines; none when Kafka refuses it (the refusal is reported instead). */
function adHocLogs(options: AdHocOptions): readonly string[] {
  const resolved = resolveConfig(options.config);
  return resolved.ok ? resolved.notes : [];
}

function expectationsOf(selection: Selection): Map<string, string> {
  if (selection.kind === 'ad-hoc') return new Map([['ad-hoc', describeExpectation(adHocSuite(selection.options).expect)]]);
  return new Map(SUITES.map((s) => [s.name, describeExpectation(s.expect)]));
}

/** What `check` and `explore` settle before they run, the same way. */
export interface SuiteCommand {
  readonly selection: Selection;
  readonly names: readonly string[];
  /** Each suite's expectation, in words. */
  readonly expectations: Map<string, string>;
  readonly reportDir: string;
  readonly writeReports: boolean;
  /** Width of the suite column. */
  readonly width: number;
  /** Kafka's log lines for each suite's config (printed before the table for an ad-hoc suite). */
  readonly kafkaLogs: Map<string, readonly string[]>;
}

/**
 * Choose the suites, make sure the report directory can be written (before any work), and print
 * Kafka's notes on an ad-hoc config unless the output is JSON.
 */
export function startSuiteCommand(
  values: SelectionValues & { readonly 'report-dir'?: string | undefined; readonly 'no-report'?: boolean | undefined; readonly json?: boolean | undefined },
  runs: number | null,
  print: (line: string) => void,
): SuiteCommand {
  const selection = parseSelection(values, runs);
  const reportDir = values['report-dir'] ?? 'reports';
  const writeReports = values['no-report'] !== true;
  refuseReportDirWithNoReport(values);
  if (writeReports) ensureReportDir(reportDir);
  const names = selectionNames(selection);
  const kafkaLogs = configLogs(selection);
  // With --json they are a field of each suite's row instead, so that stdout stays one document.
  if (values.json !== true && selection.kind === 'ad-hoc') for (const note of kafkaLogs.get('ad-hoc') ?? []) print(`note: Kafka logs: ${note}`);
  return { selection, names, expectations: expectationsOf(selection), reportDir, writeReports, width: Math.max(...names.map((n) => n.length), 5) + 2, kafkaLogs };
}

export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export { DEFAULT_SEED };
