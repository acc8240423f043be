/**
 * Suites: a guarantee stated as data. The config, the faults allowed, the bounds, the invariants
 * that must hold, the witnesses that must be reached, and the expected verdict.
 */

import { resolveConfig } from '../model/config.js';
import type { ConfigInput, ModelConfig } from '../model/config.js';
import { BOUND_HELP, FAULT_TABLE, FAULTS, needsConsumer, OPTIONAL_BOUNDS } from '../model/events.js';
import { needsTxn } from '../model/faults.js';
import type { Bounds, Event, Fault, Setup } from '../model/events.js';
import { invariantByName } from '../model/invariants.js';
import type { Invariant, InvariantName, Violation } from '../model/invariants.js';
import type { State } from '../model/types.js';
import { witnessByName } from '../model/witnesses.js';
import type { Witness, WitnessName } from '../model/witnesses.js';

export type Expectation<I extends string = string> =
  | { readonly verdict: 'holds' }
  | { readonly verdict: 'violated'; readonly invariant: I }
  /** The real client refuses the config: ConfigException with exactly this message. */
  | { readonly verdict: 'rejected'; readonly error: string };

/** A counterexample as a mechanism detector reads it: the config, every event and every state. */
export interface MechanismTrace {
  readonly config: ModelConfig;
  readonly events: readonly Event[];
  /** states[0] is the initial state; states[i] follows events[i-1]. */
  readonly states: readonly State[];
  /** The invariant broken in the last state, and how. */
  readonly invariant: string;
  readonly violations: readonly Violation[];
}

/**
 * How a suite that expects a violation breaks it, so that another counterexample breaking the same
 * invariant the same way can be named after the suite. `shows` reads the trace only (config,
 * events, states with their ghost and counters), never a suite name: a trace it does not clearly
 * show is not named.
 */
export interface Mechanism {
  /** The mechanism, in a clause. */
  readonly how: string;
  readonly shows: (trace: MechanismTrace) => boolean;
}

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
  /** For a suite that shows a violation by a documented mechanism: how to recognise it in a trace. */
  readonly mechanism?: Mechanism;
}

/** A suite with its names resolved and its config validated. */
export interface Suite extends Omit<SuiteDefinition<string, string>, 'mechanism'> {
  /** Null when the config is rejected (then `configError` says why). */
  readonly setup: Setup | null;
  readonly modelConfig: ModelConfig | null;
  readonly configError: string | null;
  /** What Kafka logs for this config (ProducerConfig's INFO lines, e.g. idempotence silently disabled). */
  readonly kafkaLogs: readonly string[];
  readonly checked: readonly Invariant[];
  readonly sought: readonly Witness[];
  readonly mechanism: Mechanism | null;
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
    if (def.mechanism !== undefined) throw new SuiteError(`${where}: a rejected config shows no mechanism`, 'mechanism');
    return { ...def, setup: null, modelConfig: null, configError: resolved.error, kafkaLogs: [], checked: [], sought: [], mechanism: null };
  }
  if (!resolved.ok) throw new SuiteError(`${where}: config.${resolved.key}: ${resolved.error}`, 'config');
  for (const fault of def.faults) {
    if (!FAULTS.includes(fault)) throw new SuiteError(`${where}: unknown fault '${fault}' (faults: ${FAULTS.join(', ')})`, 'faults');
    if (FAULT_TABLE[fault].lossyOnly && resolved.config.network !== 'lossy') {
      throw new SuiteError(`${where}: the ${fault} fault needs network=lossy`, 'faults');
    }
    if (needsConsumer(fault) && resolved.config.consumer === null) throw new SuiteError(`${where}: the ${fault} fault needs a consumer group: set consumer=... (e.g. consumer=process-then-commit)`, 'faults');
    if (needsTxn(fault) && resolved.config.txn === null) throw new SuiteError(`${where}: the ${fault} fault needs a transactional producer: set transactional.id=...`, 'faults');
  }
  for (const key of Object.keys(BOUND_HELP) as (keyof Bounds)[]) {
    const value = def.bounds[key];
    // The optional bounds (consumer, transactional, delayed-produce) may be left out (0).
    if (value === undefined && OPTIONAL_BOUNDS.includes(key)) continue;
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
  if (def.mechanism !== undefined && def.expect.verdict !== 'violated') {
    throw new SuiteError(`${where}: has a mechanism but expects no violation for it to show`, 'mechanism');
  }
  const setup: Setup = { config: resolved.config, faults: def.faults, bounds: def.bounds };
  return { ...def, setup, modelConfig: resolved.config, configError: null, kafkaLogs: resolved.notes, checked, sought, mechanism: def.mechanism ?? null };
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
