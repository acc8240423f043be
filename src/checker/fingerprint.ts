/**
 * A trace fingerprint: a hash of every state along a trace. Two runs that reach byte-identical
 * states have the same fingerprint, so `replay` can say "reproduced exactly".
 */

import { createHash } from 'node:crypto';
import type { State } from '../model/types.js';

export function fingerprint(states: readonly State[]): string {
  const hash = createHash('sha256');
  for (const state of states) hash.update(JSON.stringify(state)).update('\n');
  return hash.digest('hex').slice(0, 16);
}
