/**
 * Every suite, in the order `idemcheck check` runs them. Each file states one guarantee (or one
 * failure of it) and holds pure declarations: no vitest, so the CLI imports the same definitions.
 */

import { defineSuite } from '../src/checker/suite.js';
import type { Suite, SuiteDefinition } from '../src/checker/suite.js';
import configValidation from './config-validation.js';
import deliveryLevels from './delivery-levels.js';
import findings from './findings.js';
import mutants from './mutants.js';
import ordering from './ordering.js';
import producerRestart from './producer-restart.js';
import replication from './replication.js';

export const DEFINITIONS: readonly SuiteDefinition[] = [
  ...deliveryLevels,
  ...producerRestart,
  ...replication,
  ...ordering,
  ...findings,
  ...configValidation,
  ...mutants,
];

export const SUITES: readonly Suite[] = DEFINITIONS.map(defineSuite);

export function suiteByName(name: string): Suite | undefined {
  return SUITES.find((s) => s.name === name);
}
