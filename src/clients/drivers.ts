/**
 * Adapters from each client library to one small interface: open a producer with given settings,
 * send one record and learn its partition and offset (or the error), close.
 *
 * Clients: kafkajs 2.2.4 and @platformatic/kafka 1.35.0 (optional peer dependencies, installed
 * for the tests as dev dependencies), @platformatic/kafka 2.12.1 beside it under the npm alias
 * platformatic-kafka-2 (a dev dependency; it runs under Node 22.22 or newer), and node-rdkafka
 * when it is installed (optional: it builds librdkafka from source). Each is imported only when a
 * run needs it.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PEER_DEPENDENCIES } from '../package.js';

export type ClientName = 'kafkajs' | 'platformatic' | 'platformatic2' | 'rdkafka';

export const CLIENT_NAMES: readonly ClientName[] = ['kafkajs', 'platformatic', 'platformatic2', 'rdkafka'];

export interface ClientSettings {
  readonly idempotent: boolean;
  /** -1 (all), 1 or 0. */
  readonly acks: -1 | 0 | 1;
  readonly maxInFlight: number;
  readonly retries: number;
  readonly requestTimeoutMs: number;
  /**
   * Each record its own batch (and so its own produce request when sends are concurrent), so that
   * concurrent sends fill the pipeline instead of sharing a batch. False: the client's own
   * batching.
   */
  readonly oneRecordPerBatch: boolean;
}

export interface OutgoingRecord {
  readonly value: Buffer;
  readonly key: Buffer | null;
  /** An explicit partition, or null to let the client's partitioner choose. */
  readonly partition: number | null;
}

export interface Delivered {
  readonly partition: number;
  /** -1 when the client reports no offset (acks=0). */
  readonly offset: number;
}

export interface ClientProducer {
  send(record: OutgoingRecord): Promise<Delivered>;
  close(): Promise<void>;
}

export interface ClientDriver {
  readonly name: ClientName;
  /** The library version, or null when it is not installed. */
  version(): string | null;
  /** The one command that installs the library (an optional peer dependency of idemcheck). */
  readonly install: string;
  /** Why this Node cannot run the library (its engines field), or null when it can. */
  notRunnableHere(): string | null;
  /** Load the library: ClientNotInstalled when it is missing. */
  load(): Promise<unknown>;
  open(options: { readonly bootstrap: readonly string[]; readonly topic: string; readonly settings: ClientSettings; readonly partitions: number }): Promise<ClientProducer>;
  /** Where the library changes or ignores one of these settings (read from its source). */
  overrides(settings: ClientSettings): readonly Override[];
  /** How the library batches records under these settings, in a sentence (read from its source). */
  batching(settings: ClientSettings): string;
}

export interface Override {
  readonly setting: 'maxInFlight' | 'acks' | 'retries';
  /** The value the library uses in effect. */
  readonly value: number;
  /** What the library does instead, in a sentence. */
  readonly why: string;
}

/** The settings as the library uses them: `settings` with its overrides applied. */
export function settingsInEffect(driver: ClientDriver, settings: ClientSettings): ClientSettings {
  let effective = settings;
  for (const o of driver.overrides(settings)) effective = { ...effective, [o.setting]: o.value };
  return effective;
}

const require = createRequire(import.meta.url);

/** A client library that is not installed, and the command that installs it. */
export class ClientNotInstalled extends Error {
  constructor(
    readonly pkg: string,
    readonly install: string,
  ) {
    super(`${pkg} is not installed; install it with: ${install}`);
  }
}

/** `npm install PKG@RANGE`, the range being idemcheck's peer dependency on it (package.json). */
export function installCommand(pkg: string): string {
  const range = PEER_DEPENDENCIES[pkg];
  return `npm install ${range === undefined ? pkg : `${pkg}@${range}`}`;
}

/**
 * Import a client library, only when a run needs it. When that package is missing (not a package
 * it needs, whose error is left as it is), ClientNotInstalled says how to install it. `load` is
 * the import itself, replaceable in tests.
 */
