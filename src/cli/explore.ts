/**
 * `idemcheck explore`: exhaustive breadth-first search of a suite's bounded state space. The
 * verdict is complete (the invariants hold in every reachable state), or a shortest
 * counterexample written as the same report as `check` (so `replay` works on it), or incomplete
 * when a limit stopped the search first.
 */

import { DEFAULT_LIVENESS_BUDGET } from '../checker/liveness.js';
import { judgeExploration, NO_STORAGE, REDUCTIONS, whileAt } from '../checker/explore.js';
import type { ExploreResult, Reduction } from '../checker/explore.js';
import type { Suite } from '../checker/suite.js';
import { SUITES, suiteByName } from '../../properties/index.js';
import { formatEvent } from '../report/format.js';
import { describeKnown, otherKnownMechanism } from '../report/known.js';
import type { KnownMechanism } from '../report/known.js';
import { COMMON_FLAGS, flagHelp, flags, helpWidth, parseFlags } from './args.js';
import { PARALLEL_AFTER_STATES, suitesOf } from './check-worker.js';
import type { ExploreSettings, Selection, WorkerMessage } from './check-worker.js';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from './errors.js';
import { isAdHoc, pad, SELECTION_FLAGS, selectionHelp, startSuiteCommand } from './selection.js';
import { EXIT_INTERRUPTED, isWorkerOutOfMemory, runInWorker } from './worker-run.js';
import { REPORT_NOT_WRITTEN, tryWriteReport } from './write-report.js';
import type { WrittenReport } from './write-report.js';

export const DEFAULT_MAX_STATES = 2_000_000;
export const DEFAULT_MAX_MEMORY_MB = 4096;

/** explore's flags: its limits, the output flags, and the suite selection (SELECTION_FLAGS). */
const FLAGS = flags({
  ...SELECTION_FLAGS,
  suite: { ...SELECTION_FLAGS.suite, help: `explore this suite (repeatable; 'prefix*' matches several, '*' all of them;\nrequired unless the suite is ad hoc)` },
  'max-states': { kind: 'integer', arg: 'N', min: 1, help: `stop after N unique states (default ${DEFAULT_MAX_STATES})` },
  'max-memory': {
    kind: 'integer',
    arg: 'MB',
    min: 64,
    wants: 'megabytes, an integer >= 64',
    help: `stop a suite's search when it holds more memory than this: heap in use plus\nthe visited set (default ${DEFAULT_MAX_MEMORY_MB}, at least 64; each suite is measured alone)`,
  },
  workers: {
    kind: 'integer',
    arg: 'N',
    min: 1,
    max: 256,
    help: `worker threads for a search past ${PARALLEL_AFTER_STATES.toLocaleString('en-US')} states (default 1: two were not yet\nfaster on a 2-core machine); the same verdict, state counts and\nshortest length as with 1, with or without symmetry`,
  },
  'no-spill': {
    kind: 'switch',
    help: `keep the whole frontier in memory (by default a level's states beyond an eighth\nof --max-memory wait on disk, in the system's temporary directory)`,
  },
  reduce: {
    kind: 'text',
    arg: 'NAME',
    wants: `one of: ${[...REDUCTIONS, 'none'].join(', ')}`,
    help: `state-space reductions, one of: 'symmetry' (brokers that are interchangeable\nare merged; applied where the suite allows it, see README; the default, with\nany number of workers), 'por' (partial-order reduction over the events the\nmodel declares independent; one worker only), 'none'`,
  },
  ...COMMON_FLAGS,
  liveness: {
    kind: 'switch',
    help: `also check bounded liveness (EventuallySettled) from every state visited: with\nno more faults and no new sends, every send resolves within ${DEFAULT_LIVENESS_BUDGET} steps`,
  },
});

const WIDTH = helpWidth(FLAGS);

