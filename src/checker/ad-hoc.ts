/**
 * Ad-hoc checks: a suite made from command-line settings, with defaults a user can rely on.
 */

import type { ConfigInput } from '../model/config.js';
import type { Bounds, Fault } from '../model/events.js';
import { INVARIANTS } from '../model/invariants.js';
import { defineSuite } from './suite.js';
import type { Expectation, Suite } from './suite.js';

export const AD_HOC_DEFAULT_FAULTS: readonly Fault[] = ['disconnect', 'request-timeout', 'delivery-timeout'];

export const AD_HOC_DEFAULT_BOUNDS: Bounds = {
  recordsMax: 3,
  resendsMax: 2,
  eventsMax: 40,
  lostMessagesMax: 2,
  restartsMax: 1,
  crashesMax: 1,
  clusterChangesMax: 1,
  powerLossesMax: 1,
};

/** The consumer bounds' defaults, used only with a consumer group (consumer=): without one they stay out of the suite. */
export const AD_HOC_CONSUMER_BOUNDS: Required<Pick<Bounds, 'consumerCrashesMax' | 'lostCommitResponsesMax' | 'rebalancesMax'>> = {
  consumerCrashesMax: 1,
  lostCommitResponsesMax: 1,
  rebalancesMax: 1,
};

/** The transactional bounds' defaults, used only with transactional.id. */
export const AD_HOC_TXN_BOUNDS: Required<Pick<Bounds, 'transactionsMax' | 'txnTimeoutsMax' | 'coordinatorFailoversMax' | 'delayedRequestsMax' | 'zombieStepsMax'>> = {
  transactionsMax: 2,
  txnTimeoutsMax: 1,
  coordinatorFailoversMax: 1,
  delayedRequestsMax: 1,
  zombieStepsMax: 6,
};

/** delayed-produce's bound default, used only when the fault is injected. */
export const AD_HOC_DELAYED_PRODUCE_BOUNDS: Required<Pick<Bounds, 'delayedProducesMax'>> = { delayedProducesMax: 1 };

/** An ad-hoc bound's default. */
export function adHocDefault(bound: keyof Bounds): number {
  return { ...AD_HOC_DEFAULT_BOUNDS, ...AD_HOC_CONSUMER_BOUNDS, ...AD_HOC_TXN_BOUNDS, ...AD_HOC_DELAYED_PRODUCE_BOUNDS }[bound];
}

export const AD_HOC_DEFAULT_RUNS = 1000;

export interface AdHocOptions {
  readonly config: ConfigInput;
  readonly faults?: readonly Fault[];
  readonly invariants?: readonly string[];
  readonly witnesses?: readonly string[];
  readonly bounds?: Partial<Bounds>;
  readonly expect?: Expectation;
  readonly runs?: number;
}

export function adHocSuite(options: AdHocOptions): Suite {
  return defineSuite({
    name: 'ad-hoc',
    claim: 'The settings given on the command line keep every checked invariant.',
    config: options.config,
    faults: options.faults ?? AD_HOC_DEFAULT_FAULTS,
    bounds: {
      ...AD_HOC_DEFAULT_BOUNDS,
      ...(hasConsumer(options.config) ? AD_HOC_CONSUMER_BOUNDS : {}),
      ...(options.config['transactional.id'] !== undefined ? AD_HOC_TXN_BOUNDS : {}),
      ...((options.faults ?? AD_HOC_DEFAULT_FAULTS).includes('delayed-produce') ? AD_HOC_DELAYED_PRODUCE_BOUNDS : {}),
      ...options.bounds,
    },
    invariants: options.invariants ?? INVARIANTS.map((i) => i.name),
    witnesses: options.witnesses ?? [],
    expect: options.expect ?? { verdict: 'holds' },
    runs: options.runs ?? AD_HOC_DEFAULT_RUNS,
  });
}

function hasConsumer(config: ConfigInput): boolean {
  const consumer = config.consumer;
  return consumer !== undefined && String(consumer).trim() !== 'none';
}
