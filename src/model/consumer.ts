/**
 * The consumer side of Kafka 3.8.0 as pure functions, one protocol step each: the classic
 * consumer (LegacyKafkaConsumer, the 3.8 default), the classic group coordinator with the EAGER
 * protocol (RangeAssignor is first in the default assignors), fetches with
 * auto.offset.reset=earliest (read_committed with transactional.id: consumer-fetch.ts), and the
 * application's consume loop writing effects to a sink.
 * Aliases as in consumer-types.ts; every rule cites the file and method it follows.
 *
 * Modelled: fetch from the leader up to its HW (the LSO for read_committed, without aborted and
 * control records), the fetch buffer, poll() advancing positions,
 * KIP-320 position validation after a leader change (OffsetsForLeaderEpoch) and out-of-range
 * reset, OffsetFetch on assignment, commitSync with the coordinator's member and generation
 * checks, a lost OffsetCommit response retried by commitSync, auto-commit at poll, before a
 * rebalance and on close, EAGER revocation, eviction of a member that stopped polling or crashed,
 * consumer crash and restart.
 *
 * Simplified: one round trip is one step (request and response together, except the lost commit
 * response); a consumer learns of a rebalance at its next poll (the heartbeat that would tell it is
 * not a step); JoinGroup's response and SyncGroup are one step (`completeRebalance`); poll returns
 * every buffered record (max.poll.records=500 is never reached by the model's few records);
 * commitSync retries without a timeout (a crash is the only way out); the log start offset is 0.
 * Not modelled: static membership, COOPERATIVE, KIP-848, share groups.
 *
 * The fetch side (the leader's answers to a consumer's reads, one fetch round trip per partition)
 * is in consumer-fetch.ts; this file holds the group, commits, poll() and processing.
 */

import { replaceAt } from './broker.js';
import { NO_POSITION } from './consumer-fetch.js';
import type {
  AssignedPartition,
  CommitEntry,
  ConsumedRecord,
  ConsumerCounters,
  ConsumerMode,
  ConsumerSide,
  ConsumerState,
  ConsumerStats,
  Effect,
  GroupMember,
  GroupState,
  Sink,
} from './consumer-types.js';

// ---------------------------------------------------------------------------------------------
// Initial state.
// ---------------------------------------------------------------------------------------------

export const ZERO_CONSUMER_STATS: ConsumerStats = {
  recordsReturned: 0,
  dedupSkips: 0,
  commitsAccepted: 0,
  commitsRejected: 0,
  lostCommitResponses: 0,
  consumerCrashes: 0,
  rebalances: 0,
  evictions: 0,
  processedAfterLoss: 0,
  truncationsDetected: 0,
  offsetResets: 0,
  resentCopySkips: 0,
  handovers: 0,
};

export const ZERO_CONSUMER_COUNTERS: ConsumerCounters = { consumerCrashes: 0, lostCommitResponses: 0, rebalances: 0 };

export function initialConsumer(session: number): ConsumerState {
  return { running: true, session, memberId: -1, generation: -1, assigned: [], returned: [], phase: 'poll', retryOffsets: null, idToWrite: -1 };
}

export function initialConsumerSide(consumers: number, partitions: number): ConsumerSide {
  return {
    consumers: Array.from({ length: consumers }, () => initialConsumer(0)),
    group: {
      phase: 'Empty',
      generation: 0,
      members: [],
      nextMemberId: 0,
      committed: Array.from({ length: partitions }, (_, partition) => ({ partition, offset: -1, leaderEpoch: -1 })),
    },
    sink: { effects: [], processedIds: [], offsets: Array.from({ length: partitions }, () => -1) },
    keys: [],
    stats: ZERO_CONSUMER_STATS,
    counters: ZERO_CONSUMER_COUNTERS,
  };
}

/** The producer side writes each send's key as it sends: the application's record id. */
export function recordKey(side: ConsumerSide, send: number, record: number): ConsumerSide {
  const keys = side.keys.slice();
  keys[send] = record;
  return { ...side, keys };
}

function bump(stats: ConsumerStats, key: keyof ConsumerStats, by = 1): ConsumerStats {
  return by === 0 ? stats : { ...stats, [key]: stats[key] + by };
}

function setConsumer(side: ConsumerSide, c: number, consumer: ConsumerState): ConsumerSide {
  return { ...side, consumers: replaceAt(side.consumers, c, consumer) };
}

