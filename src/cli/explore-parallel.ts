/**
 * `explore --workers N`: the coordinator of a level-synchronous parallel breadth-first search.
 * Each of N worker threads owns the states whose fingerprint falls in its part (explore-part.ts);
 * between levels this thread passes each part's successors to their owners and the free
 * texts the parts' codecs met to all of them. Verdicts and state counts are those of the one-thread search
 * (explore.ts): the same states are visited level by level; a counterexample is a shortest one,
 * found at the end of the level that first reaches a violation (the lowest-numbered part's).
 * With symmetry reduction every part keys a state by its orbit (explore-part.ts).
 */

import { Worker } from 'node:worker_threads';
import { violatedInvariants } from '../model/invariants.js';
import { initialState } from '../model/system.js';
import { symmetryOf } from '../checker/symmetry.js';
import type { Setup } from '../model/events.js';
import { eventsOfChoices } from '../checker/explore.js';
import type { Accepted, Expanded, Outbox } from '../checker/explore-part.js';
import { whileAt } from '../checker/explore.js';
import type { ExploreProgress, ExploreResult, ExploreVerdict } from '../checker/explore.js';
import type { Suite } from '../checker/suite.js';
import type { Selection } from './check-worker.js';
import { workerEntry } from './worker-run.js';

/** What a part worker is started with (check-worker.ts, mode 'explore-part'). */
export interface PartJob {
  readonly mode: 'explore-part';
  readonly selection: Selection;
  readonly maxSteps: number | null;
  readonly index: number;
  readonly parts: number;
  readonly counter: SharedArrayBuffer;
  readonly maxStates: number;
  /** Symmetry reduction (symmetry.ts), where the setup allows it. */
  readonly symmetry: boolean;
}

export type PartRequest =
  | { readonly type: 'initial' }
  | { readonly type: 'expand' }
  | { readonly type: 'accept'; readonly inboxes: readonly Outbox[]; readonly met: Expanded['met'] }
  | { readonly type: 'parent'; readonly id: number };

/** A part's answer to 'accept' carries its thread's memory in use (heap plus typed arrays). */
export type AcceptedWithMemory = Accepted & { readonly memoryBytes: number };

class PartWorker {
  private readonly worker: Worker;
  private waiting: { resolve: (value: unknown) => void; reject: (error: Error) => void } | null = null;
  constructor(job: PartJob, entry: URL) {
    this.worker = new Worker(entry, { workerData: job, execArgv: [] });
    this.worker.on('message', (message: unknown) => {
      const w = this.waiting;
      this.waiting = null;
      w?.resolve(message);
    });
    const fail = (error: Error): void => {
      const w = this.waiting;
      this.waiting = null;
      w?.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`an explore worker stopped unexpectedly (exit ${code})`)));
  }
  call<T>(request: PartRequest | null, transfer: ArrayBuffer[] = []): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting = { resolve: resolve as (value: unknown) => void, reject };
      if (request !== null) this.worker.postMessage(request, transfer);
    });
  }
  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

export interface ParallelOptions {
  readonly workers: number;
  readonly maxStates: number;
  readonly maxSteps: number | null;
  /** Symmetry reduction where the setup allows it (the parts take no other reduction). */
  readonly symmetry?: boolean;
  /** Called after each level; return true to stop (incomplete). */
  readonly onProgress?: (progress: ExploreProgress, memoryBytes: number) => boolean | void;
  /** The worker module (tests run it from source). */
  readonly entry?: URL;
}

function mergeMet(all: readonly Expanded[]): Expanded['met'] {
  const strings = new Set<string>();
  for (const e of all) for (const s of e.met.strings) strings.add(s);
  return { strings: [...strings] };
}

