/**
 * Configuration: the user's Kafka settings, validated the way Kafka 3.8 validates them, and the
 * model's own knobs (application behaviour, network mode, mutants) kept clearly apart.
 *
 * Modelled: `ProducerConfig`'s parsing and range checks for the keys the model reads (ConfigDef
 * `define(...)` calls, PC lines 375–532), `postProcessAndValidateIdempotenceConfigs` (PC lines
 * 564–617: explicit versus implicit `enable.idempotence`), and `KafkaProducer.configureDeliveryTimeout`.
 * Topic settings follow the broker's topic-config checks (`min.insync.replicas` at least 1).
 *
 * Not modelled: every other producer key (serializers, compression, batch.size, ...). An unknown key
 * is an error here, unlike Kafka (which only logs it), because a typo in a checker's input silently
 * checks the wrong thing.
 */

import { CONSUMER_MODES, consumerModeName, parseConsumerMode } from './consumer-types.js';
import type { ConsumerMode } from './consumer-types.js';
import type { TxnSettings } from './txn-types.js';

export type Acks = 0 | 1 | -1;

/** The producer settings after validation: what KafkaProducer actually runs with. */
export interface ProducerSettings {
  readonly acks: Acks;
  readonly idempotence: boolean;
  readonly retries: number;
  readonly maxInFlight: number;
  readonly deliveryTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly lingerMs: number;
  readonly transactionalId: string | null;
}

export interface TopicSettings {
  /** Number of partitions of the one topic (the model supports 1 or 2). */
  readonly partitions: number;
  /** Replicas per partition; the cluster has exactly this many brokers (1 to 3). */
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly uncleanLeaderElection: boolean;
}

/**
 * What the application does with failures. `fire-and-forget` sends each record once and only
 * records outcomes; `at-least-once` resends a record whose send failed or whose producer restarted
 * before it was acknowledged (the classic "retry in the application" pattern).
 */
export type ApplicationMode = 'fire-and-forget' | 'at-least-once';

/**
 * `tcp`: one FIFO, reliable connection per producer and broker; loss only by breaking it.
 * `lossy`: a stress mode beyond what TCP allows, in which single messages may be dropped or
 * overtaken (the `drop-message` and `reorder-message` faults need it).
 */
export type NetworkMode = 'tcp' | 'lossy';

/** Deliberately broken variants. None of them is a Kafka configuration. */
export type Mutant =
  | { readonly kind: 'dedup-window'; readonly size: number }
  | { readonly kind: 'in-flight'; readonly maxInFlight: number }
  | { readonly kind: 'ignore-sequences' }
  /** A consumer loop that commits allConsumed() at poll, before processing (needs consumer=process-then-commit). */
  | { readonly kind: 'consumer-commits-at-poll' }
  /** A dedup sink that never remembers the ids it processed (needs consumer=dedup). */
  | { readonly kind: 'dedup-forgets-ids' }
  /** A transaction coordinator whose InitProducerId and timeout abort keep the epoch (needs transactional.id). */
  | { readonly kind: 'no-fence-bump' }
  /** A read_committed consumer that ignores the aborted-transaction index (needs transactional.id). */
  | { readonly kind: 'ignore-aborted-index' };

export interface ModelConfig {
  readonly producer: ProducerSettings;
  readonly topic: TopicSettings;
  readonly application: ApplicationMode;
  readonly network: NetworkMode;
  readonly mutant: Mutant | null;
  /** The consumer group's processing loop (`consumer=`); null: no consumer side is modelled. */
  readonly consumer: ConsumerMode | null;
  /** Consumers in the group (`consumers=`, 1 or 2); 1 when there is no consumer side. */
  readonly consumers: number;
  /** The transactional settings; null without `transactional.id`. */
  readonly txn: TxnSettings | null;
}

/** The user's settings as written: Kafka keys plus the model's own keys. */
export type ConfigInput = Readonly<Record<string, string | number | boolean>>;

