/**
 * The transactional steps of a report: each sentence names the request, the coordinator's
 * transition or the marker that moved, read from the states before and after.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { suiteByName } from '../../properties/index.js';
import { stepAll } from '../checker/replay.js';
import { parseEventText } from '../checker/trace.js';
import { logsCell } from './format.js';
import { renderSequenceDiagram } from './html.js';
import { narrate } from './narrate.js';
import { txnCell } from './narrate-txn.js';
import type { Report } from './report.js';

// A transaction on p0 left open by a restart; the new instance's InitProducerId aborts it.
const RESTART_ABORTS = [
  'AppInitTransactions',
  'ProducerSendTxnRequest',
  'CoordinatorReceive',
  'CoordinatorAppendLog',
  'ProducerReceiveTxnResponse',
  'AppBeginTransaction',
  'AppSend(p0)',
  'ProducerSendTxnRequest',
  'CoordinatorReceive',
  'CoordinatorAppendLog',
  'ProducerReceiveTxnResponse',
  'ProducerDrain(b0)',
  'BrokerReceive(b0)',
  'ProducerRestart',
  'AppInitTransactions',
  'ProducerSendTxnRequest',
  'CoordinatorReceive',
  'CoordinatorAppendLog',
  'BrokerWriteMarker',
];

function stepped(suite: string, events: readonly string[]) {
  const setup = suiteByName(suite)?.setup;
  if (setup === undefined || setup === null) throw new Error(`no setup for ${suite}`);
  const parsed = events.map((text, i) => parseEventText(`event ${i}`, text));
  const run = stepAll(setup, parsed);
  if (!run.ok) throw new Error(`step ${run.step} is disabled: ${run.reason}`);
  return { parsed, states: run.states };
}

describe('transactional steps in words', () => {
  const { parsed, states } = stepped('txn.restart-read-committed', RESTART_ABORTS);
  const say = parsed.map((event, i) => narrate(states[i] as (typeof states)[number], states[i + 1] as (typeof states)[number], event));

  it('names each request of the transaction manager and what the coordinator made of it', () => {
    expect(say[1]).toBe('producer sends InitProducerId to the transaction coordinator');
    expect(say[4]).toBe('producer reads NONE for InitProducerId: TM INITIALIZING → READY with 1/0');
    expect(say[7]).toBe('producer sends AddPartitionsToTxn{p0} 1/0 to the transaction coordinator');
    expect(say[8]).toBe('coordinator reads AddPartitionsToTxn{p0} 1/0: pending Ongoing{p0} 1/0');
  });

  it("says the restarted producer has no pid until initTransactions(), not that idempotence is off", () => {
    expect(say[13]).toContain('the producer restarts with no pid until initTransactions()');
    expect(say[13]).not.toContain('idempotence off');
  });

  it('shows the fencing InitProducerId preparing the abort, the log write sending the marker, and the marker written', () => {
    expect(say[16]).toBe('coordinator reads InitProducerId: pending PrepareAbort{p0} 1/1; answers CONCURRENT_TRANSACTIONS');
    expect(say[17]).toBe('coordinator writes PrepareAbort{p0} 1/1 to the transaction log: sends ABORT marker 1/1 to p0');
    expect(say[18]).toBe('b0 appends ABORT marker 1/1 to p0; the coordinator completes: pending CompleteAbort 1/1');
  });

  it('shows transactional batches and markers in the logs, and the transactional state in its cell', () => {
    const last = states[states.length - 1] as (typeof states)[number];
    expect(logsCell(last)).toBe('p0 isr{0}: b0* 0:[txn 1/0/0 r0] 1:<ABORT 1/1> hw=2');
    expect(txnCell(last)).toBe('TM INITIALIZING · TC PrepareAbort{p0} 1/1 → CompleteAbort · txns #1 failed');
  });
});

describe('the transaction coordinator in the sequence diagram', () => {
  const { parsed, states } = stepped('txn.restart-read-committed', RESTART_ABORTS);
  const base = JSON.parse(readFileSync('reports/examples/restart.at-least-once-duplicates-seed20261125.json', 'utf8')) as Report;
  const svg = renderSequenceDiagram({ ...base, events: parsed, states });

  it('has a lane for it after the brokers', () => {
    expect(svg).toContain('>Txn coordinator</text>');
    const x = (title: string): number => Number(new RegExp(`<text x="([0-9.]+)"[^>]*class="lane-title"[^>]*>${title}</text>`).exec(svg)?.[1]);
    expect(x('Txn coordinator')).toBeGreaterThan(x('Broker b0'));
  });

  it("draws the transaction manager's requests, the coordinator's answers and its markers as arrows", () => {
    const labels = [...svg.matchAll(/class="msg-label (request|response|app)"[^>]*>([^<]*)</g)].map((m) => `${m[1]} ${m[2]}`);
    expect(labels).toContain('app initTransactions()');
    expect(labels).toContain('request InitProducerId');
    expect(labels).toContain('response NONE');
    expect(labels).toContain('request AddPartitionsToTxn{p0} 1/0');
    expect(labels).toContain('request ABORT marker 1/1 to p0');
  });

  it("marks the coordinator's log writes on its lane", () => {
    expect(svg).toContain('log: PrepareAbort{p0} 1/1');
  });
});

describe('transaction.version=2: the leader adds the partition', () => {
  const V2_COMMIT = [
    ...RESTART_ABORTS.slice(0, 7),
    'ProducerDrain(b0)',
    'BrokerReceive(b0)',
    'ProducerReceive(b0)',
    'AppCommitTransaction',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
  ];
  const { parsed, states } = stepped('txn.kafka-17754-delayed-produce-tv2', V2_COMMIT);
  const say = parsed.map((event, i) => narrate(states[i] as (typeof states)[number], states[i + 1] as (typeof states)[number], event));
  const base = JSON.parse(readFileSync('reports/examples/restart.at-least-once-duplicates-seed20261125.json', 'utf8')) as Report;
  const svg = renderSequenceDiagram({ ...base, events: parsed, states });

  it('says so in the step that reads the batch, and the EndTxn carries the epoch it bumps', () => {
    expect(say[8]).toBe('the leader adds the partition at the coordinator for the producer (transaction.version=2): Ongoing{p0} 1/0; b0 appends [r0]@0');
    expect(say[12]).toBe('coordinator reads EndTxn(COMMIT) 1/0: pending PrepareCommit{p0} 1/1');
  });

  it('draws it as a request from the broker to the coordinator, with the log write on its lane', () => {
    const labels = [...svg.matchAll(/class="msg-label (request|response|app)"[^>]*>([^<]*)</g)].map((m) => `${m[1]} ${m[2]}`);
    expect(labels).toContain('request AddPartitionsToTxn (for the producer)');
    expect(labels.filter((l) => l.startsWith('request AddPartitionsToTxn{'))).toEqual([]);
    expect(svg).toContain('log: Ongoing{p0} 1/0');
  });
});
