/**
 * A compact binary encoding of whole model states, for the explorer's frontier: a state waiting
 * to be expanded is held as a few dozen bytes instead of a graph of objects, and decoded back to
 * an equal State (same fields, same values) when it is expanded. Each record's keys come back in
 * its declared order; the model builds a few records by spreads in another order (TxnRequest), and
 * no rule depends on key order (a counterexample is replayed from the initial state anyway).
 *
 * Derived from the declaration of the state's fields (state-shape.ts), like the canonical key:
 * the declaration says what comes next, so the encoding holds values only, no tags or field
 * names. Integers are zigzag varints, booleans and enumerations one byte, arrays their length and
 * then their elements, a nullable or optional value a presence byte and then the value, a record
 * its fields in order. Every field is encoded, those the key ignores too. Encoders and decoders
 * are compiled once into JavaScript from the declaration (one function per record shape); a
 * decoded record is built by one object literal in its declared order, which is its interface's
 * and records.ts's order, so it gets the hidden class the model's own records have.
 *
 * Free text (the error text of a failed send) goes into a dictionary as it is met. A codec that
 * does not learn writes a text it does not know inline, so encodings stay decodable while the
 * dictionary grows; `adopt` adds what was met inline, in one deterministic order, so that
 * several codecs fed the same additions keep identical dictionaries (the parallel explorer's
 * workers exchange encoded states).
 */

import type { State } from '../model/types.js';
import { nonConforming, type RecordShape, type Shape, STATE_SHAPE } from './state-shape.js';

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


/** Compiles the declaration into one encoding and one decoding function per record shape. */
class CodecCompiler {
  private readonly writers = new Map<RecordShape, string>();
  private readonly readers = new Map<RecordShape, string>();
  private readonly functions: string[] = [];
  private n = 0;

  private fresh(prefix: string): string {
    this.n += 1;
    return `${prefix}${this.n}`;
  }

  private writer(shape: RecordShape): string {
    const known = this.writers.get(shape);
    if (known !== undefined) return known;
    const name = this.fresh(`write${shape.name}_`);
    this.writers.set(shape, name);
    const body: string[] = [];
    for (const f of shape.fields) {
      const v = this.fresh('v');
      const path = `${shape.name}.${f.name}`;
      body.push(`const ${v} = o.${f.name};`);
      const inner = this.write(f.shape, v, path);
      body.push(f.optional ? `if (${v} === undefined) out.byte(0); else { out.byte(1); ${inner} }` : inner);
    }
    this.functions.push(`function ${name}(o, out) {\n${body.join('\n')}\n}`);
    return name;
  }

  private write(shape: Shape, v: string, path: string): string {
    const p = JSON.stringify(path);
    switch (shape.kind) {
      case 'int':
      case 'id':
        return `writeInt(${v}, out, ${p});`;
      case 'bool':
        return `if (${v} === true) out.byte(1); else if (${v} === false) out.byte(0); else bad(${p}, ${v});`;
      case 'true':
        return `if (${v} !== true) bad(${p}, ${v});`;
      case 'text':
        return `if (typeof ${v} !== 'string') bad(${p}, ${v}); codec.text(${v}, out);`;
      case 'enum': {
        const cases = shape.values.map((x, i) => `case ${JSON.stringify(x)}: out.byte(${i}); break;`).join(' ');
        return `switch (${v}) { ${cases} default: bad(${p}, ${v}); }`;
      }
      case 'array': {
        const i = this.fresh('i');
        const e = this.fresh('e');
        return `if (!Array.isArray(${v})) bad(${p}, ${v}); out.varint(${v}.length); for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; ${this.write(shape.of, e, `${path}[]`)} }`;
      }
      case 'nullable':
        return `if (${v} === null) out.byte(0); else { out.byte(1); ${this.write(shape.of, v, path)} }`;
      case 'record':
        return `if (${v} === null || typeof ${v} !== 'object') bad(${p}, ${v}); ${this.writer(shape)}(${v}, out);`;
    }
  }

  private reader(shape: RecordShape): string {
    const known = this.readers.get(shape);
    if (known !== undefined) return known;
    const name = this.fresh(`read${shape.name}_`);
    this.readers.set(shape, name);
    const body: string[] = [];
    const locals = shape.fields.map((f) => {
      const v = this.fresh('v');
      const value = this.read(f.shape);
      body.push(f.optional ? `const ${v} = D[P++] === 0 ? undefined : ${value};` : `const ${v} = ${value};`);
      return v;
    });
    // One object literal per combination of the optional fields present (absent ones are left
    // out, not undefined), each listing the fields in declared order.
    const optional = shape.fields.flatMap((f, i) => (f.optional ? [i] : []));
    for (let mask = 0; mask < 1 << optional.length; mask++) {
      const present = (i: number): boolean => !shape.fields[i]?.optional || (mask & (1 << optional.indexOf(i))) !== 0;
      const literal = `{ ${shape.fields.flatMap((f, i) => (present(i) ? [`${f.name}: ${locals[i]}`] : [])).join(', ')} }`;
      const test = optional.map((i, bit) => `${locals[i]} ${(mask & (1 << bit)) !== 0 ? '!==' : '==='} undefined`).join(' && ');
      body.push(test === '' ? `return ${literal};` : `if (${test}) return ${literal};`);
    }
    if (optional.length > 0) body.push(`throw new Error('state codec: unreachable');`);
    this.functions.push(`function ${name}() {\n${body.join('\n')}\n}`);
    return name;
  }

