/**
 * `idemcheck check`: run every suite (or some, or an ad-hoc one), print a table, write a report
 * for every counterexample, and exit 0 when every suite behaved as expected.
 */

import { DEFAULT_LIVENESS_BUDGET } from '../checker/liveness.js';
import { AD_HOC_DEFAULT_RUNS } from '../checker/ad-hoc.js';
import type { SuiteResult } from '../checker/run-suite.js';
import { SUITES } from '../../properties/index.js';
import { formatEvent } from '../report/format.js';
import { describeKnown, otherKnownMechanism } from '../report/known.js';
import type { KnownMechanism } from '../report/known.js';
import { COMMON_FLAGS, flagHelp, flags, helpWidth, parseFlags } from './args.js';
import { suitesOf } from './check-worker.js';
import type { RunSettings, WorkerMessage } from './check-worker.js';
import { judge } from '../checker/run-suite.js';
import { mergeResults } from '../checker/slices.js';
import type { Slice } from '../checker/slices.js';
import type { Report } from '../report/report.js';
import { EXIT_OK, EXIT_VIOLATION, RejectedConfigError, UsageError } from './errors.js';
import { DEFAULT_SEED, MAX_RUNS, pad, SELECTION_FLAGS, selectionHelp, startSuiteCommand } from './selection.js';
import { runInWorker } from './worker-run.js';
import { REPORT_NOT_WRITTEN, tryWriteReport } from './write-report.js';
import type { WrittenReport } from './write-report.js';

export const DEFAULT_SHORTEST_STATES = 100_000;

/** check's flags: its own, the output flags, and the suite selection (SELECTION_FLAGS). */
const FLAGS = flags({
  ...SELECTION_FLAGS,
  suite: { ...SELECTION_FLAGS.suite, help: `run ${SELECTION_FLAGS.suite.help};\ndefault: every suite (idemcheck list shows them)` },
  runs: { kind: 'integer', arg: 'N', min: 1, max: MAX_RUNS, help: `random runs per suite, at most ${MAX_RUNS} (default: each suite's own; ad-hoc ${AD_HOC_DEFAULT_RUNS})` },
  seed: { kind: 'seed', arg: 'N', help: `fast-check seed (default ${DEFAULT_SEED})` },
  workers: { kind: 'integer', arg: 'N', min: 1, max: 256, help: `worker threads to spread each suite's runs over (default 1); slice k of the runs\nuses a seed derived from --seed, printed with its counterexample` },
  shard: { kind: 'text', arg: 'I/N', wants: 'I/N, integers with 1 <= I <= N', help: "run the I-th of N slices of each suite's runs (for a CI matrix; combine the\n--json outputs with idemcheck merge)" },
  ...COMMON_FLAGS,
  'shortest-states': {
    kind: 'integer',
    arg: 'N',
    min: 0,
    help: `states an exhaustive search may visit to find the shortest counterexample,\nreported beside the one found (default ${DEFAULT_SHORTEST_STATES}; 0 skips it)`,
  },
  liveness: {
    kind: 'switch',
    help: `also check bounded liveness (EventuallySettled): after each run, with no more\nfaults and no new sends, every send resolves within ${DEFAULT_LIVENESS_BUDGET} steps`,
  },
});

const WIDTH = helpWidth(FLAGS);

export const CHECK_HELP = `Usage: idemcheck check [--suite NAME ...] [options]
       idemcheck check --set KEY=VALUE ... [ad-hoc options]

Run property suites with fast-check and report every counterexample.

Suites:
${flagHelp(FLAGS, ['suite', 'runs', 'seed', 'workers', 'shard', 'max-steps', 'json', 'report-dir', 'no-report', 'shortest-states', 'liveness'], WIDTH)}

${selectionHelp(WIDTH)}

Exit codes: 0 every suite behaved as expected, 1 some did not, 2 bad input, 130 interrupted.`;

interface Row {
  readonly suite: string;
  readonly expected: string;
  readonly result: SuiteResult;
  readonly asExpected: boolean;
  readonly got: string;
  readonly problem: string | null;
  /** The search for the shortest counterexample: its result, state budget (0: none) and time. */
  readonly shortest: number | null;
  readonly shortestLimit: number;
  readonly shortestMs: number;
  readonly report: WrittenReport | null;
  /** Another shipped suite whose mechanism the counterexample repeats. */
  readonly known: KnownMechanism | null;
}

