/**
 * Flags shared by `check` and `explore`: which suites, or an ad-hoc suite from settings.
 */

import { SUITES } from '../../properties/index.js';
import type { AdHocOptions } from '../checker/ad-hoc.js';
import { AD_HOC_DEFAULT_BOUNDS, AD_HOC_DEFAULT_FAULTS, adHocDefault, adHocSuite } from '../checker/ad-hoc.js';
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
import { flagHelp, flags } from './args.js';
import type { FlagValues } from './args.js';
import { RejectedConfigError, UsageError } from './errors.js';
import { settingNotes } from './notes.js';
import { ensureReportDir } from './write-report.js';

/** More random runs than this would take hours; the explorer is the tool for every state. */
export const MAX_RUNS = 10_000_000;

interface BoundFlag {
  /** The bound it sets. */
  readonly bound: keyof Bounds;
  /** Its range: beyond `max` a search only runs into its limits. */
  readonly min: number;
  readonly max: number;
  /** What it counts, for --help. */
  readonly what: string;
  /** What its faults do, for the error when none of them is injected; null for progress bounds. */
  readonly does: string | null;
}

/**
 * The ad-hoc bound flags, each declared once: parsing and --help, the ad-hoc suite's bounds, the
 * idle-bound and dead-fault errors, and `list` all read this table. `--max-steps` (eventsMax) is
 * declared with the flags above, since it bounds named suites too.
 */
export const BOUND_FLAGS = {
  records: { bound: 'recordsMax', min: 1, max: 20, what: 'new records', does: null },
  resends: { bound: 'resendsMax', min: 0, max: 20, what: 'application resends', does: null },
  lost: { bound: 'lostMessagesMax', min: 0, max: 20, what: 'lost messages', does: 'loses a message' },
  restarts: { bound: 'restartsMax', min: 0, max: 10, what: 'producer restarts', does: 'restarts the producer' },
  crashes: { bound: 'crashesMax', min: 0, max: 10, what: 'broker crashes', does: 'stops a broker' },
  'cluster-changes': { bound: 'clusterChangesMax', min: 0, max: 10, what: 'ISR shrinks, leader moves, producer-state losses', does: 'changes the cluster' },
  'power-losses': { bound: 'powerLossesMax', min: 0, max: 10, what: 'broker power losses', does: "cuts a broker's power" },
  'consumer-crashes': { bound: 'consumerCrashesMax', min: 0, max: 10, what: 'consumer crashes (needs --set consumer=...)', does: 'crashes a consumer' },
  'lost-commit-responses': { bound: 'lostCommitResponsesMax', min: 0, max: 10, what: 'lost OffsetCommit responses', does: 'loses a commit response' },
  rebalances: { bound: 'rebalancesMax', min: 0, max: 10, what: 'forced rebalances and evictions of a live member', does: 'rebalances the group' },
  transactions: { bound: 'transactionsMax', min: 0, max: 10, what: 'transactions begun (needs --set transactional.id=...)', does: null },
  'txn-timeouts': { bound: 'txnTimeoutsMax', min: 0, max: 10, what: 'transaction timeouts', does: 'times a transaction out' },
  'coordinator-failovers': { bound: 'coordinatorFailoversMax', min: 0, max: 10, what: 'transaction coordinator failovers', does: 'moves the transaction coordinator' },
  'delayed-requests': { bound: 'delayedRequestsMax', min: 0, max: 10, what: 'coordinator requests read after later ones', does: 'delays a coordinator request' },
  'delayed-produces': { bound: 'delayedProducesMax', min: 0, max: 10, what: 'produce requests handled after their connection closed', does: 'delays a produce request' },
  'zombie-steps': { bound: 'zombieStepsMax', min: 0, max: 40, what: 'steps of the old producer instance', does: 'keeps an old instance running' },
} as const satisfies Readonly<Record<string, BoundFlag>>;

type BoundFlagName = keyof typeof BOUND_FLAGS;
const BOUND_FLAG_NAMES = Object.keys(BOUND_FLAGS) as BoundFlagName[];

/** A bound flag as the flag table declares it: an integer in its range, its help naming the range and the default. */
function boundFlag(flag: BoundFlag): { readonly kind: 'integer'; readonly arg: 'N'; readonly min: number; readonly max: number; readonly help: string } {
  const help = `bound: ${flag.what}, ${flag.min} to ${flag.max} (default ${adHocDefault(flag.bound)})`;
  // A long line wraps before its range, as the other help lines do.
  return { kind: 'integer', arg: 'N', min: flag.min, max: flag.max, help: help.length > 60 ? help.replace(`, ${flag.min} to`, `,\n${flag.min} to`) : help };
}

const BOUND_FLAG_SPECS = Object.fromEntries(BOUND_FLAG_NAMES.map((name) => [name, boundFlag(BOUND_FLAGS[name])])) as {
  readonly [F in BoundFlagName]: ReturnType<typeof boundFlag>;
};

