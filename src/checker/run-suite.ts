/**
 * Random exploration of a suite with fast-check, shrinking, and a final minimisation pass.
 *
 * Each fast-check command is one thin `ChooseEvent(choice)`: it takes the `choice`-th event
 * (modulo their number) among those the model says are enabled in the current state. Generating
 * from the enabled events keeps every run full length (uniformly drawn commands would mostly be
 * skipped), and an index keeps meaning something after shrinking removes earlier commands.
 * The commands hold no Kafka logic: enabling, stepping and invariants all come from src/model.
 */

import fc from 'fast-check';
import { DELAYED_PRODUCE_KINDS, drawnRarely, EVENT_KINDS, isConsumerKind, isTxnKind } from '../model/events.js';
import { KIND_GATES, kindOn } from '../model/faults.js';
import type { Event, EventKind, Setup } from '../model/events.js';
import { violatedInvariants } from '../model/invariants.js';
import type { Invariant, InvariantResult } from '../model/invariants.js';
import { enabledEvents, initialState, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';
import { formatEvent } from '../model/event-text.js';
import { livenessInvariant } from './liveness.js';
import { minimizeEvents } from './minimize.js';
import type { Suite } from './suite.js';

export class InvariantViolation extends Error {
  constructor(readonly results: readonly InvariantResult[]) {
    super(`invariant violated: ${results.map((r) => r.invariant).join(', ')}`);
  }
}

/** The one mutable box of a run: the model state and the events taken so far. */
export interface Harness {
  readonly setup: Setup;
  readonly invariants: readonly Invariant[];
  readonly profile: SwarmProfile;
  state: State;
  enabled: readonly Event[] | null;
  readonly events: Event[];
  /** What this run did at each step, kept so that a later run can retrace it (Path). */
  readonly path: PathSteps;
  /** A failing run this one has retraced so far, step for step; null once it took another step. */
  follows: Path | null;
}

/** Per step k of a run: the choice taken, the state after it, the enabled events there, its violations. */
interface PathSteps {
  readonly choices: number[];
  /** states[0] is the initial state; states[k + 1] the state after step k. */
  readonly states: State[];
  /** enabled[k]: the events enabled in states[k], where they were computed. */
  readonly enabled: (readonly Event[] | undefined)[];
  readonly results: (readonly InvariantResult[])[];
}

/**
 * A failing run's steps under its swarm draw. Shrinking replays candidates cut from the failing
 * run: each begins with steps that run took. The model is pure, so the same choices from the same
 * state under the same draw take the same events to the same states: a run retraces them from
 * here instead of stepping and checking them again, and steps anew from where it departs.
 */
interface Path extends PathSteps {
  readonly profile: SwarmProfile;
  readonly events: readonly Event[];
}

function sameProfile(a: SwarmProfile, b: SwarmProfile): boolean {
  return a === b || EVENT_KINDS.every((k) => a[k] === b[k]);
}

function newHarness(setup: Setup, invariants: readonly Invariant[], profile: SwarmProfile, retrace: Path | null = null): Harness {
  const follows = retrace !== null && sameProfile(retrace.profile, profile) ? retrace : null;
  const state = follows?.states[0] ?? initialState(setup);
  return { setup, invariants, profile, state, enabled: null, events: [], path: { choices: [], states: [state], enabled: [], results: [] }, follows };
}

function enabledIn(h: Harness): readonly Event[] {
  if (h.enabled === null) {
    const k = h.events.length;
    h.enabled = h.follows?.enabled[k] ?? enabledEvents(h.setup, h.state);
    h.path.enabled[k] = h.enabled;
  }
  return h.enabled;
}

/** The run's steps, for later runs to retrace. */
function pathOf(h: Harness): Path {
  return { ...h.path, profile: h.profile, events: h.events };
}

/** Choices are drawn from 0..CHOICES-1 and mapped onto the enabled events by weight. */
export const CHOICES = 1024;
const FAULT_WEIGHT = 1;
const PROGRESS_WEIGHT = 4;

/**
 * Swarm testing (Groce et al., ISSTA 2012; TigerBeetle's `options_swarm`, FoundationDB's
 * buggify): a run draws a multiplier per event kind, so that some runs favour, say, sending over
 * receiving and reach deep interleavings (six requests in flight) that a uniform mix almost never
 * does. The draw is part of fast-check's generated value: replay and shrinking cover it, and
 * shrinking moves it towards the plain mix (every multiplier 1). Each counterexample carries the
 * draw it was found under.
 */
export type SwarmProfile = Readonly<Record<EventKind, number>>;

export const PLAIN_PROFILE: SwarmProfile = Object.fromEntries(EVENT_KINDS.map((k) => [k, 1])) as unknown as SwarmProfile;

/**
 * How runs weigh event kinds (the benchmark's "swarm against fixed" table compares them on every
 * suite that expects a counterexample):
 * - `fixed`: PLAIN_PROFILE in every run;
 * - `swarm`: each run draws a multiplier 1, 4 or 16 per kind;
 * - `swarm-off`: as `swarm`, and each fault kind is also off (0) in a quarter of the runs, Groce's
 *   "which features are enabled";
 * - `mixed` (the default): each run plain or a `swarm` draw, half and half. Plain runs find most
 *   counterexamples in the fewest runs; the swarm half keeps what only skewed runs reach (six
 *   requests in flight, an unclean election after the ISR shrank);
 * - `mostly-plain`: three runs in four plain, the fourth a `swarm` draw.
 */
export type ProfileMode = 'fixed' | 'swarm' | 'swarm-off' | 'mixed' | 'mostly-plain';
export const PROFILE_MODES: readonly ProfileMode[] = ['mixed', 'fixed', 'swarm', 'swarm-off', 'mostly-plain'];
export const DEFAULT_PROFILE_MODE: ProfileMode = 'mixed';

/** Multipliers a kind may draw; under `swarm-off` a fault kind may also draw 0 (off for the run). */
const RATES = [1, 4, 16] as const;

/** Kinds a fault gates: one fault each (reordering, a fault only for out-of-order reads, is left out). */
function isFaultKind(kind: EventKind): boolean {
  return (KIND_GATES[kind]?.fault ?? null) !== null;
}

/**
 * Whether a setup can take a kind: without a consumer group the consumer kinds are left out,
 * without transactional.id the transactional ones, and without the delayed-produce fault its two
 * kinds, so that a suite draws no values for them (and the seeds of the suites before them keep
 * their meaning). So is BrokerCompleteMarker with one replica, where a marker's HW passes it at
 * its append and it never waits.
 */
function takesKind(setup: Setup, kind: EventKind): boolean {
  if (kind === 'BrokerCompleteMarker' && setup.config.topic.replicationFactor === 1) return false;
  return (
    (setup.config.consumer !== null || !isConsumerKind(kind)) &&
    (setup.config.txn !== null || !isTxnKind(kind)) &&
    (setup.faults.includes('delayed-produce') || !DELAYED_PRODUCE_KINDS.includes(kind))
  );
}

/** The profile of a setup: a multiplier per kind it can take; kinds left out weigh 1. */
function swarmProfileFor(setup: Setup, mode: ProfileMode): fc.Arbitrary<SwarmProfile> {
  if (mode === 'fixed') return fc.constant(PLAIN_PROFILE);
  const kinds = EVENT_KINDS.filter((k) => takesKind(setup, k));
  const offToo = mode === 'swarm-off';
  const drawn = fc.record(
    Object.fromEntries(kinds.map((k) => [k, offToo && isFaultKind(k) ? fc.constantFrom(...RATES, 0) : fc.constantFrom(...RATES)])) as unknown as Record<EventKind, fc.Arbitrary<number>>,
  );
  if (mode !== 'mixed' && mode !== 'mostly-plain') return drawn;
  // fc.oneof shrinks towards its first arbitrary: the plain profile.
  return fc.oneof({ arbitrary: fc.constant(PLAIN_PROFILE), weight: mode === 'mixed' ? 1 : 3 }, { arbitrary: drawn, weight: 1 });
}

/**
 * A run's draw as a report prints it: the multiplier of each kind the setup can take (0: the fault
 * is off in this run), in the model's order of kinds.
 */
export function swarmDraw(setup: Setup, profile: SwarmProfile): Readonly<Partial<Record<EventKind, number>>> {
  return Object.fromEntries(EVENT_KINDS.filter((k) => kindOn(setup, k) && takesKind(setup, k)).map((k) => [k, profile[k] ?? 1]));
}

function weightOf(event: Event, profile: SwarmProfile): number {
  return (drawnRarely(event) ? FAULT_WEIGHT : PROGRESS_WEIGHT) * (profile[event.kind] ?? 1);
}

/**
 * Map a choice onto the enabled events by weight: protocol progress weighs four times a fault
 * (so runs are not spent mostly on timeouts), times the run's swarm multiplier. Choice 0 is the
 * first enabled event, which is what shrinking moves towards.
 */
export function pickWeighted(enabled: readonly Event[], choice: number, profile: SwarmProfile = PLAIN_PROFILE): Event {
  let total = 0;
  for (const e of enabled) total += weightOf(e, profile);
  let target = Math.floor((choice * total) / CHOICES);
  for (const e of enabled) {
    target -= weightOf(e, profile);
    if (target < 0) return e;
  }
  return enabled[enabled.length - 1] as Event;
}

export class ChooseEvent implements fc.Command<Harness, null> {
  private label: string;
  constructor(readonly choice: number) {
    this.label = `choose #${choice}`;
  }

  /** Enabled when some enabled event weighs more than 0 (a fault the run's draw turned off weighs 0). */
  check(h: Readonly<Harness>): boolean {
    return enabledIn(h as Harness).some((e) => weightOf(e, h.profile) > 0);
  }

  run(h: Harness): void {
    const k = h.events.length;
    const retraced = h.follows !== null && h.follows.choices[k] === this.choice ? h.follows : null;
    h.follows = retraced;
    const event = retraced?.events[k] ?? pickWeighted(enabledIn(h), this.choice, h.profile);
    this.label = formatEvent(event);
    h.state = retraced?.states[k + 1] ?? stepEnabled(h.setup, h.state, event);
    h.enabled = null;
    h.events.push(event);
    const results = retraced?.results[k] ?? violatedInvariants(h.state, h.invariants);
    h.path.choices.push(this.choice);
    h.path.states.push(h.state);
    h.path.results.push(results);
    if (results.length > 0) throw new InvariantViolation(results);
  }

  toString(): string {
    return this.label;
  }
}

export interface RunOptions {
  readonly seed: number;
  readonly runs: number;
  /** Override the suite's eventsMax. */
  readonly maxSteps?: number;
  /** fast-check's counterexample path, to replay a known failure. */
  readonly path?: string;
  readonly replayPath?: string;
  /**
   * Bounded liveness (liveness.ts), as TigerBeetle's simulator runs it: each run is the safety
   * phase, and from its last state a liveness phase with no fault must settle.
   */
  readonly liveness?: boolean;
  /** How runs weigh event kinds (default DEFAULT_PROFILE_MODE). */
  readonly profile?: ProfileMode;
  /**
   * Stop at the first failing run and report its events as found: no shrinking, no minimisation
   * (the benchmark's runs to the first counterexample).
   */
  readonly endOnFailure?: boolean;
  /** Called after each exploratory run (not during shrinking) with the number of runs done. */
  readonly onRun?: (done: number) => void;
}

export interface Counterexample {
  /** The minimal event list: replaying it reaches the violation. */
  readonly events: readonly Event[];
  readonly results: readonly InvariantResult[];
  /** The invariant that failed first, before shrinking (it may differ from the shrunk one). */
  readonly firstFailure: string;
  /** Length of the trace fast-check first found, after its shrinking, and after our pass. */
  readonly foundLength: number;
  readonly shrunkLength: number;
  readonly path: string;
  readonly replayPath: string | null;
  readonly numShrinks: number;
  /** Run number (1-based) on which the first failure was found. */
  readonly failingRun: number;
  /** The swarm draw the reported trace was found under (swarmDraw; every multiplier 1 for a plain run), or null with the fixed profile. */
  readonly swarm: Readonly<Partial<Record<EventKind, number>>> | null;
}

export interface SuiteResult {
  readonly suite: string;
  readonly seed: number;
  readonly runs: number;
  readonly eventsMax: number;
  readonly verdict: 'holds' | 'violated' | 'rejected';
  readonly counterexample: Counterexample | null;
  /** ConfigException's message when the suite's config is rejected. */
  readonly configError: string | null;
  /** How often each event kind was taken in exploratory runs. */
  readonly eventCounts: Readonly<Partial<Record<EventKind, number>>>;
  /** In how many exploratory runs each declared witness was reached. */
  readonly witnessRuns: Readonly<Record<string, number>>;
  readonly steps: number;
  readonly ms: number;
  /** Time until the first failing run ended (before shrinking); null when nothing failed. */
  readonly msToFirstFailure: number | null;
}

function setupWithSteps(setup: Setup, maxSteps: number | undefined): Setup {
  return maxSteps === undefined ? setup : { ...setup, bounds: { ...setup.bounds, eventsMax: maxSteps } };
}

export interface Judgement {
  readonly asExpected: boolean;
  /** What happened, in a few words: "holds", "violates NoDuplicateRecord", "ConfigException". */
  readonly got: string;
  /** Why it is not as expected, when it is not. */
  readonly problem: string | null;
}

/** Compare a suite's result with what the suite expects. */
export function judge(suite: Suite, result: SuiteResult): Judgement {
  const violated = result.counterexample?.results[0]?.invariant ?? null;
  const got = result.verdict === 'holds' ? 'holds' : result.verdict === 'rejected' ? 'ConfigException' : `violates ${violated}`;
  const expect = suite.expect;
  if (expect.verdict === 'rejected') {
    if (result.verdict !== 'rejected') return { asExpected: false, got, problem: 'the config was accepted' };
    if (result.configError !== expect.error) return { asExpected: false, got, problem: `ConfigException says "${result.configError}"` };
    return { asExpected: true, got, problem: null };
  }
  if (expect.verdict === 'violated') {
    if (violated === expect.invariant) return { asExpected: true, got, problem: null };
    return { asExpected: false, got, problem: violated === null ? `no run violated ${expect.invariant}` : `${violated} failed instead` };
  }
  if (result.verdict !== 'holds') return { asExpected: false, got, problem: `counterexample for ${violated}` };
  const missing = suite.sought.filter((w) => (result.witnessRuns[w.name] ?? 0) === 0).map((w) => w.name);
  if (missing.length > 0) return { asExpected: false, got, problem: `never reached: ${missing.join(', ')}` };
  return { asExpected: true, got, problem: null };
}

/** fast-check prints a commands value as `/*replayPath="..."*\/cmd,cmd`: take the path back out. */
function replayPathOf(counterexample: unknown): string | null {
  const match = /replayPath="([^"]*)"/.exec(fc.stringify(counterexample));
  return match?.[1] ?? null;
}