export const EXPLORE_HELP = `Usage: idemcheck explore --suite NAME [options]
       idemcheck explore --set KEY=VALUE ... [ad-hoc options]

Visit every state reachable within a suite's bounds (breadth-first, each canonical state once) and
check the invariants in each. The verdict is "holds in all N states", a shortest counterexample
(written as a report, like check's), or "incomplete" when a limit stopped the search first.

${flagHelp(FLAGS, ['suite', 'max-states', 'max-memory', 'no-spill', 'workers', 'reduce', 'max-steps', 'json', 'report-dir', 'no-report', 'liveness'], WIDTH)}

${selectionHelp(WIDTH)}

Exit codes: 0 every suite got its expected verdict, 1 some did not (or a limit stopped the search),
2 bad input, 130 interrupted.`;

interface Row {
  readonly suite: string;
  readonly expected: string;
  readonly result: ExploreResult;
  readonly asExpected: boolean;
  readonly got: string;
  readonly problem: string | null;
  readonly report: WrittenReport | null;
  /** Another shipped suite whose mechanism the counterexample repeats. */
  readonly known: KnownMechanism | null;
}

function perSecond(count: number, ms: number): string {
  return ms <= 0 ? '-' : `${Math.round((count / ms) * 1000)}/s`;
}

export async function exploreCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    print(EXPLORE_HELP);
    return EXIT_OK;
  }
  const workers = values.workers ?? 1;
  const reduce = values.reduce === undefined ? DEFAULT_REDUCE : parseReduce(values.reduce);
  // The parallel parts take symmetry (an orbit's key decides its owner); POR's cycle proviso reads the whole visited set.
  if (reduce.includes('por') && workers > 1) throw new UsageError('--reduce: por runs on one worker; use --workers 1, or --reduce symmetry or none');
  const settings: ExploreSettings = {
    reduce,
    spill: !values['no-spill'],
    maxStates: values['max-states'] ?? DEFAULT_MAX_STATES,
    maxMemoryMb: values['max-memory'] ?? DEFAULT_MAX_MEMORY_MB,
    maxSteps: values['max-steps'] ?? null,
    liveness: values.liveness ?? false,
    workers: values.workers ?? 1,
  };
  // Every suite at the default limit takes minutes and gigabytes: the user asks for it by name.
  if (!isAdHoc(values) && values.suite === undefined) throw new UsageError("explore needs --suite NAME ('prefix*' for several, '*' for every suite) or an ad-hoc suite (--set, --faults, ...)");
  const { selection, names: selected, expectations, reportDir, writeReports, width, kafkaLogs } = startSuiteCommand(values, null, print);
  // A config Kafka refuses has no setup and no states to visit (check shows its ConfigException);
  // the worker skips the same suites.
  const refused = selection.kind === 'suites' ? selected.filter((name) => suiteByName(name)?.setup === null) : [];
  if (refused.length === selected.length) {
    throw new UsageError(`--suite: nothing to explore: Kafka refuses the config of ${refused.join(', ')} (idemcheck check --suite NAME shows the ConfigException)`);
  }
  const names = selected.filter((name) => !refused.includes(name));
  // With --json the note goes to stderr, so that stdout stays one JSON document.
  const note = `note: not explored, Kafka refuses their config (idemcheck check shows the ConfigException): ${refused.join(', ')}`;
  if (refused.length > 0) (values.json ? console.error : print)(note);
  let writeError: string | null = null;
  const rows: Row[] = [];
  interface Running {
    readonly suite: string;
    readonly unique: number;
    readonly generated: number;
    /** The depth being visited. */
    readonly depth: number;
    readonly ms: number;
  }
  let current: Running | null = null;

  if (!values.json) {
    print(`${pad('suite', width)}${pad('expected', 34)}${pad('got', 44)}${pad('unique', 10)}${pad('generated', 11)}${pad('depth', 7)}${pad('time', 8)}unique/s`);
  }
  const onMessage = (message: WorkerMessage): string | null => {
    switch (message.type) {
      case 'explore-progress': {
        const p = message.progress;
        current = { suite: message.suite, unique: p.unique, generated: p.generated, depth: p.depth, ms: p.ms };
        return `${rows.length + 1}/${names.length} ${message.suite}: ${p.unique} unique of ${p.generated} states, depth ${p.depth}, ${perSecond(p.unique, p.ms)}`;
      }
      case 'explored': {
        current = null;
        const { written: report, error } = tryWriteReport(reportDir, writeReports ? message.report : null);
        if (error !== null) writeError = error;
        const row: Row = {
          suite: message.suite,
          expected: expectations.get(message.suite) ?? '',
          result: message.result,
          asExpected: message.judgement.asExpected,
          got: message.judgement.got,
          problem: message.judgement.problem,
          report,
          known: message.report === null ? null : otherKnownMechanism(message.report, SUITES),
        };
        rows.push(row);
        if (!values.json) printRow(print, row, width);
        if (!values.json && error !== null) print(REPORT_NOT_WRITTEN);
        return null;
      }
      default:
        return null;
    }
  };
  const interruptedSummary = (): string => {
    const running = current === null ? '' : `; ${current.suite} stopped while visiting depth ${current.depth} after ${current.unique} unique states`;
    return `interrupted: explored ${rows.length} of ${names.length} suites${running}. No partial report was written.`;
  };
  // Each suite gets its own worker, so one suite's heap is gone before the next one starts and
  // --max-memory measures that suite alone. The worker's heap limit sits above --max-memory, so
  // the search stops itself (an incomplete verdict) before V8 would run out of heap.
  const heapLimitMb = settings.maxMemoryMb + Math.max(512, Math.ceil(settings.maxMemoryMb / 4));
  const jobs: Selection[] = selection.kind === 'suites' ? names.map((name) => ({ kind: 'suites', names: [name] })) : [selection];
  /** One suite's worker; a worker out of heap becomes the suite's incomplete verdict. */
  const exploreJob = async (job: Selection): Promise<number | null> => {
    try {
      return await runInWorker(
        { mode: 'explore', selection: job, settings },
        { onMessage, interruptedSummary, tty: process.stderr.isTTY === true && !values.json, maxOldGenerationSizeMb: heapLimitMb },
      );
    } catch (error) {
      if (!isWorkerOutOfMemory(error)) throw error;
      // Grown faster than the memory check could see: the same verdict as the check's. Before the
      // first progress message (200 ms) nothing is known but that the first level was being visited.
      // (`current` is set by onMessage: TypeScript cannot see the assignment in the callback.)
      const suite = suitesOf(job).suites[0] as Suite;
      const at = (current as Running | null) ?? { suite: suite.name, unique: 0, generated: 0, depth: 1, ms: 0 };
      const result: ExploreResult = {
        verdict: { kind: 'incomplete', reason: `the worker's heap limit (${heapLimitMb} MB, above --max-memory) was reached ${whileAt(at.depth - 1)}` },
        generated: at.generated,
        unique: at.unique,
        depth: at.depth - 1,
        ms: at.ms,
        witnessStates: {},
        storage: NO_STORAGE,
      };
      onMessage({ type: 'explored', suite: suite.name, result, judgement: judgeExploration(suite, result), report: null });
      return null;
    }
  };
  // Each worker's run handles Ctrl-C while it runs; this one covers the moment between two workers.
  let interruptedBetween = false;
  const onSigintBetween = (): void => {
    interruptedBetween = true;
  };
  process.on('SIGINT', onSigintBetween);
  try {
    for (const job of jobs) {
      if (interruptedBetween) {
        console.error(`\n${interruptedSummary()}`);
        return EXIT_INTERRUPTED;
      }
      const stopped = await exploreJob(job);
      if (stopped !== null) return stopped;
    }
  } finally {
    process.removeListener('SIGINT', onSigintBetween);
  }
  if (writeError !== null) throw new UsageError(writeError);

  const code = rows.every((r) => r.asExpected) ? EXIT_OK : EXIT_VIOLATION;
  if (values.json) {
    print(
      JSON.stringify(
        rows.map((r) => ({
          suite: r.suite,
          expected: r.expected,
          got: r.got,
          asExpected: r.asExpected,
          problem: r.problem,
          kafkaLogs: kafkaLogs.get(r.suite) ?? [],
          knownMechanism: r.known,
          verdict: r.result.verdict.kind,
          invariant: r.result.verdict.kind === 'violated' ? (r.result.verdict.results[0]?.invariant ?? null) : null,
          events: r.result.verdict.kind === 'violated' ? r.result.verdict.events.map(formatEvent) : null,
          unique: r.result.unique,
          generated: r.result.generated,
          depth: r.result.depth,
          ms: Math.round(r.result.ms),
          witnessStates: r.result.witnessStates,
          reduction: r.result.reduction ?? null,
          storage: r.result.storage,
          report: r.report,
        })),
        null,
        2,
      ),
    );
    return code;
  }
  const bad = rows.filter((r) => !r.asExpected);
  print('');
  print(`${rows.length} suite${rows.length === 1 ? '' : 's'} explored: ${rows.length - bad.length} as expected${bad.length > 0 ? `, ${bad.length} not: ${bad.map((r) => r.suite).join(', ')}` : ''}.`);
  return code;
}

