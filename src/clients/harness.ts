/**
 * One run of a real client against the wire broker: start the broker with a fault schedule drawn
 * from the seed, send a workload, record every send's outcome, and check the model's invariants on
 * what the client reported and what the broker stored.
 *
 * Determinism: the fault schedule is a pure function of (seed, produce-request ordinal), so the
 * same seed injects the same faults whenever the client sends the same requests in the same
 * order. The client's own timing (timers, jitter, concurrent sends) is not under the seed's
 * control: a violation is rerun and reported as reproducing K of N times.
 */

import seedrandom from 'seedrandom';
import { clientChecks } from './client-invariants.js';
import type { ClientInvariantResult } from './client-invariants.js';
import { recordsOf } from '../model/invariants.js';
import type { SendInfo, State } from '../model/types.js';
import { CLIENT_FAULTS, CLUSTER_FAULTS, restartDue } from './broker-core.js';
import type { Fault, TraceEntry } from './broker-core.js';
import { settingsInEffect } from './drivers.js';
import type { ClientDriver, ClientProducer, ClientSettings } from './drivers.js';
import { startWireBroker } from './server.js';

export interface Workload {
  /** sequential: each send awaited before the next; concurrent: all sends started together. */
  readonly mode: 'sequential' | 'concurrent';
  readonly records: number;
  /** Records carry a key (one of three), which the client's partitioner hashes. */
  readonly keyed: boolean;
  /**
   * The harness names partition i mod P on every record (the client's partitioner never runs).
   * Without it, records carry no partition and the client's default partitioner decides, as
   * most applications send.
   */
  readonly byHarness: boolean;
  readonly partitions: number;
  /** Brokers of the cluster on loopback (1 to 3), each partition replicated to all of them. */
  readonly brokers: number;
}

export interface RunSpec {
  readonly driver: ClientDriver;
  readonly settings: ClientSettings;
  readonly workload: Workload;
  readonly seed: number;
  /** Probability that a produce request gets a fault. */
  readonly faultRate: number;
  readonly faults: readonly Fault[];
  /** Give up on the run (pending sends stay pending) after this long. */
  readonly deadlineMs: number;
}

export interface SendOutcome {
  readonly send: number;
  readonly partition: number;
  readonly outcome: 'ok' | 'failed' | 'pending';
  readonly offset: number;
  readonly error: string | null;
}

export interface RunResult {
  readonly client: string;
  readonly version: string | null;
  readonly seed: number;
  readonly settings: ClientSettings;
  readonly workload: Workload;
  readonly faults: readonly Fault[];
  readonly faultRate: number;
  readonly outcomes: readonly SendOutcome[];
  readonly trace: readonly TraceEntry[];
  readonly brokerLog: readonly string[];
  /** The broker's model state with the client's outcomes as its ghost history. */
  readonly state: State;
  readonly violations: readonly ClientInvariantResult[];
  readonly error: string | null;
  readonly ms: number;
  /** The most produce requests seen awaiting an answer on one connection (TraceEntry.inFlight). */
  readonly maxInFlightSeen: number;
  /** Why the run did not test what was asked (the pipeline never filled, no fault injected): not a pass. */
  readonly notAsAsked: readonly string[];
}

/**
 * What a run did not test of what was asked: a pipeline deeper than the wire ever saw (with acks
 * other than 0, where requests await answers), or faults asked for of which none was injected.
 */
export function notTestedAsAsked(asked: ClientSettings, inEffect: ClientSettings, faults: readonly Fault[], faultRate: number, trace: readonly TraceEntry[]): string[] {
  const out: string[] = [];
  const seen = maxInFlightOf(trace);
  if (asked.maxInFlight > 1 && inEffect.acks !== 0 && seen < asked.maxInFlight) {
    out.push(`at most ${seen} request${seen === 1 ? '' : 's'} in flight per connection on the wire, not the ${asked.maxInFlight} asked for`);
  }
  if (faults.length > 0 && faultRate > 0 && trace.every((t) => t.fault === null)) out.push('no fault injected');
  return out;
}

