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
 * replay compares a report's states with the model's in this form).
 */
export function stateJson(state: State): string {
  // The same for a null transactional side: a run without transactional.id hashes as before transactions.
  const { txn, ...rest } = state;
  const base = txn === null || txn === undefined ? rest : state;
  if (state.consumers !== null) return JSON.stringify(base);
  const { consumers: _none, ...producerOnly } = base;
  return JSON.stringify(producerOnly);
}
