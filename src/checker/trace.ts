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
import { EventTextError, parseEvent as parseValue, parseEventText as parseText } from '../model/event-text.js';
import type { Event } from '../model/events.js';

export class TraceError extends Error {}

/** Run a parse from event-text.ts, its errors as TraceErrors (what the CLI reports as bad input). */
function asTraceError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof EventTextError) throw new TraceError(error.message);
    throw error;
  }
}

/** The compact form of an event (`AppSend(p0)`); see event-text.ts. */
export function parseEventText(where: string, text: string): Event {
  return asTraceError(() => parseText(where, text));
}

/** An event as an object with `kind` and its fields, or in the compact form. */
export function parseEvent(where: string, value: unknown): Event {
  return asTraceError(() => parseValue(where, value));
}

export interface Trace {
  readonly config: ModelConfig;
  readonly configInput: ConfigInput;
  readonly notes: readonly string[];
  readonly events: readonly Event[];
  /** A suite whose setup (config, faults, bounds) and invariants the trace is stepped with, or null. */
  readonly suite: string | null;
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
  const { config, events, suite, ...rest } = doc as Record<string, unknown>;
  const extra = Object.keys(rest).filter((k) => k !== 'description');
  if (extra.length > 0) throw new TraceError(`unknown top-level field '${extra[0]}' (allowed: description, suite, config, events)`);
  if (suite !== undefined && typeof suite !== 'string') throw new TraceError('suite: must be a suite name (idemcheck list)');
  if (suite !== undefined && config !== undefined) throw new TraceError("config: a trace of a suite takes the suite's config; give one of suite and config");
  const configInput = configInputOf(config);
  const resolved = resolveConfig(configInput);
  if (!resolved.ok) {
    const kind = resolved.configException ? 'ConfigException: ' : '';
    throw new TraceError(`config.${resolved.key}: ${kind}${resolved.error}`);
  }
  if (!Array.isArray(events)) throw new TraceError('events: must be an array of events');
  const parsed = events.map((e, i) => parseEvent(`events[${i}]`, e));
  return { config: resolved.config, configInput, notes: resolved.notes, events: parsed, suite: typeof suite === 'string' ? suite : null };
}
