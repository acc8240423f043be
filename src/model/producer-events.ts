/**
 * The producer client's events: the Sender's loop (resolve, drain, read responses, expire
 * batches), its timers (delivery.timeout.ms, request.timeout.ms) and its restart as a new
 * instance. The rules they run are producer.ts's (RecordAccumulator, Sender, TransactionManager);
 * these wire them to the network, the application's callbacks and the ghost history.
 */

import { badIndex, connectionAt, inRange, requestsTo } from './access.js';
import { applyOutbox } from './application.js';
import type { EventRules, Setup } from './events.js';
import { faultOffReason, faultOn } from './faults.js';
import { definitelyRejected, markRejected, markTransmitted, withStats } from './ghost.js';
import { breakConnection, EMPTY_CONNECTION, setConnection } from './network.js';
import {
  abandonedBatches,
  completeUnacknowledged,
  getBatch,
  handleResponse,
  initialProducer,
  newOutbox,
  resolveAndBump,
  resolveNeeded,
} from './producer.js';
import type { ProducerOutbox } from './producer.js';
import { canDrain, drain, expirableBatches, expireBatches, nextDeadline, passDeadline } from './producer-sender.js';
import * as make from './records.js';
import { sendAllowed, txnRestart } from './txn-client.js';
import type { State } from './types.js';

function leaders(state: State): readonly number[] {
  return state.cluster.partitions.map((p) => p.leader);
}

const RESOLVE_FIRST = 'the sender must first resolve sequences or bump the epoch (ProducerResolve)';
const PROLOGUE_WITH_EXPIRY =
  'a batch is past delivery.timeout.ms: the sendProducerData right after this prologue expires it, so the prologue runs in ProducerDrain or ProducerExpireBatches';

/*
 * One Sender loop (SND `runOnce`, 3.8.0) is: the prologue (TM `maybeResolveSequences`, then
 * `bumpIdempotentEpochAndResetIdIfNeeded`), then `sendProducerData` (RA `drain`, then, in the same
 * call, `getExpiredInflightBatches` and RA `expiredBatches` fail every batch past its deadline with
 * TimeoutException, then the drained requests are sent), then `client.poll`, which handles the
 * responses, disconnects and request timeouts. Time passing (ProducerDeliveryTimeout) can happen
 * anywhere; a poll event that follows it is in the poll where the deadline passed, which is when
 * Kafka lets a response see a batch past its deadline (SND `canRetry`, KAFKA-14034/KAFKA-14397).
 *
 * So the model keeps the expiry in the same step as the drain (ProducerDrain = sendProducerData for
 * one broker; ProducerExpireBatches = a sendProducerData that drains nothing), and the prologue may
 * not stand alone while a batch is past its deadline: the prologue ends the poll, and the
 * sendProducerData right after it expires that batch before any later poll could see it. Then the
 * prologue runs inside ProducerDrain or ProducerExpireBatches, first, as in `runOnce`: it does see
 * the batch past its deadline (a bump rewrites its sequence too) before the expiry fails it.
 */

/** The prologue is due and must run in the same step as the sendProducerData after it. */
function prologueWithExpiry(setup: Setup, state: State): boolean {
  return resolveNeeded(state.producer, setup.config) && expirableBatches(state.producer).length > 0;
}

/** SND `runOnce`'s prologue (ProducerResolve's rule), into `out`. */
function prologue(state: State, out: ProducerOutbox): State {
  const resolved = resolveAndBump(state.producer, state.nextProducerId, out);
  return make.state({ ...state, producer: resolved.producer, nextProducerId: state.nextProducerId + (resolved.usedProducerId ? 1 : 0) });
}

/** The state a sendProducerData starts from: after the prologue when it is due with an expiry. */
function beforeSend(setup: Setup, state: State, out: ProducerOutbox): State {
  return prologueWithExpiry(setup, state) ? prologue(state, out) : state;
}

