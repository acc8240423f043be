/**
 * The checks of a client run: the model's invariants (src/model/invariants.ts) on the broker's
 * state with the client's outcomes as its ghost history (the harness makes each send its own
 * record), plus one that only a real client can break:
 * - NoAckWithoutOffset: under acks=all an acknowledgement carries the offset the record was
 *   written at; a client that reports success without one is reported as that.
 * A record a client wrote to two partitions (it picked the partition again when it retried a
 * keyless record) is the model's NoDuplicateAcrossPartitions; NoPhantomRecord would also flag the
 * copy outside the partition the client reported, as a record "never sent", so those phantom
 * violations are taken out: the duplicate is what happened.
 */

import { INVARIANTS, violatedInvariants } from '../model/invariants.js';
import type { Violation } from '../model/invariants.js';
import type { State } from '../model/types.js';

export type ClientViolation =
  | Violation
  | { readonly code: 'ack_without_offset'; readonly send: number; readonly partition: number };

export interface ClientInvariantResult {
  readonly invariant: string;
  readonly violations: readonly ClientViolation[];
}

export const CLIENT_INVARIANTS: readonly { readonly name: string; readonly claim: string; readonly why: string }[] = [
  {
    name: 'NoAckWithoutOffset',
    claim: 'Under acks=all every acknowledgement carries the offset its record was written at.',
    why:
      'The broker answers acks=all only once the batch is committed, with its base offset (ProduceResponse ' +
      'base_offset); a client that reports success without an offset did not take it from such an answer.',
  },
];

/** The run's violations: the model's invariants, then the client-side checks above. */
export function clientChecks(state: State, acksInEffect: number): readonly ClientInvariantResult[] {
  const results = violatedInvariants(state, INVARIANTS);
  const inTwo = new Set<number>();
  for (const r of results) for (const v of r.violations) if (v.code === 'duplicate_across_partitions') inTwo.add(v.record);
  const out: ClientInvariantResult[] = [];
  for (const r of results) {
    const violations = r.invariant === 'NoPhantomRecord' ? r.violations.filter((v) => !(v.code === 'phantom_record' && inTwo.has(v.send))) : r.violations;
    if (violations.length > 0) out.push({ invariant: r.invariant, violations });
  }
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
  if (v.code === 'ack_without_offset') return `r${v.send} was acknowledged under acks=all (partition ${v.partition}) without an offset`;
  return null;
}
