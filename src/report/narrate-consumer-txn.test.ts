/**
 * A consumer group's fetches of a transactional topic in words and in the diagram: the read's
 * bound (the LSO for read_committed), the aborted records and markers dropped, and the poll that
 * moves the position past them with nothing returned.
 */

import { describe, expect, it } from 'vitest';
import { suiteByName } from '../../properties/index.js';
import { stepAll } from '../checker/replay.js';
import { parseEventText } from '../checker/trace.js';
import { consumerDrawing } from './html-consumer.js';
import { narrate } from './narrate.js';

const INIT = ['AppInitTransactions', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse'];
const ADD_AND_WRITE = ['ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)'];
const COMMIT = ['AppCommitTransaction', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'BrokerWriteMarker', 'CoordinatorAppendLog'];
const REINIT_FENCING = [
  'AppInitTransactions',
  'ProducerSendTxnRequest',
  'CoordinatorReceive',
  'CoordinatorAppendLog',
  'BrokerWriteMarker',
  'CoordinatorAppendLog',
  'ProducerReceiveTxnResponse',
  'ProducerSendTxnRequest',
  'CoordinatorReceive',
  'CoordinatorAppendLog',
  'ProducerReceiveTxnResponse',
];

/** s0 in T0, aborted by the restart's fence (marker @1); s1 (another record) in T1, committed (@2, marker @3); c0 fetches all of it at once. */
const EVENTS = [
  ...INIT,
  'AppBeginTransaction',
  'AppSend(p0)',
  ...ADD_AND_WRITE,
  'ProducerRestart',
  ...REINIT_FENCING,
  'AppBeginTransaction',
  'AppSend(p0)',
  ...ADD_AND_WRITE,
  ...COMMIT,
  'ConsumerPoll(c0)',
  'GroupCompleteRebalance',
  'ConsumerPoll(c0)',
  'ConsumerFetch(c0,p0)',
  'ConsumerFetch(c0,p0)',
  'ConsumerPoll(c0)',
];

/** The steps of `events` under txn.group-read-committed's setup, read with `isolation`. */
function narrated(isolation: 'read_committed' | 'read_uncommitted', events: readonly string[]) {
  const base = suiteByName('txn.group-read-committed')?.setup;
  const txn = base?.config.txn;
  if (base === undefined || base === null || txn === undefined || txn === null) throw new Error('no setup for txn.group-read-committed');
  const setup = { ...base, config: { ...base.config, txn: { ...txn, isolation } } };
  const parsed = events.map((text, i) => parseEventText(`event ${i}`, text));
  const run = stepAll(setup, parsed);
  if (!run.ok) throw new Error(`step ${run.step} is disabled: ${run.reason}`);
  const states = run.states;
  return parsed.map((event, i) => ({ text: narrate(states[i] as (typeof states)[number], states[i + 1] as (typeof states)[number], event), html: consumerDrawing(event, states[i] as (typeof states)[number], states[i + 1] as (typeof states)[number]) }));
}

describe("a consumer group's transactional fetch in words", () => {
  it('read_committed: up to the LSO, the aborted record dropped by the aborted index, the markers skipped, the next offset past them', () => {
    const steps = narrated('read_committed', EVENTS);
    const fetch = steps[EVENTS.length - 2];
    expect(fetch?.text).toBe('c0 fetches p0 up to the LSO, 4 (read_committed): r1@2; drops r0@0, of an aborted transaction the fetch response lists (aborted index); skips the markers at @1, @3; the next fetch offset is 4');
    expect(steps[EVENTS.length - 1]?.text).toBe('c0 polls; poll() returns r1@2');
  });

  it('read_uncommitted: up to the HW, the aborted record returned, the markers skipped', () => {
    const steps = narrated('read_uncommitted', EVENTS);
    expect(steps[EVENTS.length - 2]?.text).toBe('c0 fetches p0 up to the HW, 4 (read_uncommitted): r0@0 r1@2; skips the markers at @1, @3; the next fetch offset is 4');
  });

  it('a read of only an aborted transaction returns no record; the poll moves the position past it; the diagram labels the fetch', () => {
    const events = [...INIT, 'AppBeginTransaction', 'AppSend(p0)', ...ADD_AND_WRITE, 'ProducerRestart', ...REINIT_FENCING, 'ConsumerPoll(c0)', 'GroupCompleteRebalance', 'ConsumerPoll(c0)', 'ConsumerFetch(c0,p0)', 'ConsumerFetch(c0,p0)', 'ConsumerPoll(c0)'];
    const steps = narrated('read_committed', events);
    const fetch = steps[events.length - 2];
    expect(fetch?.text).toBe('c0 fetches p0 up to the LSO, 2 (read_committed): no record to return; drops r0@0, of an aborted transaction the fetch response lists (aborted index); skips the marker at @1; the next fetch offset is 2');
    expect(fetch?.html?.arrow?.label).toBe('fetch p0: no record, next 2');
    expect(steps[events.length - 1]?.text).toBe('c0 polls; poll() returns nothing; its position on p0 moves past the skipped records to 2');
  });
});
