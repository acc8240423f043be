/**
 * Config validation (reference §4, ProducerConfig.postProcessAndValidateIdempotenceConfigs):
 * set explicitly, a setting that conflicts with idempotence is a ConfigException; left implicit,
 * idempotence is silently switched off, and the producer then duplicates like any other.
 */

import { defineSuite } from '../src/checker/suite.js';
import type { Suite, SuiteDefinition } from '../src/checker/suite.js';
import { SMALL } from './common.js';

function rejected(name: string, config: SuiteDefinition['config'], error: string, claim: string): Suite {
  return defineSuite({
    name: `config.${name}`,
    claim,
    config,
    faults: [],
    bounds: SMALL,
    invariants: [],
    witnesses: [],
    expect: { verdict: 'rejected', error },
    runs: 1,
  });
}

export const configSuites: readonly Suite[] = [
  rejected(
    'explicit-idempotence-retries-0',
    { 'enable.idempotence': true, retries: 0 },
    'Must set retries to non-zero when using the idempotent producer.',
    'enable.idempotence=true with retries=0 is refused.',
  ),
  rejected(
    'explicit-idempotence-acks-1',
    { 'enable.idempotence': true, acks: '1' },
    'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
    'enable.idempotence=true with acks=1 is refused.',
  ),
  rejected(
    'explicit-idempotence-in-flight-6',
    { 'enable.idempotence': true, 'max.in.flight.requests.per.connection': 6 },
    'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.',
    'enable.idempotence=true with 6 requests in flight is refused.',
  ),
  rejected(
    'transactional-id-without-idempotence',
    { 'transactional.id': 'orders', acks: '1' },
    'Cannot set a transactional.id without also enabling idempotence.',
    'A transactional.id needs idempotence, even when a conflicting setting switched it off implicitly.',
  ),
  rejected(
    'delivery-timeout-below-request-timeout',
    { 'delivery.timeout.ms': 1000 },
    'delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms',
    'An explicit delivery.timeout.ms below linger.ms + request.timeout.ms is refused.',
  ),
  // Its mechanism is delivery.acks1-retry-duplicates' once idempotence is off: no detector of its own.
  defineSuite({
    name: 'config.implicit-acks-1-disables-idempotence',
    claim: 'acks=1 without enable.idempotence silently disables idempotence (3.x default), and a lost ack then duplicates.',
    config: { acks: '1' },
    faults: ['disconnect'],
    bounds: SMALL,
    invariants: ['NoDuplicateRecord'],
    witnesses: [],
    expect: { verdict: 'violated', invariant: 'NoDuplicateRecord' },
    runs: 300,
  }),
];

export default configSuites;