  private read(shape: Shape): string {
    switch (shape.kind) {
      case 'int':
      case 'id':
        return 'readInt()';
      case 'bool':
        return 'D[P++] === 1';
      case 'true':
        return 'true';
      case 'text':
        return 'codec.readText()';
      case 'enum':
        return `${JSON.stringify(shape.values)}[D[P++]]`;
      case 'array': {
        // A function per array shape; pushed, not preallocated: the model's arrays are packed, and so are these.
        const name = this.fresh('readArray');
        this.functions.push(`function ${name}() { const n = readVarint(); const a = []; for (let i = 0; i < n; i++) a.push(${this.read(shape.of)}); return a; }`);
        return `${name}()`;
      }
      case 'nullable':
        return `(D[P++] === 0 ? null : ${this.read(shape.of)})`;
      case 'record':
        return `${this.reader(shape)}()`;
    }
  }

  compile(root: RecordShape, codec: StateCodec): Compiled {
    const write = this.writer(root);
    const read = this.reader(root);
    const source = [
      '"use strict";',
      'let D = new Uint8Array(0);',
      'let P = 0;',
      'function readVarint() { let n = 0; let scale = 1; for (;;) { const b = D[P++]; n += (b & 0x7f) * scale; if (b < 0x80) return n; scale *= 0x80; } }',
      'function readInt() { const z = readVarint(); return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }',
      ...this.functions,
      `return {`,
      `  encode: ${write},`,
      `  decode(data, at) { D = data; P = at; const state = ${read}(); return state; },`,
      `  readVarint,`,
      `};`,
    ].join('\n');
    return (new Function('codec', 'writeInt', 'bad', source) as (...args: unknown[]) => Compiled)(codec, writeInt, bad);
  }
}

interface Compiled {
  encode(state: State, out: ByteArena): void;
  decode(data: Uint8Array, at: number): State;
  readVarint(): number;
}

function writeInt(n: number, out: ByteArena, path: string): void {
  if (!Number.isSafeInteger(n)) bad(path, n);
  out.varint(n >= 0 ? n * 2 : -n * 2 - 1);
}

function bad(path: string, value: unknown): never {
  throw new Error(`state codec: ${path} is ${JSON.stringify(value)}, which src/checker/state-shape.ts does not declare`);
}

export class StateCodec {
  private readonly compiled: Compiled;
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  /** Texts written inline since the last `takeMet`. */
  private readonly metStrings = new Set<string>();

  /** `learn`: add texts to the dictionary as they are met (one codec, nothing shared). */
  constructor(private readonly learn = true) {
    this.compiled = new CodecCompiler().compile(STATE_SHAPE, this);
  }

  /** Whether a state has been checked against the declaration (the first one encoded is). */
  private checked = false;

  /**
   * Append the encoding of `state` to `out`. The first state is first checked against the
   * declaration as a whole: the encoding reads only declared fields, and would drop another.
   */
  encode(state: State, out: ByteArena): void {
    if (!this.checked) {
      const problems = nonConforming(STATE_SHAPE, state);
      if (problems.length > 0) throw new Error(`state codec: the state does not match its declaration: ${problems.slice(0, 3).join('; ')}`);
      this.checked = true;
    }
    this.compiled.encode(state, out);
  }

  /** Decode the state starting at `at` in `data`. */
  decode(data: Uint8Array, at: number): State {
    return this.compiled.decode(data, at);
  }

  /** The texts written inline since the last call: to be adopted by every codec that must agree. */
  takeMet(): { strings: string[] } {
    const met = { strings: [...this.metStrings] };
    this.metStrings.clear();
    return met;
  }

  /** Add texts to the dictionary, sorted so every codec adopting the same ones agrees. */
  adopt(met: { readonly strings: readonly string[] }): void {
    for (const s of [...met.strings].sort(cmp)) if (!this.stringIndex.has(s)) this.addString(s);
  }

  private addString(s: string): number {
    const i = this.strings.length;
    this.strings.push(s);
    this.stringIndex.set(s, i);
    return i;
  }

  /** @internal (called by the compiled encoders): 0 and the text inline, or its index + 1. */
  text(s: string, out: ByteArena): void {
    let i = this.stringIndex.get(s);
    if (i === undefined && this.learn) i = this.addString(s);
    if (i !== undefined) {
      out.varint(i + 1);
      return;
    }
    this.metStrings.add(s);
    out.varint(0);
    out.varint(s.length);
    for (let c = 0; c < s.length; c++) out.varint(s.charCodeAt(c));
  }

  /** @internal (called by the compiled decoders) */
  readText(): string {
    const read = this.compiled.readVarint;
    const i = read();
    if (i > 0) return this.strings[i - 1] as string;
    const length = read();
    let s = '';
    for (let c = 0; c < length; c++) s += String.fromCharCode(read());
    return s;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
