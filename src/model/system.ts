/**
 * The whole system: application, producer, network and cluster, stepped by one pure function.
 *
 * `initialState(setup)` builds the start state, `whyDisabled(setup, state, event)` says why an
 * event cannot happen (or null when it can), `enabledEvents` lists every event that can, and
 * `step(setup, state, event)` returns the next state. All control flow between actors lives here;
 * the actors' rules live in producer.ts, broker.ts and cluster.ts.
 */

import { expireProducer, reloadAfterRestart, replaceAt } from './broker.js';
import {
  fenceBroker,
  fetchHasWork,
  initialPartition,
  isOutOfSync,
  moveLeader,
  replicaFetch,
  shrinkIsr,
  unfenceBroker,
} from './cluster.js';
import { dedupWindow, effectiveMinIsr } from './config.js';
import type { Event, Fault, Setup } from './events.js';
import {
  abandonedBatches,
  canDrain,
  completeUnacknowledged,
  drain,
  expireBatches,
  expirableBatches,
  getBatch,
  handleResponse,
  initialProducer,
  newOutbox,
  nextDeadline,
  passDeadline,
  resolveAndBump,
  resolveNeeded,
} from './producer.js';
import { connectionAt, requestsTo, setPartition } from './access.js';
import { applyOutbox, appSend } from './application.js';
import { PRODUCE_EVENTS, tryComplete } from './produce.js';
import { breakConnection, EMPTY_CONNECTION, NETWORK_EVENTS, setConnection } from './network.js';
import { count, definitelyRejected, EMPTY_GHOST, markRejected, markTransmitted, withStats, ZERO_COUNTERS } from './ghost.js';
import * as make from './records.js';
import type {
  PartitionState,
  ProduceResponse,
  SendInfo,
  State,
} from './types.js';

/** The first producer id the coordinator hands out. */
export const FIRST_PRODUCER_ID = 1;

export function initialState(setup: Setup): State {
  const { config } = setup;
  const brokers = config.topic.replicationFactor;
  return make.state({
    producer: initialProducer(config, 0, FIRST_PRODUCER_ID),
    network: Array.from({ length: brokers }, () => EMPTY_CONNECTION),
    cluster: make.cluster({
      alive: Array.from({ length: brokers }, () => true),
      partitions: Array.from({ length: config.topic.partitions }, (_, p) => initialPartition(p, brokers)),
    }),
    nextProducerId: config.producer.idempotence ? FIRST_PRODUCER_ID + 1 : FIRST_PRODUCER_ID,
    application: { toResend: [] },
    ghost: EMPTY_GHOST,
    counters: ZERO_COUNTERS,
  });
}

// ---------------------------------------------------------------------------------------------
// Enabling conditions.
// ---------------------------------------------------------------------------------------------

function has(setup: Setup, fault: Fault): boolean {
  return setup.faults.includes(fault);
}

function lossy(setup: Setup): boolean {
  return setup.config.network === 'lossy';
}

function index(value: unknown, size: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < size;
}

function leaders(state: State): readonly number[] {
  return state.cluster.partitions.map((p) => p.leader);
}

/**
 * Why `event` cannot happen in `state` under `setup`, or null when it can. Bounds and the
 * suite's fault profile are part of the answer: an event outside them is not enabled.
 */
