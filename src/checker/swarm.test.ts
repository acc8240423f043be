/**
 * Swarm draws: a counterexample carries the draw of its run, the same coordinates give the same
 * draw and trace, and a fault the draw turned off is never taken in that run.
 */

import { describe, expect, it } from 'vitest';
import { suiteByName } from '../../properties/index.js';
import { kindOn } from '../model/faults.js';
import { isTxnKind } from '../model/events.js';
import { DELAYED_PRODUCE_KINDS, EVENT_KINDS } from '../model/events.js';
import type { EventKind } from '../model/events.js';
import { runSuite } from './run-suite.js';
import type { Suite } from './suite.js';

function suite(name: string): Suite {
  const found = suiteByName(name);
  if (found === undefined || found.setup === null) throw new Error(`no suite ${name}`);
  return found;
}

describe('swarm draws', () => {
  it('a counterexample carries its run\'s draw, over the kinds the setup can take, and its coordinates give the same draw and trace', () => {
    const s = suite('delivery.acks1-retry-duplicates');
    const found = runSuite(s, { seed: 7, runs: s.runs });
    const cx = found.counterexample;
    if (cx === null || cx.swarm === null) throw new Error('expected a counterexample with a draw');
    const setup = s.setup as NonNullable<Suite['setup']>;
    // A producer-only suite without delayed-produce: neither the consumer kinds, nor the transactional ones, nor that fault's are drawn.
    const kinds = EVENT_KINDS.filter((k) => kindOn(setup, k) && !k.startsWith('Consumer') && !k.startsWith('Group') && !isTxnKind(k) && !DELAYED_PRODUCE_KINDS.includes(k));
    expect(Object.keys(cx.swarm)).toEqual(kinds);
    for (const m of Object.values(cx.swarm)) expect([1, 4, 16]).toContain(m);
    const again = runSuite(s, { seed: 7, runs: s.runs, path: cx.path, ...(cx.replayPath === null ? {} : { replayPath: cx.replayPath }) });
    expect(again.counterexample?.swarm).toEqual(cx.swarm);
    expect(again.counterexample?.events).toEqual(cx.events);
  });

  it('the fixed profile has no draw', () => {
    const s = suite('delivery.acks1-retry-duplicates');
    expect(runSuite(s, { seed: 1, runs: s.runs, profile: 'fixed' }).counterexample?.swarm).toBeNull();
  });

  it('under swarm-off, a fault kind drawn off never occurs in that run', () => {
    // Either fault duplicates here, so some seed's failing run has one of them off.
    const s = suite('delivery.acks1-retry-duplicates');
    let checked = 0;
    for (let seed = 1; seed <= 60 && checked < 3; seed++) {
      const cx = runSuite(s, { seed, runs: s.runs, profile: 'swarm-off', endOnFailure: true }).counterexample;
      if (cx === null || cx.swarm === null) continue;
      const off = (Object.entries(cx.swarm) as [EventKind, number][]).filter(([, m]) => m === 0).map(([k]) => k);
      if (off.length === 0) continue;
      checked += 1;
      for (const e of cx.events) expect(off).not.toContain(e.kind);
    }
    expect(checked).toBe(3);
  });
});
