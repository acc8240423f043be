/**
 * Every suite, in the order `idemcheck check` runs them (and in which a counterexample's known
 * mechanism is looked up). Each file states one guarantee (or one failure of it) and builds its
 * suites once, with the detector of the mechanism each shows: pure declarations, no vitest, so
 * the CLI imports the same suites.
 */

import type { Suite } from '../src/checker/suite.js';
import configValidation from './config-validation.js';
import consumer from './consumer.js';
import deliveryLevels from './delivery-levels.js';
import findings from './findings.js';
import mutants from './mutants.js';
import ordering from './ordering.js';
import producerRestart from './producer-restart.js';
import replication from './replication.js';
import transactions, { REACHED_BY_TRACE } from './transactions.js';

export const SUITES: readonly Suite[] = [
  ...deliveryLevels,
  ...producerRestart,
  ...replication,
  ...ordering,
  ...findings,
  ...consumer,
  ...configValidation,
  ...mutants,
  ...transactions,
];

const seen = new Set<string>();
for (const suite of [...SUITES, ...REACHED_BY_TRACE]) {
  if (seen.has(suite.name)) throw new Error(`two suites are named ${suite.name}`);
  seen.add(suite.name);
}

/** Suites `check` does not run: their counterexample is reached by a hand-written trace (`run --trace`). */
export { REACHED_BY_TRACE };

export function suiteByName(name: string): Suite | undefined {
  return SUITES.find((s) => s.name === name);
}

/** A suite `check` runs, or one reached only by a hand-written trace (transactions.ts REACHED_BY_TRACE); null if none. */
export function findSuite(name: string): Suite | null {
  return suiteByName(name) ?? REACHED_BY_TRACE.find((s) => s.name === name) ?? null;
}