export function runSuite(suite: Suite, options: RunOptions): SuiteResult {
  const started = performance.now();
  if (suite.setup === null) {
    return {
      suite: suite.name,
      seed: options.seed,
      runs: 0,
      eventsMax: 0,
      verdict: 'rejected',
      counterexample: null,
      configError: suite.configError,
      eventCounts: {},
      witnessRuns: {},
      steps: 0,
      ms: performance.now() - started,
      msToFirstFailure: null,
    };
  }
  const setup = setupWithSteps(suite.setup, options.maxSteps);
  const eventsMax = setup.bounds.eventsMax;
  const live = options.liveness === true ? livenessInvariant(setup) : null;
  const eventCounts: Partial<Record<EventKind, number>> = {};
  const witnessRuns: Record<string, number> = Object.fromEntries(suite.sought.map((w) => [w.name, 0]));
  let exploring = true;
  let runsDone = 0;
  let steps = 0;
  let firstFailure = '';
  let foundLength = 0;
  let msToFirstFailure: number | null = null;

  const record = (h: Harness, failed: InvariantViolation | null): void => {
    if (!exploring) return;
    runsDone += 1;
    steps += h.events.length;
    for (const e of h.events) eventCounts[e.kind] = (eventCounts[e.kind] ?? 0) + 1;
    for (const w of suite.sought) if (w.holds(h.state)) witnessRuns[w.name] = (witnessRuns[w.name] ?? 0) + 1;
    if (failed !== null) {
      exploring = false;
      msToFirstFailure = performance.now() - started;
      firstFailure = failed.results[0]?.invariant ?? '';
      foundLength = h.events.length;
    }
    options.onRun?.(runsDone);
  };

  const commands = fc.commands([fc.nat({ max: CHOICES - 1 }).map((n) => new ChooseEvent(n))], {
    size: 'max',
    maxCommands: eventsMax,
    ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath }),
  });
  const mode = options.profile ?? DEFAULT_PROFILE_MODE;
  /** The last failing run: while shrinking, the one the candidates are cut from. */
  let lastFailing: Path | null = null;
  const property = fc.property(swarmProfileFor(setup, mode), commands, (profile, cmds) => {
    const h = newHarness(setup, suite.checked, profile, lastFailing);
    try {
      fc.modelRun(() => ({ model: h, real: null }), cmds);
      if (live !== null) livenessPhase(h, live);
    } catch (error) {
      if (error instanceof InvariantViolation) lastFailing = pathOf(h);
      record(h, error instanceof InvariantViolation ? error : null);
      throw error;
    }
    record(h, null);
  });
  const details = fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.path !== undefined || options.endOnFailure === true ? { endOnFailure: true } : {}),
  });

  const base = {
    suite: suite.name,
    seed: options.seed,
    runs: runsDone,
    eventsMax,
    eventCounts,
    witnessRuns,
    steps,
    configError: null,
  };
  if (!details.failed) return { ...base, verdict: 'holds', counterexample: null, ms: performance.now() - started, msToFirstFailure };
  if (!(details.errorInstance instanceof InvariantViolation) || details.counterexample === null) {
    // Anything but an invariant violation is a bug in the model or the checker: let it surface.
    throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  }
  const [profile, cmds] = details.counterexample;
  const shrunk = eventsOf(setup, suite.checked, profile, cmds, live);
  const minimal = options.endOnFailure === true ? shrunk : minimizeEvents(setup, live === null ? suite.checked : [...suite.checked, live], shrunk.events, shrunk.results[0]?.invariant ?? '');
  return {
    ...base,
    verdict: 'violated',
    counterexample: {
      events: minimal.events,
      results: minimal.results,
      firstFailure,
      foundLength,
      shrunkLength: shrunk.events.length,
      path: details.counterexamplePath ?? '',
      replayPath: replayPathOf(cmds),
      numShrinks: details.numShrinks,
      failingRun: runsDone,
      swarm: mode === 'fixed' ? null : swarmDraw(setup, profile),
    },
    ms: performance.now() - started,
    msToFirstFailure,
  };
}

/** The liveness phase after a run: throws InvariantViolation when it does not settle. */
function livenessPhase(h: Harness, live: Invariant): void {
  const violations = live.check(h.state);
  if (violations.length > 0) throw new InvariantViolation([{ invariant: live.name, violations }]);
}

/** Re-run a command list (as fc.modelRun would) and return the events it takes and its violation. */
function eventsOf(
  setup: Setup,
  invariants: readonly Invariant[],
  profile: SwarmProfile,
  cmds: Iterable<fc.Command<Harness, null>>,
  live: Invariant | null,
): { events: readonly Event[]; results: readonly InvariantResult[] } {
  const h = newHarness(setup, invariants, profile);
  try {
    for (const cmd of cmds) {
      if (!cmd.check(h)) continue;
      cmd.run(h, null);
    }
    if (live !== null) livenessPhase(h, live);
  } catch (error) {
    if (error instanceof InvariantViolation) return { events: h.events, results: error.results };
    throw error;
  }
  throw new Error('checker bug: the shrunk counterexample does not fail when re-run');
}
