/**
 * A compact binary encoding of whole model states, for the explorer's frontier: a state waiting
 * to be expanded is held as a few hundred bytes instead of a graph of objects, and decoded back to
 * an equal State (same fields, same order, same values) when it is expanded.
 *
 * Generic over the state's shape, so fields other work adds to the state are encoded without a
 * change here: a value is null, a boolean, a number, a string, an array or a plain object. Objects
 * are written as a shape (their key list) and their values; strings as an index. Shapes and
 * strings go into a dictionary as they are met. A value whose shape or string is not in the
 * dictionary yet is written inline (its keys or characters), so encodings stay decodable while
 * the dictionary grows; `adopt` adds what was met inline, in one deterministic order, so that
 * several codecs fed the same additions keep identical dictionaries (the parallel explorer's
 * workers exchange encoded states).
 *
 * Decoded records of a shape that src/model/records.ts constructs are rebuilt by that constructor,
 * so they keep the hidden class the model's own records have (see records.ts for why it matters).
 */

import * as make from '../model/records.js';
import type { State } from '../model/types.js';

// One tag byte per value; small integers and short arrays carry their value in the tag.
const SMALL_INT_MAX = 0x3f; // 0x00–0x3f: the integer itself
const T_NULL = 0x40;
const T_FALSE = 0x41;
const T_TRUE = 0x42;
const T_MINUS_ONE = 0x43;
const T_INT = 0x44; // zigzag varint
const T_FLOAT = 0x45; // 8 bytes
const T_STRING = 0x46; // dictionary index (varint)
const T_INLINE_STRING = 0x47; // length (varint), UTF-16 code units (varints)
const T_SHAPE = 0x48; // dictionary shape index (varint), then the values
const T_INLINE_SHAPE = 0x49; // key count, keys (inline strings), then the values
const T_LONG_ARRAY = 0x4a; // length (varint), then the elements
const SHORT_ARRAY = 0x50; // 0x50–0x6f: array of length 0–31
const SHORT_ARRAY_MAX = 0x1f;
const SMALL_SHAPE = 0x80; // 0x80–0xff: dictionary shape 0–127

type Maker = (source: never) => unknown;

/** A growing byte buffer: the encoder's output and the frontier's storage. */
export class ByteArena {
  data: Uint8Array;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.data = new Uint8Array(capacity);
  }
  ensure(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  byte(b: number): void {
    if (this.length === this.data.length) this.ensure(1);
    this.data[this.length++] = b;
  }
  varint(n: number): void {
    // Non-negative integers below 2^53, seven bits a byte.
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }
  /** Bytes held (the buffer's capacity, used or not). */
  get bytes(): number {
    return this.data.byteLength;
  }
}

const FLOAT = new Float64Array(1);
const FLOAT_BYTES = new Uint8Array(FLOAT.buffer);

/** A node of the shape trie: walking an object's keys in order finds its shape without building a string. */
interface ShapeNode {
  readonly next: Map<string, ShapeNode>;
  shape: number;
}

export class StateCodec {
  private readonly shapes: string[][] = [];
  /** Per shape: a function that writes an object's values, and one that reads them back into an object. */
  private readonly encoders: ((o: Record<string, unknown>, codec: StateCodec, out: ByteArena) => void)[] = [];
  private readonly decoders: ((codec: StateCodec) => unknown)[] = [];
  private readonly root: ShapeNode = { next: new Map(), shape: -1 };
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  /** Shapes and strings met inline since the last `adopt`/`takeMet`, keyed so each is listed once. */
  private readonly metShapes = new Map<string, string[]>();
  private readonly metStrings = new Set<string>();
  private readonly makers: Map<string, Maker>;

  /** `learn`: add shapes and strings to the dictionary as they are met (one codec, nothing shared). */
  constructor(private readonly learn = true) {
    // The key list of each records.ts constructor, found by running it on an empty source.
    this.makers = new Map();
    for (const f of Object.values(make) as unknown[]) {
      if (typeof f !== 'function') continue;
      const made = (f as (s: object) => unknown)({});
      if (made !== null && typeof made === 'object') this.makers.set(Object.keys(made).join('\u0000'), f as Maker);
    }
  }