export function whyDisabled(setup: Setup, state: State, event: Event): string | null {
  const { config, bounds } = setup;
  const c = state.counters;
  const brokers = config.topic.replicationFactor;
  const partitions = config.topic.partitions;
  if (c.events >= bounds.eventsMax) return 'the events bound is reached';
  switch (event.kind) {
    case 'AppSend':
      if (!index(event.partition, partitions)) return `partition must be 0..${partitions - 1}`;
      if (c.records >= bounds.recordsMax) return 'the records bound is reached';
      return null;
    case 'AppResend':
      if (config.application !== 'at-least-once') return 'the application is not at-least-once';
      if (!index(event.nth, state.application.toResend.length)) return 'no failed record waits for a resend at that index';
      if (c.resends >= bounds.resendsMax) return 'the resends bound is reached';
      return null;
    case 'ProducerResolve':
      return resolveNeeded(state.producer, config) ? null : 'there is no unresolved sequence or epoch bump to handle';
    case 'ProducerDrain':
      if (!index(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      if (resolveNeeded(state.producer, config)) return 'the sender must first resolve sequences or bump the epoch (ProducerResolve)';
      if (state.cluster.alive[event.broker] !== true) return `broker ${event.broker} is down`;
      if (requestsTo(state.producer, event.broker).length >= config.producer.maxInFlight) {
        return `max.in.flight.requests.per.connection (${config.producer.maxInFlight}) requests are unanswered`;
      }
      return canDrain(state.producer, config, event.broker, leaders(state)) ? null : `no batch can be drained for broker ${event.broker}`;
    case 'ProducerReceive': {
      if (!index(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      const queue = connectionAt(state, event.broker).toClient;
      if (queue.length === 0) return `no response is on its way from broker ${event.broker}`;
      if (event.nth !== 0 && !(lossy(setup) && has(setup, 'reorder-message'))) return 'nth must be 0 (reordering needs network=lossy and, in a suite, the reorder-message fault)';
      return index(event.nth, queue.length) ? null : `nth must be 0..${queue.length - 1}`;
    }
    case 'ProducerDeliveryTimeout':
      if (!has(setup, 'delivery-timeout')) return 'the delivery-timeout fault is not enabled';
      if (!index(event.partition, partitions)) return `partition must be 0..${partitions - 1}`;
      return nextDeadline(state.producer, event.partition) === undefined ? `partition ${event.partition} has no live batch within its deadline` : null;
    case 'ProducerExpireBatches':
      if (resolveNeeded(state.producer, config)) return 'the sender must first resolve sequences or bump the epoch (ProducerResolve)';
      return expirableBatches(state.producer).length === 0 ? 'no batch is past delivery.timeout.ms' : null;
    case 'ProducerRequestTimeout':
      if (!has(setup, 'request-timeout')) return 'the request-timeout fault is not enabled';
      if (!index(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      if (requestsTo(state.producer, event.broker).length === 0) return `no request to broker ${event.broker} awaits an answer`;
      return c.lostMessages >= bounds.lostMessagesMax ? 'the lost-messages bound is reached' : null;
    case 'ProducerRestart':
      if (!has(setup, 'producer-restart')) return 'the producer-restart fault is not enabled';
      return c.restarts >= bounds.restartsMax ? 'the restarts bound is reached' : null;
    case 'NetworkDisconnect':
      return NETWORK_EVENTS.NetworkDisconnect.disabled(setup, state, event);
    case 'NetworkDrop':
      return NETWORK_EVENTS.NetworkDrop.disabled(setup, state, event);
    case 'BrokerReceive':
    case 'BrokerCompleteProduce':
    case 'BrokerProduceTimeout':
      return PRODUCE_EVENTS[event.kind].disabled(setup, state, event as never);
    case 'ReplicaFetch': {
      if (!index(event.partition, partitions)) return `partition must be 0..${partitions - 1}`;
      if (!index(event.replica, brokers)) return `replica must be 0..${brokers - 1}`;
      const partition = state.cluster.partitions[event.partition] as PartitionState;
      if (partition.leader < 0) return `partition ${event.partition} has no leader`;
      if (partition.leader === event.replica) return `replica ${event.replica} is the leader`;
      if (state.cluster.alive[event.replica] !== true) return `broker ${event.replica} is down`;
      return fetchHasWork(partition, event.replica) ? null : `replica ${event.replica} is caught up and knows the HW`;
    }
    case 'LeaderShrinkIsr': {
      if (!has(setup, 'isr-shrink')) return 'the isr-shrink fault is not enabled';
      if (!index(event.partition, partitions)) return `partition must be 0..${partitions - 1}`;
      if (!index(event.replica, brokers)) return `replica must be 0..${brokers - 1}`;
      const partition = state.cluster.partitions[event.partition] as PartitionState;
      if (partition.leader < 0) return `partition ${event.partition} has no leader`;
      if (!isOutOfSync(partition, event.replica)) return `replica ${event.replica} is not an out-of-sync ISR member`;
      return c.clusterChanges >= bounds.clusterChangesMax ? 'the cluster-changes bound is reached' : null;
    }
    case 'BrokerCrash':
    case 'BrokerShutdown':
      if (!has(setup, event.kind === 'BrokerCrash' ? 'broker-crash' : 'broker-clean-shutdown')) {
        return `the ${event.kind === 'BrokerCrash' ? 'broker-crash' : 'broker-clean-shutdown'} fault is not enabled`;
      }
      if (!index(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      if (state.cluster.alive[event.broker] !== true) return `broker ${event.broker} is already down`;
      return c.crashes >= bounds.crashesMax ? 'the crashes bound is reached' : null;
    case 'BrokerRestart':
      if (!index(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      return state.cluster.alive[event.broker] === true ? `broker ${event.broker} is running` : null;
    case 'ControllerMoveLeader': {
      if (!has(setup, 'leader-change')) return 'the leader-change fault is not enabled';
      if (!index(event.partition, partitions)) return `partition must be 0..${partitions - 1}`;
      if (!index(event.replica, brokers)) return `replica must be 0..${brokers - 1}`;
      const partition = state.cluster.partitions[event.partition] as PartitionState;
      if (partition.leader < 0) return `partition ${event.partition} has no leader`;
      if (partition.leader === event.replica) return `replica ${event.replica} already leads`;
      if (!partition.isr.includes(event.replica) || state.cluster.alive[event.replica] !== true) {
        return `replica ${event.replica} is not a live in-sync replica`;
      }
      return c.clusterChanges >= bounds.clusterChangesMax ? 'the cluster-changes bound is reached' : null;
    }
    case 'BrokerExpireProducer': {
      if (!has(setup, 'producer-state-loss')) return 'the producer-state-loss fault is not enabled';
      if (!index(event.partition, partitions)) return `partition must be 0..${partitions - 1}`;
      if (!index(event.replica, brokers)) return `replica must be 0..${brokers - 1}`;
      if (state.cluster.alive[event.replica] !== true) return `broker ${event.replica} is down`;
      const producers = state.cluster.partitions[event.partition]?.replicas[event.replica]?.producers ?? [];
      if (!index(event.nth, producers.length)) return `replica ${event.replica} has no producer entry at index ${event.nth}`;
      return c.clusterChanges >= bounds.clusterChangesMax ? 'the cluster-changes bound is reached' : null;
    }
  }
}

export function isEnabled(setup: Setup, state: State, event: Event): boolean {
  return whyDisabled(setup, state, event) === null;
}

/**
 * Every event enabled in `state`, in a fixed order. `whyDisabled` decides each one; candidates it
 * would reject for a reason known up front (a fault the setup leaves out, an empty queue, a broker
 * that is down) are not offered, which only saves time: the order of the rest is unchanged.
 */
export function enabledEvents(setup: Setup, state: State): Event[] {
  const { config } = setup;
  const brokers = config.topic.replicationFactor;
  const partitions = config.topic.partitions;
  if (state.counters.events >= setup.bounds.eventsMax) return [];
  const candidates: Event[] = [];
  const alive = state.cluster.alive;
  const reorder = lossy(setup) && has(setup, 'reorder-message');
  for (let p = 0; p < partitions; p++) candidates.push({ kind: 'AppSend', partition: p });
  for (let n = 0; n < state.application.toResend.length; n++) candidates.push({ kind: 'AppResend', nth: n });
  candidates.push({ kind: 'ProducerResolve' });
  for (let b = 0; b < brokers; b++) {
    const conn = connectionAt(state, b);
    if (alive[b] === true) candidates.push({ kind: 'ProducerDrain', broker: b });
    const responses = reorder ? conn.toClient.length : Math.min(1, conn.toClient.length);
    for (let n = 0; n < responses; n++) candidates.push({ kind: 'ProducerReceive', broker: b, nth: n });
    const requests = reorder ? conn.toBroker.length : Math.min(1, conn.toBroker.length);
    for (let n = 0; n < requests; n++) candidates.push({ kind: 'BrokerReceive', broker: b, nth: n });
    if (conn.pending !== null) candidates.push({ kind: 'BrokerCompleteProduce', broker: b });
  }
  for (let p = 0; p < partitions; p++) {
    const leader = state.cluster.partitions[p]?.leader ?? -1;
    for (let r = 0; r < brokers; r++) if (leader >= 0 && leader !== r) candidates.push({ kind: 'ReplicaFetch', partition: p, replica: r });
  }
  // Faults.
  candidates.push({ kind: 'ProducerExpireBatches' });
  if (has(setup, 'delivery-timeout')) for (let p = 0; p < partitions; p++) candidates.push({ kind: 'ProducerDeliveryTimeout', partition: p });
  const disconnect = has(setup, 'disconnect');
  const requestTimeout = has(setup, 'request-timeout');
  const drop = lossy(setup) && has(setup, 'drop-message');
  for (let b = 0; b < brokers; b++) {
    const conn = connectionAt(state, b);
    if (disconnect) candidates.push({ kind: 'NetworkDisconnect', broker: b });
    if (requestTimeout) {
      candidates.push({ kind: 'ProducerRequestTimeout', broker: b });
      if (conn.pending !== null) candidates.push({ kind: 'BrokerProduceTimeout', broker: b });
    }
    if (drop) {
      for (let n = 0; n < conn.toBroker.length; n++) candidates.push({ kind: 'NetworkDrop', broker: b, direction: 'request', nth: n });
      for (let n = 0; n < conn.toClient.length; n++) candidates.push({ kind: 'NetworkDrop', broker: b, direction: 'response', nth: n });
    }
  }
  if (has(setup, 'producer-restart')) candidates.push({ kind: 'ProducerRestart' });
  const crash = has(setup, 'broker-crash');
  const shutdown = has(setup, 'broker-clean-shutdown');
  for (let b = 0; b < brokers; b++) {
    if (alive[b] === true) {
      if (crash) candidates.push({ kind: 'BrokerCrash', broker: b });
      if (shutdown) candidates.push({ kind: 'BrokerShutdown', broker: b });
    } else candidates.push({ kind: 'BrokerRestart', broker: b });
  }
  const shrink = has(setup, 'isr-shrink');
  const move = has(setup, 'leader-change');
  const expire = has(setup, 'producer-state-loss');
  for (let p = 0; p < partitions; p++) {
    for (let r = 0; r < brokers; r++) {
      if (shrink) candidates.push({ kind: 'LeaderShrinkIsr', partition: p, replica: r });
      if (move) candidates.push({ kind: 'ControllerMoveLeader', partition: p, replica: r });
      if (!expire) continue;
      const producers = state.cluster.partitions[p]?.replicas[r]?.producers ?? [];
      for (let n = 0; n < producers.length; n++) candidates.push({ kind: 'BrokerExpireProducer', partition: p, replica: r, nth: n });
    }
  }
  return candidates.filter((event) => whyDisabled(setup, state, event) === null);
}

// ---------------------------------------------------------------------------------------------
// State changes.
// ---------------------------------------------------------------------------------------------

export class EventNotEnabled extends Error {
  constructor(
    readonly event: Event,
    readonly reason: string,
  ) {
    super(`${event.kind} is not enabled: ${reason}`);
  }
}

function producerReceive(setup: Setup, state: State, broker: number, nth: number): State {
  const conn = connectionAt(state, broker);
  const response = conn.toClient[nth] as ProduceResponse;
  let next = setConnection(state, broker, make.connection({ ...conn, toClient: conn.toClient.filter((_, i) => i !== nth) }));
  const request = (state.producer.requests[broker] ?? []).find((r) => r.id === response.id);
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

function producerDrain(setup: Setup, state: State, broker: number): State {
  const { producer, request } = drain(state.producer, setup.config, broker, leaders(state));
  if (request === null) return state;
  const conn = connectionAt(state, broker);
  let next: State = setConnection(make.state({ ...state, producer }), broker, make.connection({ ...conn, toBroker: [...conn.toBroker, request] }));
  const unanswered = requestsTo(state.producer, broker).length + 1;
  if (unanswered > 1) next = withStats(next, { pipelinedDrains: 1, fullPipelines: unanswered === setup.config.producer.maxInFlight ? 1 : 0 });
  const sent = request.batches.flatMap((b) => b.sends);
  next = make.state({ ...next, ghost: markTransmitted(next.ghost, sent) });
  if (request.acks !== 0) return next;
  const out = newOutbox();
  next = make.state({ ...next, producer: completeUnacknowledged(next.producer, setup.config, request, out) });
  return applyOutbox(setup, next, out);
}

/**
 * A broker stops, by a crash or a clean shutdown: the same here, since both restart from a
 * snapshot at the log end (broker.ts `reloadAfterRestart`). A controlled shutdown's leader moves
 * before the stop are ControllerMoveLeader events of their own.
 */
function stopBroker(setup: Setup, state: State, broker: number): State {
  const minIsr = effectiveMinIsr(setup.config.topic);
  let next = breakConnection(setup, state, broker, 'NETWORK_EXCEPTION');
  const alive = replaceAt(next.cluster.alive, broker, false);
  const unclean = setup.config.topic.uncleanLeaderElection;
  let elections = 0;
  let uncleanElections = 0;
  const partitions = next.cluster.partitions.map((partition, p) => {
    const outcome = fenceBroker(partition, p, broker, alive, minIsr, unclean);
    if (outcome.elected) elections += 1;
    if (outcome.unclean) uncleanElections += 1;
    return outcome.partition;
  });
  next = make.state({ ...next, cluster: make.cluster({ alive, partitions }) });
  next = make.state({ ...next, counters: count(next.counters, { crashes: 1 }) });
  return withStats(next, { brokerCrashes: 1, leaderElections: elections, uncleanElections });
}

function restartBroker(setup: Setup, state: State, broker: number): State {
  const minIsr = effectiveMinIsr(setup.config.topic);
  const window = dedupWindow(setup.config);
  const unclean = setup.config.topic.uncleanLeaderElection;
  let elections = 0;
  let uncleanElections = 0;
  const partitions = state.cluster.partitions.map((partition) => {
    const replica = partition.replicas[broker];
    const reloaded = replica === undefined ? partition : make.partition({ ...partition, replicas: replaceAt(partition.replicas, broker, reloadAfterRestart(replica, window)) });
    const outcome = unfenceBroker(reloaded, broker, minIsr, unclean);
    if (outcome.elected) elections += 1;
    if (outcome.unclean) uncleanElections += 1;
    return outcome.partition;
  });
  const next: State = make.state({ ...state, cluster: make.cluster({ alive: replaceAt(state.cluster.alive, broker, true), partitions }) });
  return withStats(next, { leaderElections: elections, uncleanElections });
}

function producerRestart(setup: Setup, state: State): State {
  const { config } = setup;
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
    counters: count(next.counters, { restarts: 1 }),
  });
  return withStats(next, { producerRestarts: 1 });
}

/**
 * Apply `event` to `state`. Throws EventNotEnabled when the event cannot happen; callers that
 * explore use `enabledEvents`, callers that replay a file use `whyDisabled` first for a clear error.
 */
export function step(setup: Setup, state: State, event: Event): State {
  const reason = whyDisabled(setup, state, event);
  if (reason !== null) throw new EventNotEnabled(event, reason);
  return stepEnabled(setup, state, event);
}

/**
 * `step` for an event the caller has already found enabled (it came from `enabledEvents(setup,
 * state)`, or `whyDisabled` returned null): the same next state, without deciding that again.
 * The explorer and the random runner use it in their hot loops.
 */
export function stepEnabled(setup: Setup, state: State, event: Event): State {
  const next = apply(setup, state, event);
  return make.state({ ...next, counters: make.counters({ ...next.counters, events: next.counters.events + 1 }) });
}

function apply(setup: Setup, state: State, event: Event): State {
  const { config } = setup;
  const minIsr = effectiveMinIsr(config.topic);
  switch (event.kind) {
    case 'AppSend': {
      const next = appSend(state, event.partition, state.counters.records);
      return make.state({ ...next, counters: count(next.counters, { records: 1 }) });
    }
    case 'AppResend': {
      const record = state.application.toResend[event.nth] as number;
      const first = state.ghost.sends.find((s) => s.record === record) as SendInfo;
      const next = appSend(make.state({ ...state, application: { toResend: state.application.toResend.filter((_, i) => i !== event.nth) } }), first.partition, record);
      return withStats(make.state({ ...next, counters: count(next.counters, { resends: 1 }) }), { resends: 1 });
    }
    case 'ProducerResolve': {
      const out = newOutbox();
      const resolved = resolveAndBump(state.producer, state.nextProducerId, out);
      const next = make.state({ ...state, producer: resolved.producer, nextProducerId: state.nextProducerId + (resolved.usedProducerId ? 1 : 0) });
      return applyOutbox(setup, next, out);
    }
    case 'ProducerDrain':
      return producerDrain(setup, state, event.broker);
    case 'ProducerReceive':
      return producerReceive(setup, state, event.broker, event.nth);
    case 'ProducerDeliveryTimeout':
      return make.state({ ...state, producer: passDeadline(state.producer, event.partition) });
    case 'ProducerExpireBatches': {
      const out = newOutbox();
      return applyOutbox(setup, make.state({ ...state, producer: expireBatches(state.producer, config, out) }), out);
    }
    case 'ProducerRequestTimeout': {
      const next = breakConnection(setup, state, event.broker, 'REQUEST_TIMED_OUT');
      return make.state({ ...next, counters: count(next.counters, { lostMessages: 1 }) });
    }
    case 'ProducerRestart':
      return producerRestart(setup, state);
    case 'NetworkDisconnect':
      return NETWORK_EVENTS.NetworkDisconnect.apply(setup, state, event);
    case 'NetworkDrop':
      return NETWORK_EVENTS.NetworkDrop.apply(setup, state, event);
    case 'BrokerReceive':
    case 'BrokerCompleteProduce':
    case 'BrokerProduceTimeout':
      return PRODUCE_EVENTS[event.kind].apply(setup, state, event as never);
    case 'ReplicaFetch': {
      const partition = state.cluster.partitions[event.partition] as PartitionState;
      const outcome = replicaFetch(partition, event.replica, minIsr, dedupWindow(config));
      const next = setPartition(state, event.partition, outcome.partition);
      return outcome.truncatedBatches > 0 ? withStats(next, { truncations: 1 }) : next;
    }
    case 'LeaderShrinkIsr': {
      const partition = state.cluster.partitions[event.partition] as PartitionState;
      const next = setPartition(state, event.partition, shrinkIsr(partition, event.replica, minIsr));
      return withStats(make.state({ ...next, counters: count(next.counters, { clusterChanges: 1 }) }), { isrShrinks: 1 });
    }
    case 'BrokerCrash':
    case 'BrokerShutdown':
      return stopBroker(setup, state, event.broker);
    case 'BrokerRestart':
      return restartBroker(setup, state, event.broker);
    case 'ControllerMoveLeader': {
      const partition = state.cluster.partitions[event.partition] as PartitionState;
      // The old leader becomes a follower and completes its parked produce requests for the
      // partition at once: NOT_LEADER_OR_FOLLOWER (ReplicaManager applyLocalFollowersDelta →
      // completeDelayedFetchOrProduceRequests).
      const moved = setPartition(state, event.partition, moveLeader(partition, event.replica, minIsr));
      const next = tryComplete(moved, partition.leader, minIsr);
      return withStats(make.state({ ...next, counters: count(next.counters, { clusterChanges: 1 }) }), { leaderElections: 1 });
    }
    case 'BrokerExpireProducer': {
      const partition = state.cluster.partitions[event.partition] as PartitionState;
      const replica = partition.replicas[event.replica];
      const entry = replica?.producers[event.nth];
      if (replica === undefined || entry === undefined) return state;
      const next = setPartition(
        state,
        event.partition,
        make.partition({
          ...partition,
          replicas: replaceAt(partition.replicas, event.replica, expireProducer(replica, entry.producerId)),
        }),
      );
      return withStats(make.state({ ...next, counters: count(next.counters, { clusterChanges: 1 }) }), { producerStateLosses: 1 });
    }
  }
}

