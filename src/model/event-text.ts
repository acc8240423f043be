/**
 * Events as text: the compact form the reports print and trace files may hold (`AppSend(p0)`,
 * `ReplicaFetch(p0,b1)`, `ProducerReceive(b0,#1)`, `NetworkDrop(b0,request,#0)`), and the object
 * form `{ "kind": "BrokerReceive", "broker": 0 }`. Parsing what `formatEvent` writes gives the event back.
 */

import { EVENT_KINDS } from './events.js';
import type { Event, EventKind } from './events.js';

/** The compact text of an event; a receive's `nth` is left out when it is 0 (the next in line). */
export function formatEvent(event: Event): string {
  switch (event.kind) {
    case 'AppSend':
      return `AppSend(p${event.partition})`;
    case 'AppResend':
      return `AppResend(#${event.nth})`;
    case 'ProducerResolve':
      return 'ProducerResolve';
    case 'ProducerDrain':
      return `ProducerDrain(b${event.broker})`;
    case 'ProducerReceive':
      return event.nth === 0 ? `ProducerReceive(b${event.broker})` : `ProducerReceive(b${event.broker},#${event.nth})`;
    case 'ProducerDeliveryTimeout':
      return `ProducerDeliveryTimeout(p${event.partition})`;
    case 'ProducerExpireBatches':
      return 'ProducerExpireBatches';
    case 'ProducerRequestTimeout':
      return `ProducerRequestTimeout(b${event.broker})`;
    case 'ProducerRestart':
      return 'ProducerRestart';
    case 'NetworkDisconnect':
      return `NetworkDisconnect(b${event.broker})`;
    case 'NetworkDrop':
      return `NetworkDrop(b${event.broker},${event.direction},#${event.nth})`;
    case 'BrokerReceive':
      return event.nth === 0 ? `BrokerReceive(b${event.broker})` : `BrokerReceive(b${event.broker},#${event.nth})`;
    case 'BrokerCompleteProduce':
      return `BrokerCompleteProduce(b${event.broker})`;
    case 'BrokerProduceTimeout':
      return `BrokerProduceTimeout(b${event.broker})`;
    case 'ReplicaFetch':
      return `ReplicaFetch(p${event.partition},b${event.replica})`;
    case 'LeaderShrinkIsr':
      return `LeaderShrinkIsr(p${event.partition},b${event.replica})`;
    case 'BrokerCrash':
      return `BrokerCrash(b${event.broker})`;
    case 'BrokerShutdown':
      return `BrokerShutdown(b${event.broker})`;
    case 'BrokerRestart':
      return `BrokerRestart(b${event.broker})`;
    case 'ControllerMoveLeader':
      return `ControllerMoveLeader(p${event.partition},b${event.replica})`;
    case 'BrokerExpireProducer':
      return `BrokerExpireProducer(p${event.partition},b${event.replica},#${event.nth})`;
    case 'BrokerFlush':
      return `BrokerFlush(b${event.broker})`;
    case 'BrokerPowerLoss':
      return `BrokerPowerLoss(b${event.broker})`;
    case 'BrokerDelayProduce':
      return `BrokerDelayProduce(b${event.broker})`;
    case 'BrokerReceiveDelayed':
      return `BrokerReceiveDelayed(#${event.nth})`;
    case 'ConsumerFetch':
      return `ConsumerFetch(c${event.consumer},p${event.partition})`;
    case 'ConsumerPoll':
    case 'ConsumerPollAutoCommit':
    case 'ConsumerProcess':
    case 'ConsumerWriteId':
    case 'ConsumerCommit':
    case 'ConsumerCommitResponseLost':
    case 'ConsumerCrash':
    case 'ConsumerRestart':
      return `${event.kind}(c${event.consumer})`;
    case 'GroupExpireSession':
    case 'GroupEvictMember':
      return `${event.kind}(#${event.nth})`;
    case 'GroupCompleteRebalance':
    case 'GroupPrepareRebalance':
    case 'AppInitTransactions':
    case 'AppBeginTransaction':
    case 'AppCommitTransaction':
    case 'AppAbortTransaction':
    case 'ProducerSendTxnRequest':
    case 'ProducerReceiveTxnResponse':
    case 'ProducerTxnRequestTimeout':
    case 'CoordinatorAppendLog':
    case 'CoordinatorAbortTimedOut':
    case 'CoordinatorFailover':
    case 'AppCommitOffsets':
      return event.kind;
    case 'CoordinatorReceive':
    case 'BrokerWriteMarker':
    case 'CoordinatorRetryMarker':
    case 'BrokerWriteLateMarker':
    case 'ProducerZombieStep':
    case 'CoordinatorDelayRequest':
    case 'CoordinatorReceiveDelayed':
    case 'BrokerCompleteMarker':
      return event.nth === 0 ? event.kind : `${event.kind}(#${event.nth})`;
  }
}