function producerDrain(setup: Setup, state0: State, broker: number): State {
  const out = newOutbox();
  const state = beforeSend(setup, state0, out);
  const drained = drain(state.producer, setup.config, broker, leaders(state), sendAllowed(state));
  const request = drained.request;
  if (request === null) throw new Error(`model bug: an enabled ProducerDrain drained nothing for broker ${broker}`);
  // SND `sendProducerData`: expire after draining; a batch drained past its deadline is expired in
  // flight and still sent (`sendProduceRequests` sends every drained batch).
  const justDrained = request.acks === 0 ? request.batches.map((b) => b.batch) : [];
  const producer = expireBatches(drained.producer, setup.config, out, justDrained);
  const conn = connectionAt(state, broker);
  let next: State = setConnection(make.state({ ...state, producer }), broker, make.connection({ ...conn, toBroker: [...conn.toBroker, request] }));
  const unanswered = requestsTo(state.producer, broker).length + 1;
  if (unanswered > 1) next = withStats(next, { pipelinedDrains: 1, fullPipelines: unanswered === setup.config.producer.maxInFlight ? 1 : 0 });
  const sent = request.batches.flatMap((b) => b.sends);
  next = make.state({ ...next, ghost: markTransmitted(next.ghost, sent) });
  // acks=0: the poll after the send completes the batches (NetworkClient `handleCompletedSends`).
  if (request.acks === 0) next = make.state({ ...next, producer: completeUnacknowledged(next.producer, setup.config, request, out) });
  return applyOutbox(setup, next, out);
}

function producerReceive(setup: Setup, state: State, broker: number, nth: number): State {
  const conn = connectionAt(state, broker);
  const response = conn.toClient[nth];
  if (response === undefined) throw new Error(`model bug: no response at index ${nth} from broker ${broker}`);
  let next = setConnection(state, broker, make.connection({ ...conn, toClient: conn.toClient.filter((_, i) => i !== nth) }));
  const request = requestsTo(state.producer, broker).find((r) => r.id === response.id);
  if (request !== undefined) {
    for (const result of response.partitions) {
      if (!definitelyRejected(result.error)) continue;
      const batchId = request.batches.find((id) => getBatch(state.producer, id).partition === result.partition);
      if (batchId === undefined) continue;
      next = make.state({ ...next, ghost: markRejected(next.ghost, getBatch(state.producer, batchId).sends) });
    }
  }
  const out = newOutbox();
  next = make.state({ ...next, producer: handleResponse(next.producer, setup.config, broker, response.id, response.partitions, out) });
  return applyOutbox(setup, next, out);
}

function producerRestart(setup: Setup, state: State): State {
  const { config } = setup;
  // With the zombie fault the old transactional instance keeps its connections and batches.
  if (state.txn !== null && faultOn(setup, 'zombie') && state.txn.zombie === null) {
    const fresh = make.state({ ...state, network: state.network.map(() => EMPTY_CONNECTION) });
    return withStats(txnRestart(setup, state, fresh), { producerRestarts: 1 });
  }
  let next = state;
  for (let b = 0; b < state.network.length; b++) {
    const conn = connectionAt(next, b);
    next = withStats(next, { lostRequests: conn.toBroker.length, lostResponses: conn.toClient.length + (conn.pending === null ? 0 : 1) });
    next = setConnection(next, b, EMPTY_CONNECTION);
  }
  const out = newOutbox();
  for (const batch of abandonedBatches(state.producer)) out.completions.push({ kind: 'failed', sends: batch.sends, error: 'producer restarted' });
  next = applyOutbox(setup, next, out);
  // A new producer instance: InitProducerId without transactional.id hands out a new PID with
  // epoch 0 (TC `handleInitProducerId`, the `transactionalId == null` branch).
  const producerId = state.nextProducerId;
  next = make.state({
    ...next,
    producer: initialProducer(config, state.producer.session + 1, producerId),
    nextProducerId: config.producer.idempotence ? producerId + 1 : producerId,
  });
  // A transactional instance keeps its transactional.id: no new pid here, initTransactions() gets it back with a new epoch.
  if (state.txn !== null) next = txnRestart(setup, state, next);
  return withStats(next, { producerRestarts: 1 });
}