export function maxInFlightOf(trace: readonly TraceEntry[]): number {
  return trace.reduce((m, t) => (t.acks === 0 ? m : Math.max(m, t.inFlight)), 0);
}

export const TOPIC = 'idemcheck';
const VALUE_PREFIX = 'idemcheck:';

/** The fault of the nth produce request under `seed`: a pure function of the two. */
export function faultSchedule(seed: number, rate: number, faults: readonly Fault[]): (ordinal: number) => Fault | null {
  return (ordinal) => {
    if (faults.length === 0) return null;
    const random = seedrandom(`${seed}:${ordinal}`);
    if (random() >= rate) return null;
    return faults[Math.floor(random() * faults.length)] ?? null;
  };
}

/** Faults that make sense for the client's settings (acks=0 has no answer to lose or hold). */
export function applicableFaults(settings: ClientSettings, wanted: readonly Fault[] = CLIENT_FAULTS, brokers = 1): Fault[] {
  return wanted.filter((f) => {
    if (CLUSTER_FAULTS.includes(f) && brokers < 2) return false;
    if (f === 'shrink-isr') return settings.acks === -1;
    if (settings.acks === 0) return f === 'lose-request' || f === 'state-loss';
    if (f === 'error-after-append') return settings.acks === -1;
    return true;
  });
}

/** Whether `value()` stayed unchanged for `stillMs` (polled every 20 ms) within `maxMs`. */
async function untilStill(value: () => number, stillMs: number, maxMs: number): Promise<boolean> {
  const started = performance.now();
  let last = value();
  let since = started;
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = value();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= stillMs) return true;
  }
  return false;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** A client error in one line: its name and message, with its cause and, for an AggregateError, its inner errors. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 300);
  const inner: string[] = [];
  const cause = (error as { cause?: unknown }).cause;
  // kafkajs wraps the last retriable error as the cause of its own, with the same message.
  if (cause instanceof Error && cause.message !== error.message) inner.push(cause.message);
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) for (const e of errors.slice(0, 3)) inner.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  return `${error.name}: ${error.message}${inner.length > 0 ? ` (${inner.join('; ')})` : ''}`.replace(/\s+/g, ' ').slice(0, 300);
}

