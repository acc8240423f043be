/**
 * Partial-order reduction for the explorer's safety search: in a state, expand a persistent set
 * of invisible events instead of every enabled event, when one smaller than the enabled set exists.
 *
 * Independence and invisibility come from the footprints declared in src/model/footprints.ts
 * (what each event kind, invariant and witness reads and writes); a kind, invariant or witness
 * without a declaration touches everything, so it is dependent on every event and visible.
 *
 * Events are grouped in classes (kind and indices, without `nth`): a footprint depends on the
 * class only. The persistent set is computed as a stubborn set (Godefroid, "Partial-Order Methods
 * for the Verification of Concurrent Systems", LNCS 1032, 1996, §4.3, the closure with necessary
 * enabling sets): starting from one enabled class, add every class dependent on an enabled member
 * and, for a disabled member, every class that writes a cell it reads (one of them must happen
 * before it can become enabled). The enabled events of the closure are persistent in the state.
 *
 * The conditions for safety (Clarke, Grumberg, Peled, "Model Checking", 1999, §10.5, C0–C3):
 * - C1 persistence, by the closure above;
 * - C2 invisibility: a reduced set holds no event that writes a cell an invariant or a sought
 *   witness reads, because invariants are checked after every step: moving an event that changes
 *   an invariant's truth past others would hide a violating state;
 * - C3 the cycle proviso, in the explorer (explore.ts), in the form proven for breadth-first
 *   search by Bošnački, Leue and Lluch-Lafuente ("Partial-order reduction for general state
 *   exploring algorithms", STTT 11(1), 2009): a state is expanded fully when a successor through
 *   its reduced set is already in the visited set. Of the states of any cycle, the one expanded
 *   last finds its successor on the cycle visited, so every cycle has a fully expanded state.
 * These preserve, for the unbounded system, every reachable valuation of what the invariants and
 * witnesses read; the events bound is not part of that argument, so explore.ts distrusts a
 * reduced search that reached the events bound, and takes a shortest counterexample from a full
 * search, since a reduced path to a violation can be longer than the shortest one.
 */

import type { Event, EventKind, Setup } from '../model/events.js';
import { EVENT_KINDS, isConsumerKind, isTxnKind } from '../model/events.js';
import { BOUNDS, faultOn, KIND_GATES } from '../model/faults.js';
import { ALL_CELLS, EVENT_FOOTPRINTS, EVENT_INDICES, INVARIANT_READS, WITNESS_READS } from '../model/footprints.js';
import type { Dimensions, EventIndices, Footprint } from '../model/footprints.js';

/** The declarations a reduction uses: the model's, or (in tests) a deliberately wrong one. */
export interface FootprintTables {
  readonly events: typeof EVENT_FOOTPRINTS;
  readonly indices: typeof EVENT_INDICES;
  readonly invariants: typeof INVARIANT_READS;
  readonly witnesses: typeof WITNESS_READS;
}

export const MODEL_FOOTPRINTS: FootprintTables = { events: EVENT_FOOTPRINTS, indices: EVENT_INDICES, invariants: INVARIANT_READS, witnesses: WITNESS_READS };

interface Cls {
  readonly all: boolean;
  readonly reads: Set<number>;
  readonly writes: Set<number>;
  readonly adds: Set<number>;
}

