/**
 * Canonical state keys for the exhaustive explorer: two states that cannot behave differently
 * get the same key, so the explorer visits them once.
 *
 * What the key holds is declared in state-shape.ts, field by field: every field but those marked
 * `ignored` there (each with its reason: the events counter, statistics only witnesses read, error
 * texts, counters of ids), with batch, request and member ids replaced by their ranks among the
 * live ids of their space. Both forms below are derived from that declaration.
 *
 * The explorer hashes the key to 64 bits (`stateKey`, two independent 32-bit mixes over the same
 * fields, without building the text). With N states the chance of any collision is about
 * N² / 2^65: 3 in a million for ten million states. `canonicalText` is the readable definition
 * of the same key (an interpreter of the declaration), used by tests.
 */

import type { State } from '../model/types.js';
import { ID_SPACES, type IdSpace, type RecordShape, type Shape, STATE_SHAPE } from './state-shape.js';

// ---------------------------------------------------------------------------------------------
// The readable definition: an interpreter of the declaration.
// ---------------------------------------------------------------------------------------------

/** Sorted distinct non-negative values of a space's live id fields, per space. */
type Live = Record<IdSpace, number[]>;

function collectLive(shape: Shape, value: unknown, live: Live): void {
  switch (shape.kind) {
    case 'id':
      if (shape.live && (value as number) >= 0 && !live[shape.space].includes(value as number)) live[shape.space].push(value as number);
      return;
    case 'array':
      for (const item of value as unknown[]) collectLive(shape.of, item, live);
      return;
    case 'nullable':
      if (value !== null) collectLive(shape.of, value, live);
      return;
    case 'record':
      for (const f of shape.fields) {
        const v = (value as Record<string, unknown>)[f.name];
        if (v !== undefined) collectLive(f.shape, v, live);
      }
      return;
    default:
      return;
  }
}

function keyValue(shape: Shape, value: unknown, live: Live): unknown {
  switch (shape.kind) {
    case 'id':
      return (value as number) < 0 ? -1 : live[shape.space].indexOf(value as number);
    case 'array':
      return (value as unknown[]).map((item) => keyValue(shape.of, item, live));
    case 'nullable':
      return value === null ? null : keyValue(shape.of, value, live);
    case 'record': {
      const out: unknown[] = [];
      for (const f of shape.fields) {
        if (f.ignored !== null) continue;
        const v = (value as Record<string, unknown>)[f.name];
        out.push(v === undefined ? null : keyValue(f.shape, v, live));
      }
      return out;
    }
    default:
      return value;
  }
}

/**
 * The state as a string: every field the declaration (state-shape.ts) does not mark ignored, ids
 * replaced by their ranks among the live ids of their space.
 */
export function canonicalText(state: State): string {
  const live: Live = { batch: [], request: [], member: [] };
  collectLive(STATE_SHAPE, state, live);
  for (const space of ID_SPACES) live[space].sort((a, b) => a - b);
  return JSON.stringify(keyValue(STATE_SHAPE, state, live));
}

// ---------------------------------------------------------------------------------------------
// The fast form: the same walk, compiled once into JavaScript from the declaration.
// ---------------------------------------------------------------------------------------------

// The hash state of the key being computed: two independent 32-bit mixes (FNV-1a-style per
// 32-bit word, with different primes). Kept in a typed array so the hot loop allocates nothing
// (a module-level number variable holding a 32-bit value would be boxed on every write).
const H = new Int32Array(2);

function mix(n: number): void {
  const x = n | 0;
  H[0] = Math.imul((H[0] as number) ^ x, 0x01000193);
  const h2 = Math.imul((H[1] as number) ^ x, 0x5bd1e995);
  H[1] = h2 ^ (h2 >>> 13);
}

function mixText(s: string): void {
  mix(s.length);
  for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
}

/** Insert a live id into its space's sorted list (a handful of ids, mostly arriving in order). */
function insertLive(ids: number[], id: number): void {
  if (id < 0) return;
  let at = ids.length;
  while (at > 0 && (ids[at - 1] as number) > id) at -= 1;
  if (at > 0 && ids[at - 1] === id) return;
  ids.splice(at, 0, id);
}

function rank(ids: readonly number[], id: number): number {
  return id < 0 ? -1 : ids.indexOf(id);
}

function badValue(path: string, value: unknown): never {
  throw new Error(`canonical key: ${path} is ${JSON.stringify(value)}, which src/checker/state-shape.ts does not declare`);
}

/** Whether a live id field lies under `shape` (the collecting pass skips the rest). */
function hasLive(shape: Shape, seen: Map<RecordShape, boolean> = new Map()): boolean {
  switch (shape.kind) {
    case 'id':
      return shape.live;
    case 'array':
    case 'nullable':
      return hasLive(shape.of, seen);
    case 'record': {
      const known = seen.get(shape);
      if (known !== undefined) return known;
      seen.set(shape, false);
      const result = shape.fields.some((f) => hasLive(f.shape, seen));
      seen.set(shape, result);
      return result;
    }
    default:
      return false;
  }
}

