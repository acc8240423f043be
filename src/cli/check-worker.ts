/**
 * Runs suites off the main thread, so the main thread stays free to show progress and to stop
 * cleanly on Ctrl-C (fast-check's loop is synchronous). It only computes: results and reports go
 * back as messages, and the main thread writes files.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { SUITES } from '../../properties/index.js';
import { adHocSuite } from '../checker/ad-hoc.js';
import type { AdHocOptions } from '../checker/ad-hoc.js';
import { buildExploreReport, buildReport } from '../checker/build-report.js';
import { explore, judgeExploration, whileAt } from '../checker/explore.js';
import type { ExploreProgress, ExploreResult, Reduction } from '../checker/explore.js';
import { judge, runSuite } from '../checker/run-suite.js';
import type { Judgement, SuiteResult } from '../checker/run-suite.js';
import type { Suite } from '../checker/suite.js';
import type { Report } from '../report/report.js';
import { sliceRuns, sliceSeed, WHOLE } from '../checker/slices.js';
import type { Slice } from '../checker/slices.js';
import { ExplorePart } from '../checker/explore-part.js';
import { symmetryOf } from '../checker/symmetry.js';
import { exploreParallel } from './explore-parallel.js';
import { DiskSpillStore } from './spill-store.js';
import type { PartJob, PartRequest } from './explore-parallel.js';

export interface RunSettings {
  readonly seed: number;
  /** Overrides every suite's own number of runs. */
  readonly runs: number | null;
  readonly maxSteps: number | null;
  /** State budget of the breadth-first search that finds the shortest counterexample (0: skip). */
  readonly shortestStates: number;
  /** Bounded liveness after each run (liveness.ts). */
  readonly liveness: boolean;
  /** The slice of each suite's runs this worker runs, with the seed derived for it (slices.ts). */
  readonly slice?: Slice;
}

export interface ExploreSettings {
  readonly maxStates: number;
  /** Whether a level's states beyond an eighth of the memory limit wait on disk (not `--no-spill`). */
  readonly spill: boolean;
  /** Reductions on (`--reduce`); the parallel search takes symmetry only. */
  readonly reduce: readonly Reduction[];
  readonly maxSteps: number | null;
  /**
   * Stop when the search holds more memory than this (MB of 2^20 bytes): the worker's JavaScript
   * heap in use plus its typed arrays (the visited set). Not the process's RSS, which also counts
   * the main thread and never falls back once a large suite has grown it.
   */
  readonly maxMemoryMb: number;
  /** Bounded liveness from every state visited (liveness.ts). */
  readonly liveness: boolean;
  /** Worker threads for the search (1: this thread alone). */
  readonly workers: number;
}

/**
 * A search that ends within this many states runs on one thread: starting the part workers would
 * take longer than the search. A longer one starts again on `workers` threads.
 */
export const PARALLEL_AFTER_STATES = 20_000;

export type Selection = { readonly kind: 'suites'; readonly names: readonly string[] } | { readonly kind: 'ad-hoc'; readonly options: AdHocOptions };

export type Job =
  | { readonly mode: 'check'; readonly selection: Selection; readonly settings: RunSettings }
  | { readonly mode: 'explore'; readonly selection: Selection; readonly settings: ExploreSettings };

export type WorkerMessage =
  | { readonly type: 'start'; readonly suite: string; readonly runs: number }
  | { readonly type: 'progress'; readonly suite: string; readonly done: number }
  | {
      readonly type: 'result';
      readonly suite: string;
      readonly result: SuiteResult;
      readonly judgement: Judgement;
      readonly report: Report | null;
      /** Time the search for the shortest counterexample took (not part of the result's time). */
      readonly shortestMs: number;
    }
  | { readonly type: 'explore-progress'; readonly suite: string; readonly progress: ExploreProgress }
  | { readonly type: 'explored'; readonly suite: string; readonly result: ExploreResult; readonly judgement: Judgement; readonly report: Report | null }
  | { readonly type: 'done' };

export function suitesOf(selection: Selection): { readonly suites: readonly Suite[]; readonly adHoc: boolean } {
  if (selection.kind === 'ad-hoc') return { suites: [adHocSuite(selection.options)], adHoc: true };
  return { suites: selection.names.map((name) => SUITES.find((s) => s.name === name) as Suite), adHoc: false };
}

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

/** The shortest trace that breaks the counterexample's invariant, when a search within `budget` states finds it. */
function searchShortest(suite: Suite, result: SuiteResult, budget: number): { shortest: number | null; limit: number; ms: number } {
  const invariant = result.counterexample?.results[0]?.invariant;
  const target = suite.checked.filter((i) => i.name === invariant);
  if (budget <= 0 || suite.setup === null || target.length === 0) return { shortest: null, limit: 0, ms: 0 };
  const found = explore(suite.setup, target, [], { maxStates: budget, maxDepth: result.eventsMax });
  return { shortest: found.verdict.kind === 'violated' ? found.verdict.events.length : null, limit: budget, ms: found.ms };
}

