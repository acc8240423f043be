/**
 * Exhaustive bounded exploration: breadth-first search over every interleaving the model allows
 * within a suite's bounds, visiting each canonical state once (canonical.ts). Invariants are
 * checked on every new state, so the first violation found is a shortest counterexample.
 *
 * Witnesses are history properties: their truth values are part of each state's key, so the
 * search reaches every witness that some behaviour within the bounds reaches.
 *
 * Storage is compact: the visited set holds 64-bit fingerprints only (fingerprint-set.ts), the
 * states of the level being expanded and of the next one are held encoded (state-codec.ts) and
 * decoded when expanded, and parents are kept as (parent index, choice index) pairs in typed
 * arrays, not as states: the counterexample is rebuilt by replaying the choices from the initial
 * state, since `enabledEvents` lists events in a fixed order.
 */

import type { Event, Setup } from '../model/events.js';
import { violatedInvariants } from '../model/invariants.js';
import type { Invariant, InvariantResult } from '../model/invariants.js';
import { enabledEvents, initialState, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';
import type { Witness } from '../model/witnesses.js';
import { FingerprintSet } from './fingerprint-set.js';
import { ByteArena, StateCodec } from './state-codec.js';
import { livenessInvariant } from './liveness.js';
import { MODEL_FOOTPRINTS, Reducer } from './por.js';
import { orbitKey, symmetryOf } from './symmetry.js';
import type { FootprintTables } from './por.js';
import type { Judgement } from './run-suite.js';
import type { Suite } from './suite.js';

/** How many unique states a search visits before it stops, incomplete, unless told otherwise. */
export const DEFAULT_MAX_STATES = 2_000_000;

export interface ExploreOptions {
  /** Stop (incomplete) after this many unique states. */
  readonly maxStates: number;
  /** Called now and then with progress; return true to stop (incomplete). */
  readonly onProgress?: (progress: ExploreProgress) => boolean | void;
  /** Override the setup's eventsMax (the depth bound). */
  readonly maxDepth?: number;
  /** Also check bounded liveness (liveness.ts) from every state visited: each is a possible last fault. */
  readonly liveness?: boolean;
  /** Reductions of the state space (por.ts); none unless given. */
  readonly reduce?: Reductions;
  /** Where encoded frontier states go when a level outgrows memory (the CLI gives a directory on disk). */
  readonly spill?: Spill;
}

/**
 * A store for the frontier's overflow: chunks of encoded states written once and taken back once,
 * in order, as a disk-backed queue does (TLC's DiskStateQueue). The checker does no I/O itself.
 */
export interface SpillStore {
  /** Keep a chunk; returns its handle. */
  put(bytes: Uint8Array): number;
  /** The chunk a handle names, removed from the store. */
  take(handle: number): Uint8Array;
}

export interface Spill {
  readonly store: SpillStore;
  /** The encoded bytes a level keeps in memory before it writes them to the store as one chunk. */
  readonly chunkBytes: number;
}

/** The reductions `explore --reduce` can turn on. */
export const REDUCTIONS = ['por', 'symmetry'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

export interface Reductions {
  /** Partial-order reduction (por.ts). */
  readonly por: boolean;
  /** Symmetry reduction (symmetry.ts), where the setup allows it; not together with por. */
  readonly symmetry?: boolean;
  /** The footprint declarations to derive it from: the model's unless a test gives others. */
  readonly footprints?: FootprintTables;
}

/** What a reduced search did, beside the result it gives. */
export interface ReductionReport {
  /** The reduced search's own verdict, counterexample length (or null) and counts (the result's are the full search's when it fell back). */
  readonly verdict: ExploreVerdict['kind'];
  readonly length: number | null;
  readonly unique: number;
  readonly generated: number;
  readonly ms: number;
  /** States expanded with a reduced set, and fully. */
  readonly reducedStates: number;
  readonly fullStates: number;
  /** Why a full search gave the result instead, or null. */
  readonly fellBack: string | null;
  /** With symmetry asked for: whether it applied, and why not. */
  readonly symmetry: { readonly applied: boolean; readonly why: string | null } | null;
}

export interface ExploreProgress {
  readonly generated: number;
  readonly unique: number;
  readonly depth: number;
  readonly frontier: number;
  readonly ms: number;
}

export type ExploreVerdict =
  /** Every reachable state within the bounds was visited; the invariants hold in all of them. */
  | { readonly kind: 'complete' }
  /** A shortest counterexample. */
  | { readonly kind: 'violated'; readonly events: readonly Event[]; readonly results: readonly InvariantResult[] }
  /** A limit stopped the search first: nothing found in the states visited. */
  | { readonly kind: 'incomplete'; readonly reason: string };

export interface ExploreResult {
  readonly verdict: ExploreVerdict;
  /** States generated: the initial one and one per transition taken, duplicates included. */
  readonly generated: number;
  readonly unique: number;
  /** Deepest level fully explored. */
  readonly depth: number;
  readonly ms: number;
  /** For each witness, how many unique states satisfy it. */
  readonly witnessStates: Readonly<Record<string, number>>;
  /** What the search held at its largest: bytes of each store and the states in it. */
  readonly storage: ExploreStorage;
  /** With a reduction on: what the reduced search did. */
  readonly reduction?: ReductionReport;
}

/** Storage of a search that stored nothing. */
export const NO_STORAGE: ExploreStorage = { visitedBytes: 0, traceBytes: 0, frontierBytes: 0, frontierStates: 0 };

export interface ExploreStorage {
  /** The visited set (table capacity) and the parent and choice arrays that rebuild a trace. */
  readonly visitedBytes: number;
  readonly traceBytes: number;
  /** Encoded bytes of the two levels held in memory (the one expanded and the next), at their largest, and their states. */
  readonly frontierBytes: number;
  readonly frontierStates: number;
  /** Encoded bytes written to the spill store in all (0 without one). */
  readonly spilledBytes?: number;
}

/** An Int32Array that doubles when full. */
export class GrowingInt32 {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.data = new Int32Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  at(i: number): number {
    return this.data[i] as number;
  }
}

/** The choice of each state: an index among its parent's enabled events (a few dozen at most). */
class GrowingUint16 {
  data = new Uint16Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (value > 0xffff) throw new Error(`explorer: ${value + 1} enabled events in one state, more than a choice index holds`);
    if (this.length === this.data.length) {
      const next = new Uint16Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  at(i: number): number {
    return this.data[i] as number;
  }
}

/** A breadth-first level: encoded states back to back, where each starts, and its state id. */
class Level {
  arena = new ByteArena();
  starts = new GrowingInt32();
  ids = new GrowingInt32();
  /** Chunks written to the spill store, oldest first, and the states in them. */
  private readonly spilled: { handle: number; count: number }[] = [];
  private spilledCount = 0;
  spilledBytes = 0;
  get count(): number {
    return this.spilledCount + this.starts.length;
  }
  /** Encoded bytes held in memory. */
  get memoryBytes(): number {
    return this.arena.length;
  }
  push(codec: StateCodec, state: State, id: number): void {
    this.starts.push(this.arena.length);
    this.ids.push(id);
    codec.encode(state, this.arena);
  }
  /** Write the states held in memory to the store as one chunk once they pass `spill.chunkBytes`. */
  spillIfFull(spill: Spill | undefined): void {
    if (spill === undefined || this.arena.length < spill.chunkBytes) return;
    const n = this.starts.length;
    const chunk = new Uint8Array(4 + 8 * n + this.arena.length);
    const head = new DataView(chunk.buffer);
    head.setInt32(0, n, true);
    for (let i = 0; i < n; i++) {
      head.setInt32(4 + 4 * i, this.starts.at(i), true);
      head.setInt32(4 + 4 * n + 4 * i, this.ids.at(i), true);
    }
    chunk.set(this.arena.data.subarray(0, this.arena.length), 4 + 8 * n);
    this.spilled.push({ handle: spill.store.put(chunk), count: n });
    this.spilledCount += n;
    this.spilledBytes += chunk.length;
    this.arena = new ByteArena();
    this.starts = new GrowingInt32();
    this.ids = new GrowingInt32();
  }
  /** Call `visit` with every state's bytes, start and id, in the order pushed; spilled chunks are taken back (and leave the store) one at a time. */
  forEach(spill: Spill | undefined, visit: (data: Uint8Array, start: number, id: number) => boolean): boolean {
    for (const { handle, count } of this.spilled) {
      const chunk = (spill as Spill).store.take(handle);
      const head = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const data = chunk.subarray(4 + 8 * count);
      for (let i = 0; i < count; i++) if (!visit(data, head.getInt32(4 + 4 * i, true), head.getInt32(4 + 4 * count + 4 * i, true))) return false;
    }
    for (let f = 0; f < this.starts.length; f++) if (!visit(this.arena.data, this.starts.at(f), this.ids.at(f))) return false;
    return true;
  }
}

function rebuild(setup: Setup, parent: GrowingInt32, choice: GrowingUint16, id: number): Event[] {
  const choices: number[] = [];
  for (let at = id; at > 0; at = parent.at(at)) choices.push(choice.at(at));
  return eventsOfChoices(setup, choices.reverse());
}

/** Replay a list of choices from the initial state: the events of a counterexample. */
export function eventsOfChoices(setup: Setup, choices: readonly number[]): Event[] {
  let state = initialState(setup);
  const events: Event[] = [];
  for (const c of choices) {
    const event = enabledEvents(setup, state)[c] as Event;
    events.push(event);
    state = stepEnabled(setup, state, event);
  }
  return events;
}

/**
 * Explore a suite's state space. With partial-order reduction on, the reduced search's verdict
 * stands when it is complete and never met the events bound; a violation it finds is real, and a
 * full search bounded by its length then gives a shortest one (the same the unreduced search
 * gives); a reduced search that met the events bound is redone in full (por.ts says why).
 */
export function explore(setup: Setup, safety: readonly Invariant[], witnesses: readonly Witness[], options: ExploreOptions): ExploreResult {
  const por = options.reduce?.por === true && options.liveness !== true;
  if (options.reduce?.symmetry === true) {
    if (por) throw new Error('explorer: por and symmetry together are not supported');
    const { renames, why } = symmetryOf(setup);
    const result = exploreOnce(setup, safety, witnesses, options, null, renames);
    const length = result.verdict.kind === 'violated' ? result.verdict.events.length : null;
    const own = { verdict: result.verdict.kind, length, unique: result.unique, generated: result.generated, ms: result.ms };
    return { ...result, reduction: { ...own, reducedStates: 0, fullStates: 0, fellBack: null, symmetry: { applied: why === null, why } } };
  }
  if (!por) return exploreOnce(setup, safety, witnesses, options, null, null);
  const reducer = new Reducer(
    setup,
    safety.map((i) => i.name),
    witnesses.map((w) => w.name),
    options.reduce?.footprints ?? MODEL_FOOTPRINTS,
  );
  const inert = reducer.inert;
  if (inert !== null) {
    const full = exploreOnce(setup, safety, witnesses, options, null, null);
    const length = full.verdict.kind === 'violated' ? full.verdict.events.length : null;
    return {
      ...full,
      reduction: { verdict: full.verdict.kind, length, unique: full.unique, generated: full.generated, ms: 0, reducedStates: 0, fullStates: 0, fellBack: `nothing to reduce: ${inert}`, symmetry: null },
    };
  }
  const reduced = exploreOnce(setup, safety, witnesses, options, reducer, null);
  const report = (fellBack: string | null): ReductionReport => ({
    verdict: reduced.verdict.kind,
    length: reduced.verdict.kind === 'violated' ? reduced.verdict.events.length : null,
    unique: reduced.unique,
    generated: reduced.generated,
    ms: reduced.ms,
    reducedStates: reducer.reduced,
    fullStates: reducer.full,
    fellBack,
    symmetry: null,
  });
  const verdict = reduced.verdict;
  const redo = (why: string, maxDepth: number | undefined): ExploreResult => {
    const full = exploreOnce(setup, safety, witnesses, maxDepth === undefined ? options : { ...options, maxDepth }, null, null);
    return { ...full, ms: full.ms + reduced.ms, reduction: report(why) };
  };
  if (verdict.kind === 'violated') return redo(`a shortest counterexample (the reduced search found one in ${verdict.events.length} steps)`, verdict.events.length);
  if (verdict.kind === 'complete' && reducer.boundMet) return redo('the reduced search reached the events bound', options.maxDepth);
  return { ...reduced, reduction: report(null) };
}

/** One breadth-first search; `renames`: the broker renamings a key is the smallest over (symmetry.ts), or null. */
function exploreOnce(
  setup0: Setup,
  safety: readonly Invariant[],
  witnesses: readonly Witness[],
  options: ExploreOptions,
  reducer: Reducer | null,
  renames: readonly (readonly number[])[] | null,
): ExploreResult {
  const started = performance.now();
  const setup: Setup = options.maxDepth === undefined ? setup0 : { ...setup0, bounds: { ...setup0.bounds, eventsMax: options.maxDepth } };
  const invariants = options.liveness === true ? [...safety, livenessInvariant(setup)] : safety;
  // The same setup without the events bound: whether a state the bound stopped had more to do.
  const unbounded: Setup = { ...setup, bounds: { ...setup.bounds, eventsMax: Number.POSITIVE_INFINITY } };
  const seen = new FingerprintSet();
  const parent = new GrowingInt32();
  const choice = new GrowingUint16();
  const codec = new StateCodec();
  const witnessStates: Record<string, number> = Object.fromEntries(witnesses.map((w) => [w.name, 0]));
  let generated = 1;
  let depth = 0;
  let frontierBytes = 0;
  let frontierStates = 0;

  // Witnesses read the history (monotone counters), which canonical keys drop: their truth values
  // join the key, so that a state reached with and without a witness is visited both ways.
  const keyOf = (state: State): [number, number] => {
    let bits = 0;
    for (let i = 0; i < witnesses.length; i++) if ((witnesses[i] as Witness).holds(state)) bits |= 1 << i;
    return orbitKey(state, bits, renames);
  };
  let spilledBytes = 0;
  const init = initialState(setup);
  const [a0, b0] = keyOf(init);
  seen.add(a0, b0);
  parent.push(-1);
  choice.push(0); // the initial state's: never read
  const result = (verdict: ExploreVerdict, unique = seen.size): ExploreResult => ({
    verdict,
    generated,
    unique,
    depth,
    ms: performance.now() - started,
    witnessStates,
    storage: { visitedBytes: seen.bytes, traceBytes: parent.data.byteLength + choice.data.byteLength, frontierBytes, frontierStates, spilledBytes },
  });
  const initial = violatedInvariants(init, invariants);
  if (initial.length > 0) return result({ kind: 'violated', events: [], results: initial });

  let frontier = new Level();
  frontier.push(codec, init, 0);
  let lastReport = started;
  // What ended the search inside a level, when something did.
  const end: { result: ExploreResult | null } = { result: null };
  while (frontier.count > 0) {
    const next = new Level();
    const level = frontier;
    // One state of the level: expand it; false (with `end.result` set) ends the search.
    const expand = (data: Uint8Array, start: number, id: number): boolean => {
      const state = codec.decode(data, start);
      const events = enabledEvents(setup, state);
      // With a reduction: the indices of the events expanded (null: all), and the successors already computed.
      let indices: readonly number[] | null = null;
      let computed: Map<number, { after: State; key: [number, number] }> | null = null;
      if (reducer !== null) {
        if (events.length === 0 && !reducer.boundMet && state.counters.events >= setup.bounds.eventsMax) {
          reducer.boundMet = enabledEvents(unbounded, state).length > 0;
        }
        const ample = reducer.ample(events);
        if (ample !== null) {
          computed = new Map();
          for (const i of ample) {
            const after = stepEnabled(setup, state, events[i] as Event);
            generated += 1;
            computed.set(i, { after, key: keyOf(after) });
          }
          // C3, the cycle proviso for breadth-first search (por.ts): a successor already visited means full expansion.
          let visited = false;
          for (const { key } of computed.values()) visited ||= seen.has(key[0], key[1]);
          if (visited) reducer.full += 1;
          else {
            reducer.reduced += 1;
            indices = ample;
          }
        } else if (events.length > 0) reducer.full += 1;
      }
      const count = indices === null ? events.length : indices.length;
      for (let j = 0; j < count; j++) {
        const i = indices === null ? j : (indices[j] as number);
        const done = computed === null ? undefined : computed.get(i);
        let after: State;
        let a: number;
        let b: number;
        if (done !== undefined) {
          after = done.after;
          [a, b] = done.key;
        } else {
          after = stepEnabled(setup, state, events[i] as Event);
          generated += 1;
          [a, b] = keyOf(after);
        }
        if (!seen.add(a, b)) continue;
        // A new state past the limit is not visited: the search stops with exactly maxStates.
        if (seen.size > options.maxStates) {
          end.result = result({ kind: 'incomplete', reason: `the state limit (${options.maxStates} unique states) was reached ${whileAt(depth)}` }, options.maxStates);
          return false;
        }
        const childId = parent.length;
        parent.push(id);
        choice.push(i);
        for (const w of witnesses) if (w.holds(after)) witnessStates[w.name] = (witnessStates[w.name] ?? 0) + 1;
        const violated = violatedInvariants(after, invariants);
        if (violated.length > 0) {
          depth += 1;
          end.result = result({ kind: 'violated', events: rebuild(setup, parent, choice, childId), results: violated });
          return false;
        }
        next.push(codec, after, childId);
      }
      if (level.memoryBytes + next.memoryBytes > frontierBytes) {
        frontierBytes = level.memoryBytes + next.memoryBytes;
        frontierStates = level.count + next.count;
      }
      next.spillIfFull(options.spill);
      const now = performance.now();
      if (options.onProgress !== undefined && now - lastReport > 200) {
        lastReport = now;
        const stop = options.onProgress({ generated, unique: seen.size, depth: depth + 1, frontier: next.count, ms: now - started });
        if (stop === true) {
          end.result = result({ kind: 'incomplete', reason: `stopped ${whileAt(depth)}` });
          return false;
        }
      }
      return true;
    };
    if (!level.forEach(options.spill, expand)) return end.result as ExploreResult;
    spilledBytes += next.spilledBytes;
    frontier = next;
    if (frontier.count > 0) depth += 1;
  }
  return result({ kind: 'complete' });
}

/** Where a search that stops early was: `depth` is the deepest level it finished. */
export function whileAt(depth: number): string {
  return `while visiting depth ${depth + 1} (every state to depth ${depth} was visited)`;
}

/** Compare an exploration with what the suite expects (the same words as `judge` for `check`). */
export function judgeExploration(suite: Suite, result: ExploreResult): Judgement {
  const verdict = result.verdict;
  const violated = verdict.kind === 'violated' ? (verdict.results[0]?.invariant ?? '') : null;
  const got =
    verdict.kind === 'complete'
      ? `holds in all ${result.unique} states`
      : verdict.kind === 'violated'
        ? `violates ${violated} in ${verdict.events.length} steps`
        : `incomplete after ${result.unique} state${result.unique === 1 ? '' : 's'}`;
  const expect = suite.expect;
  if (verdict.kind === 'incomplete') return { asExpected: false, got, problem: `${verdict.reason}; no violation in the states visited` };
  if (expect.verdict === 'violated') {
    if (violated === expect.invariant) return { asExpected: true, got, problem: null };
    return { asExpected: false, got, problem: violated === null ? `no reachable state violates ${expect.invariant}` : `${violated} failed instead` };
  }
  if (verdict.kind === 'violated') return { asExpected: false, got, problem: `counterexample for ${violated}` };
  const missing = suite.sought.filter((w) => (result.witnessStates[w.name] ?? 0) === 0).map((w) => w.name);
  if (missing.length > 0) return { asExpected: false, got, problem: `no reachable state reaches: ${missing.join(', ')}` };
  return { asExpected: true, got, problem: null };
}