/** `--shard I/N` (1-based, as vitest's): which slice of N this process runs. */
export function parseShard(text: string | undefined): Slice {
  if (text === undefined) return { index: 0, count: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (match === null || !Number.isSafeInteger(n) || n < 1 || n > 1_000_000 || i < 1 || i > n) {
    throw new UsageError(`--shard must be I/N, integers with 1 <= I <= N <= 1000000 (as 2/4), got '${text}'`);
  }
  return { index: i - 1, count: n };
}

export async function checkCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    print(CHECK_HELP);
    return EXIT_OK;
  }
  const runs = values.runs ?? null;
  const shard = parseShard(values.shard);
  const workers = values.workers ?? 1;
  const settings: RunSettings = {
    seed: values.seed ?? DEFAULT_SEED,
    runs,
    maxSteps: values['max-steps'] ?? null,
    shortestStates: values['shortest-states'] ?? DEFAULT_SHORTEST_STATES,
    liveness: values.liveness ?? false,
    slice: { index: 0, count: 1 },
  };
  // This process runs slices shard × workers .. + workers - 1 of shard-count × workers.
  const slices: Slice[] = Array.from({ length: workers }, (_, w) => ({ index: shard.index * workers + w, count: shard.count * workers }));
  let command;
  try {
    command = startSuiteCommand(values, runs, print);
  } catch (error) {
    // An ad-hoc config Kafka refuses is still bad input (exit 2, the reason on stderr); with --json
    // stdout also gets its row, as a named config suite's rejection does.
    if (values.json && error instanceof RejectedConfigError) print(JSON.stringify([jsonRow(rejectedRow(error, settings.seed), [])], null, 2));
    throw error;
  }
  const { selection, names, expectations, reportDir, writeReports, width, kafkaLogs } = command;
  let writeError: string | null = null;
  const rows: Row[] = [];
  let current: { suite: string; runs: number; done: number } | null = null;

  if (!values.json) print(`${pad('suite', width)}${pad('expected', 34)}${pad('got', 34)}${pad('runs', 8)}${pad('time', 8)}seed`);

  const suites = suitesOf(selection).suites;
  /** Per suite, each worker's 'start' runs and progress, and its result once it came. */
  interface SliceMessage {
    readonly result: SuiteResult;
    readonly report: Report | null;
    readonly shortestMs: number;
  }
  const started = new Map<string, { runs: number[]; done: number[]; results: (SliceMessage | undefined)[] }>();
  const of = (suite: string): { runs: number[]; done: number[]; results: (SliceMessage | undefined)[] } => {
    let entry = started.get(suite);
    if (entry === undefined) {
      entry = { runs: new Array<number>(workers).fill(0), done: new Array<number>(workers).fill(0), results: new Array<SliceMessage | undefined>(workers).fill(undefined) };
      started.set(suite, entry);
    }
    return entry;
  };
  const status = (): string | null => {
    if (current === null) return null;
    const entry = of(current.suite);
    const total = entry.runs.reduce((a, b) => a + b, 0);
    const done = entry.done.reduce((a, b) => a + b, 0);
    current.runs = total;
    current.done = done;
    return `${rows.length + 1}/${names.length} ${current.suite}: ${done}/${total} runs`;
  };
  /** A suite whose slices all came in becomes a row; rows are printed in the suites' order. */
  const flush = (): void => {
    for (;;) {
      const name = suites[rows.length]?.name;
      const entry = name === undefined ? undefined : started.get(name);
      if (name === undefined || entry === undefined || entry.results.some((r) => r === undefined)) return;
      const parts = entry.results as SliceMessage[];
      const result = workers === 1 ? (parts[0] as SliceMessage).result : mergeResults(parts.map((p) => p.result));
      const from = parts.find((p) => p.result.verdict !== 'holds') ?? (parts[0] as SliceMessage);
      const suite = suites[rows.length] as (typeof suites)[number];
      const judgement = judge(suite, result);
      current = null;
      const { written: report, error } = tryWriteReport(reportDir, writeReports ? from.report : null);
      if (error !== null) writeError = error;
      const row: Row = {
        suite: name,
        expected: expectations.get(name) ?? '',
        result,
        asExpected: judgement.asExpected,
        got: judgement.got,
        problem: judgement.problem,
        shortest: from.report?.lengths.shortest ?? null,
        shortestLimit: from.report?.lengths.shortestLimit ?? 0,
        shortestMs: from.shortestMs,
        report,
        known: from.report === null ? null : otherKnownMechanism(from.report, SUITES),
      };
      rows.push(row);
      if (!values.json) printRow(print, row, width);
      if (!values.json && error !== null) print(REPORT_NOT_WRITTEN);
    }
  };
  const onMessageOf =
    (w: number) =>
    (message: WorkerMessage): string | null => {
      switch (message.type) {
        case 'start':
          of(message.suite).runs[w] = message.runs;
          if (current === null) current = { suite: message.suite, runs: 0, done: 0 };
          return status();
        case 'progress':
          of(message.suite).done[w] = message.done;
          return status();
        case 'result': {
          of(message.suite).results[w] = { result: message.result, report: message.report, shortestMs: message.shortestMs };
          flush();
          const next = suites[rows.length]?.name;
          if (current === null && next !== undefined && started.has(next)) current = { suite: next, runs: 0, done: 0 };
          return status();
        }
        default:
          return null;
      }
    };
  const interruptedSummary = (): string => {
    const done = rows.map((r) => r.suite);
    const running = current === null ? '' : `; ${current.suite} stopped after ${current.done} runs`;
    return `interrupted: seed ${settings.seed}; finished ${rows.length} of ${names.length} suites${done.length > 0 ? ` (${done.join(', ')})` : ''}${running}. No partial report was written.`;
  };
  const tty = process.stderr.isTTY === true && !values.json;
  const outcomes = await Promise.all(
    slices.map((slice, w) => runInWorker({ mode: 'check', selection, settings: { ...settings, slice } }, { onMessage: onMessageOf(w), interruptedSummary: w === 0 ? interruptedSummary : () => '', tty })),
  );
  const stopped = outcomes.find((o) => o !== null);
  if (stopped !== undefined && stopped !== null) return stopped;
  if (writeError !== null) throw new UsageError(writeError);

  const code = rows.every((r) => r.asExpected) ? EXIT_OK : EXIT_VIOLATION;
  if (values.json) {
    print(JSON.stringify(rows.map((row) => jsonRow(row, kafkaLogs.get(row.suite) ?? [])), null, 2));
    return code;
  }
  const bad = rows.filter((r) => !r.asExpected);
  print('');
  print(`${rows.length} suite${rows.length === 1 ? '' : 's'}, seed ${settings.seed}: ${rows.length - bad.length} as expected${bad.length > 0 ? `, ${bad.length} not: ${bad.map((r) => r.suite).join(', ')}` : ''}.`);
  if (rows.some((r) => r.report !== null)) print(`Reports: ${reportDir}/ (one per counterexample; open the .md or .html, replay the .json).`);
  return code;
}

