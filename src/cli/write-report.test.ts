/**
 * Report files are written whole or not at all: a failure leaves the directory as it was.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFilesWhole } from './write-report.js';

const dirs: string[] = [];
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'idemcheck-write-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding an older r.json and r.md. */
function withOldSet(): string {
  const dir = scratchDir();
  writeFileSync(join(dir, 'r.json'), 'old json');
  writeFileSync(join(dir, 'r.md'), 'old md');
  return dir;
}

function expectOldSet(dir: string): void {
  expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe('old json');
  expect(readFileSync(join(dir, 'r.md'), 'utf8')).toBe('old md');
}

/** Write a new set of the named files in `dir`, each holding "new <its extension>". */
function writeNew(dir: string, names: readonly string[]): void {
  writeFilesWhole(names.map((name) => [join(dir, name), `new ${name.slice(name.indexOf('.') + 1)}`] as const));
}

describe('writeFilesWhole', () => {
  it('replaces an older set of the same names, leaving no temporary or set-aside file', () => {
    const dir = withOldSet();
    writeNew(dir, ['r.json', 'r.md', 'r.html']);
    expect(readdirSync(dir).sort()).toEqual(['r.html', 'r.json', 'r.md']);
    expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe('new json');
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toBe('new md');
  });

  it('a rename that fails half-way is undone: the older files are put back and nothing new is left', () => {
    const dir = withOldSet();
    // r.json is set aside first; setting r.md aside then fails, on a non-empty directory in the way.
    mkdirSync(join(dir, `r.md.old-${process.pid}`));
    writeFileSync(join(dir, `r.md.old-${process.pid}`, 'x'), '');
    expect(() => writeNew(dir, ['r.json', 'r.md', 'r.html'])).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['r.json', 'r.md', `r.md.old-${process.pid}`]);
    expectOldSet(dir);
  });

  it('a target that is a directory fails the whole set: the older files stay as they were', () => {
    const dir = withOldSet();
    mkdirSync(join(dir, 'r.html'));
    expect(() => writeNew(dir, ['r.json', 'r.md', 'r.html', 'r.test.ts'])).toThrow(/r\.html exists and is not a file/);
    expect(readdirSync(dir).sort()).toEqual(['r.html', 'r.json', 'r.md']);
    expectOldSet(dir);
  });
});
