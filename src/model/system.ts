/**
 * The whole system: application, producer, network and cluster, stepped by one pure function.
 *
 * `initialState(setup)` builds the start state, `whyDisabled(setup, state, event)` says why an
 * event cannot happen (or null when it can), `enabledEvents` lists every event that can, and
 * `step(setup, state, event)` returns the next state. This file only dispatches: each event
 * kind's rule (its enabling condition beside its state change) lives with its actor:
 *
 *   application.ts      AppSend, AppResend
 *   producer-events.ts  Producer*: the Sender's loop, its timers, a restart (rules in producer.ts, producer-sender.ts)
 *   network.ts          NetworkDisconnect, NetworkDrop
 *   produce.ts          BrokerReceive, BrokerCompleteProduce, BrokerProduceTimeout, and delayed-produce's
 *                       BrokerDelayProduce, BrokerReceiveDelayed
 *   cluster-events.ts   replication, broker stops, power losses, flushes and restarts, the controller (rules in cluster.ts, broker.ts)
 *   consumer-events.ts  Consumer*, Group*: the consumer group and its sink (rules in consumer.ts, consumer-fetch.ts)
 *   txn-events.ts       transactions: the rule table over txn-client.ts (the application's calls, the TransactionManager,
 *                       restarts and the zombie) and txn-coordinator.ts (the coordinator, its log, markers); rules in txn.ts;
 *                       ProducerZombieStep is here, since it steps the old instance through this dispatcher
 *
 * A new actor adds its kinds to the Event union (events.ts), a file exporting their EventRules,
 * one line in EVENTS below, and its candidates at the end of `enabledEvents`.
 */

import { connectionAt, partitionAt, replicaAt } from './access.js';
import { APPLICATION_EVENTS } from './application.js';
import { CLUSTER_EVENTS } from './cluster-events.js';
import { initialPartition } from './cluster.js';
import { CONSUMER_EVENTS, consumerCandidates } from './consumer-events.js';
import type { ConsumerCounters } from './consumer-types.js';
import { initialConsumerSide } from './consumer.js';
import type { Event, EventKind, EventRule, EventRules, Setup } from './events.js';
import { BOUNDS, boundValue, faultOffReason, faultOn, KIND_GATES, kindOn } from './faults.js';
import type { Bounds } from './faults.js';
import { EMPTY_GHOST, ZERO_COUNTERS } from './ghost.js';
import { EMPTY_CONNECTION, NETWORK_EVENTS } from './network.js';
import { PRODUCE_EVENTS } from './produce.js';
import { PRODUCER_EVENTS } from './producer-events.js';
import { initialProducer } from './producer.js';
import type { TxnCounters } from './txn-types.js';
import { zombieEvents, zombieStep } from './txn-client.js';
import { TXN_EVENTS, txnCandidates } from './txn-events.js';
import { initialTxnSide } from './txn-side.js';
import * as make from './records.js';
import type { Counters, State } from './types.js';

/** The first producer id the coordinator hands out. */
export const FIRST_PRODUCER_ID = 1;

export function initialState(setup: Setup): State {
  const { config } = setup;
  const brokers = config.topic.replicationFactor;
  // A transactional producer has no producer id before initTransactions() (TM `initializeTransactions`).
  const transactional = config.txn !== null;
  const producer = initialProducer(config, 0, FIRST_PRODUCER_ID);
  return make.state({
    producer: transactional ? make.producer({ ...producer, producerId: -1, epoch: -1 }) : producer,
    network: Array.from({ length: brokers }, () => EMPTY_CONNECTION),
    cluster: make.cluster({
      alive: Array.from({ length: brokers }, () => true),
      partitions: Array.from({ length: config.topic.partitions }, (_, p) => initialPartition(p, brokers)),
    }),
    held: [],
    nextProducerId: config.producer.idempotence && !transactional ? FIRST_PRODUCER_ID + 1 : FIRST_PRODUCER_ID,
    application: { toResend: [] },
    ghost: EMPTY_GHOST,
    counters: ZERO_COUNTERS,
    consumers: config.consumer === null ? null : initialConsumerSide(config.consumers, config.topic.partitions),
    txn: initialTxnSide(config),
  });
}

/** The zombie's candidate events: the enabled events of the state with the old instance swapped in. */
function zombieCandidates(setup: Setup, state: State): readonly Event[] {
  // Memoised per (state, setup) object: enabledEvents asks once per candidate, and states are immutable.
  const cached = zombieMemo.get(state);
  if (cached !== undefined && cached.setup === setup) return cached.events;
  const events = zombieEvents(state, (swapped) => enabledEvents(setup, swapped));
  zombieMemo.set(state, { setup, events });
  return events;
}

