/**
 * The network: one FIFO, reliable TCP connection per producer and broker, where loss means the
 * connection broke (NetworkDisconnect); and the optional lossy stress mode, beyond what TCP
 * allows, that drops a single message (NetworkDrop; reordering is an `nth` above 0 on a receive).
 */

import { connectionAt, inRange, requestsTo } from './access.js';
import { applyOutbox } from './application.js';
import { replaceAt } from './broker.js';
import type { EventRules, Setup } from './events.js';
import { withStats } from './ghost.js';
import { handleDisconnect, newOutbox } from './producer.js';
import * as make from './records.js';
import type { Connection, ErrorCode, State } from './types.js';

export const EMPTY_CONNECTION: Connection = make.connection({ toBroker: [], pending: null, toClient: [] });

export function setConnection(state: State, broker: number, connection: Connection): State {
  return make.state({ ...state, network: replaceAt(state.network, broker, connection) });
}

/** Anything in flight on the connection to `broker`: a disconnect there would lose something. */
function connectionBusy(state: State, broker: number): boolean {
  const conn = connectionAt(state, broker);
  return conn.toBroker.length > 0 || conn.pending !== null || conn.toClient.length > 0 || requestsTo(state.producer, broker).length > 0;
}

/**
 * The connection to `broker` closes: unread requests and responses are gone, a parked produce
 * stays appended but will never be answered, and the producer fails its unanswered requests
 * with `error`.
 */
export function breakConnection(setup: Setup, state: State, broker: number, error: ErrorCode): State {
  const conn = connectionAt(state, broker);
  let next = setConnection(state, broker, EMPTY_CONNECTION);
  next = withStats(next, {
    lostRequests: conn.toBroker.length,
    lostResponses: conn.toClient.length + (conn.pending === null ? 0 : 1),
  });
  const out = newOutbox();
  next = make.state({ ...next, producer: handleDisconnect(next.producer, setup.config, broker, error, out) });
  return applyOutbox(setup, next, out);
}

export const NETWORK_EVENTS: EventRules<'NetworkDisconnect' | 'NetworkDrop'> = {
  NetworkDisconnect: {
    disabled(setup, state, event) {
      const brokers = setup.config.topic.replicationFactor;
      if (!inRange(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      if (!connectionBusy(state, event.broker)) return `nothing is in flight on the connection to broker ${event.broker}`;
      return null;
    },
    apply(setup, state, event) {
      return breakConnection(setup, state, event.broker, 'NETWORK_EXCEPTION');
    },
  },
  NetworkDrop: {
    disabled(setup, state, event) {
      const brokers = setup.config.topic.replicationFactor;
      if (!inRange(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      const conn = connectionAt(state, event.broker);
      const queue = event.direction === 'request' ? conn.toBroker : conn.toClient;
      if (!inRange(event.nth, queue.length)) return `no ${event.direction} at index ${event.nth} on the connection to broker ${event.broker}`;
      return null;
    },
    apply(_setup, state, event) {
      const conn = connectionAt(state, event.broker);
      const dropped: Connection =
        event.direction === 'request'
          ? make.connection({ ...conn, toBroker: conn.toBroker.filter((_, i) => i !== event.nth) })
          : make.connection({ ...conn, toClient: conn.toClient.filter((_, i) => i !== event.nth) });
      return withStats(setConnection(state, event.broker, dropped), event.direction === 'request' ? { lostRequests: 1 } : { lostResponses: 1 });
    },
  },
};