export type ConfigResult =
  | { readonly ok: true; readonly config: ModelConfig; readonly notes: readonly string[] }
  | { readonly ok: false; readonly key: string; readonly error: string; readonly configException: boolean };

export const PRODUCER_KEYS = [
  'acks',
  'enable.idempotence',
  'retries',
  'max.in.flight.requests.per.connection',
  'delivery.timeout.ms',
  'request.timeout.ms',
  'linger.ms',
  'transactional.id',
] as const;

export const TOPIC_KEYS = ['partitions', 'replication.factor', 'min.insync.replicas', 'unclean.leader.election.enable'] as const;

/** Settings that only mean something with transactional.id (broker, consumer and protocol keys). */
export const TXN_KEYS = ['transaction.version', 'isolation.level', 'transaction.partition.verification.enable'] as const;

export const MODEL_KEYS = ['application', 'network', 'mutant', 'consumer', 'consumers', 'txn-app'] as const;

export type ConfigKey = (typeof PRODUCER_KEYS)[number] | (typeof TOPIC_KEYS)[number] | (typeof TXN_KEYS)[number] | (typeof MODEL_KEYS)[number];

export const ALL_KEYS: readonly string[] = [...PRODUCER_KEYS, ...TOPIC_KEYS, ...TXN_KEYS, ...MODEL_KEYS];

/**
 * Every key's default, as a user would write it: Kafka 3.8's for Kafka's keys (ProducerConfig's
 * `define(...)` calls, the broker's topic defaults), the model's own for the rest. resolveConfig
 * parses a missing key's default like a given value; `idemcheck list` prints them.
 */
export const CONFIG_DEFAULTS = {
  acks: 'all',
  'enable.idempotence': true,
  retries: 2147483647,
  'max.in.flight.requests.per.connection': 5,
  'delivery.timeout.ms': 120000,
  'request.timeout.ms': 30000,
  'linger.ms': 0,
  'transactional.id': 'none',
  partitions: 1,
  'replication.factor': 1,
  'min.insync.replicas': 1,
  'unclean.leader.election.enable': false,
  'transaction.version': 1,
  'isolation.level': 'read_uncommitted',
  'transaction.partition.verification.enable': true,
  application: 'fire-and-forget',
  network: 'tcp',
  mutant: 'none',
  consumer: 'none',
  consumers: 1,
  'txn-app': 'plain',
} as const satisfies Readonly<Record<ConfigKey, string | number | boolean>>;

/** What each key takes and does, for `idemcheck list` and error messages (its default is added). */
const KEY_TEXT: Readonly<Record<ConfigKey, { readonly values: string; readonly text: string }>> = {
  acks: { values: 'all|-1|1|0', text: 'when the leader answers a produce request' },
  'enable.idempotence': { values: 'true|false', text: 'PID and sequence numbers; set explicitly, conflicts are ConfigExceptions' },
  retries: { values: 'integer >= 0', text: 'resends of a batch after a retriable error' },
  'max.in.flight.requests.per.connection': { values: 'integer >= 1', text: 'unanswered produce requests per broker' },
  'delivery.timeout.ms': { values: 'integer >= 0', text: 'a batch fails with TimeoutException after this; a timer event in the model' },
  'request.timeout.ms': { values: 'integer >= 0', text: 'the client closes the connection after this; a timer event in the model' },
  'linger.ms': { values: 'integer >= 0', text: 'only used to validate delivery.timeout.ms' },
  'transactional.id': { values: 'non-empty string', text: 'a transactional producer (needs idempotence)' },
  partitions: { values: '1|2', text: 'partitions of the one topic' },
  'replication.factor': { values: '1|2|3', text: 'replicas per partition; the cluster has this many brokers' },
  'min.insync.replicas': { values: 'integer >= 1', text: 'ISR size needed for acks=all' },
  'unclean.leader.election.enable': { values: 'true|false', text: 'allow electing an out-of-sync replica' },
  'transaction.version': { values: '1|2', text: "1: 3.8's protocol; 2: KIP-890 part 2 (4.0), an epoch bump at every EndTxn and partitions added by their leader; needs transactional.id" },
  'isolation.level': { values: 'read_uncommitted|read_committed', text: "the consumers' read (the invariants' readers, and the group's with consumer=): up to the HW, or up to the LSO without aborted records; needs transactional.id" },
  'transaction.partition.verification.enable': { values: 'true|false', text: 'KIP-890 part 1: a leader verifies the first transactional write with the coordinator; needs transactional.id' },
  application: { values: 'fire-and-forget|at-least-once', text: 'does the application resend failed records' },
  network: { values: 'tcp|lossy', text: 'lossy allows single-message drops and reordering, beyond TCP' },
  mutant: {
    values: 'none|dedup-window:N|in-flight:N|ignore-sequences|consumer-commits-at-poll|dedup-forgets-ids|no-fence-bump|ignore-aborted-index',
    text: 'a deliberately broken variant',
  },
  consumer: { values: `none|${CONSUMER_MODES.join('|')}`, text: "a consumer group and its processing loop (none: the producer side only)" },
  consumers: { values: '1|2', text: 'consumers in the group (2 lets a rebalance move a partition); needs consumer=' },
  'txn-app': {
    values: 'plain|commit-or-abort|ctp|ctp-separate-commit',
    text: 'the transactional application: commits each transaction (aborts after errors), may also abort by choice, or consume-transform-produce with sendOffsetsToTransaction or with offsets committed after the commit; needs transactional.id',
  },
};