/** Flags for choosing suites or building an ad-hoc one, shared by check and explore. */
export const SELECTION_FLAGS = flags({
  suite: {
    kind: 'text',
    arg: 'NAME',
    repeatable: true,
    wants: "a suite name or 'prefix*' (see idemcheck list)",
    help: "this suite (repeatable; a trailing * matches a prefix, e.g. 'delivery.*')",
  },
  'max-steps': {
    kind: 'integer',
    arg: 'N',
    min: 1,
    max: 1000,
    help: `events per run (explore: the depth bound), 1 to 1000\n(default: each suite's eventsMax; ad-hoc ${AD_HOC_DEFAULT_BOUNDS.eventsMax})`,
  },
  set: {
    kind: 'text',
    arg: 'KEY=VALUE',
    repeatable: true,
    wants: 'KEY=VALUE, a Kafka or model setting (see idemcheck list)',
    help: 'a Kafka or model setting (repeatable), e.g. --set acks=1 --set enable.idempotence=false',
  },
  faults: {
    kind: 'text',
    arg: 'A,B',
    wants: "a comma-separated list of faults, or 'none' (see idemcheck list)",
    help: `faults to inject (default: ${AD_HOC_DEFAULT_FAULTS.join(',')}; 'none' for none)`,
  },
  invariants: { kind: 'text', arg: 'A,B', wants: 'a comma-separated list of invariants (see idemcheck list)', help: 'invariants to check (default: all)' },
  witnesses: {
    kind: 'text',
    arg: 'A,B',
    wants: 'a comma-separated list of witnesses (see idemcheck list)',
    help: 'witnesses that must be reached (default: RecordAcknowledged when expecting holds)',
  },
  expect: { kind: 'text', arg: 'E', wants: 'holds or violated:INVARIANT', help: 'holds | violated:INVARIANT (default: holds)' },
  ...BOUND_FLAG_SPECS,
});

/** The flags that make a check ad hoc, in the order --help lists them. */
const AD_HOC_FLAGS = ['set', 'faults', 'invariants', 'witnesses', 'expect', ...BOUND_FLAG_NAMES] as const;

export type SelectionValues = Partial<FlagValues<typeof SELECTION_FLAGS>>;

/** The ad-hoc section of check's and explore's --help, in the column of the command's other flags. */
export function selectionHelp(width: number): string {
  return `Ad-hoc suite (any of these replaces --suite):
${flagHelp(SELECTION_FLAGS, AD_HOC_FLAGS, width)}`;
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

/**
 * The --set values as a config. Keys are the user's: a Map, so that `__proto__`, `constructor` or
 * `toString` is a key like any other (resolveConfig then calls it unknown), never an Object's own.
 */
function parseSets(values: readonly string[] | undefined): Record<string, string> {
  const config = new Map<string, string>();
  for (const raw of values ?? []) {
    const at = raw.indexOf('=');
    if (at <= 0) throw new UsageError(`--set must be KEY=VALUE, got '${raw}'`);
    const key = raw.slice(0, at).trim();
    const before = config.get(key);
    if (before !== undefined) throw new UsageError(`--set ${key} is given twice ('${before}' and '${raw.slice(at + 1).trim()}'); give it once`);
    config.set(key, raw.slice(at + 1).trim());
  }
  // Object.fromEntries defines own properties: a `__proto__` key stays a key.
  return Object.fromEntries(config);
}

function adHocOptions(values: SelectionValues, runs: number | null): AdHocOptions {
  const bounds: Partial<Bounds> = {};
  // Each bound's range is checked where it is parsed (SELECTION_FLAGS); at least one record, since
  // with none the producer does nothing and no check can mean anything.
  for (const name of BOUND_FLAG_NAMES) {
    const value = values[name];
    if (value !== undefined) (bounds as Record<string, number>)[BOUND_FLAGS[name].bound] = value;
  }
  const faults = listFlag('faults', values.faults, FAULTS) as Fault[] | undefined;
  const invariants = listFlag('invariants', values.invariants, INVARIANTS.map((i) => i.name));
  const witnesses = listFlag('witnesses', values.witnesses, WITNESSES.map((w) => w.name));
  const expect = parseExpect(values.expect);
  const config = parseSets(values.set);
  const resolved = resolveConfig(config);
  if (!resolved.ok && resolved.configException) {
    throw new RejectedConfigError(`--set ${resolved.key}: ConfigException: ${resolved.error}`, resolved.error, describeExpectation(expect ?? { verdict: 'holds' }));
  }
  if (!resolved.ok) throw new UsageError(`--set ${resolved.key}: ${resolved.error}`);
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

/** The faults that use up the bound a flag sets. */
function faultsOfFlag(flag: BoundFlagName): readonly Fault[] {
  return FAULTS_OF_BOUND[BOUND_FLAGS[flag].bound] ?? [];
}

/**
 * A bound given for faults that are not injected changes nothing, and a user who gives --crashes
 * most likely thinks crashes are on: that is an error, not a silent no-op.
 */
function refuseIdleBounds(values: SelectionValues, faults: readonly Fault[], application: string): void {
  if (values.resends !== undefined && !boundInUse('resendsMax', faults, application)) {
    throw new UsageError('--resends has no effect: only an application that resends failed records uses it; add --set application=at-least-once');
  }
  for (const flag of BOUND_FLAG_NAMES) {
    const { bound, does } = BOUND_FLAGS[flag];
    if (does === null || values[flag] === undefined || boundInUse(bound, faults, application)) continue;
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
  for (const flag of BOUND_FLAG_NAMES) {
    const { bound } = BOUND_FLAGS[flag];
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
  // Settings Kafka takes but does not use as written; on stderr with --json, as explore's notes are.
  const resolved = selection.kind === 'ad-hoc' ? resolveConfig(selection.options.config) : null;
  if (resolved?.ok === true) for (const note of settingNotes(resolved.config)) (values.json === true ? console.error : print)(`note: ${note}`);
  return { selection, names, expectations: expectationsOf(selection), reportDir, writeReports, width: Math.max(...names.map((n) => n.length), 5) + 2, kafkaLogs };
}

export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export { DEFAULT_SEED };