export async function runClient(spec: RunSpec): Promise<RunResult> {
  const started = performance.now();
  const outcomes: SendOutcome[] = Array.from({ length: spec.workload.records }, (_, send) => ({
    send,
    partition: spec.workload.byHarness ? send % spec.workload.partitions : -1,
    outcome: 'pending',
    offset: -1,
    error: null,
  }));
  const sendIdOf = (value: Buffer | null): number => {
    const text = value?.toString('utf8') ?? '';
    const id = text.startsWith(VALUE_PREFIX) ? Number(text.slice(VALUE_PREFIX.length)) : Number.NaN;
    // Anything the harness did not send maps past its sends: NoPhantomRecord flags it.
    return Number.isInteger(id) && id >= 0 && id < spec.workload.records ? id : 1_000_000 + spec.workload.records;
  };
  const broker = await startWireBroker({
    topic: TOPIC,
    partitions: spec.workload.partitions,
    brokers: spec.workload.brokers,
    sendIdOf,
    faultFor: faultSchedule(spec.seed, spec.faultRate, spec.faults),
  });
  let producer: ClientProducer | null = null;
  let runError: string | null = null;
  // Set when the workload is over (done or past its deadline): an answer after that, such as the
  // error a client gives its pending sends when the harness closes it, is not the client's answer
  // to the send, so the send stays pending ('unfinished'), not 'failed'.
  let over = false;
  try {
    producer = await withTimeout(spec.driver.open({ bootstrap: broker.ports.map((port) => `127.0.0.1:${port}`), topic: TOPIC, settings: spec.settings, partitions: spec.workload.partitions }), spec.deadlineMs, 'connecting');
    const open = producer;
    const sendOne = async (i: number): Promise<void> => {
      const record = {
        value: Buffer.from(`${VALUE_PREFIX}${i}`),
        key: spec.workload.keyed ? Buffer.from(`key-${i % 3}`) : null,
        partition: spec.workload.byHarness ? i % spec.workload.partitions : null,
      };
      try {
        const delivered = await open.send(record);
        if (over) return;
        outcomes[i] = { send: i, partition: delivered.partition, outcome: 'ok', offset: delivered.offset, error: null };
      } catch (error) {
        if (over) return;
        outcomes[i] = { ...(outcomes[i] as SendOutcome), outcome: 'failed', error: describeError(error) };
      }
    };
    const work =
      spec.workload.mode === 'sequential'
        ? (async () => {
            for (let i = 0; i < spec.workload.records; i++) await sendOne(i);
          })()
        : Promise.all(Array.from({ length: spec.workload.records }, (_, i) => sendOne(i))).then(() => undefined);
    await withTimeout(work, spec.deadlineMs, 'the workload');
    // With acks=0 a send completes once it is written, before the broker has read it: let the
    // broker read what is on its way before the run stops it (it used to stop first, so every
    // acks=0 run tested nothing and lost every record).
    if (settingsInEffect(spec.driver, spec.settings).acks === 0 && !(await untilStill(() => broker.core.trace.length, 200, 3000))) {
      runError = 'acks=0: the broker was still reading requests 3 s after the last send completed; records on their way then count as lost';
    }
  } catch (error) {
    runError = describeError(error);
  } finally {
    over = true;
    if (producer !== null) await withTimeout(producer.close(), 2000, 'closing the producer').catch(() => undefined);
    await broker.close();
  }
  // The cluster heals before the check: crashed brokers restart and followers catch up, so each
  // partition has a leader whose log the invariants read.
  restartDue(broker.core, Number.MAX_SAFE_INTEGER, true);

  const state = withOutcomes(broker.core.state, outcomes);
  return {
    client: spec.driver.name,
    version: spec.driver.version(),
    seed: spec.seed,
    settings: spec.settings,
    workload: spec.workload,
    faults: spec.faults,
    faultRate: spec.faultRate,
    outcomes,
    trace: broker.core.trace,
    brokerLog: broker.log,
    state,
    violations: clientChecks(state, settingsInEffect(spec.driver, spec.settings).acks),
    error: runError,
    ms: performance.now() - started,
    maxInFlightSeen: maxInFlightOf(broker.core.trace),
    notAsAsked: notTestedAsAsked(spec.settings, settingsInEffect(spec.driver, spec.settings), spec.faults, spec.faultRate, broker.core.trace),
  };
}

/**
 * The broker's model state with the client's outcomes as the ghost history. A failed send is
 * 'info' (a client error does not say whether the record was written); a keyed send that never
 * got an answer, or whose client did not say where it went, takes the partition where the broker
 * stored it, if anywhere.
 */
function withOutcomes(state: State, outcomes: readonly SendOutcome[]): State {
  const storedIn = new Map<number, number>();
  state.cluster.partitions.forEach((p, partition) => {
    for (const r of recordsOf((p.replicas[p.leader] ?? p.replicas[0])?.log ?? [])) if (!storedIn.has(r.send)) storedIn.set(r.send, partition);
  });
  const sends: SendInfo[] = outcomes.map((o) => ({
    record: o.send,
    partition: o.partition >= 0 ? o.partition : (storedIn.get(o.send) ?? 0),
    session: 0,
    outcome: o.outcome === 'ok' ? 'ok' : o.outcome === 'failed' ? 'info' : 'pending',
    offset: o.outcome === 'ok' ? o.offset : -1,
    error: o.error,
    // As the model keeps them (ghost.ts settle): counted only while the send is pending.
    transmitted: o.outcome === 'pending' ? 1 : 0,
    rejected: 0,
  }));
  return { ...state, ghost: { ...state.ghost, sends } };
}
