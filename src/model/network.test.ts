/**
 * The network: one FIFO, reliable TCP connection per producer and broker, where loss means the
 * connection broke; and the optional lossy stress mode, beyond what TCP allows.
 */

import { describe, expect, it } from 'vitest';
import { logRecords, play } from '../checker/fixtures.js';
import { traceSetup } from './events.js';
import { isEnabled, whyDisabled } from './system.js';

const twoInFlight = ['AppSend(p0)', 'ProducerDrain(b0)', 'AppSend(p0)', 'ProducerDrain(b0)'];

describe('Network: TCP', () => {
  it('a broken connection loses every unread request and response on it, and nothing else', () => {
    const { last } = play({}, [...twoInFlight, 'BrokerReceive(b0)', 'NetworkDisconnect(b0)']);
    expect(last.network[0]).toEqual({ toBroker: [], pending: null, toClient: [] });
    expect(last.ghost.stats).toMatchObject({ lostRequests: 1, lostResponses: 1 });
    expect(logRecords(last, 0, 0)).toEqual([0]);
  });

  it('requests are read in the order they were written; single drops and reordering are not possible', () => {
    const { last, setup } = play({}, twoInFlight);
    expect(last.network[0]?.toBroker.map((r) => r.id)).toEqual([0, 1]);
    expect(whyDisabled(setup, last, { kind: 'NetworkDrop', broker: 0, direction: 'request', nth: 0 })).toContain('network=lossy');
    expect(isEnabled(setup, last, { kind: 'BrokerReceive', broker: 0, nth: 1 })).toBe(false);
  });

  it('a drain behind an unanswered request is pipelined; it fills the pipeline when it reaches max.in.flight', () => {
    const two = play({ 'max.in.flight.requests.per.connection': 2 }, twoInFlight).last.ghost.stats;
    expect(two).toMatchObject({ pipelinedDrains: 1, fullPipelines: 1 });
    const three = play({ 'max.in.flight.requests.per.connection': 3 }, twoInFlight).last.ghost.stats;
    expect(three).toMatchObject({ pipelinedDrains: 1, fullPipelines: 0 });
    const one = play({ 'max.in.flight.requests.per.connection': 1 }, ['AppSend(p0)', 'ProducerDrain(b0)']).last.ghost.stats;
    expect(one).toMatchObject({ pipelinedDrains: 0, fullPipelines: 0 });
  });

  it('nothing in flight: a disconnect is not an event worth exploring', () => {
    const { last, setup } = play({}, []);
    expect(isEnabled(setup, last, { kind: 'NetworkDisconnect', broker: 0 })).toBe(false);
  });
});

describe('Network: lossy stress mode (beyond TCP)', () => {
  const lossy = { network: 'lossy' };
  // r0 is acknowledged first, so the broker knows the producer id (an unknown one accepts any sequence).
  const known = ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)'];

  it('a single dropped request leaves a gap: the next batch is OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const { last } = play(lossy, [...known, ...twoInFlight, 'NetworkDrop(b0,request,#0)', 'BrokerReceive(b0)']);
    expect(last.network[0]?.toClient[0]?.partitions[0]?.error).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(last.ghost.stats.lostRequests).toBe(1);
  });

  it('a later request can overtake an earlier one, and responses are matched by request id', () => {
    const { last } = play(lossy, [...known, ...twoInFlight, 'BrokerReceive(b0,#1)', 'BrokerReceive(b0)', 'ProducerReceive(b0,#1)']);
    // r2 overtook r1 and was rejected; r1 was then appended; its answer (the second in line) was read first.
    expect(logRecords(last, 0, 0)).toEqual([0, 1]);
    expect(last.ghost.sends.map((s) => s.outcome)).toEqual(['ok', 'ok', 'pending']);
    expect(last.network[0]?.toClient[0]?.partitions[0]?.error).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  it('the trace setup of a lossy config allows the lossy faults', () => {
    const { setup } = play(lossy, []);
    expect(traceSetup(setup.config).faults).toContain('drop-message');
  });
});