/** One line of explanation per key, for `idemcheck list` and error messages. */
export const KEY_HELP: Readonly<Record<string, string>> = Object.fromEntries(
  (Object.keys(KEY_TEXT) as ConfigKey[]).map((key) => [key, `${KEY_TEXT[key].values} (default ${String(CONFIG_DEFAULTS[key])}): ${KEY_TEXT[key].text}`]),
);

const INT_MAX = 2147483647;

class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
    readonly configException: boolean,
  ) {
    super(message);
  }
}

/** ConfigException(name, value, message) formats itself this way (ConfigException.java, line 37). */
function invalidValue(key: string, value: unknown, message: string): ConfigError {
  return new ConfigError(key, `Invalid value ${String(value)} for configuration ${key}: ${message}`, true);
}

function modelLimit(key: string, message: string): ConfigError {
  return new ConfigError(key, message, false);
}

/** ConfigDef.parseType for INT: an integer, or a string that Integer.parseInt accepts. */
function parseInt32(key: string, value: string | number | boolean): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -2147483648 && value <= INT_MAX) return value;
    throw invalidValue(key, value, 'Not a number of type INT');
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^[+-]?\d+$/.test(trimmed)) {
      const n = Number(trimmed);
      if (n >= -2147483648 && n <= INT_MAX) return n;
    }
    throw invalidValue(key, value, 'Not a number of type INT');
  }
  throw invalidValue(key, value, 'Expected value to be a 32-bit integer, but it was a java.lang.Boolean');
}

/** ConfigDef.parseType for LONG; the model accepts the integers a double holds exactly. */
function parseLong(key: string, value: string | number | boolean): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (typeof value === 'boolean') throw invalidValue(key, value, 'Expected value to be a 64-bit integer (long), but it was a java.lang.Boolean');
  if (!Number.isSafeInteger(n)) throw invalidValue(key, value, 'Not a number of type LONG');
  return n;
}

/** ConfigDef.parseType for BOOLEAN: a boolean, or "true"/"false" in any case. */
function parseBool(key: string, value: string | number | boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const trimmed = value.trim().toLowerCase();
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
  }
  throw invalidValue(key, value, 'Expected value to be either true or false');
}

function atLeast(key: string, value: number, min: number): number {
  if (value < min) throw invalidValue(key, value, `Value must be at least ${min}`);
  return value;
}

function text(value: string | number | boolean): string {
  return typeof value === 'string' ? value.trim() : String(value);
}