/** The reductions explore applies unless told otherwise (with any number of workers): those whose soundness tests pass and that pay. */
export const DEFAULT_REDUCE: readonly Reduction[] = ['symmetry'];

/** `--reduce NAME`: 'none' or one of REDUCTIONS (por and symmetry together are not shown sound). */
export function parseReduce(text: string): readonly Reduction[] {
  if (text === 'none') return [];
  if (!(REDUCTIONS as readonly string[]).includes(text)) {
    throw new UsageError(`--reduce: '${text}' is not allowed; give one of: ${[...REDUCTIONS, 'none'].join(', ')} (por and symmetry do not combine)`);
  }
  return [text as Reduction];
}

function printRow(print: (line: string) => void, row: Row, width: number): void {
  const r = row.result;
  const mark = row.asExpected ? '✓' : '✗';
  print(
    `${pad(row.suite, width)}${pad(row.expected, 34)}${pad(row.got, 44)}${pad(String(r.unique), 10)}${pad(String(r.generated), 11)}${pad(String(r.depth), 7)}${pad(`${(r.ms / 1000).toFixed(1)}s`, 8)}${perSecond(r.unique, r.ms)}  ${mark}`,
  );
  if (!row.asExpected && row.problem !== null) print(`    not as expected: ${row.problem}`);
  if (r.reduction?.symmetry != null) {
    // Said only where it acted (--json gives the reason where it did not).
    if (r.reduction.symmetry.applied) print('    symmetry: interchangeable brokers merged (one state visited per renaming of brokers)');
  } else if (r.reduction !== undefined) {
    const red = r.reduction;
    const states = red.reducedStates + red.fullStates;
    const used = `por: ${red.reducedStates} of ${states} states expanded with a reduced set; the reduced search visited ${red.unique} states`;
    print(`    ${red.fellBack === null ? used : red.fellBack.startsWith('nothing') ? `por: ${red.fellBack}` : `${used}; result from a full search: ${red.fellBack}`}`);
  }
  if (row.known !== null) print(`    ${describeKnown(row.known)}`);
  if (r.verdict.kind === 'incomplete') print('    to search further: raise --max-states or --max-memory, or lower the bounds (--max-steps)');
  if (r.verdict.kind === 'violated') {
    print(`    shortest counterexample, ${r.verdict.events.length} steps: ${r.verdict.events.map(formatEvent).join(' → ')}`);
    if (row.report !== null) print(`    report: ${row.report.markdown}`);
  }
}
