/**
 * The consumer group's events: each consumer's poll, fetch, processing and commit, its crash and
 * restart, and the group coordinator's rebalances and evictions. The rules they run are
 * consumer.ts's (group, commits, poll, processing) and consumer-fetch.ts's (fetch side); this file
 * decides when each can happen, counts what witnesses read, and applies the two consumer mutants.
 * Every event here needs a consumer side (`consumer=`); without one none is ever a candidate.
 */

import { badIndex, partitionAt } from './access.js';
import type { ConsumerMode, ConsumerSide, ConsumerState, ConsumerStats } from './consumer-types.js';
import { fetchStep, READ_UNCOMMITTED } from './consumer-fetch.js';
import type { FetchOutcome, ReadIsolation } from './consumer-fetch.js';
import {
  allConsumed,
  canCompleteRebalance,
  commitStep,
  completeRebalance,
  crashConsumer,
  evictMember,
  pollHasWork,
  pollStep,
  prepareRebalance,
  processStep,
  restartConsumer,
  sendOffsetCommit,
  writeIdStep,
} from './consumer.js';
import type { ConsumerKind, Event, EventRules, Setup } from './events.js';
import * as make from './records.js';
import type { State } from './types.js';

const NO_CONSUMER = 'no consumer group is modelled (set consumer=...)';

function sideOf(state: State): ConsumerSide {
  if (state.consumers === null) throw new Error('model bug: a consumer event was applied without a consumer side');
  return state.consumers;
}

function modeOf(setup: Setup): ConsumerMode {
  if (setup.config.consumer === null) throw new Error('model bug: a consumer event was applied without consumer=');
  return setup.config.consumer;
}

function withSide(state: State, consumers: ConsumerSide): State {
  return make.state({ ...state, consumers });
}

function consumerOf(side: ConsumerSide, c: number): ConsumerState {
  const consumer = side.consumers[c];
  if (consumer === undefined) throw new Error(`model bug: no consumer ${c}`);
  return consumer;
}

/** Why consumer `c` cannot act at all: no consumer side, or no such consumer. */
function badConsumer(setup: Setup, state: State, c: number): string | null {
  if (state.consumers === null || setup.config.consumer === null) return NO_CONSUMER;
  return badIndex('consumer', c, state.consumers.consumers.length);
}

/** Why a running consumer `c` cannot act, or null. */
function notRunning(setup: Setup, state: State, c: number): string | null {
  const bad = badConsumer(setup, state, c);
  if (bad !== null) return bad;
  return consumerOf(sideOf(state), c).running ? null : `consumer ${c} is not running`;
}

/** Why consumer `c`'s loop is not at `phase`, or null. */
function notAt(setup: Setup, state: State, c: number, phase: ConsumerState['phase'], doing: string): string | null {
  const bad = notRunning(setup, state, c);
  if (bad !== null) return bad;
  return consumerOf(sideOf(state), c).phase === phase ? null : `consumer ${c} is not about to ${doing}`;
}

/** The consumer's metadata: each partition's leader epoch as the cluster has it now. */
function leaderEpochs(state: State): readonly number[] {
  return state.cluster.partitions.map((p) => p.leaderEpoch);
}

function bumpStats(side: ConsumerSide, key: keyof ConsumerStats): ConsumerSide {
  return { ...side, stats: { ...side.stats, [key]: side.stats[key] + 1 } };
}

/**
 * How the group's consumers read: the configured isolation.level (a setting only with
 * transactional.id; read_uncommitted, the ConsumerConfig default, otherwise), and the
 * ignore-aborted-index mutant, which the transactional side holds.
 */
function readIsolation(state: State): ReadIsolation {
  const txn = state.txn;
  return txn === null ? READ_UNCOMMITTED : { level: txn.isolation, ignoreAbortedIndex: txn.ignoreAbortedIndex };
}

/** A fetch that dropped aborted records: the transactional ghost counts it (witness ConsumerSkippedAbortedTxn). */
function countAbortedSkip(state: State, skipped: number): State {
  const txn = state.txn;
  if (txn === null || skipped === 0) return state;
  return make.state({ ...state, txn: { ...txn, ghost: { ...txn.ghost, abortedSkipped: txn.ghost.abortedSkipped + 1 } } });
}

/** Fetch outcomes the witnesses count: a detected truncation, a reset of the position. */
function countFetch(side: ConsumerSide, outcome: FetchOutcome): ConsumerSide {
  if (outcome === 'truncation-detected') return bumpStats(side, 'truncationsDetected');
  if (outcome === 'reset' || outcome === 'out-of-range') return bumpStats(side, 'offsetResets');
  return side;
}

/**
 * poll(), with or without the auto-commit interval elapsed. The consumer-commits-at-poll mutant
 * (reference §7's mutation test, not Kafka) commits allConsumed() as soon as poll returns records,
 * before the application processes them.
 */