function parseMutant(value: string | number | boolean): Mutant | null {
  const raw = text(value);
  if (raw === 'none') return null;
  if (raw === 'ignore-sequences') return { kind: 'ignore-sequences' };
  if (raw === 'consumer-commits-at-poll') return { kind: 'consumer-commits-at-poll' };
  if (raw === 'dedup-forgets-ids') return { kind: 'dedup-forgets-ids' };
  if (raw === 'no-fence-bump') return { kind: 'no-fence-bump' };
  if (raw === 'ignore-aborted-index') return { kind: 'ignore-aborted-index' };
  const match = /^(dedup-window|in-flight):(\d+)$/.exec(raw);
  if (match) {
    const n = Number(match[2]);
    if (match[1] === 'dedup-window') {
      if (n < 1 || n > 10 || n === 5) throw modelLimit('mutant', `dedup-window:N needs N from 1 to 10 other than 5 (Kafka's own size), got ${n}`);
      return { kind: 'dedup-window', size: n };
    }
    if (n < 6 || n > 10) throw modelLimit('mutant', `in-flight:N needs N from 6 to 10 (at most 5 is Kafka's own rule), got ${n}`);
    return { kind: 'in-flight', maxInFlight: n };
  }
  throw modelLimit(
    'mutant',
    `unknown mutant '${raw}'; allowed: none, dedup-window:N, in-flight:N, ignore-sequences, consumer-commits-at-poll, dedup-forgets-ids, no-fence-bump, ignore-aborted-index`,
  );
}

/**
 * Validate the user's settings exactly as Kafka 3.8 does, then the model's own keys.
 * Returns ConfigException's message for a config the real client rejects.
 */
export function resolveConfig(input: ConfigInput): ConfigResult {
  try {
    return resolveOrThrow(input);
  } catch (error) {
    if (error instanceof ConfigError) {
      return { ok: false, key: error.key, error: error.message, configException: error.configException };
    }
    throw error;
  }
}