  get dictionarySize(): { shapes: number; strings: number } {
    return { shapes: this.shapes.length, strings: this.strings.length };
  }

  /** Append the encoding of `state` to `out`. */
  encode(state: State, out: ByteArena): void {
    this.value(state, out);
  }

  /** Decode the value starting at `at` in `data`. */
  decode(data: Uint8Array, at: number): State {
    this.pos = at;
    this.data = data;
    return this.read() as State;
  }

  /** What was written inline since the last call: to be adopted by every codec that must agree. */
  takeMet(): { shapes: string[][]; strings: string[] } {
    const met = { shapes: [...this.metShapes.values()], strings: [...this.metStrings] };
    this.metShapes.clear();
    this.metStrings.clear();
    return met;
  }

  /** Add shapes and strings to the dictionary, sorted so every codec adopting the same ones agrees. */
  adopt(met: { shapes: readonly (readonly string[])[]; strings: readonly string[] }): void {
    const shapes = [...met.shapes].sort((a, b) => cmp(a.join('\u0000'), b.join('\u0000')));
    for (const keys of shapes) if (this.findShape(keys) < 0) this.addShape([...keys]);
    for (const s of [...met.strings].sort(cmp)) if (!this.stringIndex.has(s)) this.addString(s);
  }

  private findShape(keys: readonly string[]): number {
    let node = this.root;
    for (const k of keys) {
      const next = node.next.get(k);
      if (next === undefined) return -1;
      node = next;
    }
    return node.shape;
  }

  private addShape(keys: string[]): number {
    let node = this.root;
    for (const k of keys) {
      let next = node.next.get(k);
      if (next === undefined) {
        next = { next: new Map(), shape: -1 };
        node.next.set(k, next);
      }
      node = next;
    }
    node.shape = this.shapes.length;
    this.shapes.push(keys);
    // Generated per shape, so that each reads and builds its fields by name (V8 then sees one
    // hidden class at each access) instead of by a key looked up at run time. The keys are the
    // state's own field names, quoted by JSON.stringify.
    const fields = keys.map((k) => JSON.stringify(k));
    this.encoders.push(new Function('o', 'codec', 'out', fields.map((k) => `codec.value(o[${k}], out);`).join('\n')) as (o: Record<string, unknown>, codec: StateCodec, out: ByteArena) => void);
    const literal = new Function('codec', `return {${fields.map((k) => `${k}: codec.read()`).join(', ')}};`) as (codec: StateCodec) => unknown;
    // A shape that a records.ts constructor builds is rebuilt by it, for the model's hidden class.
    const maker = this.makers.get(keys.join('\u0000')) as ((s: unknown) => unknown) | undefined;
    this.decoders.push(maker === undefined ? literal : (codec) => maker(literal(codec)));
    return node.shape;
  }

  private addString(s: string): number {
    const i = this.strings.length;
    this.strings.push(s);
    this.stringIndex.set(s, i);
    return i;
  }

