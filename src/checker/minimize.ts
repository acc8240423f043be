/**
 * A final pass after fast-check's shrinking: fast-check removes chunks of commands and can stop at
 * a local minimum when two removable events are not adjacent. Here each single event is tried
 * for removal, keeping the removal while the same invariant still fails, until no event can go:
 * the result is 1-minimal. Events that a removal disables later on (a restart whose crash was
 * removed) are dropped with it, so that such pairs can go too.
 */

import type { Event, Setup } from '../model/events.js';
import { violatedInvariants } from '../model/invariants.js';
import type { Invariant, InvariantResult } from '../model/invariants.js';
import { initialState, step, stepEnabled, whyDisabled } from '../model/system.js';
import type { State } from '../model/types.js';

interface Failing {
  readonly events: readonly Event[];
  readonly results: readonly InvariantResult[];
}

/**
 * Step `rest` from `start` (reached by `prefix`), skipping events that are not enabled; return the
 * events taken up to and including the first step at which `target` is violated, or null.
 */
function failsFrom(setup: Setup, invariants: readonly Invariant[], target: Invariant, start: State, prefix: readonly Event[], rest: readonly Event[]): Failing | null {
  let state = start;
  const kept: Event[] = [...prefix];
  for (const event of rest) {
    if (whyDisabled(setup, state, event) !== null) continue;
    state = stepEnabled(setup, state, event);
    kept.push(event);
    if (target.check(state).length > 0) return { events: kept, results: violatedInvariants(state, invariants) };
  }
  return null;
}

export function minimizeEvents(setup: Setup, invariants: readonly Invariant[], events: readonly Event[], invariantName: string): Failing {
  const target = invariants.find((inv) => inv.name === invariantName);
  if (target === undefined) throw new Error(`checker bug: ${invariantName} is not among the suite's invariants`);
  let best = failsFrom(setup, invariants, target, initialState(setup), [], events);
  if (best === null) throw new Error('checker bug: the counterexample to minimise does not fail');
  let changed = true;
  while (changed) {
    changed = false;
    // States before each event of the current best, so a removal at i replays only from i.
    const prefixStates: State[] = [initialState(setup)];
    for (const e of best.events) prefixStates.push(step(setup, prefixStates[prefixStates.length - 1] as State, e));
    for (let i = best.events.length - 1; i >= 0; i--) {
      const candidate = failsFrom(setup, invariants, target, prefixStates[i] as State, best.events.slice(0, i), best.events.slice(i + 1));
      if (candidate !== null) {
        best = candidate;
        changed = true;
        break;
      }
    }
  }
  return best;
}