const zombieMemo = new WeakMap<State, { readonly setup: Setup; readonly events: readonly Event[] }>();

/** The old instance takes one step: its event's rule runs on the swapped state, and counts its own bound (AppSend's records). */
function applyZombieStep(setup: Setup, state: State, nth: number): State {
  return zombieStep(
    state,
    nth,
    (swapped) => enabledEvents(setup, swapped),
    (swapped, event) => {
      const next = stepEnabled(setup, swapped, event);
      return make.state({ ...next, counters: make.counters({ ...next.counters, events: next.counters.events - 1 }) });
    },
  );
}

const ZOMBIE_EVENTS: EventRules<'ProducerZombieStep'> = {
  ProducerZombieStep: {
    disabled(setup, state, event) {
      if (state.txn === null) return 'there is no transactional producer (set transactional.id)';
      if (state.txn.zombie === null) return 'no old producer instance is running';
      const n = zombieCandidates(setup, state).length;
      if (n === 0) return 'the old producer instance has nothing to do';
      return typeof event.nth === 'number' && Number.isInteger(event.nth) && event.nth >= 0 && event.nth < n ? null : `nth must be 0..${n - 1}`;
    },
    apply: (setup, state, event) => applyZombieStep(setup, state, event.nth),
  },
};

/** Every event kind's rule; the compiler checks that each kind has exactly one. */
const EVENTS: EventRules<EventKind> = {
  ...APPLICATION_EVENTS,
  ...PRODUCER_EVENTS,
  ...NETWORK_EVENTS,
  ...PRODUCE_EVENTS,
  ...CLUSTER_EVENTS,
  ...CONSUMER_EVENTS,
  ...TXN_EVENTS,
  ...ZOMBIE_EVENTS,
};

/** The rule of `event`'s kind, seen as taking any event: EVENTS pairs each kind with its own rule. */
function ruleOf(event: Event): EventRule<EventKind> | undefined {
  return EVENTS[event.kind] as EventRule<EventKind> | undefined;
}

/**
 * Why `event` cannot happen in `state` under `setup`, or null when it can. Bounds and the
 * suite's fault profile are part of the answer: an event outside them is not enabled. Any event
 * a trace file may hold gets a reason, whatever its indices.
 */
export function whyDisabled(setup: Setup, state: State, event: Event): string | null {
  const rule = ruleOf(event);
  if (rule === undefined) return `unknown event kind '${String(event.kind)}'`;
  if (state.counters.events >= setup.bounds.eventsMax) return 'the events bound is reached';
  const gate = KIND_GATES[event.kind];
  if (gate !== undefined && gate.fault !== null && !faultOn(setup, gate.fault)) return faultOffReason(gate.fault);
  const reason = rule.disabled(setup, state, event);
  if (reason !== null || gate === undefined || gate.bound === null) return reason;
  return used(state, gate.bound) >= boundValue(setup.bounds, gate.bound) ? `the ${BOUNDS[gate.bound].name} bound is reached` : null;
}

function isConsumerCounter(counter: keyof Counters | keyof ConsumerCounters): counter is keyof ConsumerCounters {
  return counter === 'consumerCrashes' || counter === 'lostCommitResponses' || counter === 'rebalances';
}

function isTxnCounter(counter: string): counter is keyof TxnCounters {
  return counter === 'transactions' || counter === 'txnTimeouts' || counter === 'coordinatorFailovers' || counter === 'delayedRequests' || counter === 'zombieSteps';
}

/** How much of `bound` a state has used: its counter in State.counters, or the consumer or transactional side's. */
function used(state: State, bound: keyof Bounds): number {
  const counter = BOUNDS[bound].counter;
  if (isTxnCounter(counter)) return state.txn?.counters[counter] ?? 0;
  return isConsumerCounter(counter) ? (state.consumers?.counters[counter] ?? 0) : state.counters[counter];
}

export function isEnabled(setup: Setup, state: State, event: Event): boolean {
  return whyDisabled(setup, state, event) === null;
}

/**
 * Every event enabled in `state`, in a fixed order. `whyDisabled` decides each one; candidates it
 * would reject for a reason known up front (a fault the setup leaves out, an empty queue, a broker
 * that is down) are not offered, which only saves time: the order of the rest is unchanged. The
 * order is part of what a seed means (the random runner picks by position), so a new kind's
 * candidates go at the end.
 */