type ProducerEventKind =
  | 'ProducerResolve'
  | 'ProducerDrain'
  | 'ProducerReceive'
  | 'ProducerDeliveryTimeout'
  | 'ProducerExpireBatches'
  | 'ProducerRequestTimeout'
  | 'ProducerRestart';

export const PRODUCER_EVENTS: EventRules<ProducerEventKind> = {
  ProducerResolve: {
    disabled(setup, state) {
      if (!resolveNeeded(state.producer, setup.config)) return 'there is no unresolved sequence or epoch bump to handle';
      if (expirableBatches(state.producer).length > 0) return PROLOGUE_WITH_EXPIRY;
      return null;
    },
    apply(setup, state) {
      const out = newOutbox();
      return applyOutbox(setup, prologue(state, out), out);
    },
  },
  ProducerDrain: {
    disabled(setup, state, event) {
      const { config } = setup;
      const bad = badIndex('broker', event.broker, config.topic.replicationFactor);
      if (bad !== null) return bad;
      let producer = state.producer;
      if (resolveNeeded(producer, config)) {
        if (expirableBatches(producer).length === 0) return RESOLVE_FIRST;
        producer = prologue(state, newOutbox()).producer;
      }
      if (state.cluster.alive[event.broker] !== true) return `broker ${event.broker} is down`;
      if (requestsTo(producer, event.broker).length >= config.producer.maxInFlight) {
        return `max.in.flight.requests.per.connection (${config.producer.maxInFlight}) requests are unanswered`;
      }
      return canDrain(producer, config, event.broker, leaders(state), sendAllowed(state)) ? null : `no batch can be drained for broker ${event.broker}`;
    },
    apply: (setup, state, event) => producerDrain(setup, state, event.broker),
  },
  ProducerReceive: {
    disabled(setup, state, event) {
      const bad = badIndex('broker', event.broker, setup.config.topic.replicationFactor);
      if (bad !== null) return bad;
      const queue = connectionAt(state, event.broker).toClient;
      if (queue.length === 0) return `no response is on its way from broker ${event.broker}`;
      if (event.nth !== 0 && !faultOn(setup, 'reorder-message')) return `nth must be 0 (${faultOffReason('reorder-message')})`;
      return inRange(event.nth, queue.length) ? null : `nth must be 0..${queue.length - 1}`;
    },
    apply: (setup, state, event) => producerReceive(setup, state, event.broker, event.nth),
  },
  ProducerDeliveryTimeout: {
    disabled(setup, state, event) {
      const bad = badIndex('partition', event.partition, setup.config.topic.partitions);
      if (bad !== null) return bad;
      return nextDeadline(state.producer, event.partition) === undefined ? `partition ${event.partition} has no live batch within its deadline` : null;
    },
    apply: (_setup, state, event) => make.state({ ...state, producer: passDeadline(state.producer, event.partition) }),
  },
  ProducerExpireBatches: {
    // A sendProducerData that drains nothing; the loop's prologue first when it is due.
    disabled: (_setup, state) => (expirableBatches(state.producer).length === 0 ? 'no batch is past delivery.timeout.ms' : null),
    apply(setup, state0) {
      const out = newOutbox();
      const state = beforeSend(setup, state0, out);
      return applyOutbox(setup, make.state({ ...state, producer: expireBatches(state.producer, setup.config, out) }), out);
    },
  },
  ProducerRequestTimeout: {
    disabled(setup, state, event) {
      const bad = badIndex('broker', event.broker, setup.config.topic.replicationFactor);
      if (bad !== null) return bad;
      if (requestsTo(state.producer, event.broker).length === 0) return `no request to broker ${event.broker} awaits an answer`;
      return null;
    },
    apply(setup, state, event) {
      return breakConnection(setup, state, event.broker, 'REQUEST_TIMED_OUT');
    },
  },
  ProducerRestart: {
    // Only its fault and its bound limit it (faults.ts).
    disabled: () => null,
    apply: (setup, state) => producerRestart(setup, state),
  },
};