class Bits {
  readonly words: Uint32Array;
  constructor(n: number) {
    this.words = new Uint32Array((n + 31) >>> 5);
  }
  set(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) | (1 << (i & 31));
  }
  get(i: number): boolean {
    return (((this.words[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
  }
}

/** The role rule of footprints.ts: role cells of p read `leader:p`; writing `leader:p` writes all of p's cells. */
function normalise(fp: Footprint, d: Dimensions): { reads: string[]; writes: string[]; adds: string[] } {
  const writes = [...fp.writes];
  for (const cell of fp.writes) {
    const m = /^leader:(\d+)$/.exec(cell);
    if (m === null) continue;
    const p = m[1];
    writes.push(`isr:${p}`, `leaderLog:${p}`, `leaderRest:${p}`);
    for (let r = 0; r < d.brokers; r++) writes.push(`followerLog:${p}:${r}`, `follower:${p}:${r}`);
  }
  const adds = [...(fp.adds ?? [])];
  const reads = [...fp.reads, ...writes];
  for (const cell of [...reads, ...adds]) {
    const m = /^(?:isr|leaderLog|leaderRest|followerLog|follower):(\d+)/.exec(cell);
    if (m !== null) reads.push(`leader:${m[1]}`);
  }
  return { reads, writes, adds };
}

export class Reducer {
  private readonly dims: Dimensions;
  private readonly cellIds = new Map<string, number>();
  private readonly classIds = new Map<string, number>();
  private readonly classes: Cls[] = [];
  private dependents: Bits[] = [];
  private enablers: Bits[] = [];
  private visible: boolean[] = [];
  private readonly cache = new Map<string, Bits | null>();
  /** States where a reduced set was used, and where every enabled event was expanded. */
  reduced = 0;
  full = 0;
  /** A state of the reduced search had events the events bound kept it from taking. */
  boundMet = false;

  constructor(
    setup: Setup,
    invariantNames: readonly string[],
    witnessNames: readonly string[],
    private readonly tables: FootprintTables = MODEL_FOOTPRINTS,
  ) {
    this.dims = { brokers: setup.config.topic.replicationFactor, partitions: setup.config.topic.partitions };
    // Every class that can be enabled under this setup: a kind whose fault is off, a consumer kind
    // without consumers, or a transactional kind without transactional.id (txnCandidates offers
    // none while State.txn is null, and it stays null), nor a held request's handling without delayed-produce, never is.
    for (const kind of EVENT_KINDS) {
      const gate = KIND_GATES[kind];
      if (gate !== undefined && gate.fault !== null && !faultOn(setup, gate.fault)) continue;
      if (isConsumerKind(kind) && setup.config.consumer === null) continue;
      if (isTxnKind(kind) && setup.config.txn === null) continue;
      // Only BrokerDelayProduce fills what BrokerReceiveDelayed reads (State.held).
      if (kind === 'BrokerReceiveDelayed' && !faultOn(setup, 'delayed-produce')) continue;
      for (const indices of this.indexCombinations(kind)) this.addClass(kind, indices);
    }
    const visibleReads = new Set<number>();
    let visibleAll = false;
    const readsOf = (table: Readonly<Record<string, (d: Dimensions) => readonly string[]>>, name: string): void => {
      const reads = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
      if (reads === undefined) visibleAll = true;
      else for (const cell of normalise({ reads: reads(this.dims), writes: [] }, this.dims).reads) visibleReads.add(this.cell(cell));
    };
    for (const name of invariantNames) readsOf(this.tables.invariants, name);
    for (const name of witnessNames) readsOf(this.tables.witnesses, name);
    const n = this.classes.length;
    const meets = (a: Set<number>, b: Set<number>): boolean => {
      for (const x of a) if (b.has(x)) return true;
      return false;
    };
    for (let i = 0; i < n; i++) {
      const c = this.classes[i] as Cls;
      this.visible.push(visibleAll || c.all || meets(c.writes, visibleReads) || meets(c.adds, visibleReads));
      const dep = new Bits(n);
      const en = new Bits(n);
      for (let j = 0; j < n; j++) {
        const o = this.classes[j] as Cls;
        if (i === j) continue;
        if (c.all || o.all || meets(c.writes, o.reads) || meets(o.writes, c.reads) || meets(c.adds, o.reads) || meets(o.adds, c.reads)) dep.set(j);
        if (c.all || o.all || meets(o.writes, c.reads) || meets(o.adds, c.reads)) en.set(j);
      }
      this.dependents.push(dep);
      this.enablers.push(en);
    }
  }

  private cell(name: string): number {
    let id = this.cellIds.get(name);
    if (id === undefined) {
      id = this.cellIds.size;
      this.cellIds.set(name, id);
    }
    return id;
  }

  private indexCombinations(kind: EventKind): EventIndices[] {
    const fields = this.tables.indices[kind];
    if (fields === undefined || this.tables.events[kind] === undefined) return [{}];
    let combos: EventIndices[] = [{}];
    for (const field of fields) {
      const values: (number | string)[] =
        field === 'direction'
          ? ['request', 'response']
          : Array.from({ length: field === 'partition' ? this.dims.partitions : this.dims.brokers }, (_, i) => i);
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [field]: v })));
    }
    return combos;
  }

  private classKey(kind: EventKind, indices: EventIndices): string {
    const fields = this.tables.indices[kind];
    if (fields === undefined || this.tables.events[kind] === undefined) return kind;
    return `${kind}|${fields.map((f) => String(indices[f])).join('|')}`;
  }

  private addClass(kind: EventKind, indices: EventIndices): void {
    const declare = this.tables.events[kind];
    const gate = KIND_GATES[kind];
    const counter = gate?.bound === undefined || gate.bound === null ? null : `counter:${BOUNDS[gate.bound].counter}`;
    let cls: Cls;
    if (declare === undefined) cls = { all: true, reads: new Set(), writes: new Set(), adds: new Set() };
    else {
      const fp = declare(indices, this.dims);
      if ([...fp.reads, ...fp.writes, ...(fp.adds ?? [])].includes(ALL_CELLS)) cls = { all: true, reads: new Set(), writes: new Set(), adds: new Set() };
      else {
        // A bound's counter is read (the bound check) and written (the count) by every event that uses it.
        const { reads, writes, adds } = normalise(counter === null ? fp : { ...fp, reads: [...fp.reads, counter], writes: [...fp.writes, counter] }, this.dims);
        cls = { all: false, reads: new Set(reads.map((c) => this.cell(c))), writes: new Set(writes.map((c) => this.cell(c))), adds: new Set(adds.map((c) => this.cell(c))) };
      }
    }
    this.classIds.set(this.classKey(kind, indices), this.classes.length);
    this.classes.push(cls);
  }

  private classOf(event: Event): number {
    const id = this.classIds.get(this.classKey(event.kind, event as EventIndices));
    if (id === undefined) throw new Error(`explorer: no reduction class for ${event.kind} (${JSON.stringify(event)})`);
    return id;
  }

  /** Whether an event writes what an invariant or a witness reads. */
  isVisible(event: Event): boolean {
    return this.visible[this.classOf(event)] as boolean;
  }

  /**
   * Why no state can have a reduced set, or null when some may: no event is invisible, or a class
   * without a declaration can be enabled (it is dependent on every event, so every closure takes
   * it in, and with it every enabled event).
   */
  get inert(): string | null {
    const undeclared = this.classes.findIndex((c) => c.all);
    if (undeclared >= 0) return `${[...this.classIds.keys()][undeclared]?.split('|')[0]} events have no declared footprint`;
    return this.visible.every((v) => v) ? 'every event is visible to the invariants or witnesses' : null;
  }

  /** Whether two events may fail to commute, by their declarations. */
  dependent(a: Event, b: Event): boolean {
    const ca = this.classOf(a);
    const cb = this.classOf(b);
    return ca === cb || (this.dependents[ca] as Bits).get(cb);
  }

  /**
   * The indices (into `events`, the state's enabled events) of a persistent set of invisible
   * events smaller than `events`, or null when there is none (expand everything).
   */
  ample(events: readonly Event[]): number[] | null {
    if (events.length < 2) return null;
    const n = this.classes.length;
    const enabled = new Bits(n);
    const classOfEvent = events.map((e) => this.classOf(e));
    for (const c of classOfEvent) enabled.set(c);
    let key = '';
    for (const w of enabled.words) key += `${w},`;
    let chosen = this.cache.get(key);
    if (chosen === undefined) {
      chosen = this.smallest(enabled, new Set(classOfEvent));
      this.cache.set(key, chosen);
    }
    if (chosen === null) return null;
    const out: number[] = [];
    for (let i = 0; i < events.length; i++) if (chosen.get(classOfEvent[i] as number)) out.push(i);
    return out;
  }

  /** The closure with the fewest enabled classes over every invisible enabled seed, or null. */
  private smallest(enabled: Bits, enabledClasses: Set<number>): Bits | null {
    let best: Bits | null = null;
    let bestSize = enabledClasses.size;
    for (const seed of enabledClasses) {
      if (this.visible[seed] === true) continue;
      const closure = this.closure(seed, enabled, bestSize);
      if (closure === null) continue;
      let size = 0;
      for (const c of enabledClasses) if (closure.get(c)) size += 1;
      if (size < bestSize) {
        best = closure;
        bestSize = size;
      }
    }
    return best;
  }

  /** The stubborn-set closure of `seed`, or null once it holds a visible enabled class or `limit` enabled classes. */
  private closure(seed: number, enabled: Bits, limit: number): Bits | null {
    const n = this.classes.length;
    const inSet = new Bits(n);
    const work = [seed];
    inSet.set(seed);
    let enabledIn = 1;
    while (work.length > 0) {
      const c = work.pop() as number;
      const isEnabled = enabled.get(c);
      const next = isEnabled ? (this.dependents[c] as Bits) : (this.enablers[c] as Bits);
      for (let w = 0; w < next.words.length; w++) {
        let fresh = (next.words[w] as number) & ~(inSet.words[w] as number);
        while (fresh !== 0) {
          const bit = 31 - Math.clz32(fresh);
          fresh &= ~(1 << bit);
          const d = (w << 5) | bit;
          inSet.set(d);
          if (enabled.get(d)) {
            if (this.visible[d] === true) return null;
            enabledIn += 1;
            if (enabledIn >= limit) return null;
          }
          work.push(d);
        }
      }
    }
    return inSet;
  }
}