/** Fields of each event kind; `nth` defaults to 0 where it appears. */
const FIELDS: Readonly<Record<EventKind, readonly string[]>> = {
  AppSend: ['partition'],
  AppResend: ['nth'],
  ProducerResolve: [],
  ProducerDrain: ['broker'],
  ProducerReceive: ['broker', 'nth'],
  ProducerDeliveryTimeout: ['partition'],
  ProducerExpireBatches: [],
  ProducerRequestTimeout: ['broker'],
  ProducerRestart: [],
  NetworkDisconnect: ['broker'],
  NetworkDrop: ['broker', 'direction', 'nth'],
  BrokerReceive: ['broker', 'nth'],
  BrokerCompleteProduce: ['broker'],
  BrokerProduceTimeout: ['broker'],
  ReplicaFetch: ['partition', 'replica'],
  LeaderShrinkIsr: ['partition', 'replica'],
  BrokerCrash: ['broker'],
  BrokerShutdown: ['broker'],
  BrokerRestart: ['broker'],
  ControllerMoveLeader: ['partition', 'replica'],
  BrokerExpireProducer: ['partition', 'replica', 'nth'],
  BrokerFlush: ['broker'],
  BrokerPowerLoss: ['broker'],
  BrokerDelayProduce: ['broker'],
  BrokerReceiveDelayed: ['nth'],
  ConsumerPoll: ['consumer'],
  ConsumerPollAutoCommit: ['consumer'],
  ConsumerFetch: ['consumer', 'partition'],
  ConsumerProcess: ['consumer'],
  ConsumerWriteId: ['consumer'],
  ConsumerCommit: ['consumer'],
  ConsumerCommitResponseLost: ['consumer'],
  ConsumerCrash: ['consumer'],
  ConsumerRestart: ['consumer'],
  GroupCompleteRebalance: [],
  GroupExpireSession: ['nth'],
  GroupEvictMember: ['nth'],
  GroupPrepareRebalance: [],
  AppInitTransactions: [],
  AppBeginTransaction: [],
  AppCommitTransaction: [],
  AppAbortTransaction: [],
  ProducerSendTxnRequest: [],
  ProducerReceiveTxnResponse: [],
  ProducerTxnRequestTimeout: [],
  CoordinatorReceive: ['nth'],
  CoordinatorAppendLog: [],
  BrokerWriteMarker: ['nth'],
  CoordinatorAbortTimedOut: [],
  CoordinatorFailover: [],
  CoordinatorRetryMarker: ['nth'],
  BrokerWriteLateMarker: ['nth'],
  AppCommitOffsets: [],
  ProducerZombieStep: ['nth'],
  CoordinatorDelayRequest: ['nth'],
  CoordinatorReceiveDelayed: ['nth'],
  BrokerCompleteMarker: ['nth'],
};

/** An event that cannot be read; the message names `where` it is. */
export class EventTextError extends Error {}

