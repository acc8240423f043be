/**
 * `idemcheck check`: run every suite (or some, or an ad-hoc one), print a table, write a report
 * for every counterexample, and exit 0 when every suite behaved as expected.
 */

import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { SUITES } from '../../properties/index.js';
import type { AdHocOptions } from '../checker/ad-hoc.js';
import { AD_HOC_DEFAULT_BOUNDS, AD_HOC_DEFAULT_FAULTS, AD_HOC_DEFAULT_RUNS, adHocSuite } from '../checker/ad-hoc.js';
import type { SuiteResult } from '../checker/run-suite.js';
import { DEFAULT_SEED } from '../checker/seed.js';
import { describeExpectation, SuiteError } from '../checker/suite.js';
import type { Expectation } from '../checker/suite.js';
import type { Bounds, Fault } from '../model/events.js';
import { FAULTS } from '../model/events.js';
import { INVARIANTS } from '../model/invariants.js';
import { WITNESSES } from '../model/witnesses.js';
import { formatEvent } from '../report/format.js';
import type { Job, RunSettings, WorkerMessage } from './check-worker.js';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from './errors.js';
import { writeReport } from './write-report.js';
import type { WrittenReport } from './write-report.js';

export const CHECK_HELP = `Usage: idemcheck check [--suite NAME ...] [options]
       idemcheck check --set KEY=VALUE ... [ad-hoc options]

Run property suites with fast-check and report every counterexample.

Suites:
  --suite NAME         run this suite (repeatable; a trailing * matches a prefix, e.g. 'delivery.*');
                       default: every suite (idemcheck list shows them)
  --runs N             random runs per suite (default: each suite's own)
  --seed N             fast-check seed (default ${DEFAULT_SEED})
  --max-steps N        events per run (default: each suite's eventsMax)
  --json               print results as JSON instead of the table
  --report-dir DIR     where counterexample reports go (default: reports)
  --no-report          write no report files

Ad-hoc check (any of these replaces --suite):
  --set KEY=VALUE      a Kafka or model setting (repeatable), e.g. --set acks=1 --set enable.idempotence=false
  --faults A,B         faults to inject (default: ${AD_HOC_DEFAULT_FAULTS.join(',')}; 'none' for none)
  --invariants A,B     invariants to check (default: all)
  --witnesses A,B      witnesses that must be reached (default: none)
  --expect E           holds | violated:INVARIANT (default: holds)
  --records N          bound: new records (default ${AD_HOC_DEFAULT_BOUNDS.recordsMax})
  --resends N          bound: application resends (default ${AD_HOC_DEFAULT_BOUNDS.resendsMax})
  --lost N             bound: lost messages (default ${AD_HOC_DEFAULT_BOUNDS.lostMessagesMax})
  --restarts N         bound: producer restarts (default ${AD_HOC_DEFAULT_BOUNDS.restartsMax})
  --crashes N          bound: broker crashes (default ${AD_HOC_DEFAULT_BOUNDS.crashesMax})
  --cluster-changes N  bound: ISR shrinks, leader moves, producer-state losses (default ${AD_HOC_DEFAULT_BOUNDS.clusterChangesMax})
  (--max-steps sets the events bound, default ${AD_HOC_DEFAULT_BOUNDS.eventsMax}; --runs defaults to ${AD_HOC_DEFAULT_RUNS})

Exit codes: 0 every suite behaved as expected, 1 some did not, 2 bad input, 130 interrupted.`;

const OPTIONS = {
  suite: { type: 'string', multiple: true },
  runs: { type: 'string' },
  seed: { type: 'string' },
  'max-steps': { type: 'string' },
  json: { type: 'boolean', default: false },
  'report-dir': { type: 'string' },
  'no-report': { type: 'boolean', default: false },
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
  help: { type: 'boolean', default: false },
} as const;

const AD_HOC_FLAGS = ['set', 'faults', 'invariants', 'witnesses', 'expect', 'records', 'resends', 'lost', 'restarts', 'crashes', 'cluster-changes'] as const;

export function integerFlag(flag: string, value: string | undefined, min: number): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, got '${value}'`);
  }
  return Number(value);
}

export function seedFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SEED;
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--seed must be an integer, got '${value}'`);
  return Number(value);
}

function listFlag(flag: string, value: string | undefined, allowed: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'none') return [];
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    if (!allowed.includes(item)) throw new UsageError(`--${flag}: unknown '${item}' (allowed: ${allowed.join(', ')})`);
  }
  return items;
}

