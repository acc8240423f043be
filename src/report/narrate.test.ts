/**
 * The step sentences of a report: they must say what makes the counterexample happen, not only
 * which messages moved.
 */

import { describe, expect, it } from 'vitest';
import { suiteByName } from '../../properties/index.js';
import { stepAll } from '../checker/replay.js';
import { parseEventText } from '../checker/trace.js';
import { narrate } from './narrate.js';
import type { Suite } from '../checker/suite.js';

function sentences(suite: string, events: readonly string[]): string[] {
  const setup = suiteByName(suite)?.setup;
  if (setup === undefined || setup === null) throw new Error(`no setup for ${suite}`);
  const parsed = events.map((text, i) => parseEventText(`event ${i}`, text));
  const stepped = stepAll(setup, parsed);
  if (!stepped.ok) throw new Error(`step ${stepped.step} is disabled: ${stepped.reason}`);
  return parsed.map((event, i) => narrate(stepped.states[i] as (typeof stepped.states)[number], stepped.states[i + 1] as (typeof stepped.states)[number], event));
}

// Two pipelined batches, both appended; r0's delivery deadline passes; then the connection breaks.
const DEADLINE_THEN_DISCONNECT = [
  'AppSend(p0)',
  'ProducerDrain(b0)',
  'AppSend(p0)',
  'ProducerDrain(b0)',
  'BrokerReceive(b0)',
  'BrokerReceive(b0)',
  'ProducerDeliveryTimeout(p0)',
  'NetworkDisconnect(b0)',
];

describe('narrate', () => {
  it('a disconnect says which batch failed because its delivery deadline had passed, and that this requests an epoch bump', () => {
    const said = sentences('finding.failure-after-deadline-rewrites-in-flight', DEADLINE_THEN_DISCONNECT).at(-1);
    expect(said).toContain('1 batch queued for retry');
    expect(said).toContain('r0 failed, maybe written (NETWORK_EXCEPTION, past its delivery deadline, so not retried)');
    expect(said).toContain('an epoch bump is requested');
  });

  it('a disconnect within the deadline retries both batches and names no failure', () => {
    const events = DEADLINE_THEN_DISCONNECT.filter((e) => !e.startsWith('ProducerDeliveryTimeout'));
    const said = sentences('finding.failure-after-deadline-rewrites-in-flight', events).at(-1);
    expect(said).toContain('2 batches queued for retry');
    expect(said).not.toContain('failed');
    expect(said).not.toContain('epoch bump');
  });

  it('a dropped message is named by its request id, not by its place in the queue', () => {
    // Lossy network: two pipelined requests; the second request's queue position is 0 once the first was read.
    const setup = { ...(suiteByName('ordering.non-idempotent-pipelined-reorders')?.setup as NonNullable<Suite['setup']>) };
    const lossy = { ...setup, config: { ...setup.config, network: 'lossy' as const }, faults: [...setup.faults, 'drop-message' as const] };
    const events = ['AppSend(p0)', 'ProducerDrain(b0)', 'AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'NetworkDrop(b0,request,#0)'].map((t, i) => parseEventText(`event ${i}`, t));
    const stepped = stepAll(lossy, events);
    if (!stepped.ok) throw new Error(`step ${stepped.step}: ${stepped.reason}`);
    const last = narrate(stepped.states[5] as (typeof stepped.states)[number], stepped.states[6] as (typeof stepped.states)[number], events[5] as (typeof events)[number]);
    expect(last).toBe('the network drops request #1 on the connection to b0 (lossy mode)');
  });
});