// ---------------------------------------------------------------------------------------------
// Offsets and commits.
// ---------------------------------------------------------------------------------------------

/**
 * SS `allConsumed`: for every assigned partition with a valid position (FETCHING only:
 * AWAIT_VALIDATION has none, SS `FetchStates`), the position and its epoch: the offset after the
 * last record poll() returned, processed or not.
 */
export function allConsumed(consumer: ConsumerState): readonly CommitEntry[] {
  return consumer.assigned
    .filter((a) => a.fetchState === 'FETCHING')
    .map((a) => ({ partition: a.partition, offset: a.position.offset, leaderEpoch: a.position.offsetEpoch }));
}

export type CommitError = 'NONE' | 'UNKNOWN_MEMBER_ID' | 'ILLEGAL_GENERATION' | 'COMMIT_FAILED_LOCALLY';

/**
 * GC `validateOffsetCommit` (line 1018) for a consumer using subscribe(): the member must exist
 * (`validateCurrentMember`: UNKNOWN_MEMBER_ID), then the generation must be the group's
 * (ILLEGAL_GENERATION). `doCommitOffsets` then stores in Stable and PreparingRebalance, and
 * answers REBALANCE_IN_PROGRESS in CompletingRebalance, which the model never holds.
 */
export function validateOffsetCommit(group: GroupState, memberId: number, generation: number): CommitError {
  if (!group.members.some((m) => m.memberId === memberId)) return 'UNKNOWN_MEMBER_ID';
  if (generation !== group.generation) return 'ILLEGAL_GENERATION';
  return 'NONE';
}

/**
 * GMM `storeOffsets`: every entry replaces the partition's committed offset, smaller or not, and
 * whoever owns the partition (GM `CommitRecordMetadataAndOffset.olderThan` orders by append).
 */
export function storeOffsets(group: GroupState, entries: readonly CommitEntry[]): GroupState {
  if (entries.length === 0) return group;
  let committed = group.committed;
  for (const e of entries) committed = replaceAt(committed, e.partition, e);
  return { ...group, committed };
}

export interface CommitResult {
  readonly side: ConsumerSide;
  readonly error: CommitError;
}

/**
 * One OffsetCommit from consumer `c`, answered. CC `sendOffsetCommitRequest`: a subscribed
 * consumer without a generation fails locally (CommitFailedException, or
 * RebalanceInProgressException while rejoining: both end the commit) and an empty map succeeds
 * without a request; the coordinator validates and stores (`validateOffsetCommit`,
 * `storeOffsets`). On UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION the client resets its generation,
 * and its member id too for UNKNOWN_MEMBER_ID (CC `OffsetCommitResponseHandler`,
 * `resetStateOnResponseError`).
 */
export function sendOffsetCommit(side: ConsumerSide, c: number, entries: readonly CommitEntry[]): CommitResult {
  const consumer = side.consumers[c] as ConsumerState;
  if (entries.length === 0) return { side, error: 'NONE' };
  if (consumer.generation < 0 || consumer.memberId < 0) return { side: { ...side, stats: bump(side.stats, 'commitsRejected') }, error: 'COMMIT_FAILED_LOCALLY' };
  const error = validateOffsetCommit(side.group, consumer.memberId, consumer.generation);
  if (error === 'NONE') return { side: { ...side, group: storeOffsets(side.group, entries), stats: bump(side.stats, 'commitsAccepted') }, error };
  const reset: ConsumerState = { ...consumer, generation: -1, memberId: error === 'UNKNOWN_MEMBER_ID' ? -1 : consumer.memberId };
  return { side: { ...setConsumer(side, c, reset), stats: bump(side.stats, 'commitsRejected') }, error };
}

/**
 * The application's commitSync() (LKC `commitSync` → CC `commitOffsetsSync`): sends allConsumed(),
 * or, while retrying, the offsets of the first attempt. `responseLost`: the coordinator stored the
 * offsets but the response never came; the client sees a DisconnectException, which is retriable
 * (AC `CoordinatorResponseHandler.onFailure`), so commitSync sends the same offsets again. A
 * non-retriable failure (CommitFailedException) reaches the application, which abandons this loop
 * iteration: records returned and not processed are dropped and it polls again. After success the
 * loop goes on: commit-then-process processes, the others poll.
 */