/**
 * Compiles the declaration into a key function: per record shape one function that gathers the
 * live ids under it and one that mixes its fields, named by a counter (the producer's shapes
 * occur twice, ranked and not).
 */
class KeyCompiler {
  private readonly names = new Map<RecordShape, string>();
  private readonly collectNames = new Map<RecordShape, string>();
  private readonly functions: string[] = [];
  private readonly liveSeen = new Map<RecordShape, boolean>();
  private n = 0;

  private fresh(prefix: string): string {
    this.n += 1;
    return `${prefix}${this.n}`;
  }

  /** The name of the function that mixes (or, `collect`, gathers live ids of) a record. */
  recordFunction(shape: RecordShape, collect: boolean): string {
    const map = collect ? this.collectNames : this.names;
    const known = map.get(shape);
    if (known !== undefined) return known;
    const name = this.fresh(collect ? `collect${shape.name}_` : `key${shape.name}_`);
    map.set(shape, name);
    const body: string[] = [];
    for (const f of shape.fields) {
      if (collect ? !hasLive(f.shape, this.liveSeen) : f.ignored !== null) continue;
      const v = this.fresh('v');
      body.push(`const ${v} = o.${f.name};`);
      const inner = collect ? this.collect(f.shape, v) : this.value(f.shape, v, `${shape.name}.${f.name}`);
      if (f.optional) body.push(collect ? `if (${v} !== undefined) { ${inner} }` : `if (${v} === undefined) mix(0); else { mix(1); ${inner} }`);
      else body.push(inner);
    }
    this.functions.push(`function ${name}(o) {\n${body.join('\n')}\n}`);
    return name;
  }

  private value(shape: Shape, v: string, path: string): string {
    switch (shape.kind) {
      case 'int':
        return `mix(${v});`;
      case 'bool':
        return `mix(${v} ? 1 : 0);`;
      case 'true':
        return '';
      case 'text':
        return `mixText(${v});`;
      case 'enum': {
        const cases = shape.values.map((x, i) => `case ${JSON.stringify(x)}: mix(${i}); break;`).join(' ');
        return `switch (${v}) { ${cases} default: badValue(${JSON.stringify(path)}, ${v}); }`;
      }
      case 'id':
        return `mix(rank(${shape.space}, ${v}));`;
      case 'array': {
        const i = this.fresh('i');
        const e = this.fresh('e');
        return `mix(${v}.length); for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; ${this.value(shape.of, e, `${path}[]`)} }`;
      }
      case 'nullable':
        return `if (${v} === null) mix(0); else { mix(1); ${this.value(shape.of, v, path)} }`;
      case 'record':
        return `${this.recordFunction(shape, false)}(${v});`;
    }
  }

  private collect(shape: Shape, v: string): string {
    switch (shape.kind) {
      case 'id':
        return shape.live ? `insertLive(${shape.space}, ${v});` : '';
      case 'array': {
        const i = this.fresh('i');
        return `for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { ${this.collect(shape.of, `${v}[${i}]`)} }`;
      }
      case 'nullable':
        return `if (${v} !== null) { ${this.collect(shape.of, v)} }`;
      case 'record':
        return `${this.recordFunction(shape, true)}(${v});`;
      default:
        return '';
    }
  }

  /** The whole key function: clear the live lists, collect, then mix every field the key holds. */
  compile(root: RecordShape): (state: State) => void {
    const collect = this.recordFunction(root, true);
    const key = this.recordFunction(root, false);
    const source = [
      '"use strict";',
      ...this.functions,
      `return function key(state) { ${ID_SPACES.map((s) => `${s}.length = 0;`).join(' ')} ${collect}(state); ${key}(state); };`,
    ].join('\n');
    const make = new Function('mix', 'mixText', 'insertLive', 'rank', 'badValue', ...ID_SPACES, source) as (...args: unknown[]) => (state: State) => void;
    return make(mix, mixText, insertLive, rank, badValue, ...ID_SPACES.map(() => [] as number[]));
  }
}

const mixState = new KeyCompiler().compile(STATE_SHAPE);

/**
 * The canonical key of a state as a 64-bit hash: the fields and normalisation of
 * `canonicalText`, mixed as numbers (a test checks the two agree on which states are equal).
 * `extra` bits (the explorer's witness values) are mixed in at the end.
 */
export function stateKey(state: State, extra: number): [number, number] {
  H[0] = 0x811c9dc5;
  H[1] = 0x9747b28c;
  mixState(state);
  mix(extra);
  return [(H[0] as number) >>> 0, (H[1] as number) >>> 0];
}

/** 64-bit hash of a string as two 32-bit halves. */
export function hash64(text: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return [h1 >>> 0, h2 >>> 0];
}

/** The visited set lives in fingerprint-set.ts; exported here too for existing importers. */
export { FingerprintSet } from './fingerprint-set.js';