function printRow(print: (line: string) => void, row: Row, width: number): void {
  const r = row.result;
  const seconds = `${(r.ms / 1000).toFixed(1)}s`;
  const mark = row.asExpected ? '✓' : '✗';
  print(`${pad(row.suite, width)}${pad(row.expected, 34)}${pad(row.got, 34)}${pad(String(r.runs), 8)}${pad(seconds, 8)}${r.seed}  ${mark}`);
  if (!row.asExpected && row.problem !== null) print(`    not as expected: ${row.problem}`);
  if (row.known !== null) print(`    ${describeKnown(row.known)}`);
  if (r.verdict === 'rejected' && r.configError !== null) print(`    ConfigException: ${r.configError}`);
  // Witnesses show that a guarantee that holds was exercised; beside a counterexample found in the
  // first few runs their counts would only look like a vacuous check.
  const witnesses = r.verdict === 'holds' ? Object.entries(r.witnessRuns) : [];
  if (witnesses.length > 0) print(`    witnesses (runs reaching them): ${witnesses.map(([name, n]) => `${name} ${n}`).join(', ')}`);
  const events = Object.entries(r.eventCounts).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  if (events.length > 0) print(`    events taken: ${events.map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  const cx = r.counterexample;
  if (cx !== null) {
    const trace = cx.events.map(formatEvent);
    const shown = trace.length > 12 ? [...trace.slice(0, 12), `… ${trace.length - 12} more`] : trace;
    const took = `${(row.shortestMs / 1000).toFixed(1)}s`;
    const shortest =
      row.shortest !== null
        ? ` (shortest possible: ${row.shortest}; the search took ${took})`
        : row.shortestLimit > 0
          ? ` (shortest possible: not reached in ${row.shortestLimit} states, ${took}; --shortest-states N searches further)`
          : '';
    print(`    ${cx.events.length} steps${shortest}: ${shown.join(' → ')}`);
    if (row.report !== null) print(`    report: ${row.report.markdown}`);
  }
}

/** The row of an ad-hoc check whose config Kafka refuses: nothing ran. */
function rejectedRow(error: RejectedConfigError, seed: number): Row {
  const result: SuiteResult = {
    suite: 'ad-hoc',
    seed,
    runs: 0,
    eventsMax: 0,
    verdict: 'rejected',
    counterexample: null,
    configError: error.configError,
    eventCounts: {},
    witnessRuns: {},
    steps: 0,
    ms: 0,
    msToFirstFailure: null,
  };
  const problem = 'Kafka refuses the config (ConfigException), so nothing ran';
  return { suite: 'ad-hoc', expected: error.expected, result, asExpected: false, got: 'ConfigException', problem, shortest: null, shortestLimit: 0, shortestMs: 0, report: null, known: null };
}

function jsonRow(row: Row, logs: readonly string[]): unknown {
  const r = row.result;
  return {
    suite: row.suite,
    expected: row.expected,
    got: row.got,
    asExpected: row.asExpected,
    problem: row.problem,
    // The same machine-readable verdict fields as explore's rows (plus the config a client rejects).
    verdict: r.verdict,
    invariant: r.counterexample?.results[0]?.invariant ?? null,
    configError: r.configError,
    runs: r.runs,
    ms: Math.round(r.ms),
    seed: r.seed,
    witnessRuns: r.witnessRuns,
    eventCounts: r.eventCounts,
    kafkaLogs: logs,
    knownMechanism: row.known,
    counterexample:
      r.counterexample === null
        ? null
        : { events: r.counterexample.events.map(formatEvent), path: r.counterexample.path, replayPath: r.counterexample.replayPath, swarm: r.counterexample.swarm, shortest: row.shortest, shortestLimit: row.shortestLimit, shortestMs: Math.round(row.shortestMs) },
    report: row.report,
  };
}