function isKind(value: unknown): value is EventKind {
  return typeof value === 'string' && (EVENT_KINDS as readonly string[]).includes(value);
}

function integerField(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new EventTextError(`${where}: field '${name}' must be a non-negative integer, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value;
}

/** Build an event from a kind and named field values, checking every field. */
function buildEvent(where: string, kind: EventKind, fields: Readonly<Record<string, unknown>>): Event {
  const allowed = FIELDS[kind];
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      const list = allowed.length === 0 ? 'none' : allowed.join(', ');
      throw new EventTextError(`${where}: unknown field '${key}' for ${kind} (allowed: ${list})`);
    }
  }
  const out: Record<string, unknown> = { kind };
  for (const name of allowed) {
    const value = fields[name];
    if (name === 'direction') {
      if (value !== 'request' && value !== 'response') {
        const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
        throw new EventTextError(`${where}: ${kind} needs field 'direction': "request" or "response" (${got})`);
      }
      out[name] = value;
    } else if (value === undefined && name === 'nth') {
      out[name] = 0;
    } else if (value === undefined) {
      throw new EventTextError(`${where}: ${kind} needs field '${name}'`);
    } else {
      out[name] = integerField(where, name, value);
    }
  }
  return out as unknown as Event;
}

const TEXT_PREFIX: Readonly<Record<string, string>> = { p: 'partition', b: 'broker', c: 'consumer', '#': 'nth' };

/**
 * Parse the compact form printed by the reports: `AppSend(p0)`, `ReplicaFetch(p0,b1)`,
 * `ProducerReceive(b0,#1)`, `NetworkDrop(b0,request,#0)`, `ProducerRestart`, `ConsumerFetch(c0,p0)`.
 */
export function parseEventText(where: string, text: string): Event {
  const match = /^\s*([A-Za-z]+)\s*(?:\(([^)]*)\))?\s*$/.exec(text);
  const kind = match?.[1] ?? /^\s*([A-Za-z]+)/.exec(text)?.[1];
  if (kind === undefined || !isKind(kind)) {
    throw new EventTextError(`${where}: unknown event '${text}' (kinds: ${EVENT_KINDS.join(', ')})`);
  }
  if (match === null) throw new EventTextError(`${where}: cannot read '${text}': write ${kind}(...) with arguments like p0, b1, #2`);
  const args = (match[2] ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  const fields: Record<string, unknown> = {};
  const allowed = FIELDS[kind];
  for (const arg of args) {
    if (arg === 'request' || arg === 'response') {
      fields.direction = arg;
      continue;
    }
    const m = /^([pbc#])(\d+)$/.exec(arg);
    if (m === null) {
      const forms = allowed.includes('direction') ? 'p0, b1, #2, request or response' : allowed.includes('consumer') ? 'c0, p1, #2' : 'p0, b1, #2';
      throw new EventTextError(`${where}: cannot read argument '${arg}' of ${kind} (write ${forms})`);
    }
    let name = TEXT_PREFIX[m[1] as string] as string;
    // The second index of a partition/replica pair is the replica: ReplicaFetch(p0,b1).
    if (name === 'broker' && allowed.includes('replica')) name = 'replica';
    if (fields[name] !== undefined) throw new EventTextError(`${where}: ${kind} has two values for '${name}'`);
    fields[name] = Number(m[2]);
  }
  return buildEvent(where, kind, fields);
}

export function parseEvent(where: string, value: unknown): Event {
  if (typeof value === 'string') return parseEventText(where, value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EventTextError(`${where}: an event is an object with a 'kind' or a string like "AppSend(p0)"`);
  }
  const { kind, ...fields } = value as Record<string, unknown>;
  if (!isKind(kind)) throw new EventTextError(`${where}: unknown event kind ${JSON.stringify(kind)} (kinds: ${EVENT_KINDS.join(', ')})`);
  return buildEvent(where, kind, fields);
}
