/**
 * Small helpers for tests and generated regression tests: replay a scenario and read what a
 * person would check in it.
 */

import type { ConfigInput } from '../model/config.js';
import type { Event, Setup } from '../model/events.js';
import { recordsOf } from '../model/invariants.js';
import type { Outcome, Replica, State } from '../model/types.js';
import { replayScenario } from './replay.js';

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