export async function importClient<T>(pkg: string, load: (specifier: string) => Promise<T> = async (specifier) => (await import(specifier)) as T): Promise<T> {
  try {
    return await load(pkg);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${pkg}'`)) throw new ClientNotInstalled(pkg, installCommand(pkg));
    throw error;
  }
}

/**
 * The installed version of a package, read from its package.json in the node_modules folders Node
 * would search. (Not `require('pkg/package.json')`: a package whose "exports" omits it, as
 * @platformatic/kafka's does, refuses that path.)
 */
function installedVersion(pkg: string): string | null {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const file = join(dir, pkg, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
      return typeof version === 'string' ? version : null;
    } catch {
      return null;
    }
  }
  return null;
}

export const kafkajsDriver: ClientDriver = {
  name: 'kafkajs',
  version: () => installedVersion('kafkajs'),
  install: installCommand('kafkajs'),
  notRunnableHere: () => null,
  load: () => importClient('kafkajs'),
  // An idempotent producer (one with a producer id) holds a lock per broker around each produce
  // request, released when it is answered or times out (src/producer/sendMessages.js, eosManager
  // acquireBrokerLock).
  overrides: (settings) =>
    settings.idempotent && settings.maxInFlight > 1
      ? [
          {
            setting: 'maxInFlight',
            value: 1,
            why: `kafkajs sends an idempotent producer's requests to a broker one at a time (a lock per broker, released when a request is answered or times out), so --max-in-flight ${settings.maxInFlight} has no effect`,
          },
        ]
      : [],
  // Producer.send (src/producer/index.js → sendMessages) builds one request per broker from the
  // messages of that one call: records of different send() calls never share a batch, and
  // there is no linger.
  batching: () => 'kafkajs puts the records of one send() call, and only those, in a batch: one record per send is one record per batch',
  async open({ bootstrap, topic, settings }) {
    const { Kafka, logLevel } = (await importClient<{ readonly default: typeof import('kafkajs') }>('kafkajs')).default;
    const kafka = new Kafka({
      clientId: 'idemcheck',
      brokers: [...bootstrap],
      logLevel: logLevel.NOTHING,
      requestTimeout: settings.requestTimeoutMs,
      connectionTimeout: settings.requestTimeoutMs,
      retry: { retries: settings.retries, initialRetryTime: 5, maxRetryTime: 40, factor: 0, multiplier: 1 },
    });
    const producer = kafka.producer({
      idempotent: settings.idempotent,
      maxInFlightRequests: settings.maxInFlight,
      allowAutoTopicCreation: false,
      retry: { retries: settings.retries, initialRetryTime: 5, maxRetryTime: 40, factor: 0, multiplier: 1 },
    });
    await producer.connect();
    return {
      async send(record) {
        const metadata = await producer.send({
          topic,
          acks: settings.acks,
          timeout: settings.requestTimeoutMs,
          messages: [{ value: record.value, key: record.key, ...(record.partition === null ? {} : { partition: record.partition }) }],
        });
        const first = metadata[0];
        if (first === undefined) return { partition: record.partition ?? -1, offset: -1 };
        return { partition: first.partition, offset: first.baseOffset === undefined ? -1 : Number(first.baseOffset) };
      },
      close: () => producer.disconnect(),
    };
  },
};

/**
 * @platformatic/kafka under package name `pkg`: the same driver for 1.x and 2.x, whose Producer
 * takes the same options and applies the same idempotence overrides (the constructor of
 * dist/clients/producer/producer.js is the same in 1.35.0 and 2.12.1).
 */