function resolveOrThrow(input: ConfigInput): ConfigResult {
  for (const key of Object.keys(input)) {
    if (!ALL_KEYS.includes(key)) {
      throw new ConfigError(key, `unknown config key '${key}'; known keys: ${ALL_KEYS.join(', ')}`, false);
    }
  }
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(input, key);
  const raw = (key: string): string | number | boolean | undefined => (has(key) ? input[key] : undefined);
  const notes: string[] = [];

  // ConfigDef.parse: each key is parsed and range-checked in definition order (PC lines 375–532).
  const retriesRaw = raw('retries');
  const retries = atLeast('retries', parseInt32('retries', retriesRaw ?? CONFIG_DEFAULTS.retries), 0);
  const acksRaw = raw('acks');
  const acksText = text(acksRaw ?? CONFIG_DEFAULTS.acks);
  if (!['all', '-1', '0', '1'].includes(acksText)) {
    throw invalidValue('acks', acksRaw, 'String must be one of: all, -1, 0, 1');
  }
  const lingerRaw = raw('linger.ms');
  // linger.ms is a LONG; KafkaProducer.lingerMs clamps it to Integer.MAX_VALUE.
  const lingerMs = Math.min(atLeast('linger.ms', parseLong('linger.ms', lingerRaw ?? CONFIG_DEFAULTS['linger.ms']), 0), INT_MAX);
  const deliveryRaw = raw('delivery.timeout.ms');
  let deliveryTimeoutMs = atLeast('delivery.timeout.ms', parseInt32('delivery.timeout.ms', deliveryRaw ?? CONFIG_DEFAULTS['delivery.timeout.ms']), 0);
  const requestRaw = raw('request.timeout.ms');
  const requestTimeoutMs = atLeast('request.timeout.ms', parseInt32('request.timeout.ms', requestRaw ?? CONFIG_DEFAULTS['request.timeout.ms']), 0);
  const inFlightRaw = raw('max.in.flight.requests.per.connection');
  const maxInFlight = atLeast(
    'max.in.flight.requests.per.connection',
    parseInt32('max.in.flight.requests.per.connection', inFlightRaw ?? CONFIG_DEFAULTS['max.in.flight.requests.per.connection']),
    1,
  );
  const idempotenceRaw = raw('enable.idempotence');
  let idempotence = parseBool('enable.idempotence', idempotenceRaw ?? CONFIG_DEFAULTS['enable.idempotence']);
  const txnRaw = raw('transactional.id');
  let transactionalId: string | null = null;
  if (txnRaw !== undefined) {
    transactionalId = text(txnRaw);
    if (transactionalId === '') throw invalidValue('transactional.id', txnRaw, 'String must be non-empty');
  }

  // ProducerConfig.parseAcks: "all" becomes -1.
  const acks: Acks = acksText === 'all' ? -1 : (Number(acksText) as Acks);

  // ProducerConfig.postProcessAndValidateIdempotenceConfigs (PC lines 564–617): each conflict is
  // checked on its own; set explicitly it throws, left implicit it disables idempotence.
  const mutant = parseMutant(raw('mutant') ?? CONFIG_DEFAULTS.mutant);
  const explicitIdempotence = has('enable.idempotence');
  if (idempotence) {
    let disable = false;
    if (retries === 0) {
      if (explicitIdempotence) {
        throw new ConfigError('retries', 'Must set retries to non-zero when using the idempotent producer.', true);
      }
      notes.push('INFO Idempotence will be disabled because retries is set to 0.');
      disable = true;
    }
    if (acks !== -1) {
      if (explicitIdempotence) {
        throw new ConfigError(
          'acks',
          'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
          true,
        );
      }
      notes.push(`INFO Idempotence will be disabled because acks is set to ${acks}, not set to 'all'.`);
      disable = true;
    }
    if (maxInFlight > 5) {
      if (explicitIdempotence) {
        throw new ConfigError(
          'max.in.flight.requests.per.connection',
          'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.',
          true,
        );
      }
      notes.push(
        `WARN Idempotence will be disabled because max.in.flight.requests.per.connection is set to ${maxInFlight}, which is greater than 5. ` +
          'Please note that in v4.0.0 and onward, this will become an error.',
      );
      disable = true;
    }
    if (disable) idempotence = false;
  }
  if (!idempotence && has('transactional.id')) {
    throw new ConfigError('transactional.id', 'Cannot set a transactional.id without also enabling idempotence.', true);
  }

  // KafkaProducer.configureDeliveryTimeout: explicit and too small throws; implicit is raised.
  const lingerAndRequestTimeoutMs = Math.min(lingerMs + requestTimeoutMs, INT_MAX);
  if (deliveryTimeoutMs < lingerAndRequestTimeoutMs) {
    if (has('delivery.timeout.ms')) {
      throw new ConfigError('delivery.timeout.ms', 'delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms', true);
    }
    deliveryTimeoutMs = lingerAndRequestTimeoutMs;
    notes.push(`WARN delivery.timeout.ms raised to linger.ms + request.timeout.ms = ${deliveryTimeoutMs}.`);
  }

  // The in-flight mutant lifts the "at most 5 with idempotence" rule that ProducerConfig enforces.
  let effectiveInFlight = maxInFlight;
  if (mutant?.kind === 'in-flight') {
    if (!idempotence) throw modelLimit('mutant', 'in-flight:N is a mutant of the idempotent producer; enable.idempotence must stay on');
    effectiveInFlight = mutant.maxInFlight;
  }

  const topic = resolveTopic(raw);
  const applicationRaw = raw('application');
  const application = text(applicationRaw ?? CONFIG_DEFAULTS.application);
  if (application !== 'fire-and-forget' && application !== 'at-least-once') {
    throw modelLimit('application', `must be fire-and-forget or at-least-once, got '${application}'`);
  }
  const networkRaw = raw('network');
  const network = text(networkRaw ?? CONFIG_DEFAULTS.network);
  if (network !== 'tcp' && network !== 'lossy') throw modelLimit('network', `must be tcp or lossy, got '${network}'`);

  const { consumer, consumers } = resolveConsumer(raw, has);
  const txn = resolveTxn(raw, has, transactionalId);
  if ((mutant?.kind === 'no-fence-bump' || mutant?.kind === 'ignore-aborted-index') && txn === null) throw modelLimit('mutant', `${mutant.kind} is a mutant of transactions; set transactional.id`);
  if (mutant?.kind === 'consumer-commits-at-poll' && consumer?.kind !== 'process-then-commit') {
    throw modelLimit('mutant', 'consumer-commits-at-poll is a mutant of consumer=process-then-commit; set that consumer');
  }
  if (mutant?.kind === 'dedup-forgets-ids' && consumer?.kind !== 'dedup') throw modelLimit('mutant', 'dedup-forgets-ids is a mutant of consumer=dedup; set that consumer');

  const producer: ProducerSettings = {
    acks,
    idempotence,
    retries,
    maxInFlight: effectiveInFlight,
    deliveryTimeoutMs,
    requestTimeoutMs,
    lingerMs,
    transactionalId,
  };
  return { ok: true, config: { producer, topic, application, network, mutant, consumer, consumers, txn }, notes };
}

