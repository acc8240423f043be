/**
 * The checks of a client run: the model's invariants (src/model/invariants.ts) on the broker's
 * state with the client's outcomes as its ghost history, plus two that only a real client can
 * break and that the model's per-partition invariants misname:
 * - NoDuplicateAcrossPartitions: a record whose copies landed in two partitions is a duplicate
 *   (a client that picks the partition again when it retries a keyless record). The model's
 *   NoPhantomRecord would flag the copy outside the acknowledged partition as a record "never
 *   sent", so those phantom violations are taken out and reported here instead. A topic-wide
 *   NoDuplicateRecord in the model would subsume this check.
 * - NoAckWithoutOffset: under acks=all an acknowledgement carries the offset the record was
 *   written at; a client that reports success without one is reported as that.
 */

import { INVARIANTS, violatedInvariants } from '../model/invariants.js';
import type { Violation } from '../model/invariants.js';
import type { State } from '../model/types.js';

export type ClientViolation =
  | Violation
  | { readonly code: 'record_in_two_partitions'; readonly send: number; readonly copies: readonly { readonly partition: number; readonly offset: number }[] }
  | { readonly code: 'ack_without_offset'; readonly send: number; readonly partition: number };

export interface ClientInvariantResult {
  readonly invariant: string;
  readonly violations: readonly ClientViolation[];
}

export const CLIENT_INVARIANTS: readonly { readonly name: string; readonly claim: string; readonly why: string }[] = [
  {
    name: 'NoDuplicateAcrossPartitions',
    claim: 'No record of the application is written to two partitions.',
    why:
      'A send is one record: written once, to one partition. A copy in a second partition is a duplicate that no ' +
      'per-partition deduplication can catch (sequences are per partition), as when a client retries a keyless ' +
      'record and its partitioner picks another partition.',
  },
  {
    name: 'NoAckWithoutOffset',
    claim: 'Under acks=all every acknowledgement carries the offset its record was written at.',
    why:
      'The broker answers acks=all only once the batch is committed, with its base offset (ProduceResponse ' +
      'base_offset); a client that reports success without an offset did not take it from such an answer.',
  },
];

/** Every copy of each send in the partitions' leader logs: send → [{partition, offset}]. */
function copiesOf(state: State): Map<number, { partition: number; offset: number }[]> {
  const out = new Map<number, { partition: number; offset: number }[]>();
  state.cluster.partitions.forEach((p, partition) => {
    const replica = p.replicas[p.leader] ?? p.replicas[0];
    for (const batch of replica?.log ?? []) {
      batch.sends.forEach((send, i) => {
        const list = out.get(send) ?? [];
        list.push({ partition, offset: batch.baseOffset + i });
        out.set(send, list);
      });
    }
  });
  return out;
}

/** The run's violations: the model's invariants, then the client-side checks above. */
export function clientChecks(state: State, acksInEffect: number): readonly ClientInvariantResult[] {
  const known = state.ghost.sends.length;
  const twice: Extract<ClientViolation, { code: 'record_in_two_partitions' }>[] = [];
  for (const [send, copies] of copiesOf(state)) {
    if (send < known && new Set(copies.map((c) => c.partition)).size > 1) twice.push({ code: 'record_in_two_partitions', send, copies });
  }
  const inTwo = new Set(twice.map((v) => v.send));
  const out: ClientInvariantResult[] = [];
  for (const r of violatedInvariants(state, INVARIANTS)) {
    const violations = r.invariant === 'NoPhantomRecord' ? r.violations.filter((v) => !(v.code === 'phantom_record' && inTwo.has(v.send))) : r.violations;
    if (violations.length > 0) out.push({ invariant: r.invariant, violations });
  }
  if (twice.length > 0) out.push({ invariant: 'NoDuplicateAcrossPartitions', violations: twice.sort((a, b) => a.send - b.send) });
  if (acksInEffect === -1) {
    const noOffset: ClientViolation[] = [];
    state.ghost.sends.forEach((s, send) => {
      if (s.outcome === 'ok' && s.offset < 0) noOffset.push({ code: 'ack_without_offset', send, partition: s.partition });
    });
    if (noOffset.length > 0) out.push({ invariant: 'NoAckWithoutOffset', violations: noOffset });
  }
  return out;
}

/** A client-side violation in words (the model's go through report/violations.ts). */
export function describeClientViolation(v: ClientViolation): string | null {
  if (v.code === 'record_in_two_partitions') {
    return `r${v.send} is in ${v.copies.length} places: ${v.copies.map((c) => `partition ${c.partition} at offset ${c.offset}`).join(', ')}; it was sent once`;
  }
  if (v.code === 'ack_without_offset') return `r${v.send} was acknowledged under acks=all (partition ${v.partition}) without an offset`;
  return null;
}
