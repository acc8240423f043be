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

describe('writeFilesWhole', () => {
  it('replaces an older set of the same names, leaving no temporary or set-aside file', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'r.json'), 'old json');
    writeFileSync(join(dir, 'r.md'), 'old md');
    writeFilesWhole([
      [join(dir, 'r.json'), 'new json'],
      [join(dir, 'r.md'), 'new md'],
      [join(dir, 'r.html'), 'new html'],
    ]);
    expect(readdirSync(dir).sort()).toEqual(['r.html', 'r.json', 'r.md']);
    expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe('new json');
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toBe('new md');
  });

  it('a target that is a directory fails the whole set: the older files stay as they were', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'r.json'), 'old json');
    writeFileSync(join(dir, 'r.md'), 'old md');
    mkdirSync(join(dir, 'r.html'));
    expect(() =>
      writeFilesWhole([
        [join(dir, 'r.json'), 'new json'],
        [join(dir, 'r.md'), 'new md'],
        [join(dir, 'r.html'), 'new html'],
        [join(dir, 'r.test.ts'), 'new test'],
      ]),
    ).toThrow(/r\.html exists and is not a file/);
    expect(readdirSync(dir).sort()).toEqual(['r.html', 'r.json', 'r.md']);
    expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe('old json');
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toBe('old md');
  });
});