  /** @internal (called by the generated encoders) */
  value(v: unknown, out: ByteArena): void {
    if (v === null) out.byte(T_NULL);
    else if (typeof v === 'number') this.number(v, out);
    else if (typeof v === 'boolean') out.byte(v ? T_TRUE : T_FALSE);
    else if (typeof v === 'string') this.string(v, out);
    else if (Array.isArray(v)) {
      if (v.length <= SHORT_ARRAY_MAX) out.byte(SHORT_ARRAY + v.length);
      else {
        out.byte(T_LONG_ARRAY);
        out.varint(v.length);
      }
      for (let i = 0; i < v.length; i++) this.value(v[i], out);
    } else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) this.object(v as Record<string, unknown>, out);
    else throw new Error(`state codec: cannot encode ${typeof v === 'object' ? 'a non-plain object' : typeof v} (a state holds plain data only)`);
  }

  private number(n: number, out: ByteArena): void {
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
      if (n >= 0 && n <= SMALL_INT_MAX) out.byte(n);
      else if (n === -1) out.byte(T_MINUS_ONE);
      else {
        out.byte(T_INT);
        out.varint(n >= 0 ? n * 2 : -n * 2 - 1);
      }
      return;
    }
    out.byte(T_FLOAT);
    FLOAT[0] = n;
    out.ensure(8);
    out.data.set(FLOAT_BYTES, out.length);
    out.length += 8;
  }

  private string(s: string, out: ByteArena): void {
    let i = this.stringIndex.get(s);
    if (i === undefined && this.learn) i = this.addString(s);
    if (i !== undefined) {
      out.byte(T_STRING);
      out.varint(i);
      return;
    }
    this.metStrings.add(s);
    out.byte(T_INLINE_STRING);
    this.rawString(s, out);
  }

  private rawString(s: string, out: ByteArena): void {
    out.varint(s.length);
    for (let i = 0; i < s.length; i++) out.varint(s.charCodeAt(i));
  }

  private object(o: Record<string, unknown>, out: ByteArena): void {
    let node: ShapeNode | undefined = this.root;
    for (const k in o) {
      node = node.next.get(k);
      if (node === undefined) break;
    }
    let shape = node === undefined ? -1 : node.shape;
    if (shape < 0 && this.learn) shape = this.addShape(Object.keys(o));
    if (shape < 0) {
      const keys = Object.keys(o);
      this.metShapes.set(keys.join('\u0000'), keys);
      out.byte(T_INLINE_SHAPE);
      out.varint(keys.length);
      for (const k of keys) this.rawString(k, out);
      for (const k in o) this.value(o[k], out);
      return;
    }
    if (shape <= 0x7f) out.byte(SMALL_SHAPE + shape);
    else {
      out.byte(T_SHAPE);
      out.varint(shape);
    }
    (this.encoders[shape] as (o: Record<string, unknown>, codec: StateCodec, out: ByteArena) => void)(o, this, out);
  }

  private data: Uint8Array = new Uint8Array(0);
  private pos = 0;

  private varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.data[this.pos++] as number;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  }

  private rawStringAt(): string {
    const length = this.varint();
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(this.varint());
    return s;
  }

  /** @internal (called by the generated decoders) */
  read(): unknown {
    const tag = this.data[this.pos++] as number;
    if (tag <= SMALL_INT_MAX) return tag;
    if (tag >= SMALL_SHAPE) return this.readObject(tag - SMALL_SHAPE);
    if (tag >= SHORT_ARRAY) return this.readArray(tag - SHORT_ARRAY);
    switch (tag) {
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_MINUS_ONE:
        return -1;
      case T_INT: {
        const z = this.varint();
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      case T_FLOAT:
        FLOAT_BYTES.set(this.data.subarray(this.pos, this.pos + 8));
        this.pos += 8;
        return FLOAT[0];
      case T_STRING:
        return this.strings[this.varint()];
      case T_INLINE_STRING:
        return this.rawStringAt();
      case T_SHAPE:
        return this.readObject(this.varint());
      case T_INLINE_SHAPE: {
        const count = this.varint();
        const keys: string[] = [];
        for (let i = 0; i < count; i++) keys.push(this.rawStringAt());
        const o: Record<string, unknown> = {};
        for (const k of keys) o[k] = this.read();
        return o;
      }
      case T_LONG_ARRAY:
        return this.readArray(this.varint());
      default:
        throw new Error(`state codec: bad tag ${tag} at byte ${this.pos - 1}`);
    }
  }

  private readArray(length: number): unknown[] {
    // Pushed, not preallocated: the model's arrays are packed, and so are these.
    const a: unknown[] = [];
    for (let i = 0; i < length; i++) a.push(this.read());
    return a;
  }

  private readObject(shape: number): unknown {
    return (this.decoders[shape] as (codec: StateCodec) => unknown)(this);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
