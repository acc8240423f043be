/**
 * Test setup: one fixed fast-check seed for the whole run (overridable with FC_SEED), so a red
 * build reproduces anywhere, and console output from library code fails the test that made it.
 */
import fc from 'fast-check';
import { beforeEach, vi } from 'vitest';
import { seedFromEnvironment } from './src/checker/seed.js';

fc.configureGlobal({ seed: seedFromEnvironment(process.env) });

beforeEach(() => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      throw new Error(`console.${method} called in a test: ${args.map(String).join(' ')}`);
    });
  }
});
