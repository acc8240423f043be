/**
 * Lookups into the state that assert, and the one setter of a partition every actor uses. A missing element here is a bug in the model, never a
 * user's mistake: `whyDisabled` checks every index an event carries (trace files hold anything)
 * before a rule looks anything up, so these throw an Error naming the bug instead of hiding it
 * behind a default.
 */

import { replaceAt } from './broker.js';
import * as make from './records.js';
import type { ClientRequest, Connection, PartitionState, ProducerState, Replica, State } from './types.js';

/** Whether `value` is an index into a list of `size` elements. */
export function inRange(value: unknown, size: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < size;
}

export function at<T>(items: readonly T[], index: number, what: string): T {
  const item = items[index];
  if (item === undefined) throw new Error(`model bug: no ${what} at index ${index} (of ${items.length})`);
  return item;
}

export function partitionAt(state: State, partition: number): PartitionState {
  return at(state.cluster.partitions, partition, 'partition');
}

export function replicaAt(partition: PartitionState, broker: number): Replica {
  return at(partition.replicas, broker, 'replica');
}

export function connectionAt(state: State, broker: number): Connection {
  return at(state.network, broker, 'connection');
}

/** The producer's unanswered requests to `broker`, oldest first. */
export function requestsTo(producer: ProducerState, broker: number): readonly ClientRequest[] {
  return at(producer.requests, broker, 'request list');
}

export function setPartition(state: State, index: number, partition: PartitionState): State {
  return make.state({ ...state, cluster: make.cluster({ ...state.cluster, partitions: replaceAt(state.cluster.partitions, index, partition) }) });
}

/** Why `value` is no `name` among `size` (a broker, partition or replica index), or null when it is one. */
export function badIndex(name: string, value: unknown, size: number): string | null {
  return inRange(value, size) ? null : `${name} must be 0..${size - 1}`;
}