export function selectSuites(patterns: readonly string[]): string[] {
  const names: string[] = [];
  for (const pattern of patterns) {
    const matched = pattern.endsWith('*') ? SUITES.filter((s) => s.name.startsWith(pattern.slice(0, -1))) : SUITES.filter((s) => s.name === pattern);
    if (matched.length === 0) {
      throw new UsageError(`--suite: no suite matches '${pattern}' (idemcheck list shows the suites)`);
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
    config[raw.slice(0, at).trim()] = raw.slice(at + 1).trim();
  }
  return config;
}

type Values = ReturnType<typeof parse>['values'];

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}

function adHocOptions(values: Values, runs: number | null): AdHocOptions {
  const bounds: Partial<Bounds> = {};
  const put = (key: keyof Bounds, flag: string, value: string | undefined): void => {
    const n = integerFlag(flag, value, 0);
    if (n !== null) (bounds as Record<string, number>)[key] = n;
  };
  put('recordsMax', 'records', values.records);
  put('resendsMax', 'resends', values.resends);
  put('lostMessagesMax', 'lost', values.lost);
  put('restartsMax', 'restarts', values.restarts);
  put('crashesMax', 'crashes', values.crashes);
  put('clusterChangesMax', 'cluster-changes', values['cluster-changes']);
  const faults = listFlag('faults', values.faults, FAULTS) as Fault[] | undefined;
  const invariants = listFlag('invariants', values.invariants, INVARIANTS.map((i) => i.name));
  const witnesses = listFlag('witnesses', values.witnesses, WITNESSES.map((w) => w.name));
  const expect = parseExpect(values.expect);
  const options: AdHocOptions = {
    config: parseSets(values.set),
    ...(faults === undefined ? {} : { faults }),
    ...(invariants === undefined ? {} : { invariants }),
    ...(witnesses === undefined ? {} : { witnesses }),
    ...(expect === undefined ? {} : { expect }),
    bounds,
    ...(runs === null ? {} : { runs }),
  };
  // Validate now, in the main thread, so bad input is a one-line error before anything runs.
  try {
    adHocSuite(options);
  } catch (error) {
    if (error instanceof SuiteError) throw new UsageError(error.message.replace(/^suite ad-hoc: /, ''));
    throw error;
  }
  return options;
}