/** The transactional keys: only with transactional.id (without it every record is committed and they change nothing). */
function resolveTxn(
  raw: (key: string) => string | number | boolean | undefined,
  has: (key: string) => boolean,
  transactionalId: string | null,
): TxnSettings | null {
  for (const key of [...TXN_KEYS, 'txn-app']) {
    if (transactionalId === null && has(key)) throw modelLimit(key, 'needs a transactional producer: set transactional.id as well');
  }
  if (transactionalId === null) return null;
  const versionText = text(raw('transaction.version') ?? CONFIG_DEFAULTS['transaction.version']);
  if (versionText !== '1' && versionText !== '2') throw modelLimit('transaction.version', `must be 1 (3.8) or 2 (KIP-890 part 2), got '${versionText}'`);
  const isolationRaw = raw('isolation.level');
  const isolation = text(isolationRaw ?? CONFIG_DEFAULTS['isolation.level']);
  // ConsumerConfig's ValidString.in(read_committed, read_uncommitted), case-sensitive as ConfigDef's String validator.
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') throw invalidValue('isolation.level', isolationRaw, 'String must be one of: read_committed, read_uncommitted');
  const verification = parseBool('transaction.partition.verification.enable', raw('transaction.partition.verification.enable') ?? CONFIG_DEFAULTS['transaction.partition.verification.enable']);
  const app = text(raw('txn-app') ?? CONFIG_DEFAULTS['txn-app']);
  if (app !== 'plain' && app !== 'commit-or-abort' && app !== 'ctp' && app !== 'ctp-separate-commit') throw modelLimit('txn-app', `must be plain, commit-or-abort, ctp or ctp-separate-commit, got '${app}'`);
  return { transactionalId, version: versionText === '1' ? 1 : 2, isolation, verification, app };
}

/** The model's consumer keys: `consumer=` (a loop from consumer-types.ts, or none) and `consumers=` (1 or 2, needs a consumer). */
function resolveConsumer(
  raw: (key: string) => string | number | boolean | undefined,
  has: (key: string) => boolean,
): { readonly consumer: ConsumerMode | null; readonly consumers: number } {
  const consumerText = text(raw('consumer') ?? CONFIG_DEFAULTS.consumer);
  let consumer: ConsumerMode | null = null;
  if (consumerText !== 'none') {
    const parsed = parseConsumerMode(consumerText);
    // parseConsumerMode's list leaves out 'none', which only the setting has.
    if (!parsed.ok) throw modelLimit('consumer', parsed.error.startsWith('consumer must') ? `${parsed.error} or none, got '${consumerText}'` : parsed.error);
    consumer = parsed.mode;
  }
  const consumers = parseInt32('consumers', raw('consumers') ?? CONFIG_DEFAULTS.consumers);
  if (consumers < 1 || consumers > 2) throw modelLimit('consumers', `the model supports 1 or 2, got ${consumers}`);
  if (has('consumers') && consumer === null) throw modelLimit('consumers', 'needs a consumer group: set consumer= as well');
  return { consumer, consumers };
}

