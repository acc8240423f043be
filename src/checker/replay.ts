/**
 * Stepping an event list through the model: the one way every command (run, replay, reports,
 * regression tests) turns events into states.
 */

import { resolveConfig } from '../model/config.js';
import type { ConfigInput } from '../model/config.js';
import { traceSetup } from '../model/events.js';
import type { Event, Setup } from '../model/events.js';
import { violatedInvariants } from '../model/invariants.js';
import type { Invariant, InvariantResult } from '../model/invariants.js';
import { initialState, step, whyDisabled } from '../model/system.js';
import type { State } from '../model/types.js';
import { parseEventText } from './trace.js';

export type Stepped =
  | { readonly ok: true; readonly states: readonly State[] }
  | { readonly ok: false; readonly step: number; readonly event: Event; readonly reason: string; readonly states: readonly State[] };

/** Step `events` from the initial state; states[0] is the initial state, states[i] follows events[i-1]. */
export function stepAll(setup: Setup, events: readonly Event[]): Stepped {
  const states: State[] = [];
  const stepped = stepEach(setup, events, (_i, before, after) => {
    if (states.length === 0) states.push(before);
    states.push(after);
  });
  if (states.length === 0) states.push(initialState(setup));
  return stepped.ok ? { ok: true, states } : { ...stepped, states };
}

export type SteppedEach =
  | { readonly ok: true; readonly last: State }
  | { readonly ok: false; readonly step: number; readonly event: Event; readonly reason: string };

/**
 * Step `events` one at a time, calling `visit` with the 0-based index, the state before and the
 * state after each; only those two states are held, so a long trace costs memory for one state.
 */
export function stepEach(setup: Setup, events: readonly Event[], visit: (index: number, before: State, after: State, event: Event) => void = () => {}): SteppedEach {
  let state = initialState(setup);
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as Event;
    const reason = whyDisabled(setup, state, event);
    if (reason !== null) return { ok: false, step: i + 1, event, reason };
    const after = step(setup, state, event);
    visit(i, state, after, event);
    state = after;
  }
  return { ok: true, last: state };
}

/**
 * The first violation of each invariant, watched one state at a time: each violated invariant
 * keeps the state it failed in (to describe it), and nothing else is held.
 */
export class InvariantWatch {
  private readonly first = new Map<string, { readonly at: FirstViolation; readonly state: State }>();

  constructor(readonly invariants: readonly Invariant[]) {}

  /** Check state number `index` (0: the initial state). */
  observe(index: number, state: State): void {
    const open = this.invariants.filter((i) => !this.first.has(i.name));
    if (open.length === 0) return;
    for (const result of violatedInvariants(state, open)) this.first.set(result.invariant, { at: { step: index, results: [result] }, state });
  }

  /** For each invariant in order, its first violation and the state it failed in, or null. */
  verdicts(): { readonly invariant: Invariant; readonly at: FirstViolation | null; readonly state: State | null }[] {
    return this.invariants.map((invariant) => {
      const found = this.first.get(invariant.name);
      return { invariant, at: found?.at ?? null, state: found?.state ?? null };
    });
  }
}

export interface FirstViolation {
  /** 1-based step after which the invariant first failed (0: the initial state). */
  readonly step: number;
  readonly results: readonly InvariantResult[];
}

/** The first state at which any of `invariants` fails, or null. */
export function firstViolation(states: readonly State[], invariants: readonly Invariant[]): FirstViolation | null {
  for (let i = 0; i < states.length; i++) {
    const results = violatedInvariants(states[i] as State, invariants);
    if (results.length > 0) return { step: i, results };
  }
  return null;
}

/** For each invariant, the first step at which it fails (or null when it holds throughout). */
export function verdicts(states: readonly State[], invariants: readonly Invariant[]): { readonly invariant: Invariant; readonly at: FirstViolation | null }[] {
  return invariants.map((invariant) => ({ invariant, at: firstViolation(states, [invariant]) }));
}

/**
 * Replay a scenario given as Kafka settings and events (objects or compact text such as
 * "AppSend(p0)"), for tests and generated regression tests. Throws on a bad config or a step that
 * is not enabled, naming the step.
 */
export function replayScenario(configInput: ConfigInput, events: readonly (Event | string)[]): { readonly setup: Setup; readonly states: readonly State[] } {
  const resolved = resolveConfig(configInput);
  if (!resolved.ok) throw new Error(`config.${resolved.key}: ${resolved.error}`);
  const setup = traceSetup(resolved.config);
  const parsed = events.map((e, i) => (typeof e === 'string' ? parseEventText(`events[${i}]`, e) : e));
  const stepped = stepAll(setup, parsed);
  if (!stepped.ok) throw new Error(`step ${stepped.step} (${stepped.event.kind}) is not enabled: ${stepped.reason}`);
  return { setup, states: stepped.states };
}