interface Row {
  readonly suite: string;
  readonly expected: string;
  readonly result: SuiteResult;
  readonly asExpected: boolean;
  readonly got: string;
  readonly problem: string | null;
  readonly report: WrittenReport | null;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export async function checkCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    print(CHECK_HELP);
    return EXIT_OK;
  }
  const runs = integerFlag('runs', values.runs, 1);
  const maxSteps = integerFlag('max-steps', values['max-steps'], 1);
  const settings: RunSettings = { seed: seedFlag(values.seed), runs, maxSteps };
  const adHoc = AD_HOC_FLAGS.some((flag) => values[flag] !== undefined);
  if (adHoc && values.suite !== undefined) throw new UsageError('--suite cannot be combined with ad-hoc settings (--set, --faults, ...)');
  const job: Job = adHoc
    ? { kind: 'ad-hoc', options: adHocOptions(values, runs), settings }
    : { kind: 'suites', names: values.suite === undefined ? SUITES.map((s) => s.name) : selectSuites(values.suite), settings };
  const reportDir = values['report-dir'] ?? 'reports';
  const writeReports = !values['no-report'];
  const expectations = new Map<string, string>(
    job.kind === 'ad-hoc' ? [['ad-hoc', describeExpectation(adHocSuite(job.options).expect)]] : SUITES.map((s) => [s.name, describeExpectation(s.expect)]),
  );
  const total = job.kind === 'ad-hoc' ? 1 : job.names.length;
  const width = Math.max(...(job.kind === 'ad-hoc' ? ['ad-hoc'] : job.names).map((n) => n.length), 5) + 2;
  const tty = process.stderr.isTTY === true && !values.json;
  const rows: Row[] = [];
  let current: { suite: string; runs: number; done: number } | null = null;

  const clearProgress = (): void => {
    if (tty) process.stderr.write('\r\x1b[K');
  };
  const showProgress = (): void => {
    if (tty && current !== null) process.stderr.write(`\r\x1b[K${rows.length + 1}/${total} ${current.suite}: ${current.done}/${current.runs} runs`);
  };

  if (!values.json) {
    print(`${pad('suite', width)}${pad('expected', 34)}${pad('got', 34)}${pad('runs', 8)}${pad('time', 8)}seed`);
  }

  const worker = new Worker(new URL('./check-worker-entry.mjs', import.meta.url), { workerData: job, execArgv: [] });
  const interrupted = new Promise<number>((resolve) => {
    const onSigint = (): void => {
      void worker.terminate();
      clearProgress();
      const doneNames = rows.map((r) => r.suite);
      console.error(
        `\ninterrupted: seed ${settings.seed}; finished ${rows.length} of ${total} suites${doneNames.length > 0 ? ` (${doneNames.join(', ')})` : ''}` +
          `${current === null ? '' : `; ${current.suite} stopped after ${current.done} runs`}. No partial report was written.`,
      );
      resolve(130);
    };
    process.once('SIGINT', onSigint);
    worker.once('exit', () => process.removeListener('SIGINT', onSigint));
  });

  const finished = new Promise<number>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'start':
          current = { suite: message.suite, runs: message.runs, done: 0 };
          showProgress();
          return;
        case 'progress':
          if (current !== null) current.done = message.done;
          showProgress();
          return;
        case 'result': {
          current = null;
          clearProgress();
          const report = message.report !== null && writeReports ? writeReport(reportDir, message.report) : null;
          const row: Row = {
            suite: message.suite,
            expected: expectations.get(message.suite) ?? '',
            result: message.result,
            asExpected: message.judgement.asExpected,
            got: message.judgement.got,
            problem: message.judgement.problem,
            report,
          };
          rows.push(row);
          if (!values.json) printRow(print, row, width);
          return;
        }
        case 'done':
          resolve(rows.every((r) => r.asExpected) ? EXIT_OK : EXIT_VIOLATION);
          return;
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0 && rows.length < total) reject(new Error(`the checker stopped unexpectedly (exit ${code})`));
    });
  });

  const code = await Promise.race([finished, interrupted]);
  await worker.terminate();
  if (code === 130) return code;
  if (values.json) {
    print(JSON.stringify(rows.map(jsonRow), null, 2));
    return code;
  }
  const bad = rows.filter((r) => !r.asExpected);
  print('');
  print(`${rows.length} suite${rows.length === 1 ? '' : 's'}, seed ${settings.seed}: ${rows.length - bad.length} as expected${bad.length > 0 ? `, ${bad.length} not: ${bad.map((r) => r.suite).join(', ')}` : ''}.`);
  const reports = rows.filter((r) => r.report !== null);
  if (reports.length > 0) print(`Reports: ${reportDir}/ (one per counterexample; open the .md or .html, replay the .json).`);
  return code;
}

function printRow(print: (line: string) => void, row: Row, width: number): void {
  const r = row.result;
  const seconds = `${(r.ms / 1000).toFixed(1)}s`;
  const mark = row.asExpected ? '✓' : '✗';
  print(`${pad(row.suite, width)}${pad(row.expected, 34)}${pad(row.got, 34)}${pad(String(r.runs), 8)}${pad(seconds, 8)}${r.seed}  ${mark}`);
  if (!row.asExpected && row.problem !== null) print(`    not as expected: ${row.problem}`);
  const witnesses = Object.entries(r.witnessRuns);
  if (witnesses.length > 0) print(`    witnesses (runs reaching them): ${witnesses.map(([name, n]) => `${name} ${n}`).join(', ')}`);
  const events = Object.entries(r.eventCounts).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  if (events.length > 0) print(`    events taken: ${events.map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  const cx = r.counterexample;
  if (cx !== null) {
    const trace = cx.events.map(formatEvent);
    const shown = trace.length > 12 ? [...trace.slice(0, 12), `… ${trace.length - 12} more`] : trace;
    print(`    ${cx.events.length} steps: ${shown.join(' → ')}`);
    if (row.report !== null) print(`    report: ${row.report.markdown}`);
  }
}

function jsonRow(row: Row): unknown {
  const r = row.result;
  return {
    suite: row.suite,
    expected: row.expected,
    got: row.got,
    asExpected: row.asExpected,
    problem: row.problem,
    runs: r.runs,
    ms: Math.round(r.ms),
    seed: r.seed,
    witnessRuns: r.witnessRuns,
    eventCounts: r.eventCounts,
    counterexample: r.counterexample === null ? null : { events: r.counterexample.events.map(formatEvent), path: r.counterexample.path },
    report: row.report,
  };
}
