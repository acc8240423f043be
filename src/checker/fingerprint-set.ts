/**
 * The explorer's visited set: 64-bit state fingerprints (canonical.ts's `stateKey`) in an
 * open-addressing hash table of two typed arrays, 8 bytes a slot, no per-entry objects and no
 * states. An empty slot is the fingerprint (0, 0), so that one is stored as (0, 1): one more pair
 * of the 2^64 fingerprints that cannot be told apart, against the N² / 2^65 collision chance of
 * the hash itself. The table doubles when three quarters full, so a visited state takes 10.7 to
 * 21.3 bytes (`bytes / size`).
 */

export class FingerprintSet {
  private lo: Uint32Array;
  private hi: Uint32Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.lo = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes the table holds. */
  get bytes(): number {
    return this.lo.byteLength + this.hi.byteLength;
  }

  /** Add a fingerprint; returns false when it was already there. */
  add(a: number, b: number): boolean {
    if ((this.count + 1) * 4 > this.lo.length * 3) this.grow();
    const lo = a >>> 0;
    const hi = lo === 0 && b >>> 0 === 0 ? 1 : b >>> 0;
    const mask = this.lo.length - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const l = this.lo[i] as number;
      const h = this.hi[i] as number;
      if (l === 0 && h === 0) break;
      if (l === lo && h === hi) return false;
      i = (i + 1) & mask;
    }
    this.lo[i] = lo;
    this.hi[i] = hi;
    this.count += 1;
    return true;
  }

  /** Whether a fingerprint is held. */
  has(a: number, b: number): boolean {
    const lo = a >>> 0;
    const hi = lo === 0 && b >>> 0 === 0 ? 1 : b >>> 0;
    const mask = this.lo.length - 1;
    for (let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const l = this.lo[i] as number;
      const h = this.hi[i] as number;
      if (l === 0 && h === 0) return false;
      if (l === lo && h === hi) return true;
    }
  }

  /** Call `f` with every fingerprint held (in table order). */
  forEach(f: (a: number, b: number) => void): void {
    for (let i = 0; i < this.lo.length; i++) {
      const l = this.lo[i] as number;
      const h = this.hi[i] as number;
      if (l !== 0 || h !== 0) f(l, h);
    }
  }

  private grow(): void {
    const { lo, hi } = this;
    this.lo = new Uint32Array(lo.length * 2);
    this.hi = new Uint32Array(lo.length * 2);
    this.count = 0;
    for (let i = 0; i < lo.length; i++) if ((lo[i] as number) !== 0 || (hi[i] as number) !== 0) this.add(lo[i] as number, hi[i] as number);
  }
}