export function commitStep(side: ConsumerSide, c: number, mode: ConsumerMode, responseLost: boolean): ConsumerSide {
  const consumer = side.consumers[c] as ConsumerState;
  if (!consumer.running || consumer.phase !== 'commit') return side;
  const entries = consumer.retryOffsets ?? allConsumed(consumer);
  const result = sendOffsetCommit(side, c, entries);
  const after = result.side.consumers[c] as ConsumerState;
  if (result.error === 'NONE' && responseLost && entries.length > 0) {
    return { ...setConsumer(result.side, c, { ...after, retryOffsets: entries }), stats: bump(result.side.stats, 'lostCommitResponses') };
  }
  if (result.error !== 'NONE') return setConsumer(result.side, c, { ...after, returned: [], retryOffsets: null, phase: 'poll' });
  const phase = mode.kind === 'commit-then-process' && after.returned.length > 0 ? 'process' : 'poll';
  return setConsumer(result.side, c, { ...after, retryOffsets: null, phase });
}

/**
 * Auto-commit as CC does it: an asynchronous commit of allConsumed() whose failure only is logged
 * (CC `autoCommitOffsetsAsync`). The model applies it when sent: the application never sees its
 * response, so losing the response changes nothing it does.
 */
function autoCommit(side: ConsumerSide, c: number): ConsumerSide {
  return sendOffsetCommit(side, c, allConsumed(side.consumers[c] as ConsumerState)).side;
}

// ---------------------------------------------------------------------------------------------
// poll(): group membership first, then auto-commit, then the buffered records.
// ---------------------------------------------------------------------------------------------

export type PollOutcome =
  | 'joined' // sent JoinGroup (a new member, or a member rejoining: EAGER revoked everything first)
  | 'waiting' // the rebalance is not complete: nothing to do
  | 'assigned' // SyncGroup: the new generation's partitions, positions from the committed offsets
  | 'returned' // records returned (possibly none, after an auto-commit)
  | 'nothing';

function memberOf(group: GroupState, memberId: number): GroupMember | undefined {
  return group.members.find((m) => m.memberId === memberId);
}

function setMember(group: GroupState, memberId: number, change: (m: GroupMember) => GroupMember): GroupState {
  return { ...group, members: group.members.map((m) => (m.memberId === memberId ? change(m) : m)) };
}

/**
 * Where a newly assigned partition starts (CC `refreshCommittedOffsetsIfNeeded` → OffsetFetch →
 * CU `refreshCommittedOffsets` → SS `seekUnvalidated`): at the committed offset, to be validated
 * when it has an epoch; with no committed offset, AWAIT_RESET (SS `resetInitializingPositions`).
 * offsets-in-sink: the application's onPartitionsAssigned seeks to the sink's offset instead
 * (LKC `seek` → SS `seekValidated`, no epoch and so no validation).
 */
export function initialPosition(side: ConsumerSide, partition: number, leaderEpoch: number, mode: ConsumerMode): AssignedPartition {
  const fromSink = mode.kind === 'offsets-in-sink' ? (side.sink.offsets[partition] ?? -1) : -1;
  if (fromSink >= 0) return { partition, fetchState: 'FETCHING', position: { offset: fromSink, offsetEpoch: -1, leaderEpoch }, buffered: null };
  const committed = side.group.committed[partition];
  if (committed === undefined || committed.offset < 0) return { partition, fetchState: 'AWAIT_RESET', position: NO_POSITION, buffered: null };
  const position = { offset: committed.offset, offsetEpoch: committed.leaderEpoch, leaderEpoch };
  return { partition, fetchState: committed.leaderEpoch >= 0 ? 'AWAIT_VALIDATION' : 'FETCHING', position, buffered: null };
}

/**
 * The application calls poll() (LKC `poll`): `updateAssignmentMetadataIfNeeded` runs CC `poll`,
 * which first (re)joins the group if needed, then auto-commits if the interval has passed
 * (CC line 533, so the commit covers what earlier polls returned); then `pollForFetches` returns
 * buffered records (FC `fetchRecords`).
 * - Not a member (new, restarted, or evicted and told so): JoinGroup as a new member; partitions it
 *   believed it owned are lost (CC `onJoinPrepare` with no generation: `invokePartitionsLost`).
 * - A member while the group prepares a rebalance: CC `onJoinPrepare`: with auto-commit, commit
 *   allConsumed() first (accepted: the group is PreparingRebalance), then EAGER revokes every
 *   partition (buffered data gone), then JoinGroup.
 * - A member of a completed generation it has not synced: take the assignment, positions from the
 *   committed offsets (`initialPosition`).
 * `leaderEpochs[p]`: partition p's leader epoch as the consumer's metadata has it.
 */