function platformaticDriverOf(name: 'platformatic' | 'platformatic2', pkg: string, install: string): ClientDriver {
  return {
    name,
    version: () => installedVersion(pkg),
    install,
    // 2.x's package.json asks for Node ">= 22.22.0 || >= 24.6.0" (the second range lies within the
    // first); 1.35.0's for ">= 20.19.4".
    notRunnableHere: () => {
      const version = installedVersion(pkg);
      if (version === null || !version.startsWith('2.') || nodeAtLeast(process.versions.node, [22, 22, 0])) return null;
      return `@platformatic/kafka ${version}${pkg === '@platformatic/kafka' ? '' : ` (installed as ${pkg})`} needs Node 22.22.0 or newer (its engines field); this is Node ${process.versions.node}: run idemcheck with such a Node`;
    },
    load: () => importClient(pkg),
    // The Producer constructor, when idempotent (dist/clients/producer/producer.js): maxInflights = 1,
    // acks = ALL, and retries of 1 or less (or none) become Number.MAX_SAFE_INTEGER.
    overrides: (settings) => {
      if (!settings.idempotent) return [];
      const notes: Override[] = [];
      if (settings.maxInFlight > 1) {
        notes.push({
          setting: 'maxInFlight',
          value: 1,
          why: `@platformatic/kafka keeps an idempotent producer to one request awaiting an answer per connection (until it times out), so --max-in-flight ${settings.maxInFlight} has no effect`,
        });
      }
      if (settings.acks !== -1) notes.push({ setting: 'acks', value: -1, why: `@platformatic/kafka uses acks=all for an idempotent producer, not --acks ${settings.acks}` });
      if (settings.retries <= 1) {
        notes.push({
          setting: 'retries',
          value: Number.MAX_SAFE_INTEGER,
          why: `@platformatic/kafka raises an idempotent producer's retries of 1 or less to Number.MAX_SAFE_INTEGER, so --retries ${settings.retries} has no effect`,
        });
      }
      return notes;
    },
    // Producer.send (dist/clients/producer/producer.js #produce) sends each call's messages as
    // they come; batchSize and batchTime are options of ProducerStream only, not of Producer.
    batching: () => '@platformatic/kafka sends the messages of one send() call in their own request (it batches only in ProducerStream): one record per send is one record per batch',
    async open({ bootstrap, topic, settings, partitions }) {
      const { Producer } = await importClient<typeof import('@platformatic/kafka')>(pkg);
      const producer = new Producer({
        clientId: 'idemcheck',
        bootstrapBrokers: [...bootstrap],
        idempotent: settings.idempotent,
        acks: settings.acks,
        timeout: settings.requestTimeoutMs,
        requestTimeout: settings.requestTimeoutMs,
        connectTimeout: settings.requestTimeoutMs,
        retries: settings.retries,
        retryDelay: 5,
        maxInflights: settings.maxInFlight,
        autocreateTopics: false,
      });
      return {
        async send(record) {
          // Without a partition, @platformatic/kafka hashes the key (murmur2) or, keyless, goes round-robin.
          const partition = record.partition ?? undefined;
          const result = await producer.send({
            messages: [{ topic, value: record.value, ...(record.key === null ? {} : { key: record.key }), ...(partition === undefined ? {} : { partition }) }],
            // send() reads acks from its own options (acks=1 when absent and not idempotent), not
            // from the constructor's; an idempotent producer refuses any but all.
            ...(settings.idempotent ? {} : { acks: settings.acks }),
          });
          const first = result.offsets?.[0];
          if (first === undefined) return { partition: record.partition ?? -1, offset: -1 };
          return { partition: first.partition % partitions, offset: Number(first.offset) };
        },
        close: () => producer.close(),
      };
    },
  };
}

export const platformaticDriver: ClientDriver = platformaticDriverOf('platformatic', '@platformatic/kafka', installCommand('@platformatic/kafka'));

/** The @platformatic/kafka 2.x idemcheck tests, installed beside 1.x under an npm alias (a dev dependency). */
export const PLATFORMATIC2_PACKAGE = 'platformatic-kafka-2';

/** @platformatic/kafka 2.x, from the npm alias `platformatic-kafka-2`, so that it is installed beside 1.x; it runs under Node 22.22 or newer. */
export const platformatic2Driver: ClientDriver = platformaticDriverOf('platformatic2', PLATFORMATIC2_PACKAGE, `npm install ${PLATFORMATIC2_PACKAGE}@npm:@platformatic/kafka@^2.12.1 (and run idemcheck under Node 22.22 or newer)`);

