/**
 * Bounded liveness, as TigerBeetle's simulator checks it: after a safety phase with faults, a
 * liveness phase in which no fault is injected any more (crashed brokers restart, followers
 * catch up, nothing is lost) must reach quiescence within a step budget: every send resolved
 * (acknowledged or failed) and no partition left unable to drain (no unresolved sequence, no
 * epoch bump pending). The application sends nothing new in that phase; timers still fire.
 *
 * `settle` runs the liveness phase from a state with one fair, deterministic schedule (a
 * low-discrepancy walk over the enabled events, so that no enabled event starves). As an
 * invariant (`livenessInvariant`) it is checked after every step of a run or on every state the
 * explorer visits: every state is a possible "last fault". It fails when no event is enabled
 * before quiescence (a deadlock, which no schedule escapes) or when the budget runs out.
 */

import type { Event, Setup } from '../model/events.js';
import type { Fault } from '../model/faults.js';
import type { Invariant, Violation } from '../model/invariants.js';
import { enabledEvents, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';

export const LIVENESS_NAME = 'EventuallySettled';

export const LIVENESS_CLAIM =
  'Once faults stop, every send resolves (acknowledged or failed) and no partition is left unable to drain, within a bounded number of steps.';

export const LIVENESS_WHY =
  'A producer that never completes a send, or a partition that never drains again (an unresolved sequence that never resolves), ' +
  'breaks no safety invariant and is still a failure. Kafka promises a callback for every send within delivery.timeout.ms; ' +
  'timers still run in the liveness phase (time passes), faults are no longer injected.';

/** Steps the liveness phase may take before it counts as not settling. */
export const DEFAULT_LIVENESS_BUDGET = 400;

/** Quiescent: nothing pending, nothing for the Sender's prologue to resolve. */
export function settled(state: State): boolean {
  for (const send of state.ghost.sends) if (send.outcome === 'pending') return false;
  const producer = state.producer;
  return !producer.epochBumpRequired && producer.unresolved.every((u) => u < 0);
}

/**
 * The liveness phase's setup: no fault is injected and nothing is bounded. Timers are not faults:
 * `late` turns on the producer's delivery and request timeouts and the broker's purgatory timeout
 * (time passing), which Kafka always runs; on a lossy network a dropped message is only ever
 * noticed by the request timeout.
 */
export function quietSetup(setup: Setup, late: boolean): Setup {
  const timers: Fault[] = late ? ['delivery-timeout', 'request-timeout'] : [];
  const bounds = { ...setup.bounds, eventsMax: Number.POSITIVE_INFINITY, lostMessagesMax: Number.POSITIVE_INFINITY };
  return { ...setup, faults: timers, bounds };
}

const GOLDEN = 0.6180339887498949;

export interface Settling {
  readonly settled: boolean;
  /** No event was enabled before quiescence. */
  readonly stuck: boolean;
  readonly steps: number;
  readonly state: State;
  readonly events: readonly Event[];
}

/**
 * Run the liveness phase from `start`; `budget` bounds its steps. For the first half only the
 * protocol moves; then time passes too (delivery and request timeouts), since some sends end only
 * at their delivery timeout in Kafka as well (a batch answered OUT_OF_ORDER_SEQUENCE_NUMBER that is
 * not the next expected one is retried until then: TM `canRetry`).
 */
export function settle(setup: Setup, start: State, budget = DEFAULT_LIVENESS_BUDGET): Settling {
  const early = quietSetup(setup, false);
  const late = quietSetup(setup, true);
  let state = start;
  const events: Event[] = [];
  for (let i = 0; ; i++) {
    if (settled(state)) return { settled: true, stuck: false, steps: i, state, events };
    if (i >= budget) return { settled: false, stuck: false, steps: i, state, events };
    const quiet = i < budget / 2 ? early : late;
    let enabled = enabledEvents(quiet, state).filter((e) => e.kind !== 'AppSend' && e.kind !== 'AppResend');
    // Nothing left to do but wait: time passes at once.
    if (enabled.length === 0 && quiet === early) enabled = enabledEvents(late, state).filter((e) => e.kind !== 'AppSend' && e.kind !== 'AppResend');
    if (enabled.length === 0) return { settled: false, stuck: true, steps: i, state, events };
    const event = enabled[Math.floor((((i + 1) * GOLDEN) % 1) * enabled.length)] as Event;
    state = stepEnabled(quiet, state, event);
    events.push(event);
  }
}

/** The liveness check as an invariant over states, for one setup (the check needs its rules). */
export function livenessInvariant(setup: Setup, budget = DEFAULT_LIVENESS_BUDGET): Invariant<typeof LIVENESS_NAME> {
  const none: readonly Violation[] = Object.freeze([]);
  return {
    name: LIVENESS_NAME,
    claim: LIVENESS_CLAIM,
    why: LIVENESS_WHY,
    check(state) {
      const outcome = settle(setup, state, budget);
      if (outcome.settled) return none;
      const pending: number[] = [];
      outcome.state.ghost.sends.forEach((s, id) => s.outcome === 'pending' && pending.push(id));
      return [{ code: 'not_settled', pending, stuck: outcome.stuck, steps: outcome.steps }];
    },
  };
}