export function pollStep(
  side: ConsumerSide,
  c: number,
  mode: ConsumerMode,
  leaderEpochs: readonly number[],
  intervalElapsed: boolean,
): { readonly side: ConsumerSide; readonly outcome: PollOutcome } {
  const consumer = side.consumers[c] as ConsumerState;
  if (!consumer.running || consumer.phase !== 'poll') return { side, outcome: 'nothing' };
  const group = side.group;
  const member = memberOf(group, consumer.memberId);
  if (member === undefined) {
    // GC `doNewMemberJoinGroup` → `addMemberAndRebalance`: a new member id, and a rebalance.
    const memberId = group.nextMemberId;
    const members = [...group.members.map((m) => ({ ...m, joined: group.phase === 'PreparingRebalance' && m.joined })), { memberId, consumer: c, joined: true, assignment: [] }];
    const next: GroupState = { ...group, phase: 'PreparingRebalance', members, nextMemberId: memberId + 1 };
    const joined: ConsumerState = { ...consumer, memberId, generation: -1, assigned: [] };
    return { side: setConsumer({ ...side, group: next }, c, joined), outcome: 'joined' };
  }
  if (group.phase === 'PreparingRebalance') {
    if (member.joined) return { side, outcome: 'waiting' };
    let next = mode.kind === 'auto-commit' ? autoCommit(side, c) : side;
    const revoked: ConsumerState = { ...(next.consumers[c] as ConsumerState), assigned: [] };
    next = setConsumer({ ...next, group: setMember(next.group, member.memberId, (m) => ({ ...m, joined: true })) }, c, revoked);
    return { side: next, outcome: 'joined' };
  }
  if (consumer.generation !== group.generation) {
    // Also reached by a member whose commit got ILLEGAL_GENERATION (generation reset, member id
    // kept): it takes the current assignment without a new rebalance, as GC `doCurrentMemberJoinGroup`
    // answers a non-leader member rejoining a Stable group with unchanged metadata. The model's loop
    // never sends such a commit (consumer.test.ts pins the coordinator's answer only).
    const assigned = member.assignment.map((p) => initialPosition(side, p, leaderEpochs[p] ?? -1, mode));
    return { side: setConsumer(side, c, { ...consumer, generation: group.generation, assigned }), outcome: 'assigned' };
  }
  let next = mode.kind === 'auto-commit' && intervalElapsed ? autoCommit(side, c) : side;
  const polled = next.consumers[c] as ConsumerState;
  const returned: ConsumedRecord[] = [];
  const assigned = polled.assigned.map((a) => {
    const data = a.buffered;
    if (data === null) return a;
    // FC `fetchRecords`: data not next in line for a fetchable position is dropped.
    if (a.fetchState !== 'FETCHING' || data.fetchOffset !== a.position.offset) return { ...a, buffered: null };
    returned.push(...data.records);
    return { ...a, buffered: null, position: { ...a.position, offset: data.nextFetchOffset, offsetEpoch: data.lastEpoch } };
  });
  const phase = returned.length === 0 ? 'poll' : mode.kind === 'commit-then-process' ? 'commit' : 'process';
  next = setConsumer(next, c, { ...polled, assigned, returned: [...polled.returned, ...returned], phase });
  return { side: { ...next, stats: bump(next.stats, 'recordsReturned', returned.length) }, outcome: 'returned' };
}

/** Could poll() do anything for consumer `c` now? */
export function pollHasWork(side: ConsumerSide, c: number, mode: ConsumerMode, intervalElapsed: boolean): boolean {
  const consumer = side.consumers[c] as ConsumerState;
  if (!consumer.running || consumer.phase !== 'poll') return false;
  const member = memberOf(side.group, consumer.memberId);
  if (member === undefined) return true;
  if (side.group.phase === 'PreparingRebalance') return !member.joined;
  if (consumer.generation !== side.group.generation) return true;
  if (mode.kind === 'auto-commit' && intervalElapsed && allConsumed(consumer).length > 0) return true;
  return consumer.assigned.some((a) => a.buffered !== null);
}

// ---------------------------------------------------------------------------------------------
// Processing into the sink.
// ---------------------------------------------------------------------------------------------

function isDedup(mode: ConsumerMode): boolean {
  return mode.kind === 'dedup' || mode.kind === 'dedup-window' || mode.kind === 'dedup-non-atomic';
}

