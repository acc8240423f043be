/**
 * Suites: a guarantee stated as data. The config, the faults allowed, the bounds, the invariants
 * that must hold, the witnesses that must be reached, and the expected verdict.
 */

import { resolveConfig } from '../model/config.js';
import type { ConfigInput, ModelConfig } from '../model/config.js';
import { BOUND_HELP, FAULT_TABLE, FAULTS } from '../model/events.js';
import type { Bounds, Fault, Setup } from '../model/events.js';
import { invariantByName } from '../model/invariants.js';
import type { Invariant, InvariantName } from '../model/invariants.js';
import { witnessByName } from '../model/witnesses.js';
import type { Witness, WitnessName } from '../model/witnesses.js';

export type Expectation<I extends string = string> =
  | { readonly verdict: 'holds' }
  | { readonly verdict: 'violated'; readonly invariant: I }
  /** The real client refuses the config: ConfigException with exactly this message. */
  | { readonly verdict: 'rejected'; readonly error: string };

/**
 * A suite as data. Its invariant and witness names are checked by the compiler (a misspelt name
 * in properties/ does not compile); an ad-hoc suite built from command-line names is a
 * `SuiteDefinition<string, string>`, checked by `defineSuite` instead.
 */
export interface SuiteDefinition<I extends string = InvariantName, W extends string = WitnessName> {
  readonly name: string;
  /** One sentence: the guarantee, or the failure, the suite demonstrates. */
  readonly claim: string;
  /** Kafka settings and the model's own keys, as a user writes them. */
  readonly config: ConfigInput;
  readonly faults: readonly Fault[];
  readonly bounds: Bounds;
  /** Invariant names checked after every step. */
  readonly invariants: readonly I[];
  /** Witness names that the runs must reach. */
  readonly witnesses: readonly W[];
  readonly expect: Expectation<I>;
  /** Default number of random runs. */
  readonly runs: number;
}

/** A suite with its names resolved and its config validated. */
export interface Suite extends SuiteDefinition<string, string> {
  /** Null when the config is rejected (then `configError` says why). */
  readonly setup: Setup | null;
  readonly modelConfig: ModelConfig | null;
  readonly configError: string | null;
  readonly checked: readonly Invariant[];
  readonly sought: readonly Witness[];
}

/** A problem in a suite definition; `field` names the definition's field it is about. */
export class SuiteError extends Error {
  constructor(
    message: string,
    readonly field: keyof SuiteDefinition | null = null,
  ) {
    super(message);
  }
}

/** Resolve names and validate a suite definition; throws SuiteError naming the field. */
export function defineSuite(def: SuiteDefinition<string, string>): Suite {
  const where = `suite ${def.name}`;
  const resolved = resolveConfig(def.config);
  if (def.expect.verdict === 'rejected') {
    if (resolved.ok) throw new SuiteError(`${where}: expects the config to be rejected, but it is accepted`);
    return { ...def, setup: null, modelConfig: null, configError: resolved.error, checked: [], sought: [] };
  }
  if (!resolved.ok) throw new SuiteError(`${where}: config.${resolved.key}: ${resolved.error}`, 'config');
  for (const fault of def.faults) {
    if (!FAULTS.includes(fault)) throw new SuiteError(`${where}: unknown fault '${fault}' (faults: ${FAULTS.join(', ')})`, 'faults');
    if (FAULT_TABLE[fault].lossyOnly && resolved.config.network !== 'lossy') {
      throw new SuiteError(`${where}: the ${fault} fault needs network=lossy`, 'faults');
    }
  }
  for (const key of Object.keys(BOUND_HELP) as (keyof Bounds)[]) {
    const value = def.bounds[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new SuiteError(`${where}: bounds.${key} must be a non-negative integer`, 'bounds');
    }
  }
  const checked = def.invariants.map((name) => {
    const invariant = invariantByName(name);
    if (invariant === undefined) throw new SuiteError(`${where}: unknown invariant '${name}'`, 'invariants');
    return invariant;
  });
  const sought = def.witnesses.map((name) => {
    const witness = witnessByName(name);
    if (witness === undefined) throw new SuiteError(`${where}: unknown witness '${name}'`, 'witnesses');
    return witness;
  });
  if (def.expect.verdict === 'violated' && !def.invariants.includes(def.expect.invariant)) {
    throw new SuiteError(`${where}: expects ${def.expect.invariant} violated, but ${def.expect.invariant} is not among the invariants checked (${def.invariants.join(', ') || 'none'})`, 'expect');
  }
  if (checked.length === 0) throw new SuiteError(`${where}: checks no invariant`, 'invariants');
  const setup: Setup = { config: resolved.config, faults: def.faults, bounds: def.bounds };
  return { ...def, setup, modelConfig: resolved.config, configError: null, checked, sought };
}

export function describeExpectation(expect: Expectation): string {
  switch (expect.verdict) {
    case 'holds':
      return 'holds';
    case 'violated':
      return `violates ${expect.invariant}`;
    case 'rejected':
      return 'ConfigException';
  }
}
