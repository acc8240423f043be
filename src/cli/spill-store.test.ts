/**
 * Spilling the frontier to disk changes nothing but where the states wait: with a tiny chunk size
 * (every few states written to a file and read back), the search visits the same states, reaches
 * the same depth and finds the same counterexample, and leaves no file behind.
 */

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import { explore } from '../checker/explore.js';
import { DiskSpillStore } from './spill-store.js';

function suite(name: string) {
  const found = SUITES.find((s) => s.name === name);
  if (found === undefined || found.setup === null) throw new Error(name);
  return { ...found, setup: found.setup };
}

describe('explore: the frontier spilled to disk', () => {
  for (const [name, maxStates] of [
    ['delivery.idempotent-in-flight-2', 100_000],
    ['finding.clean-broker-restart-duplicates', 100_000],
    ['replication.acks-all-min-isr-2-no-loss', 3_000],
  ] as const) {
    it(`${name}: the same verdict and counts with 2 KB chunks`, () => {
      const s = { ...suite(name), sought: name.startsWith('replication') ? suite(name).sought : [] };
      const inMemory = explore(s.setup, s.checked, s.sought, { maxStates });
      const store = new DiskSpillStore();
      try {
        const spilled = explore(s.setup, s.checked, s.sought, { maxStates, spill: { store, chunkBytes: 2048 } });
        expect(spilled.verdict).toEqual(inMemory.verdict);
        expect({ unique: spilled.unique, generated: spilled.generated, depth: spilled.depth, witnesses: spilled.witnessStates }).toEqual({
          unique: inMemory.unique,
          generated: inMemory.generated,
          depth: inMemory.depth,
          witnesses: inMemory.witnessStates,
        });
        expect(spilled.storage.spilledBytes ?? 0).toBeGreaterThan(10_000);
        // The levels held in memory stay near the chunk size, where the search without spilling held far more.
        expect(spilled.storage.frontierBytes).toBeLessThan(inMemory.storage.frontierBytes);
      } finally {
        const dir = store.directory;
        store.dispose();
        if (dir !== null) expect(existsSync(dir)).toBe(false);
      }
    });
  }
});
