/**
 * Reference §4: ProducerConfig.postProcessAndValidateIdempotenceConfigs (PC lines 564–617),
 * KafkaProducer.configureDeliveryTimeout, and ConfigDef's parsing, row by row.
 */

import { describe, expect, it } from 'vitest';
import { describeConfig, resolveConfig } from './config.js';
import type { ConfigInput } from './config.js';

function accepted(input: ConfigInput) {
  const result = resolveConfig(input);
  if (!result.ok) throw new Error(`rejected: ${result.error}`);
  return result;
}

function rejected(input: ConfigInput) {
  const result = resolveConfig(input);
  if (result.ok) throw new Error('accepted');
  return result;
}

describe('Config: 3.8 defaults (PC define)', () => {
  it('enable.idempotence=true, acks=all, retries=MAX_INT, 5 in flight, 120 s delivery, 30 s request timeout', () => {
    const { config, notes } = accepted({});
    expect(config.producer).toEqual({
      acks: -1,
      idempotence: true,
      retries: 2147483647,
      maxInFlight: 5,
      deliveryTimeoutMs: 120000,
      requestTimeoutMs: 30000,
      lingerMs: 0,
      transactionalId: null,
    });
    expect(config.topic).toEqual({ partitions: 1, replicationFactor: 1, minInsyncReplicas: 1, uncleanLeaderElection: false });
    expect(notes).toEqual([]);
  });
});

describe('Config: idempotence conflicts, explicit versus implicit (PC postProcessAndValidateIdempotenceConfigs)', () => {
  const rows: { conflict: ConfigInput; message: string; key: string; note: string }[] = [
    {
      conflict: { retries: 0 },
      key: 'retries',
      message: 'Must set retries to non-zero when using the idempotent producer.',
      note: 'INFO Idempotence will be disabled because retries is set to 0.',
    },
    {
      conflict: { acks: '1' },
      key: 'acks',
      message: 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
      note: "INFO Idempotence will be disabled because acks is set to 1, not set to 'all'.",
    },
    {
      conflict: { acks: '0' },
      key: 'acks',
      message: 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
      note: "INFO Idempotence will be disabled because acks is set to 0, not set to 'all'.",
    },
    {
      conflict: { 'max.in.flight.requests.per.connection': 6 },
      key: 'max.in.flight.requests.per.connection',
      message: 'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.',
      note: 'WARN Idempotence will be disabled because max.in.flight.requests.per.connection is set to 6, which is greater than 5. Please note that in v4.0.0 and onward, this will become an error.',
    },
  ];

  for (const row of rows) {
    const name = Object.entries(row.conflict).map(([k, v]) => `${k}=${v}`).join(' ');
    it(`${name} with enable.idempotence=true set explicitly throws ConfigException`, () => {
      const result = rejected({ ...row.conflict, 'enable.idempotence': true });
      expect(result).toMatchObject({ key: row.key, error: row.message, configException: true });
    });
    it(`${name} with enable.idempotence left implicit silently disables idempotence`, () => {
      const { config, notes } = accepted(row.conflict);
      expect(config.producer.idempotence).toBe(false);
      expect(notes).toEqual([row.note]);
    });
  }

  it('each conflict is checked on its own: two implicit conflicts give two log lines', () => {
    const { notes, config } = accepted({ retries: '0', acks: '1' });
    expect(config.producer.idempotence).toBe(false);
    expect(notes).toHaveLength(2);
  });

  it('the first conflict in check order (retries, acks, in flight) is the one thrown', () => {
    expect(rejected({ 'enable.idempotence': 'true', acks: '1', retries: 0 }).key).toBe('retries');
  });

  it('enable.idempotence=false explicitly is simply off, with no message', () => {
    const { config, notes } = accepted({ 'enable.idempotence': 'false', acks: '1' });
    expect(config.producer.idempotence).toBe(false);
    expect(notes).toEqual([]);
  });
});

describe('Config: transactional.id needs idempotence (PC, after the idempotence step)', () => {
  it('with idempotence disabled implicitly by a conflict, setting transactional.id throws', () => {
    expect(rejected({ 'transactional.id': 'tx', acks: '1' })).toMatchObject({
      key: 'transactional.id',
      error: 'Cannot set a transactional.id without also enabling idempotence.',
    });
  });
  it('with enable.idempotence=false explicitly, setting transactional.id throws', () => {
    expect(rejected({ 'transactional.id': 'tx', 'enable.idempotence': false }).key).toBe('transactional.id');
  });
  it('with idempotence on, transactional.id passes Kafka\'s rule and the transactional side is on', () => {
    const r = resolveConfig({ 'transactional.id': 'tx' });
    expect(r.ok && r.config.txn?.transactionalId).toBe('tx');
  });
  it('an empty transactional.id is rejected by ConfigDef.NonEmptyString', () => {
    expect(rejected({ 'transactional.id': '' }).error).toBe('Invalid value  for configuration transactional.id: String must be non-empty');
  });
});