export function enabledEvents(setup: Setup, state: State): Event[] {
  const { config } = setup;
  const brokers = config.topic.replicationFactor;
  const partitions = config.topic.partitions;
  if (state.counters.events >= setup.bounds.eventsMax) return [];
  const candidates: Event[] = [];
  const alive = state.cluster.alive;
  const reorder = faultOn(setup, 'reorder-message');
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
    const leader = partitionAt(state, p).leader;
    for (let r = 0; r < brokers; r++) if (leader >= 0 && leader !== r) candidates.push({ kind: 'ReplicaFetch', partition: p, replica: r });
  }
  // Faults.
  candidates.push({ kind: 'ProducerExpireBatches' });
  if (kindOn(setup, 'ProducerDeliveryTimeout')) for (let p = 0; p < partitions; p++) candidates.push({ kind: 'ProducerDeliveryTimeout', partition: p });
  const disconnect = kindOn(setup, 'NetworkDisconnect');
  const requestTimeout = kindOn(setup, 'ProducerRequestTimeout');
  const drop = kindOn(setup, 'NetworkDrop');
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
  if (kindOn(setup, 'ProducerRestart')) candidates.push({ kind: 'ProducerRestart' });
  const crash = kindOn(setup, 'BrokerCrash');
  const shutdown = kindOn(setup, 'BrokerShutdown');
  for (let b = 0; b < brokers; b++) {
    if (alive[b] === true) {
      if (crash) candidates.push({ kind: 'BrokerCrash', broker: b });
      if (shutdown) candidates.push({ kind: 'BrokerShutdown', broker: b });
    } else candidates.push({ kind: 'BrokerRestart', broker: b });
  }
  const shrink = kindOn(setup, 'LeaderShrinkIsr');
  const move = kindOn(setup, 'ControllerMoveLeader');
  const expire = kindOn(setup, 'BrokerExpireProducer');
  for (let p = 0; p < partitions; p++) {
    for (let r = 0; r < brokers; r++) {
      if (shrink) candidates.push({ kind: 'LeaderShrinkIsr', partition: p, replica: r });
      if (move) candidates.push({ kind: 'ControllerMoveLeader', partition: p, replica: r });
      if (!expire) continue;
      const producers = replicaAt(partitionAt(state, p), r).producers;
      for (let n = 0; n < producers.length; n++) candidates.push({ kind: 'BrokerExpireProducer', partition: p, replica: r, nth: n });
    }
  }
  if (kindOn(setup, 'BrokerPowerLoss')) {
    for (let b = 0; b < brokers; b++) {
      if (alive[b] !== true) continue;
      candidates.push({ kind: 'BrokerFlush', broker: b });
      candidates.push({ kind: 'BrokerPowerLoss', broker: b });
    }
  }
  candidates.push(...consumerCandidates(setup, state));
  candidates.push(...txnCandidates(setup, state));
  if (state.txn !== null && state.txn.zombie !== null && kindOn(setup, 'ProducerZombieStep')) {
    const n = zombieCandidates(setup, state).length;
    for (let k = 0; k < n; k++) candidates.push({ kind: 'ProducerZombieStep', nth: k });
  }
  if (kindOn(setup, 'BrokerDelayProduce')) for (let b = 0; b < brokers; b++) candidates.push({ kind: 'BrokerDelayProduce', broker: b });
  for (let n = 0; n < state.held.length; n++) candidates.push({ kind: 'BrokerReceiveDelayed', nth: n });
  return candidates.filter((event) => whyDisabled(setup, state, event) === null);
}

export class EventNotEnabled extends Error {
  constructor(
    readonly event: Event,
    readonly reason: string,
  ) {
    super(`${event.kind} is not enabled: ${reason}`);
  }
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
  const rule = ruleOf(event);
  if (rule === undefined) throw new EventNotEnabled(event, `unknown event kind '${String(event.kind)}'`);
  const next = rule.apply(setup, state, event);
  const counters = { ...next.counters, events: next.counters.events + 1 };
  let consumers = next.consumers;
  let txn = next.txn;
  const bound = KIND_GATES[event.kind]?.bound;
  if (bound !== undefined && bound !== null) {
    const counter = BOUNDS[bound].counter;
    if (isTxnCounter(counter)) {
      // AppBeginTransaction counts itself (txn-events.ts), as the transaction's ghost entry is made there.
      if (txn !== null && event.kind !== 'AppBeginTransaction') txn = { ...txn, counters: { ...txn.counters, [counter]: txn.counters[counter] + 1 } };
    } else if (!isConsumerCounter(counter)) counters[counter] += 1;
    else if (consumers !== null) consumers = { ...consumers, counters: { ...consumers.counters, [counter]: consumers.counters[counter] + 1 } };
  }
  return make.state({ ...next, counters: make.counters(counters), consumers, txn });
}
