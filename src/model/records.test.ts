/**
 * records.ts exists so that each record type of the state has one V8 hidden class (a bare spread
 * gives objects a new one per source shape, and reads of them go megamorphic: steps were about
 * 3x slower). This checks it on states from seeded random walks. Speed itself is measured by
 * `npm run bench`, not here; this guards the cause.
 */

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = fileURLToPath(new URL('../../bench/records-probe.ts', import.meta.url));

describe('Record shapes', () => {
  it('every record type of the state keeps one hidden class along random walks', () => {
    // From the project root, where `--import tsx` resolves, whatever directory the tests run from.
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', PROBE], { encoding: 'utf8', cwd: ROOT });
    const result = JSON.parse(out) as Record<string, { shapes: number; records: number }>;
    const types = Object.keys(result);
    expect(types.length).toBe(16);
    for (const type of types) {
      const { shapes, records } = result[type] as { shapes: number; records: number };
      // Each type must actually occur, or the check says nothing about it.
      expect(records, type).toBeGreaterThan(1000);
      expect(shapes, `${type}: ${shapes} hidden classes`).toBe(1);
    }
  }, 60_000);
});