function rememberId(sink: Sink, key: number, mode: ConsumerMode): readonly number[] {
  const ids = [...sink.processedIds, key];
  return mode.kind === 'dedup-window' ? ids.slice(Math.max(0, ids.length - mode.size)) : ids;
}

/**
 * The application processes the next record poll() returned, in order. Kafka has no part in this
 * step: whatever the consumer's membership, a returned record is the application's (reference §3.3).
 * - every mode writes the effect;
 * - dedup, dedup-window: skip a record whose key the sink remembers; otherwise effect and id in one
 *   transaction (dedup-window forgets all but the last N ids);
 * - dedup-non-atomic: skip a remembered key; otherwise the effect now, the id in a later step;
 * - offsets-in-sink: the effect and the partition's next offset in one transaction.
 * The loop then commits (process-then-commit and the dedup modes) or polls, once every returned
 * record is processed.
 */
export function processStep(side: ConsumerSide, c: number, mode: ConsumerMode): ConsumerSide {
  const consumer = side.consumers[c] as ConsumerState;
  const record = consumer.returned[0];
  if (!consumer.running || consumer.phase !== 'process' || record === undefined) return side;
  const rest = consumer.returned.slice(1);
  const commitsAfter = mode.kind === 'process-then-commit' || isDedup(mode);
  const after = rest.length > 0 ? 'process' : commitsAfter ? 'commit' : 'poll';
  const sink = side.sink;
  let stats = side.stats;
  if (isDedup(mode) && sink.processedIds.includes(record.key)) {
    return { ...setConsumer(side, c, { ...consumer, returned: rest, phase: after }), stats: bump(stats, 'dedupSkips') };
  }
  const effect: Effect = {
    key: record.key,
    partition: record.partition,
    offset: record.offset,
    send: record.send,
    consumer: c,
    session: consumer.session,
    generation: record.generation,
  };
  const owner = side.group.members.find((m) => m.assignment.includes(record.partition));
  if (owner === undefined || owner.memberId !== consumer.memberId || side.group.generation !== record.generation) stats = bump(stats, 'processedAfterLoss');
  const effects = [...sink.effects, effect];
  if (mode.kind === 'dedup-non-atomic') {
    const next = setConsumer(side, c, { ...consumer, returned: rest, phase: 'write-id', idToWrite: record.key });
    return { ...next, sink: { ...sink, effects }, stats };
  }
  const processedIds = isDedup(mode) ? rememberId(sink, record.key, mode) : sink.processedIds;
  const offsets = mode.kind === 'offsets-in-sink' ? replaceAt(sink.offsets, record.partition, record.offset + 1) : sink.offsets;
  return { ...setConsumer(side, c, { ...consumer, returned: rest, phase: after }), sink: { effects, processedIds, offsets }, stats };
}

/** dedup-non-atomic: the second write, the processed id. */
export function writeIdStep(side: ConsumerSide, c: number, mode: ConsumerMode): ConsumerSide {
  const consumer = side.consumers[c] as ConsumerState;
  if (!consumer.running || consumer.phase !== 'write-id' || consumer.idToWrite < 0) return side;
  const phase = consumer.returned.length > 0 ? 'process' : 'commit';
  const sink = { ...side.sink, processedIds: rememberId(side.sink, consumer.idToWrite, mode) };
  return { ...setConsumer(side, c, { ...consumer, phase, idToWrite: -1 }), sink };
}

// ---------------------------------------------------------------------------------------------
// Faults and the group's timers.
// ---------------------------------------------------------------------------------------------

/**
 * The consumer process crashes: its positions, buffered and returned records, pending commit and
 * group membership as it knew it are gone. The coordinator still lists its member until the
 * session times out (`evictMember`). The sink and the committed offsets are durable.
 */
export function crashConsumer(side: ConsumerSide, c: number): ConsumerSide {
  const consumer = side.consumers[c] as ConsumerState;
  if (!consumer.running) return side;
  const crashed: ConsumerState = { ...initialConsumer(consumer.session), running: false };
  return { ...setConsumer(side, c, crashed), stats: bump(side.stats, 'consumerCrashes') };
}

/** A new consumer process: a new session, no member id; its first poll joins the group. */
export function restartConsumer(side: ConsumerSide, c: number): ConsumerSide {
  const consumer = side.consumers[c] as ConsumerState;
  if (consumer.running) return side;
  return setConsumer(side, c, initialConsumer(consumer.session + 1));
}

