/**
 * Trace files: a configuration plus an event list, written by hand or by the checker.
 *
 * ```json
 * { "config": { "acks": "1", "enable.idempotence": false },
 *   "events": ["AppSend(p0)", "ProducerDrain(b0)", { "kind": "BrokerReceive", "broker": 0 }] }
 * ```
 * An event is either an object with `kind` and its fields, or the compact text the reports print.
 * Every error names the field or the step it is about.
 */

import { resolveConfig } from '../model/config.js';
import type { ConfigInput, ModelConfig } from '../model/config.js';
import { EVENT_KINDS } from '../model/events.js';
import type { Event, EventKind } from '../model/events.js';

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
};

export class TraceError extends Error {}

function isKind(value: unknown): value is EventKind {
  return typeof value === 'string' && (EVENT_KINDS as readonly string[]).includes(value);
}

function integerField(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new TraceError(`${where}: field '${name}' must be a non-negative integer, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value;
}

/** Build an event from a kind and named field values, checking every field. */
function buildEvent(where: string, kind: EventKind, fields: Readonly<Record<string, unknown>>): Event {
  const allowed = FIELDS[kind];
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      const list = allowed.length === 0 ? 'none' : allowed.join(', ');
      throw new TraceError(`${where}: unknown field '${key}' for ${kind} (allowed: ${list})`);
    }
  }
  const out: Record<string, unknown> = { kind };
  for (const name of allowed) {
    const value = fields[name];
    if (name === 'direction') {
      if (value !== 'request' && value !== 'response') {
        const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
        throw new TraceError(`${where}: ${kind} needs field 'direction': "request" or "response" (${got})`);
      }
      out[name] = value;
    } else if (value === undefined && name === 'nth') {
      out[name] = 0;
    } else if (value === undefined) {
      throw new TraceError(`${where}: ${kind} needs field '${name}'`);
    } else {
      out[name] = integerField(where, name, value);
    }
  }
  return out as unknown as Event;
}

const TEXT_PREFIX: Readonly<Record<string, string>> = { p: 'partition', b: 'broker', '#': 'nth' };

/**
 * Parse the compact form printed by the reports: `AppSend(p0)`, `ReplicaFetch(p0,b1)`,
 * `ProducerReceive(b0,#1)`, `NetworkDrop(b0,request,#0)`, `ProducerRestart`.
 */
export function parseEventText(where: string, text: string): Event {
  const match = /^\s*([A-Za-z]+)\s*(?:\(([^)]*)\))?\s*$/.exec(text);
  const kind = match?.[1] ?? /^\s*([A-Za-z]+)/.exec(text)?.[1];
  if (kind === undefined || !isKind(kind)) {
    throw new TraceError(`${where}: unknown event '${text}' (kinds: ${EVENT_KINDS.join(', ')})`);
  }
  if (match === null) throw new TraceError(`${where}: cannot read '${text}': write ${kind}(...) with arguments like p0, b1, #2`);
  const args = (match[2] ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  const fields: Record<string, unknown> = {};
  const allowed = FIELDS[kind];
  for (const arg of args) {
    if (arg === 'request' || arg === 'response') {
      fields.direction = arg;
      continue;
    }
    const m = /^([pb#])(\d+)$/.exec(arg);
    if (m === null) {
      const forms = allowed.includes('direction') ? 'p0, b1, #2, request or response' : 'p0, b1, #2';
      throw new TraceError(`${where}: cannot read argument '${arg}' of ${kind} (write ${forms})`);
    }
    let name = TEXT_PREFIX[m[1] as string] as string;
    // The second index of a partition/replica pair is the replica: ReplicaFetch(p0,b1).
    if (name === 'broker' && allowed.includes('replica')) name = 'replica';
    if (fields[name] !== undefined) throw new TraceError(`${where}: ${kind} has two values for '${name}'`);
    fields[name] = Number(m[2]);
  }
  return buildEvent(where, kind, fields);
}

export function parseEvent(where: string, value: unknown): Event {
  if (typeof value === 'string') return parseEventText(where, value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TraceError(`${where}: an event is an object with a 'kind' or a string like "AppSend(p0)"`);
  }
  const { kind, ...fields } = value as Record<string, unknown>;
  if (!isKind(kind)) throw new TraceError(`${where}: unknown event kind ${JSON.stringify(kind)} (kinds: ${EVENT_KINDS.join(', ')})`);
  return buildEvent(where, kind, fields);
}

export interface Trace {
  readonly config: ModelConfig;
  readonly configInput: ConfigInput;
  readonly notes: readonly string[];
  readonly events: readonly Event[];
}

function configInputOf(value: unknown): ConfigInput {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TraceError("config: must be an object of settings");
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new TraceError(`config.${key}: must be a string, number or boolean`);
    }
  }
  return value as ConfigInput;
}

/** Validate a parsed JSON trace document. */
export function parseTrace(doc: unknown): Trace {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TraceError('the trace must be a JSON object with "config" and "events"');
  const { config, events, ...rest } = doc as Record<string, unknown>;
  const extra = Object.keys(rest).filter((k) => k !== 'description');
  if (extra.length > 0) throw new TraceError(`unknown top-level field '${extra[0]}' (allowed: description, config, events)`);
  const configInput = configInputOf(config);
  const resolved = resolveConfig(configInput);
  if (!resolved.ok) {
    const kind = resolved.configException ? 'ConfigException: ' : '';
    throw new TraceError(`config.${resolved.key}: ${kind}${resolved.error}`);
  }
  if (!Array.isArray(events)) throw new TraceError('events: must be an array of events');
  const parsed = events.map((e, i) => parseEvent(`events[${i}]`, e));
  return { config: resolved.config, configInput, notes: resolved.notes, events: parsed };
}