describe('Config: delivery.timeout.ms (KafkaProducer.configureDeliveryTimeout)', () => {
  it('explicitly below linger.ms + request.timeout.ms throws', () => {
    expect(rejected({ 'delivery.timeout.ms': 1000, 'request.timeout.ms': 30000 })).toMatchObject({
      key: 'delivery.timeout.ms',
      error: 'delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms',
    });
  });
  it('left at its default while request.timeout.ms is larger, it is raised with a warning', () => {
    const { config, notes } = accepted({ 'request.timeout.ms': 200000 });
    expect(config.producer.deliveryTimeoutMs).toBe(200000);
    expect(notes).toHaveLength(1);
  });
});

describe('Config: ConfigDef parsing and ranges', () => {
  it('acks must be one of all, -1, 0, 1', () => {
    expect(rejected({ acks: '2' }).error).toBe('Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1');
  });
  it('acks=-1 means all', () => {
    expect(accepted({ acks: '-1' }).config.producer.acks).toBe(-1);
  });
  it('retries must be at least 0', () => {
    expect(rejected({ retries: -1 }).error).toBe('Invalid value -1 for configuration retries: Value must be at least 0');
  });
  it('max.in.flight.requests.per.connection must be at least 1', () => {
    expect(rejected({ 'max.in.flight.requests.per.connection': 0 }).error).toBe(
      'Invalid value 0 for configuration max.in.flight.requests.per.connection: Value must be at least 1',
    );
  });
  it('linger.ms is a LONG', () => {
    expect(accepted({ 'linger.ms': '5000000000', 'delivery.timeout.ms': 2147483647 }).config.producer.lingerMs).toBe(2147483647);
    expect(rejected({ 'linger.ms': 'soon' }).error).toBe('Invalid value soon for configuration linger.ms: Not a number of type LONG');
  });
  it('integers given as text are parsed like Integer.parseInt; other text is not a number', () => {
    expect(accepted({ retries: ' 3 ' }).config.producer.retries).toBe(3);
    expect(rejected({ retries: 'three' }).error).toBe('Invalid value three for configuration retries: Not a number of type INT');
  });
  it('booleans accept true/false in any case and nothing else', () => {
    expect(accepted({ 'enable.idempotence': 'TRUE' }).config.producer.idempotence).toBe(true);
    expect(rejected({ 'enable.idempotence': 'yes' }).error).toBe(
      'Invalid value yes for configuration enable.idempotence: Expected value to be either true or false',
    );
  });
  it('an unknown key is an error naming it (a typo must not silently check the wrong thing)', () => {
    expect(rejected({ 'enable.idempotency': true })).toMatchObject({ key: 'enable.idempotency', configException: false });
  });
});

describe('Config: topic and model settings', () => {
  it('min.insync.replicas must be at least 1', () => {
    expect(rejected({ 'min.insync.replicas': 0 }).error).toBe('Invalid value 0 for configuration min.insync.replicas: Value must be at least 1');
  });
  it('partitions 1–2 and replication.factor 1–3 are the model\'s limits', () => {
    expect(rejected({ partitions: 3 }).key).toBe('partitions');
    expect(rejected({ 'replication.factor': 4 }).key).toBe('replication.factor');
  });
  it('mutants are parsed and kept apart from Kafka settings', () => {
    expect(accepted({ mutant: 'dedup-window:1' }).config.mutant).toEqual({ kind: 'dedup-window', size: 1 });
    expect(rejected({ mutant: 'dedup-window:5' }).key).toBe('mutant');
    const sixInFlight = accepted({ mutant: 'in-flight:6' }).config;
    expect(sixInFlight.producer).toMatchObject({ idempotence: true, maxInFlight: 6 });
    expect(rejected({ mutant: 'in-flight:6', acks: '1' }).key).toBe('mutant');
  });
  it('describeConfig writes a resolved config back with Kafka key names', () => {
    expect(describeConfig(accepted({ acks: '1', mutant: 'ignore-sequences' }).config)).toMatchObject({
      acks: '1',
      'enable.idempotence': false,
      mutant: 'ignore-sequences',
    });
  });
});
