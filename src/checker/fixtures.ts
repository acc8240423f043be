/**
 * Small helpers for tests and generated regression tests: replay a scenario and read what a
 * person would check in it.
 */

import type { ConfigInput } from '../model/config.js';
import { resolveConfig } from '../model/config.js';
import { faultsAllowedOn } from '../model/faults.js';
import type { Bounds, Event, Setup } from '../model/events.js';
import { recordsOf } from '../model/invariants.js';
import { enabledEvents, initialState, step } from '../model/system.js';
import type { Outcome, Replica, State } from '../model/types.js';
import { replayScenario } from './replay.js';
import { pickWeighted } from './run-suite.js';

export interface Scenario {
  readonly setup: Setup;
  readonly states: readonly State[];
  readonly last: State;
}

export function play(config: ConfigInput, events: readonly (Event | string)[]): Scenario {
  const { setup, states } = replayScenario(config, events);
  return { setup, states, last: states[states.length - 1] as State };
}

export function replicaOf(state: State, partition: number, broker: number): Replica {
  const replica = state.cluster.partitions[partition]?.replicas[broker];
  if (replica === undefined) throw new Error(`no replica ${broker} of partition ${partition}`);
  return replica;
}

/** Record ids in a replica's log, in offset order. */
export function logRecords(state: State, partition: number, broker: number): number[] {
  return recordsOf(replicaOf(state, partition, broker).log).map((r) => state.ghost.sends[r.send]?.record ?? -1);
}

export function outcomes(state: State): Outcome[] {
  return state.ghost.sends.map((s) => s.outcome);
}

/** A setup with every fault its network allows (drops and reordering only on a lossy one). */
export function setupWithFaults(input: ConfigInput, bounds: Bounds): Setup {
  const resolved = resolveConfig(input);
  if (!resolved.ok) throw new Error(resolved.error);
  return { config: resolved.config, faults: faultsAllowedOn(resolved.config.network), bounds };
}

/** Walk the model along a list of choices (indexes into the enabled events) and return every state. */
export function walk(setup: Setup, choices: readonly number[]): { events: Event[]; states: State[] } {
  let state = initialState(setup);
  const events: Event[] = [];
  const states: State[] = [state];
  for (const choice of choices) {
    const enabled = enabledEvents(setup, state);
    if (enabled.length === 0) break;
    const event = pickWeighted(enabled, choice);
    state = step(setup, state, event);
    events.push(event);
    states.push(state);
  }
  return { events, states };
}
