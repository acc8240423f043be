/**
 * Running the CLI for the end-to-end tests. `idemcheck` runs it as a user does: `node
 * bin/idemcheck.js ...` in a child process, from the project's directory, with the default seed.
 * `idemcheckInProcess` calls the same entry, main(), in the test's process with stdout and stderr
 * captured: what bin/ does minus starting node and loading the CLI (about 0.3 s a call), for the
 * many checks of what one invocation prints and returns. Each kind of exit keeps real spawns.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { main } from './main.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin', 'idemcheck.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function idemcheck(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FC_SEED: '' } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

type Write = typeof process.stdout.write;

/**
 * main(args) in this process, from the project's directory, as bin/idemcheck.js runs it: its exit
 * code, and what it wrote to stdout and stderr (console and the streams, neither a terminal).
 * An exception main() lets through is thrown here (the binary would die with exit 1).
 */
export async function idemcheckInProcess(...args: string[]): Promise<CliResult> {
  if (process.cwd() !== ROOT.replace(/\/$/, '')) throw new Error(`idemcheckInProcess runs from ${ROOT}, the tests run from ${process.cwd()}`);
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, info: console.info, debug: console.debug, warn: console.warn, error: console.error };
  const streams = [
    { stream: process.stdout, to: out, write: process.stdout.write, tty: Object.getOwnPropertyDescriptor(process.stdout, 'isTTY') },
    { stream: process.stderr, to: err, write: process.stderr.write, tty: Object.getOwnPropertyDescriptor(process.stderr, 'isTTY') },
  ];
  const seed = process.env.FC_SEED;
  console.log = console.info = console.debug = (...a: unknown[]) => void out.push(`${format(...a)}\n`);
  console.warn = console.error = (...a: unknown[]) => void err.push(`${format(...a)}\n`);
  for (const { stream, to } of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      to.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (done !== undefined) queueMicrotask(done);
      return true;
    }) as Write;
    Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  }
  process.env.FC_SEED = '';
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    Object.assign(console, saved);
    for (const { stream, write, tty } of streams) {
      stream.write = write;
      if (tty === undefined) delete (stream as { isTTY?: boolean }).isTTY;
      else Object.defineProperty(stream, 'isTTY', tty);
    }
    if (seed === undefined) delete process.env.FC_SEED;
    else process.env.FC_SEED = seed;
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'idemcheck-cli-'));
}
