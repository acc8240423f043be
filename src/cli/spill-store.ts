/**
 * The explorer's spill store on disk (explore.ts `SpillStore`): each chunk of encoded frontier
 * states one file in a fresh directory under the system's temporary directory, read back once and
 * removed; `dispose` removes the directory, also after a search that stopped early.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpillStore } from '../checker/explore.js';

export class DiskSpillStore implements SpillStore {
  private dir: string | null = null;
  private chunks = 0;
  /** Bytes on disk now, and at most. */
  held = 0;
  peak = 0;

  constructor(private readonly parent: string = tmpdir()) {}

  /** The directory the chunks are in (made on the first chunk), or null before it. */
  get directory(): string | null {
    return this.dir;
  }

  put(bytes: Uint8Array): number {
    this.dir ??= mkdtempSync(join(this.parent, 'idemcheck-frontier-'));
    const handle = this.chunks++;
    writeFileSync(join(this.dir, `${handle}.bin`), bytes);
    this.held += bytes.length;
    this.peak = Math.max(this.peak, this.held);
    return handle;
  }

  take(handle: number): Uint8Array {
    if (this.dir === null) throw new Error(`explorer bug: no spilled chunk ${handle}`);
    const path = join(this.dir, `${handle}.bin`);
    const bytes = readFileSync(path);
    rmSync(path);
    this.held -= bytes.length;
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  dispose(): void {
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.held = 0;
  }
}