/** Whether Node version `version` ("22.23.5") is at least `min`. */
export function nodeAtLeast(version: string, min: readonly [number, number, number]): boolean {
  const v = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** node-rdkafka, only where it is installed (it builds librdkafka from source, over 7 minutes on a busy 2-core machine). */
export const rdkafkaDriver: ClientDriver = {
  name: 'rdkafka',
  install: 'npm install --no-save node-rdkafka@3.6.1 && npm rebuild node-rdkafka (optional: it builds librdkafka from source, over 7 minutes on a busy 2-core machine)',
  notRunnableHere: () => null,
  load: async () => {
    if (rdkafkaDriver.version() === null) throw new ClientNotInstalled('node-rdkafka (installed and built)', rdkafkaDriver.install);
  },
  // librdkafka takes every setting as given, and refuses the ones it does not accept when created.
  overrides: () => [],
  batching: (settings) =>
    settings.oneRecordPerBatch
      ? 'librdkafka gets batch.num.messages=1 and linger.ms=0: one record per batch, each batch its own request'
      : 'librdkafka batches concurrent records (batch.num.messages 10000, linger.ms=0): concurrent sends may share one request',
  version: () => {
    // node-rdkafka's package.json spells its version "v3.6.1". An install whose native build did
    // not run (npm 11 skips install scripts it was not told to allow) is not usable: null.
    const version = installedVersion('node-rdkafka');
    if (version === null) return null;
    try {
      const { librdkafkaVersion } = require('node-rdkafka') as { librdkafkaVersion?: string };
      return `${version.replace(/^v/, '')} (librdkafka ${librdkafkaVersion ?? '?'})`;
    } catch {
      return null;
    }
  },
  async open({ bootstrap, topic, settings }) {
    const Kafka = require('node-rdkafka') as {
      HighLevelProducer: new (config: Record<string, unknown>, topicConfig: Record<string, unknown>) => {
        connect(options: unknown, cb: (error: Error | null) => void): void;
        produce(topic: string, partition: number | null, value: Buffer, key: Buffer | null, timestamp: number | null, cb: (error: Error | null, offset?: number) => void): void;
        setPollInterval(ms: number): void;
        disconnect(cb: () => void): void;
      };
    };
    const producer = new Kafka.HighLevelProducer(
      {
        'metadata.broker.list': bootstrap.join(','),
        'enable.idempotence': settings.idempotent,
        'max.in.flight.requests.per.connection': settings.maxInFlight,
        'message.send.max.retries': settings.retries,
        'socket.timeout.ms': settings.requestTimeoutMs,
        'request.timeout.ms': settings.requestTimeoutMs,
        'retry.backoff.ms': 5,
        'linger.ms': 0,
        ...(settings.oneRecordPerBatch ? { 'batch.num.messages': 1 } : {}),
        'api.version.request': true,
      },
      { 'request.required.acks': settings.acks, 'message.timeout.ms': Math.max(2000, settings.requestTimeoutMs * 4) },
    );
    await new Promise<void>((resolve, reject) => producer.connect({}, (error) => (error === null ? resolve() : reject(error))));
    producer.setPollInterval(5);
    return {
      send: (record) =>
        new Promise<Delivered>((resolve, reject) => {
          producer.produce(topic, record.partition, record.value, record.key, null, (error, offset) => {
            if (error !== null) reject(error);
            else resolve({ partition: record.partition ?? -1, offset: offset ?? -1 });
          });
        }),
      close: () => new Promise<void>((resolve) => producer.disconnect(() => resolve())),
    };
  },
};

export const DRIVERS: Readonly<Record<ClientName, ClientDriver>> = {
  kafkajs: kafkajsDriver,
  platformatic: platformaticDriver,
  platformatic2: platformatic2Driver,
  rdkafka: rdkafkaDriver,
};