export async function exploreParallel(selection: Selection, suite: Suite, options: ParallelOptions): Promise<ExploreResult> {
  const started = performance.now();
  const setup0 = suite.setup as Setup;
  const setup: Setup = options.maxSteps === null ? setup0 : { ...setup0, bounds: { ...setup0.bounds, eventsMax: options.maxSteps } };
  const n = options.workers;
  const symmetry = options.symmetry === true;
  const why = symmetry ? symmetryOf(setup).why : null;
  const counter = new SharedArrayBuffer(4);
  const entry = options.entry ?? workerEntry();
  const parts = Array.from({ length: n }, (_, index) => new PartWorker({ mode: 'explore-part', selection, maxSteps: options.maxSteps, index, parts: n, counter, maxStates: options.maxStates, symmetry }, entry));
  let generated = 1;
  let unique = 0;
  let depth = 0;
  /** The level the last 'accept' filled (0: the initial state). */
  let level = 0;
  let witnessStates: Record<string, number> = Object.fromEntries(suite.sought.map((w) => [w.name, 0]));
  let storage = { visitedBytes: 0, traceBytes: 0, frontierBytes: 0, frontierStates: 0 };
  const result = (verdict: ExploreVerdict): ExploreResult => {
    const ms = performance.now() - started;
    const done: ExploreResult = { verdict, generated, unique, depth, ms, witnessStates, storage };
    if (!symmetry) return done;
    // As the one-thread search reports a symmetry-reduced search (explore.ts).
    const length = verdict.kind === 'violated' ? verdict.events.length : null;
    const reduction = { verdict: verdict.kind, length, unique, generated, ms, reducedStates: 0, fullStates: 0, fellBack: null, symmetry: { applied: why === null, why } };
    return { ...done, reduction };
  };
  try {
    await Promise.all(parts.map((p) => p.call<string>(null)));
    const initial = violatedInvariants(initialState(setup), suite.checked);
    if (initial.length > 0) {
      unique = 1;
      return result({ kind: 'violated', events: [], results: initial });
    }
    let expanded: Expanded[] = [await (parts[0] as PartWorker).call<Expanded>({ type: 'initial' })];
    for (;;) {
      const met = mergeMet(expanded);
      const accepted = await Promise.all(
        parts.map((p, d) => {
          const inboxes = expanded.map((e) => e.outboxes[d] as Outbox);
          return p.call<AcceptedWithMemory>({ type: 'accept', inboxes, met }, inboxes.flatMap((box) => [box.bytes.buffer as ArrayBuffer, box.meta.buffer as ArrayBuffer]));
        }),
      );
      unique += accepted.reduce((sum, a) => sum + a.added, 0);
      witnessStates = Object.fromEntries(Object.keys(witnessStates).map((name) => [name, accepted.reduce((sum, a) => sum + (a.witnessStates[name] ?? 0), 0)]));
      const frontier = accepted.reduce((sum, a) => sum + a.frontier, 0);
      const frontierBytes = accepted.reduce((sum, a) => sum + a.frontierBytes, 0);
      storage = {
        visitedBytes: accepted.reduce((sum, a) => sum + a.visitedBytes, 0),
        traceBytes: accepted.reduce((sum, a) => sum + a.traceBytes, 0),
        ...(frontierBytes > storage.frontierBytes ? { frontierBytes, frontierStates: frontier } : { frontierBytes: storage.frontierBytes, frontierStates: storage.frontierStates }),
      };
      if (accepted.some((a) => a.limitReached)) {
        unique = options.maxStates;
        return result({ kind: 'incomplete', reason: `the state limit (${options.maxStates} unique states) was reached ${whileAt(depth)}` });
      }
      if (frontier === 0) return result({ kind: 'complete' });
      depth = level;
      const memoryBytes = accepted.reduce((sum, a) => sum + a.memoryBytes, 0);
      const stop = options.onProgress?.({ generated, unique, depth: depth + 1, frontier, ms: performance.now() - started }, memoryBytes);
      if (stop === true) return result({ kind: 'incomplete', reason: `stopped ${whileAt(depth)}` });
      expanded = await Promise.all(parts.map((p) => p.call<Expanded>({ type: 'expand' })));
      generated += expanded.reduce((sum, e) => sum + e.generated, 0);
      level += 1;
      const found = expanded.find((e) => e.violation !== null)?.violation;
      if (found !== undefined && found !== null) {
        const choices = [found.choice];
        for (let id = found.parent; ; ) {
          const at = await (parts[id % n] as PartWorker).call<{ parent: number; choice: number }>({ type: 'parent', id });
          if (at.parent < 0) break;
          choices.push(at.choice);
          id = at.parent;
        }
        depth = level;
        return result({ kind: 'violated', events: eventsOfChoices(setup, choices.reverse()), results: found.results });
      }
    }
  } finally {
    await Promise.all(parts.map((p) => p.stop()));
  }
}
