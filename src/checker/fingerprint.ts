/**
 * A trace fingerprint: a hash of every state along a trace. Two runs that reach byte-identical
 * states have the same fingerprint, so `replay` can say "reproduced exactly".
 */

import { createHash } from 'node:crypto';
import type { State } from '../model/types.js';

export function fingerprint(states: readonly State[]): string {
  const print = fingerprinter();
  for (const state of states) print.add(state);
  return print.digest();
}

/** The same fingerprint, fed one state at a time (so that a long trace need not be held whole). */
export function fingerprinter(): { add(state: State): void; digest(): string } {
  const hash = createHash('sha256');
  return {
    add: (state) => {
      hash.update(stateJson(state)).update('\n');
    },
    digest: () => hash.digest('hex').slice(0, 16),
  };
}

/**
 * A state's JSON, leaving out a null consumer side: a run without `consumer=` hashes exactly as it
 * did before the model had consumers, so the fingerprints of existing reports still match (and
 * replay compares a report's states with the model's in this form). The same for a null
 * transactional side, and for delayed-produce's fields at their defaults (no held request, its
 * counter and statistics 0): they are the last fields of their records, so leaving them out gives
 * the JSON a state had before them.
 */
export function stateJson(state: State): string {
  return JSON.stringify(comparableForm(state as unknown as Record<string, unknown>));
}

/**
 * `stateJson`'s form of a state, or of a state read from a report (whatever fields it was written
 * with): the same object without the fields above when they hold their defaults.
 */
export function comparableForm(state: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...state };
  if (out.txn === null || out.txn === undefined) delete out.txn;
  if (out.consumers === null) delete out.consumers;
  if (Array.isArray(out.held) && out.held.length === 0) delete out.held;
  const counters = out.counters as Record<string, unknown> | undefined;
  if (counters !== undefined && counters.delayedProduces === 0) {
    const { delayedProduces: _zero, ...rest } = counters;
    out.counters = rest;
  }
  const ghost = out.ghost as { stats?: Record<string, unknown> } | undefined;
  if (ghost?.stats !== undefined && (ghost.stats.lateAppends === 0 || ghost.stats.lateRefused === 0)) {
    const stats: Record<string, unknown> = { ...ghost.stats };
    if (stats.lateAppends === 0) delete stats.lateAppends;
    if (stats.lateRefused === 0) delete stats.lateRefused;
    out.ghost = { ...ghost, stats };
  }
  return out;
}