function runChecks(selection: Selection, settings: RunSettings): void {
  const { suites, adHoc } = suitesOf(selection);
  const slice = settings.slice ?? WHOLE;
  for (const suite of suites) {
    const runs = sliceRuns(settings.runs ?? suite.runs, slice);
    post({ type: 'start', suite: suite.name, runs });
    let last = 0;
    const result = runSuite(suite, {
      seed: sliceSeed(settings.seed, slice.index),
      runs,
      ...(settings.maxSteps === null ? {} : { maxSteps: settings.maxSteps }),
      liveness: settings.liveness,
      onRun: (done) => {
        if (done - last >= 250) {
          last = done;
          post({ type: 'progress', suite: suite.name, done });
        }
      },
    });
    const search = result.counterexample === null ? null : searchShortest(suite, result, settings.shortestStates);
    post({ type: 'result', suite: suite.name, result, judgement: judge(suite, result), report: buildReport(suite, result, adHoc, search), shortestMs: search?.ms ?? 0 });
  }
}

async function runExplorations(selection: Selection, settings: ExploreSettings): Promise<void> {
  const { suites, adHoc } = suitesOf(selection);
  // The only effect here: the search's memory, against the user's limit. In a worker,
  // heapUsed and arrayBuffers are this thread's own (each suite gets a fresh worker).
  const ownMemory = (): number => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.arrayBuffers;
  };
  const overLimit = (bytes: number): boolean => bytes / 2 ** 20 > settings.maxMemoryMb;
  for (const suite of suites) {
    if (suite.setup === null) continue;
    // The parallel parts check safety invariants only: a search that also checks liveness stays on this thread.
    const parallel = settings.workers > 1 && !settings.liveness && settings.maxStates > PARALLEL_AFTER_STATES;
    // Each level keeps up to an eighth of the memory limit of encoded states in memory, the rest
    // waits on disk (spill-store.ts): the frontier is bounded by disk, not heap.
    const spill = new DiskSpillStore();
    let result: ExploreResult;
    try {
      result = explore(suite.setup, suite.checked, suite.sought, {
        ...(settings.spill ? { spill: { store: spill, chunkBytes: Math.max(1 << 20, Math.floor((settings.maxMemoryMb * 2 ** 20) / 8)) } } : {}),
        maxStates: parallel ? PARALLEL_AFTER_STATES : settings.maxStates,
        ...(settings.maxSteps === null ? {} : { maxDepth: settings.maxSteps }),
        liveness: settings.liveness,
        reduce: { por: settings.reduce.includes('por'), symmetry: settings.reduce.includes('symmetry') },
        onProgress: (progress) => {
          post({ type: 'explore-progress', suite: suite.name, progress });
          return overLimit(ownMemory());
        },
      });
    } finally {
      spill.dispose();
    }
    if (parallel && result.verdict.kind === 'incomplete' && !result.verdict.reason.startsWith('stopped')) {
      const sub = selection.kind === 'ad-hoc' ? selection : { kind: 'suites' as const, names: [suite.name] };
      result = await exploreParallel(sub, suite, {
        workers: settings.workers,
        maxStates: settings.maxStates,
        maxSteps: settings.maxSteps,
        symmetry: settings.reduce.includes('symmetry'),
        onProgress: (progress, partsMemory) => {
          post({ type: 'explore-progress', suite: suite.name, progress });
          return overLimit(partsMemory + ownMemory());
        },
      });
    }
    const verdict = result.verdict;
    const report = buildExploreReport(suite, result, settings.maxSteps ?? suite.setup.bounds.eventsMax, adHoc);
    const memory = verdict.kind === 'incomplete' && verdict.reason.startsWith('stopped') ? `the memory limit (${settings.maxMemoryMb} MB) was reached` : null;
    const adjusted: ExploreResult = memory === null ? result : { ...result, verdict: { kind: 'incomplete', reason: `${memory} ${whileAt(result.depth)}` } };
    post({ type: 'explored', suite: suite.name, result: adjusted, judgement: judgeExploration(suite, adjusted), report });
  }
}

/** A part of a parallel search: answers the coordinator's requests, one at a time. */
function runPart(job: PartJob): void {
  const suite = suitesOf(job.selection).suites[0] as Suite;
  const setup0 = suite.setup;
  if (setup0 === null) throw new Error('checker bug: a part worker was given a suite without a setup');
  const setup = job.maxSteps === null ? setup0 : { ...setup0, bounds: { ...setup0.bounds, eventsMax: job.maxSteps } };
  const renames = job.symmetry ? symmetryOf(setup).renames : null;
  const part = new ExplorePart(setup, suite.checked, suite.sought, job.index, job.parts, new Int32Array(job.counter), job.maxStates, renames);
  const port = parentPort;
  if (port === null) return;
  port.on('message', (request: PartRequest) => {
    switch (request.type) {
      case 'initial':
      case 'expand': {
        const expanded = request.type === 'initial' ? part.initial() : part.expand();
        port.postMessage(expanded, expanded.outboxes.flatMap((box) => [box.bytes.buffer as ArrayBuffer, box.meta.buffer as ArrayBuffer]));
        return;
      }
      case 'accept': {
        part.adopt(request.met);
        const accepted = part.accept(request.inboxes);
        const memory = process.memoryUsage();
        port.postMessage({ ...accepted, memoryBytes: memory.heapUsed + memory.arrayBuffers });
        return;
      }
      case 'parent':
        port.postMessage(part.parentOf(request.id));
        return;
    }
  });
  port.postMessage('ready');
}

async function runJob(job: Job): Promise<void> {
  if (job.mode === 'check') runChecks(job.selection, job.settings);
  else await runExplorations(job.selection, job.settings);
  post({ type: 'done' });
}

if (parentPort !== null && workerData !== undefined && workerData !== null) {
  const data = workerData as Job | PartJob;
  if (data.mode === 'explore-part') runPart(data);
  else void runJob(data);
}