function poll(setup: Setup, state: State, c: number, intervalElapsed: boolean): State {
  const mode = modeOf(setup);
  const polled = pollStep(sideOf(state), c, mode, leaderEpochs(state), intervalElapsed);
  let side = polled.side;
  if (setup.config.mutant?.kind === 'consumer-commits-at-poll' && consumerOf(side, c).phase === 'process') {
    side = sendOffsetCommit(side, c, allConsumed(consumerOf(side, c))).side;
  }
  return withSide(state, side);
}

/** Would a ConsumerPollAutoCommit do more than a ConsumerPoll: is there anything to auto-commit? */
function autoCommitDue(side: ConsumerSide, c: number): boolean {
  const consumer = consumerOf(side, c);
  const member = side.group.members.some((m) => m.memberId === consumer.memberId);
  return member && side.group.phase === 'Stable' && consumer.generation === side.group.generation && allConsumed(consumer).length > 0;
}

/** Did a rebalance give a partition the group had committed progress on to another consumer? (For a witness.) */
function handedOver(before: ConsumerSide, after: ConsumerSide): boolean {
  const owner = (side: ConsumerSide, p: number): number => side.group.members.find((m) => m.assignment.includes(p))?.consumer ?? -1;
  return after.group.committed.some((e) => e.offset > 0 && owner(before, e.partition) >= 0 && owner(after, e.partition) !== owner(before, e.partition));
}

/** Member `nth` of the group, and whether the process that joined as it still runs. */
function memberAt(state: State, nth: number): { readonly live: boolean } | null {
  const side = state.consumers;
  const member = side?.group.members[nth];
  if (side === null || side === undefined || member === undefined) return null;
  const holder = side.consumers[member.consumer];
  return { live: holder !== undefined && holder.running && holder.memberId === member.memberId };
}