/**
 * consumer.close() with the loop at poll (LKC `close` → CC `close`): with auto-commit a
 * synchronous commit of allConsumed() (CC `maybeAutoCommitOffsetsSync`: failures are only logged),
 * then LeaveGroup (AC `maybeLeaveGroup`), which removes the member at once (GC `handleLeaveGroup`).
 */
export function closeConsumer(side: ConsumerSide, c: number, mode: ConsumerMode): ConsumerSide {
  const consumer = side.consumers[c] as ConsumerState;
  if (!consumer.running) return side;
  const committed = mode.kind === 'auto-commit' ? autoCommit(side, c) : side;
  const left = consumer.memberId >= 0 ? removeMember(committed.group, consumer.memberId) : committed.group;
  return setConsumer({ ...committed, group: left }, c, { ...initialConsumer(consumer.session), running: false });
}

/**
 * GC `removeMemberAndUpdateGroup` → `maybePrepareRebalance`: the member is gone and the others
 * must rejoin; with no member left the rebalance completes at once into an empty group of the next
 * generation (GM `initNextGeneration`). Committed offsets stay.
 */
function removeMember(group: GroupState, memberId: number): GroupState {
  const members = group.members.filter((m) => m.memberId !== memberId);
  if (members.length === 0) return { ...group, phase: 'Empty', generation: group.generation + 1, members: [] };
  return { ...group, phase: 'PreparingRebalance', members: members.map((m) => ({ ...m, joined: group.phase === 'PreparingRebalance' && m.joined })) };
}

/**
 * The coordinator removes member `nth` (in member order) without hearing from it: its session
 * timed out (GC `onExpireHeartbeat`: a crashed consumer), or it did not rejoin within the
 * rebalance timeout (GC `onCompleteJoin` removes it), or its heartbeat thread left because poll()
 * was late (AC `handlePollTimeoutExpiry` → LeaveGroup). In every case the consumer, if alive, goes
 * on believing it owns its partitions until a commit or a poll tells it otherwise.
 */
export function evictMember(side: ConsumerSide, nth: number): ConsumerSide {
  const member = side.group.members[nth];
  if (member === undefined) return side;
  return { ...side, group: removeMember(side.group, member.memberId), stats: bump(side.stats, 'evictions') };
}

/**
 * Something makes the group rebalance while its members stay (a metadata change the leader sees,
 * a new subscription): GC `prepareRebalance`. Every member must rejoin.
 */
export function prepareRebalance(side: ConsumerSide): ConsumerSide {
  if (side.group.phase !== 'Stable') return side;
  return { ...side, group: { ...side.group, phase: 'PreparingRebalance', members: side.group.members.map((m) => ({ ...m, joined: false })) } };
}

/**
 * RangeAssignor (the first default assignor, EAGER): members sorted by id; each gets
 * ⌊P/n⌋ consecutive partitions, the first P mod n one more (RangeAssignor `assignPartitions`).
 */
export function rangeAssign(memberIds: readonly number[], partitions: number): readonly (readonly number[])[] {
  const n = memberIds.length;
  const per = Math.floor(partitions / n);
  const extra = partitions % n;
  return memberIds.map((_, i) => {
    const start = i * per + Math.min(i, extra);
    const length = per + (i < extra ? 1 : 0);
    return Array.from({ length }, (_, k) => start + k);
  });
}

/**
 * Every member has rejoined: GM `initNextGeneration` increments the generation, the leader's
 * assignment comes back through SyncGroup and the group is Stable (GC `onCompleteJoin`,
 * `handleSyncGroup`, folded into one step).
 */
export function completeRebalance(side: ConsumerSide, partitions: number): ConsumerSide {
  const group = side.group;
  if (group.phase !== 'PreparingRebalance' || group.members.length === 0 || group.members.some((m) => !m.joined)) return side;
  const sorted = [...group.members].sort((a, b) => a.memberId - b.memberId);
  const assignments = rangeAssign(
    sorted.map((m) => m.memberId),
    partitions,
  );
  const members = sorted.map((m, i) => ({ ...m, joined: false, assignment: assignments[i] ?? [] }));
  return { ...side, group: { ...group, phase: 'Stable', generation: group.generation + 1, members }, stats: bump(side.stats, 'rebalances') };
}

export function canCompleteRebalance(group: GroupState): boolean {
  return group.phase === 'PreparingRebalance' && group.members.length > 0 && group.members.every((m) => m.joined);
}
