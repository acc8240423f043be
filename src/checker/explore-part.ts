/**
 * One part of a parallel breadth-first search (explore --workers N): the states whose fingerprint
 * falls in this part, its share of the visited set, its levels of encoded states, and the parent
 * and choice of each of its states. Level-synchronous: every part expands its level, sending each
 * successor (encoded, with its fingerprint, parent and choice) to the part that owns it; then every
 * part takes in what it was sent, keeping the states it had not visited as its next level.
 *
 * A state's id is `local index × parts + part`, so a parent can live in any part. The parts'
 * codecs do not learn during a level (a new text is written inline); what was met is adopted by
 * every part between levels in one order, so their dictionaries stay identical.
 *
 * Invariants are checked where a state is generated: a violating successor at depth d + 1 is a
 * shortest counterexample whether or not another part has visited the same state.
 *
 * With symmetry reduction the key is the orbit's (symmetry.ts `orbitKey`), computed before the
 * owner is chosen. Which state of an orbit a part keeps may differ from the one-thread search's
 * (the parts take states in another order), but states of one orbit have successors of the same
 * orbits, so every level holds the same orbits and the counts, verdict and shortest length agree.
 */

import type { Event, Setup } from '../model/events.js';
import { violatedInvariants } from '../model/invariants.js';
import type { Invariant, InvariantResult } from '../model/invariants.js';
import { enabledEvents, initialState, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';
import type { Witness } from '../model/witnesses.js';
import { GrowingInt32 } from './explore.js';
import { FingerprintSet } from './fingerprint-set.js';
import { ByteArena, StateCodec } from './state-codec.js';
import { orbitKey } from './symmetry.js';

/** A part holds a share of one level: its tables start small. */
const PART_CAPACITY = 1 << 12;

/** Successors bound for one part: encoded states back to back, and per state five numbers. */
export interface Outbox {
  readonly bytes: Uint8Array;
  /** Per state: start in bytes, fingerprint low and high halves, parent id, choice | witness bits << 16. */
  readonly meta: Int32Array;
  readonly count: number;
}

function newLevel(): { arena: ByteArena; starts: GrowingInt32; ids: GrowingInt32 } {
  return { arena: new ByteArena(), starts: new GrowingInt32(PART_CAPACITY), ids: new GrowingInt32(PART_CAPACITY) };
}

class OutboxBuilder {
  readonly arena = new ByteArena(1 << 12);
  readonly meta = new GrowingInt32(PART_CAPACITY);
  count = 0;
  done(): Outbox {
    return { bytes: this.arena.data.slice(0, this.arena.length), meta: this.meta.data.slice(0, this.meta.length), count: this.count };
  }
}

export interface Expanded {
  readonly outboxes: readonly Outbox[];
  readonly generated: number;
  /** The first violation this part met: its parent's id, the choice, and what it broke. */
  readonly violation: { readonly parent: number; readonly choice: number; readonly results: readonly InvariantResult[] } | null;
  readonly met: { strings: string[] };
}

export interface Accepted {
  readonly added: number;
  /** The shared state limit was reached while taking these in. */
  readonly limitReached: boolean;
  readonly frontier: number;
  readonly frontierBytes: number;
  readonly witnessStates: Readonly<Record<string, number>>;
  readonly visitedBytes: number;
  readonly traceBytes: number;
}

export class ExplorePart {
  private readonly seen = new FingerprintSet();
  private readonly parent = new GrowingInt32(PART_CAPACITY);
  private readonly choice = new GrowingInt32(PART_CAPACITY);
  private readonly codec = new StateCodec(false);
  private level = newLevel();
  /** The next level: this part's own successors join it while expanding, the others' on accept. */
  private next = newLevel();
  /**
   * Fingerprints this part has sent to other parts, in any level: each is encoded and sent once
   * (a state sent before was visited by its owner, or is being visited in this level). It costs
   * 11 to 21 bytes for each such state, and saves encoding and sending the many states reached
   * again by other paths.
   */
  private readonly sent = new FingerprintSet(1 << 10);
  private limitReached = false;
  private readonly witnessStates: Record<string, number>;

  /**
   * `counter` is shared by every part: unique states visited so far, against `maxStates`, so the
   * search stops with exactly that many, however they are spread over the parts. `renames`: with
   * symmetry reduction, the broker renamings a key is the smallest over (symmetry.ts); the key
   * decides the owner, so every state of an orbit goes to one part, which keeps the first it takes in.
   */
  constructor(
    private readonly setup: Setup,
    private readonly invariants: readonly Invariant[],
    private readonly witnesses: readonly Witness[],
    readonly index: number,
    readonly parts: number,
    private readonly counter: Int32Array,
    private readonly maxStates: number,
    private readonly renames: readonly (readonly number[])[] | null = null,
  ) {
    this.witnessStates = Object.fromEntries(witnesses.map((w) => [w.name, 0]));
  }

  private bits(state: State): number {
    let bits = 0;
    for (let i = 0; i < this.witnesses.length; i++) if ((this.witnesses[i] as Witness).holds(state)) bits |= 1 << i;
    return bits;
  }

  /** The part that owns a fingerprint. */
  static owner(b: number, parts: number): number {
    return (b >>> 0) % parts;
  }

  /** The initial state, sent to its owner as a successor of nothing (parent -1). */
  initial(): Expanded {
    const boxes = Array.from({ length: this.parts }, () => new OutboxBuilder());
    this.route(boxes, initialState(this.setup), -1, 0);
    return { outboxes: boxes.map((b) => b.done()), generated: 1, violation: null, met: this.codec.takeMet() };
  }

  /**
   * Send a successor to its owner; this part's own ones are taken in at once. Returns false when
   * the state was visited already (or sent before), so it needs no checking.
   */
  private route(boxes: OutboxBuilder[], state: State, parent: number, choice: number): boolean {
    const bits = this.bits(state);
    const [a, b] = orbitKey(state, bits, this.renames);
    const owner = ExplorePart.owner(b, this.parts);
    if (owner === this.index) {
      if (this.limitReached || !this.seen.add(a, b)) return false;
      if (!this.admit(parent, choice, bits)) return false;
      const next = this.next;
      next.starts.push(next.arena.length);
      next.ids.push(this.lastId);
      this.codec.encode(state, next.arena);
      return true;
    }
    if (!this.sent.add(a, b)) return false;
    const box = boxes[owner] as OutboxBuilder;
    box.meta.push(box.arena.length);
    box.meta.push(a | 0);
    box.meta.push(b | 0);
    box.meta.push(parent);
    box.meta.push(choice | (bits << 16));
    this.codec.encode(state, box.arena);
    box.count += 1;
    return true;
  }

  private lastId = -1;

  /** Count a new state against the shared limit and record its parent, choice and witnesses. */
  private admit(parent: number, choice: number, bits: number): boolean {
    if (Atomics.add(this.counter, 0, 1) + 1 > this.maxStates) {
      this.limitReached = true;
      return false;
    }
    this.added += 1;
    this.lastId = this.parent.length * this.parts + this.index;
    this.parent.push(parent);
    this.choice.push(choice);
    for (let i = 0; i < this.witnesses.length; i++) {
      if ((bits & (1 << i)) !== 0) {
        const name = (this.witnesses[i] as Witness).name;
        this.witnessStates[name] = (this.witnessStates[name] ?? 0) + 1;
      }
    }
    return true;
  }

  private added = 0;

  /** Expand every state of the current level. */
  expand(): Expanded {
    const boxes = Array.from({ length: this.parts }, () => new OutboxBuilder());
    let generated = 0;
    let violation: Expanded['violation'] = null;
    const { arena, starts, ids } = this.level;
    for (let f = 0; f < starts.length; f++) {
      const state = this.codec.decode(arena.data, starts.data[f] as number);
      const id = ids.data[f] as number;
      const events = enabledEvents(this.setup, state);
      for (let i = 0; i < events.length; i++) {
        const after = stepEnabled(this.setup, state, events[i] as Event);
        generated += 1;
        if (!this.route(boxes, after, id, i) || violation !== null) continue;
        const results = violatedInvariants(after, this.invariants);
        if (results.length > 0) violation = { parent: id, choice: i, results };
      }
    }
    return { outboxes: boxes.map((b) => b.done()), generated, violation, met: this.codec.takeMet() };
  }

  /** Adopt the texts every part met, in one order. */
  adopt(met: { strings: string[] }): void {
    this.codec.adopt(met);
  }

  /** Take in the successors sent to this part (in the parts' order): the new ones form the next level. */
  accept(inboxes: readonly Outbox[]): Accepted {
    const next = this.next;
    outer: for (const box of inboxes) {
      const meta = box.meta;
      for (let k = 0; k < box.count; k++) {
        const m = k * 5;
        if (this.limitReached) break outer;
        if (!this.seen.add(meta[m + 1] as number, meta[m + 2] as number)) continue;
        const packed = meta[m + 4] as number;
        if (!this.admit(meta[m + 3] as number, packed & 0xffff, packed >>> 16)) break outer;
        const start = meta[m] as number;
        const end = k + 1 < box.count ? (meta[m + 5] as number) : box.bytes.length;
        next.starts.push(next.arena.length);
        next.ids.push(this.lastId);
        next.arena.ensure(end - start);
        next.arena.data.set(box.bytes.subarray(start, end), next.arena.length);
        next.arena.length += end - start;
      }
    }
    this.level = next;
    this.next = newLevel();
    const added = this.added;
    this.added = 0;
    return {
      added,
      limitReached: this.limitReached,
      frontier: next.starts.length,
      frontierBytes: next.arena.length,
      witnessStates: { ...this.witnessStates },
      visitedBytes: this.seen.bytes + this.sent.bytes,
      traceBytes: this.parent.data.byteLength + this.choice.data.byteLength,
    };
  }

  /** Parent id and choice of one of this part's states (by its id). */
  parentOf(id: number): { parent: number; choice: number } {
    const local = Math.floor(id / this.parts);
    return { parent: this.parent.data[local] as number, choice: this.choice.data[local] as number };
  }
}
