/**
 * Kafka protocol primitives: a bounds-checked reader and a growable writer for the types of the
 * Kafka wire protocol (https://kafka.apache.org/protocol#protocol_types), and CRC-32C.
 *
 * Every length read from the wire is checked against the bytes that remain before anything is
 * allocated, so a hostile or truncated frame costs at most its own size.
 */

export class ProtocolError extends Error {}

export class Reader {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.at + n > this.buf.length) throw new ProtocolError(`truncated: ${what} needs ${n} bytes, ${this.remaining} left`);
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.at++);
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** int64 as a number; values beyond 2^53 are a protocol error here (ids and offsets stay small). */
  int64(): number {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new ProtocolError(`int64 ${v} out of range`);
    return Number(v);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  unsignedVarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      this.need(1, 'varint');
      const byte = this.buf[this.at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
      if (shift > 28) throw new ProtocolError('varint longer than 5 bytes');
    }
  }

  /** Zig-zag signed varint (32-bit). */
  varint(): number {
    const raw = this.unsignedVarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zig-zag signed varlong (64-bit), as a number within ±2^53. */
  varlong(): number {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      this.need(1, 'varlong');
      const byte = BigInt(this.buf[this.at++] as number);
      value |= (byte & 0x7fn) << shift;
      if ((byte & 0x80n) === 0n) break;
      shift += 7n;
      if (shift > 63n) throw new ProtocolError('varlong longer than 10 bytes');
    }
    const signed = (value >> 1n) ^ -(value & 1n);
    if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) throw new ProtocolError('varlong out of range');
    return Number(signed);
  }

  raw(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError(`string length ${n}`);
    return this.raw(n, 'string').toString('utf8');
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolError('null where a string is required');
    return s;
  }

  compactNullableString(): string | null {
    const n = this.unsignedVarint() - 1;
    if (n === -1) return null;
    return this.raw(n, 'compact string').toString('utf8');
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolError('null where a compact string is required');
    return s;
  }

  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError(`bytes length ${n}`);
    return this.raw(n, 'bytes');
  }

  compactNullableBytes(): Buffer | null {
    const n = this.unsignedVarint() - 1;
    if (n === -1) return null;
    return this.raw(n, 'compact bytes');
  }

  /** An array length, checked against the bytes left (each element takes at least `minElement` bytes). */
  private arrayLength(n: number, minElement: number): number {
    if (n < 0) throw new ProtocolError(`array length ${n}`);
    if (n * minElement > this.remaining) throw new ProtocolError(`array of ${n} elements cannot fit in ${this.remaining} bytes`);
    return n;
  }

  array<T>(element: (r: Reader) => T, minElement = 1): T[] {
    const n = this.int32();
    if (n === -1) return [];
    return this.elements(this.arrayLength(n, minElement), element);
  }

  nullableArray<T>(element: (r: Reader) => T, minElement = 1): T[] | null {
    const n = this.int32();
    if (n === -1) return null;
    return this.elements(this.arrayLength(n, minElement), element);
  }

  compactArray<T>(element: (r: Reader) => T, minElement = 1): T[] {
    const n = this.unsignedVarint() - 1;
    if (n === -1) return [];
    return this.elements(this.arrayLength(n, minElement), element);
  }

  compactNullableArray<T>(element: (r: Reader) => T, minElement = 1): T[] | null {
    const n = this.unsignedVarint() - 1;
    if (n === -1) return null;
    return this.elements(this.arrayLength(n, minElement), element);
  }

  private elements<T>(n: number, element: (r: Reader) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(element(this));
    return out;
  }

  /** Skip a tagged-field section (KIP-482): we read none of them. */
  taggedFields(): void {
    const count = this.arrayLength(this.unsignedVarint(), 2);
    for (let i = 0; i < count; i++) {
      this.unsignedVarint();
      const size = this.unsignedVarint();
      this.raw(size, 'tagged field');
    }
  }
}

export class Writer {
  private buf = Buffer.alloc(256);
  private at = 0;

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  get length(): number {
    return this.at;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.at++);
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.at);
    this.at += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.at);
    this.at += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.at);
    this.at += 4;
    return this;
  }

  int64(v: number): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.at);
    this.at += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  unsignedVarint(v: number): this {
    let value = v;
    while (value >= 0x80) {
      this.int8U((value & 0x7f) | 0x80);
      value = Math.floor(value / 128);
    }
    return this.int8U(value);
  }

  private int8U(v: number): this {
    this.ensure(1);
    this.buf[this.at++] = v;
    return this;
  }

  varint(v: number): this {
    return this.unsignedVarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  varlong(v: number): this {
    let value = BigInt(v);
    value = (value << 1n) ^ (value >> 63n);
    while (value >= 0x80n) {
      this.int8U(Number((value & 0x7fn) | 0x80n));
      value >>= 7n;
    }
    return this.int8U(Number(value));
  }

  raw(bytes: Buffer): this {
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.at);
    this.at += bytes.length;
    return this;
  }

  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }

  compactNullableString(v: string | null): this {
    if (v === null) return this.unsignedVarint(0);
    const bytes = Buffer.from(v, 'utf8');
    return this.unsignedVarint(bytes.length + 1).raw(bytes);
  }

  nullableBytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    return this.int32(v.length).raw(v);
  }

  compactNullableBytes(v: Buffer | null): this {
    if (v === null) return this.unsignedVarint(0);
    return this.unsignedVarint(v.length + 1).raw(v);
  }

  array<T>(items: readonly T[], element: (w: Writer, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) element(this, item);
    return this;
  }

  compactArray<T>(items: readonly T[], element: (w: Writer, item: T) => void): this {
    this.unsignedVarint(items.length + 1);
    for (const item of items) element(this, item);
    return this;
  }

  /** An empty tagged-field section. */
  taggedFields(): this {
    return this.unsignedVarint(0);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

// CRC-32C (Castagnoli), as DefaultRecordBatch checksums a batch.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (CRC32C_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