function resolveTopic(raw: (key: string) => string | number | boolean | undefined): TopicSettings {
  const partitionsRaw = raw('partitions');
  const partitions = parseInt32('partitions', partitionsRaw ?? CONFIG_DEFAULTS.partitions);
  if (partitions < 1 || partitions > 2) throw modelLimit('partitions', `the model supports 1 or 2, got ${partitions}`);
  const rfRaw = raw('replication.factor');
  const replicationFactor = parseInt32('replication.factor', rfRaw ?? CONFIG_DEFAULTS['replication.factor']);
  if (replicationFactor < 1 || replicationFactor > 3) {
    throw modelLimit('replication.factor', `the model supports 1 to 3, got ${replicationFactor}`);
  }
  const minIsrRaw = raw('min.insync.replicas');
  const minInsyncReplicas = atLeast('min.insync.replicas', parseInt32('min.insync.replicas', minIsrRaw ?? CONFIG_DEFAULTS['min.insync.replicas']), 1);
  const uncleanRaw = raw('unclean.leader.election.enable');
  const uncleanLeaderElection = parseBool('unclean.leader.election.enable', uncleanRaw ?? CONFIG_DEFAULTS['unclean.leader.election.enable']);
  return { partitions, replicationFactor, minInsyncReplicas, uncleanLeaderElection };
}

/**
 * Partition.effectiveMinIsr: min.insync.replicas larger than the replication factor is allowed
 * and acts as the replication factor (PART, comment above `effectiveMinIsr`).
 */
export function effectiveMinIsr(topic: TopicSettings): number {
  return Math.min(topic.minInsyncReplicas, topic.replicationFactor);
}

/** ProducerStateEntry.NUM_BATCHES_TO_RETAIN = 5 (PSE line 36), unless a mutant changes it. */
export function dedupWindow(config: ModelConfig): number {
  return config.mutant?.kind === 'dedup-window' ? config.mutant.size : 5;
}

/** Render a resolved config back into the keys a user would write (for reports). */
export function describeConfig(config: ModelConfig): Record<string, string | number | boolean> {
  const p = config.producer;
  const out: Record<string, string | number | boolean> = {
    acks: p.acks === -1 ? 'all' : String(p.acks),
    'enable.idempotence': p.idempotence,
    retries: p.retries,
    'max.in.flight.requests.per.connection': p.maxInFlight,
    'delivery.timeout.ms': p.deliveryTimeoutMs,
    'request.timeout.ms': p.requestTimeoutMs,
    partitions: config.topic.partitions,
    'replication.factor': config.topic.replicationFactor,
    'min.insync.replicas': config.topic.minInsyncReplicas,
    'unclean.leader.election.enable': config.topic.uncleanLeaderElection,
    application: config.application,
    network: config.network,
  };
  if (p.transactionalId !== null) out['transactional.id'] = p.transactionalId;
  if (config.txn !== null) {
    out['transaction.version'] = config.txn.version;
    out['isolation.level'] = config.txn.isolation;
    out['transaction.partition.verification.enable'] = config.txn.verification;
    out['txn-app'] = config.txn.app;
  }
  if (config.mutant !== null) out.mutant = formatMutant(config.mutant);
  if (config.consumer !== null) {
    out.consumer = consumerModeName(config.consumer);
    out.consumers = config.consumers;
  }
  return out;
}

export function formatMutant(mutant: Mutant): string {
  switch (mutant.kind) {
    case 'dedup-window':
      return `dedup-window:${mutant.size}`;
    case 'in-flight':
      return `in-flight:${mutant.maxInFlight}`;
    case 'ignore-sequences':
    case 'consumer-commits-at-poll':
    case 'dedup-forgets-ids':
    case 'no-fence-bump':
    case 'ignore-aborted-index':
      return mutant.kind;
  }
}