export const CONSUMER_EVENTS: EventRules<ConsumerKind> = {
  ConsumerPoll: {
    disabled(setup, state, event) {
      const bad = notAt(setup, state, event.consumer, 'poll', 'poll');
      if (bad !== null) return bad;
      return pollHasWork(sideOf(state), event.consumer, modeOf(setup), false) ? null : 'poll() would change nothing: no membership change and no fetched records';
    },
    apply: (setup, state, event) => poll(setup, state, event.consumer, false),
  },
  ConsumerPollAutoCommit: {
    disabled(setup, state, event) {
      const bad = notAt(setup, state, event.consumer, 'poll', 'poll');
      if (bad !== null) return bad;
      if (modeOf(setup).kind !== 'auto-commit') return 'only consumer=auto-commit commits at poll';
      return autoCommitDue(sideOf(state), event.consumer) ? null : 'nothing to auto-commit: no position in the current generation';
    },
    apply: (setup, state, event) => poll(setup, state, event.consumer, true),
  },
  ConsumerFetch: {
    disabled(setup, state, event) {
      const bad = notRunning(setup, state, event.consumer) ?? badIndex('partition', event.partition, setup.config.topic.partitions);
      if (bad !== null) return bad;
      const side = sideOf(state);
      const consumer = consumerOf(side, event.consumer);
      if (!consumer.assigned.some((a) => a.partition === event.partition)) return `consumer ${event.consumer} is not assigned partition ${event.partition}`;
      const { outcome } = fetchStep(consumer, event.partition, partitionAt(state, event.partition), side.keys, readIsolation(state));
      return outcome === 'nothing' ? 'the fetch would change nothing: no leader, nothing below the HW (the LSO for read_committed), or data still buffered' : null;
    },
    apply(_setup, state, event) {
      const side = sideOf(state);
      const fetched = fetchStep(consumerOf(side, event.consumer), event.partition, partitionAt(state, event.partition), side.keys, readIsolation(state));
      const consumers = side.consumers.map((c, i) => (i === event.consumer ? fetched.consumer : c));
      return countAbortedSkip(withSide(state, countFetch({ ...side, consumers }, fetched.outcome)), fetched.abortedSkipped);
    },
  },
  ConsumerProcess: {
    disabled: (setup, state, event) => notAt(setup, state, event.consumer, 'process', 'process a record'),
    // The dedup-forgets-ids mutant (not Kafka): a dedup sink that never keeps the ids it wrote.
    apply(setup, state, event) {
      const before = sideOf(state);
      const record = consumerOf(before, event.consumer).returned[0];
      let side = processStep(before, event.consumer, modeOf(setup));
      const skipped = side.stats.dedupSkips > before.stats.dedupSkips;
      if (skipped && record !== undefined && side.sink.effects.some((e) => e.key === record.key && e.send !== record.send)) side = bumpStats(side, 'resentCopySkips');
      const forget = setup.config.mutant?.kind === 'dedup-forgets-ids';
      return withSide(state, forget ? { ...side, sink: { ...side.sink, processedIds: [] } } : side);
    },
  },
  ConsumerWriteId: {
    disabled: (setup, state, event) => notAt(setup, state, event.consumer, 'write-id', 'write a processed id'),
    apply: (setup, state, event) => withSide(state, writeIdStep(sideOf(state), event.consumer, modeOf(setup))),
  },
  ConsumerCommit: {
    disabled: (setup, state, event) => notAt(setup, state, event.consumer, 'commit', 'commit'),
    apply: (setup, state, event) => withSide(state, commitStep(sideOf(state), event.consumer, modeOf(setup), false)),
  },
  ConsumerCommitResponseLost: {
    disabled(setup, state, event) {
      const bad = notAt(setup, state, event.consumer, 'commit', 'commit');
      if (bad !== null) return bad;
      const side = sideOf(state);
      const lost = commitStep(side, event.consumer, modeOf(setup), true);
      return lost.stats.lostCommitResponses > side.stats.lostCommitResponses ? null : 'the coordinator would not store this commit (or it is empty): no response to lose';
    },
    apply: (setup, state, event) => withSide(state, commitStep(sideOf(state), event.consumer, modeOf(setup), true)),
  },
  ConsumerCrash: {
    disabled: (setup, state, event) => notRunning(setup, state, event.consumer),
    apply: (_setup, state, event) => withSide(state, crashConsumer(sideOf(state), event.consumer)),
  },
  ConsumerRestart: {
    disabled(setup, state, event) {
      const bad = badConsumer(setup, state, event.consumer);
      if (bad !== null) return bad;
      return consumerOf(sideOf(state), event.consumer).running ? `consumer ${event.consumer} is running` : null;
    },
    apply: (_setup, state, event) => withSide(state, restartConsumer(sideOf(state), event.consumer)),
  },
  GroupCompleteRebalance: {
    disabled(setup, state) {
      if (state.consumers === null || setup.config.consumer === null) return NO_CONSUMER;
      return canCompleteRebalance(state.consumers.group) ? null : 'the group is not rebalancing, or a member has not rejoined';
    },
    apply(setup, state) {
      const before = sideOf(state);
      const after = completeRebalance(before, setup.config.topic.partitions);
      return withSide(state, handedOver(before, after) ? bumpStats(after, 'handovers') : after);
    },
  },
  GroupExpireSession: {
    disabled(setup, state, event) {
      if (state.consumers === null || setup.config.consumer === null) return NO_CONSUMER;
      const member = memberAt(state, event.nth);
      if (member === null) return `the group has no member at index ${event.nth}`;
      return member.live ? 'the member is alive and heartbeating (evicting it is the poll-timeout fault, GroupEvictMember)' : null;
    },
    apply: (_setup, state, event) => withSide(state, evictMember(sideOf(state), event.nth)),
  },
  GroupEvictMember: {
    disabled(setup, state, event) {
      if (state.consumers === null || setup.config.consumer === null) return NO_CONSUMER;
      const member = memberAt(state, event.nth);
      if (member === null) return `the group has no member at index ${event.nth}`;
      return member.live ? null : "the member's process is gone: its session expires (GroupExpireSession)";
    },
    apply: (_setup, state, event) => withSide(state, evictMember(sideOf(state), event.nth)),
  },
  GroupPrepareRebalance: {
    disabled(setup, state) {
      if (state.consumers === null || setup.config.consumer === null) return NO_CONSUMER;
      return state.consumers.group.phase === 'Stable' ? null : 'the group is not stable';
    },
    apply: (_setup, state) => withSide(state, prepareRebalance(sideOf(state))),
  },
};

/**
 * The consumer side's candidate events, in a fixed order: per consumer its loop and fetches, then
 * the group, then the faults. Appended after every producer and broker event (system.ts), so that
 * a seed without a consumer side picks exactly what it did before.
 */
export function consumerCandidates(setup: Setup, state: State): Event[] {
  const side = state.consumers;
  if (side === null) return [];
  const out: Event[] = [];
  const partitions = setup.config.topic.partitions;
  for (let c = 0; c < side.consumers.length; c++) {
    out.push({ kind: 'ConsumerPoll', consumer: c }, { kind: 'ConsumerPollAutoCommit', consumer: c });
    for (let p = 0; p < partitions; p++) out.push({ kind: 'ConsumerFetch', consumer: c, partition: p });
    out.push({ kind: 'ConsumerProcess', consumer: c }, { kind: 'ConsumerWriteId', consumer: c }, { kind: 'ConsumerCommit', consumer: c }, { kind: 'ConsumerRestart', consumer: c });
  }
  out.push({ kind: 'GroupCompleteRebalance' });
  for (let n = 0; n < side.group.members.length; n++) out.push({ kind: 'GroupExpireSession', nth: n });
  // Faults.
  for (let c = 0; c < side.consumers.length; c++) out.push({ kind: 'ConsumerCommitResponseLost', consumer: c }, { kind: 'ConsumerCrash', consumer: c });
  for (let n = 0; n < side.group.members.length; n++) out.push({ kind: 'GroupEvictMember', nth: n });
  out.push({ kind: 'GroupPrepareRebalance' });
  return out;
}
