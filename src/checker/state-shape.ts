/**
 * The one declaration of the model's State: every field, with its kind and whether the
 * explorer's canonical key holds it. The canonical key (canonical.ts) and the frontier's binary
 * codec (state-codec.ts) are both derived from it, so a field cannot be in one and not the other,
 * and a field the key leaves out says why here.
 *
 * Kinds: `int` (a safe integer), `bool`, `oneOf<Union>({...})` (a string of a union type, every
 * member listed), `text` (any string), `id(space)` (an integer that only names something: the key
 * holds its rank among the live ids of its space, see below), `arrayOf(x)`, `nullable(x)` (x or
 * null), `optional(x)` (a field that may be absent), and `record<Type>(...)` (a plain object with
 * exactly the listed fields, in the order its interface and records.ts list them).
 *
 * Id spaces. Batch, request and member ids are handed out in increasing order and only name
 * things, so the key replaces each by its rank among the live ids of its space: the ids of the
 * fields marked `live` (a batch id is live while its batch is in `producer.batches`; a request id
 * while the producer or a connection holds it; a member id while the group or a consumer holds
 * it). A reference to an id that is not live, or a negative id, becomes -1. Ranks keep the order
 * of ids, and the rules compare ids only for equality and order. The old producer instance of a
 * transactional restart (`txn.zombie`) keeps its ids as they are (its counters are then in the
 * key too): that can only separate states, never merge them.
 *
 * Adding a field to State: add it to its interface and to its record below (the compiler then
 * requires it here: each record lists exactly its interface's keys, and each `oneOf` exactly its
 * union's members), with its kind, in the interface's order, and, only if no rule, invariant or
 * witness can tell two values of it apart, as `ignored(kind, 'why')`. state-shape.test.ts checks
 * every state the suites reach against this declaration, and that changing any field the key
 * holds changes the key.
 */

import type {
  AssignedPartition,
  BufferedFetch,
  CommitEntry,
  ConsumedRecord,
  ConsumerCounters,
  ConsumerSide,
  ConsumerState,
  ConsumerStats,
  Effect,
  FetchPosition,
  FetchState,
  GroupMember,
  GroupPhase,
  GroupState,
  LoopPhase,
  Sink,
} from '../model/consumer-types.js';
import type {
  GhostTxn,
  PendingTxnWrite,
  TmState,
  TransactionManagerState,
  TransactionMetadata,
  TxnClient,
  TxnCoordinator,
  TxnCounters,
  TxnError,
  TxnGhost,
  TxnGroup,
  TxnMarker,
  CoordinatorMarker,
  MarkerAppend,
  TxnRequest,
  TxnResponse,
  TxnResult,
  TxnSide,
  TxnState,
  ZombieInstance,
} from '../model/txn-types.js';
import type {
  ApplicationState,
  Batch,
  BatchMetadata,
  ClientRequest,
  ClusterState,
  Connection,
  HeldProduce,
  Counters,
  ErrorCode,
  Ghost,
  LogBatch,
  Outcome,
  PartitionResponse,
  PartitionState,
  PendingPartition,
  PendingProduce,
  ProduceRequest,
  ProduceResponse,
  ProducerEntry,
  ProducerPartition,
  ProducerSnapshot,
  ProducerState,
  Replica,
  SendInfo,
  State,
  Stats,
  WireBatch,
} from '../model/types.js';

export type IdSpace = 'batch' | 'request' | 'member';

export const ID_SPACES: readonly IdSpace[] = ['batch', 'request', 'member'];

export type Shape =
  | { readonly kind: 'int' }
  | { readonly kind: 'bool' }
  /** The literal `true` (an optional flag that is absent when false). */
  | { readonly kind: 'true' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'text' }
  | { readonly kind: 'id'; readonly space: IdSpace; readonly live: boolean }
  | { readonly kind: 'array'; readonly of: Shape }
  | { readonly kind: 'nullable'; readonly of: Shape }
  | RecordShape;

export interface RecordShape {
  readonly kind: 'record';
  /** The interface's name, for messages and generated code. */
  readonly name: string;
  readonly fields: readonly Field[];
}

export interface Field {
  readonly name: string;
  readonly shape: Shape;
  /** The field may be absent (`name?:` in its interface). */
  readonly optional: boolean;
  /** Why the canonical key leaves this field (and everything under it) out; null when it holds it. */
  readonly ignored: string | null;
}

interface FieldSpec {
  readonly shape: Shape;
  readonly optional?: true;
  readonly ignored?: string;
}

type Spec = Shape | FieldSpec;

const int: Shape = { kind: 'int' };
const bool: Shape = { kind: 'bool' };
const literalTrue: Shape = { kind: 'true' };
const text: Shape = { kind: 'text' };

/**
 * A string from the union T: every member listed as a key of `members` (the compiler checks none
 * is missing or extra, so a value added to the union must be added here), in a fixed order.
 */
function oneOf<T extends string>(members: { readonly [K in T]: true }): Shape {
  return { kind: 'enum', values: Object.keys(members) };
}

function arrayOf(of: Shape): Shape {
  return { kind: 'array', of };
}

function nullable(of: Shape): Shape {
  return { kind: 'nullable', of };
}

/** A reference to an id of `space` (`live`: this field is where live ids of the space are). */
function id(space: IdSpace, live = false): Shape {
  return { kind: 'id', space, live };
}

function optional(shape: Shape): FieldSpec {
  return { shape, optional: true };
}

/** A field the canonical key leaves out, with the reason. */
function ignored(shape: Shape, why: string): FieldSpec {
  return { shape, ignored: why };
}

/** A record of type T: exactly T's fields (the compiler checks none is missing or extra), in order. */
function record<T>(name: string, fields: { readonly [K in keyof T]-?: Spec }): RecordShape {
  return {
    kind: 'record',
    name,
    fields: Object.entries(fields as Record<string, Spec>).map(([fieldName, spec]) => {
      const s = 'shape' in spec ? spec : { shape: spec };
      return { name: fieldName, shape: s.shape, optional: s.optional === true, ignored: s.ignored ?? null };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Enumerations (the string unions of the model's types).
// ---------------------------------------------------------------------------------------------

const ERROR_CODE = oneOf<ErrorCode>({ NONE: true, NETWORK_EXCEPTION: true, REQUEST_TIMED_OUT: true, NOT_LEADER_OR_FOLLOWER: true, NOT_ENOUGH_REPLICAS: true, NOT_ENOUGH_REPLICAS_AFTER_APPEND: true, OUT_OF_ORDER_SEQUENCE_NUMBER: true, INVALID_PRODUCER_EPOCH: true, INVALID_TXN_STATE: true, INVALID_PRODUCER_ID_MAPPING: true, TRANSACTION_ABORTABLE: true, CONCURRENT_TRANSACTIONS: true });
const OUTCOME = oneOf<Outcome>({ pending: true, ok: true, fail: true, info: true });
const TXN_RESULT = oneOf<TxnResult>({ COMMIT: true, ABORT: true });
const TXN_STATE = oneOf<TxnState>({ Empty: true, Ongoing: true, PrepareCommit: true, PrepareAbort: true, CompleteCommit: true, CompleteAbort: true, PrepareEpochFence: true });
const TM_STATE = oneOf<TmState>({ UNINITIALIZED: true, INITIALIZING: true, READY: true, IN_TRANSACTION: true, COMMITTING_TRANSACTION: true, ABORTING_TRANSACTION: true, ABORTABLE_ERROR: true, FATAL_ERROR: true });
const TXN_ERROR = oneOf<TxnError>({ NONE: true, CONCURRENT_TRANSACTIONS: true, PRODUCER_FENCED: true, INVALID_PRODUCER_ID_MAPPING: true, INVALID_PRODUCER_EPOCH: true, INVALID_TXN_STATE: true, TRANSACTION_COORDINATOR_FENCED: true, TRANSACTION_ABORTABLE: true });
const ISOLATION = oneOf<TxnSide['isolation']>({ read_uncommitted: true, read_committed: true });

// ---------------------------------------------------------------------------------------------
// Producer and network (types.ts). Built twice: with ids ranked (the producer) and as they are
// (the old instance of a transactional restart, see the header).
// ---------------------------------------------------------------------------------------------

function producerShapes(ranked: boolean): { producer: RecordShape; connection: RecordShape; produceRequest: RecordShape } {
  const batchId = ranked ? id('batch') : int;
  const requestId = ranked ? id('request', true) : int;
  const counter = (why: string): Spec => (ranked ? ignored(int, why) : int);
  const batch = record<Batch>('Batch', {
    id: ranked ? id('batch', true) : int,
    partition: int,
    sends: arrayOf(int),
    producerId: int,
    epoch: int,
    baseSequence: int,
    attempts: int,
    inRetry: bool,
    reopened: bool,
    drained: bool,
    done: bool,
    deadlinePassed: bool,
  });
  const partition = record<ProducerPartition>('ProducerPartition', {
    queue: arrayOf(batchId),
    producerId: int,
    epoch: int,
    nextSequence: int,
    lastAckedSequence: int,
    lastAckedOffset: int,
    inFlight: arrayOf(batchId),
    muted: bool,
  });
  const clientRequest = record<ClientRequest>('ClientRequest', { id: requestId, batches: arrayOf(batchId) });
  const producer = record<ProducerState>('ProducerState', {
    session: int,
    producerId: int,
    epoch: int,
    epochBumpRequired: bool,
    partitionsToRewrite: arrayOf(int),
    unresolved: arrayOf(int),
    partitions: arrayOf(partition),
    batches: arrayOf(batch),
    requests: arrayOf(arrayOf(clientRequest)),
    drainIndex: arrayOf(int),
    nextBatchId: counter('batch ids are ranked among the live ones, and a new id is above every live one'),
    nextRequestId: counter('request ids are ranked among the live ones, and a new id is above every live one'),
  });
  const wireBatch = record<WireBatch>('WireBatch', {
    partition: int,
    batch: batchId,
    producerId: int,
    epoch: int,
    baseSequence: int,
    sends: arrayOf(int),
    transactional: optional(literalTrue),
  });
  const produceRequest = record<ProduceRequest>('ProduceRequest', { id: requestId, acks: int, batches: arrayOf(wireBatch) });
  const pendingPartition = record<PendingPartition>('PendingPartition', { partition: int, error: ERROR_CODE, baseOffset: int, requiredOffset: int });
  const pending = record<PendingProduce>('PendingProduce', { id: requestId, partitions: arrayOf(pendingPartition) });
  const partitionResponse = record<PartitionResponse>('PartitionResponse', { partition: int, error: ERROR_CODE, baseOffset: int });
  const response = record<ProduceResponse>('ProduceResponse', { id: requestId, partitions: arrayOf(partitionResponse) });
  const connection = record<Connection>('Connection', { toBroker: arrayOf(produceRequest), pending: nullable(pending), toClient: arrayOf(response) });
  return { producer, connection, produceRequest };
}

const PRODUCER = producerShapes(true);

// ---------------------------------------------------------------------------------------------
// Brokers and replicated partitions (types.ts).
// ---------------------------------------------------------------------------------------------

const LOG_BATCH = record<LogBatch>('LogBatch', {
  baseOffset: int,
  leaderEpoch: int,
  producerId: int,
  epoch: int,
  baseSequence: int,
  sends: arrayOf(int),
  transactional: optional(literalTrue),
  control: optional(record<NonNullable<LogBatch['control']>>('ControlRecord', { result: TXN_RESULT, coordinatorEpoch: int })),
});
const BATCH_METADATA = record<BatchMetadata>('BatchMetadata', { firstSeq: int, lastSeq: int, firstOffset: int, lastOffset: int });
const PRODUCER_ENTRY = record<ProducerEntry>('ProducerEntry', { producerId: int, epoch: int, batches: arrayOf(BATCH_METADATA) });
const SNAPSHOT = record<ProducerSnapshot>('ProducerSnapshot', { offset: int, entries: arrayOf(PRODUCER_ENTRY) });
const REPLICA = record<Replica>('Replica', { log: arrayOf(LOG_BATCH), hw: int, flushed: int, producers: arrayOf(PRODUCER_ENTRY), snapshots: arrayOf(SNAPSHOT) });
const PARTITION = record<PartitionState>('PartitionState', {
  leader: int,
  leaderEpoch: int,
  isr: arrayOf(int),
  leaderEpochStartOffset: int,
  followerLeo: arrayOf(int),
  replicas: arrayOf(REPLICA),
});
const CLUSTER = record<ClusterState>('ClusterState', { alive: arrayOf(bool), partitions: arrayOf(PARTITION) });

// ---------------------------------------------------------------------------------------------
// Application, ghost and counters (types.ts).
// ---------------------------------------------------------------------------------------------

const WITNESSES_ONLY = 'statistics: only witnesses read them, and the explorer keys the witnesses reached separately';

const SEND_INFO = record<SendInfo>('SendInfo', {
  record: int,
  partition: int,
  session: int,
  outcome: OUTCOME,
  offset: int,
  error: ignored(nullable(text), 'the error text reaching the application: reports show it, no rule, invariant or witness reads it'),
  transmitted: int,
  rejected: int,
});
const STATS = record<Stats>('Stats', {
  retries: int,
  pipelinedDrains: int,
  fullPipelines: int,
  lostRequests: int,
  lostResponses: int,
  dedupHits: int,
  outOfOrder: int,
  invalidEpoch: int,
  epochBumps: int,
  deliveryTimeouts: int,
  deadlineFailures: int,
  notEnoughReplicas: int,
  notEnoughReplicasAfterAppend: int,
  notLeader: int,
  leaderElections: int,
  uncleanElections: int,
  truncations: int,
  producerStateLosses: int,
  producerRestarts: int,
  brokerCrashes: int,
  isrShrinks: int,
  resends: int,
  powerLosses: int,
  unflushedBatchesLost: int,
  lateAppends: int,
  lateRefused: int,
});
const GHOST = record<Ghost>('Ghost', { sends: arrayOf(SEND_INFO), stats: ignored(STATS, WITNESSES_ONLY) });
const COUNTERS = record<Counters>('Counters', {
  events: ignored(int, 'breadth-first search reaches a state first at its fewest events, and with fewer events left unused it can do all the same state with more can'),
  records: int,
  resends: int,
  lostMessages: int,
  restarts: int,
  crashes: int,
  clusterChanges: int,
  powerLosses: int,
  delayedProduces: int,
});

// ---------------------------------------------------------------------------------------------
// Consumer side (consumer-types.ts).
// ---------------------------------------------------------------------------------------------

const FETCH_POSITION = record<FetchPosition>('FetchPosition', { offset: int, offsetEpoch: int, leaderEpoch: int });
const CONSUMED_RECORD = record<ConsumedRecord>('ConsumedRecord', { partition: int, offset: int, send: int, key: int, leaderEpoch: int, generation: int });
const BUFFERED_FETCH = record<BufferedFetch>('BufferedFetch', { fetchOffset: int, records: arrayOf(CONSUMED_RECORD), nextFetchOffset: int, lastEpoch: int });
const ASSIGNED = record<AssignedPartition>('AssignedPartition', {
  partition: int,
  fetchState: oneOf<FetchState>({ INITIALIZING: true, FETCHING: true, AWAIT_RESET: true, AWAIT_VALIDATION: true }),
  position: FETCH_POSITION,
  buffered: nullable(BUFFERED_FETCH),
});
const COMMIT_ENTRY = record<CommitEntry>('CommitEntry', { partition: int, offset: int, leaderEpoch: int });
const CONSUMER = record<ConsumerState>('ConsumerState', {
  running: bool,
  session: int,
  memberId: id('member', true),
  generation: int,
  assigned: arrayOf(ASSIGNED),
  returned: arrayOf(CONSUMED_RECORD),
  phase: oneOf<LoopPhase>({ poll: true, commit: true, process: true, 'write-id': true }),
  retryOffsets: nullable(arrayOf(COMMIT_ENTRY)),
  idToWrite: int,
});
const GROUP_MEMBER = record<GroupMember>('GroupMember', { memberId: id('member', true), consumer: int, joined: bool, assignment: arrayOf(int) });
const GROUP = record<GroupState>('GroupState', {
  phase: oneOf<GroupPhase>({ Empty: true, PreparingRebalance: true, Stable: true }),
  generation: int,
  members: arrayOf(GROUP_MEMBER),
  nextMemberId: ignored(int, 'member ids are ranked among the live ones, and a new id is above every live one'),
  committed: arrayOf(COMMIT_ENTRY),
});
const EFFECT = record<Effect>('Effect', { key: int, partition: int, offset: int, send: int, consumer: int, session: int, generation: int });
const SINK = record<Sink>('Sink', { effects: arrayOf(EFFECT), processedIds: arrayOf(int), offsets: arrayOf(int) });
const CONSUMER_STATS = record<ConsumerStats>('ConsumerStats', {
  recordsReturned: int,
  dedupSkips: int,
  commitsAccepted: int,
  commitsRejected: int,
  lostCommitResponses: int,
  consumerCrashes: int,
  rebalances: int,
  evictions: int,
  processedAfterLoss: int,
  truncationsDetected: int,
  offsetResets: int,
  resentCopySkips: int,
  handovers: int,
});
const CONSUMER_COUNTERS = record<ConsumerCounters>('ConsumerCounters', { consumerCrashes: int, lostCommitResponses: int, rebalances: int });
const CONSUMER_SIDE = record<ConsumerSide>('ConsumerSide', {
  consumers: arrayOf(CONSUMER),
  group: GROUP,
  sink: SINK,
  keys: arrayOf(int),
  stats: ignored(CONSUMER_STATS, WITNESSES_ONLY),
  counters: CONSUMER_COUNTERS,
});

// ---------------------------------------------------------------------------------------------
// Transactional side (txn-types.ts). Request ids are kept as they are (see the header).
// ---------------------------------------------------------------------------------------------

const NO_CLOCK = "the model's clock is abstract: the only reader, txn.ts abortIfTimedOut, is called with now = Number.MAX_SAFE_INTEGER (time has passed the timeout), so the comparison holds whatever this is";

const TXN_METADATA = record<TransactionMetadata>('TransactionMetadata', {
  producerId: int,
  epoch: int,
  lastEpoch: int,
  state: TXN_STATE,
  pendingState: nullable(TXN_STATE),
  partitions: arrayOf(int),
  timeoutMs: ignored(int, NO_CLOCK),
  txnStartMs: ignored(int, NO_CLOCK),
  version: int,
});
const TXN_MARKER = record<TxnMarker>('TxnMarker', { partition: int, producerId: int, epoch: int, result: TXN_RESULT, coordinatorEpoch: int });
const TM = record<TransactionManagerState>('TransactionManagerState', {
  state: TM_STATE,
  producerId: int,
  epoch: int,
  partitionsInTxn: arrayOf(int),
  pendingPartitions: arrayOf(int),
  epochBumpRequired: bool,
});
const TXN_REQUEST = record<TxnRequest>('TxnRequest', {
  id: int,
  session: int,
  kind: oneOf<TxnRequest['kind']>({ InitProducerId: true, AddPartitionsToTxn: true, EndTxn: true, TxnOffsetCommit: true, OffsetCommit: true }),
  producerId: int,
  epoch: int,
  partitions: arrayOf(int),
  result: nullable(TXN_RESULT),
  offset: int,
});
const TXN_RESPONSE = record<TxnResponse>('TxnResponse', { id: int, session: int, error: TXN_ERROR, producerId: int, epoch: int });
const TXN_CLIENT = record<TxnClient>('TxnClient', {
  tm: TM,
  ending: nullable(TXN_RESULT),
  reinitAfterAbort: bool,
  pendingOffset: int,
  inFlight: nullable(TXN_REQUEST),
  responses: arrayOf(TXN_RESPONSE),
  nextRequestId: int,
});
const PENDING_TXN_WRITE = record<PendingTxnWrite>('PendingTxnWrite', { meta: TXN_METADATA, markers: arrayOf(TXN_MARKER), reply: nullable(TXN_RESPONSE) });
const MARKER_APPEND = record<MarkerAppend>('MarkerAppend', { broker: int, leaderEpoch: int, requiredOffset: int });
const COORDINATOR_MARKER = record<CoordinatorMarker>('CoordinatorMarker', {
  partition: int,
  producerId: int,
  epoch: int,
  result: TXN_RESULT,
  coordinatorEpoch: int,
  appended: optional(MARKER_APPEND),
});
const TXN_COORDINATOR = record<TxnCoordinator>('TxnCoordinator', {
  coordinatorEpoch: int,
  meta: nullable(TXN_METADATA),
  log: arrayOf(TXN_METADATA),
  pending: nullable(PENDING_TXN_WRITE),
  inbox: arrayOf(TXN_REQUEST),
  delayed: arrayOf(TXN_REQUEST),
  markers: arrayOf(COORDINATOR_MARKER),
  lateMarkers: arrayOf(TXN_MARKER),
});
const ZOMBIE_PRODUCER = producerShapes(false);
const ZOMBIE = record<ZombieInstance>('ZombieInstance', {
  producer: ZOMBIE_PRODUCER.producer,
  network: arrayOf(ZOMBIE_PRODUCER.connection),
  client: TXN_CLIENT,
});
const TXN_GROUP = record<TxnGroup>('TxnGroup', {
  committed: int,
  pendingOffset: nullable(record<NonNullable<TxnGroup['pendingOffset']>>('PendingOffset', { producerId: int, offset: int })),
});
const GHOST_TXN = record<GhostTxn>('GhostTxn', { session: int, sends: arrayOf(int), outcome: oneOf<GhostTxn['outcome']>({ open: true, committed: true, aborted: true, failed: true }), input: int });
const TXN_GHOST = record<TxnGhost>('TxnGhost', {
  txns: arrayOf(GHOST_TXN),
  initEpochs: arrayOf(int),
  fencedWrites: int,
  fencedRequests: int,
  timeoutAborts: int,
  failovers: int,
  preparedCompletedAfterFailover: int,
  abortedSkipped: int,
  staleEndTxn: int,
  staleEndTxnFenced: int,
  lateMarkersWritten: int,
  zombieCommits: int,
  markersReplicated: optional(int),
  markersResent: optional(int),
  fence: nullable(record<NonNullable<TxnGhost['fence']>>('Fence', { session: int, producerId: int, epoch: int, logEnds: arrayOf(int) })),
});
const TXN_COUNTERS = record<TxnCounters>('TxnCounters', { transactions: int, txnTimeouts: int, coordinatorFailovers: int, delayedRequests: int, zombieSteps: int });
const TXN_SIDE = record<TxnSide>('TxnSide', {
  isolation: ISOLATION,
  ignoreAbortedIndex: bool,
  coordinator: TXN_COORDINATOR,
  client: TXN_CLIENT,
  zombie: nullable(ZOMBIE),
  group: TXN_GROUP,
  position: int,
  ghost: TXN_GHOST,
  counters: TXN_COUNTERS,
});

// ---------------------------------------------------------------------------------------------
// The state.
// ---------------------------------------------------------------------------------------------

export const STATE_SHAPE: RecordShape = record<State>('State', {
  producer: PRODUCER.producer,
  network: arrayOf(PRODUCER.connection),
  cluster: CLUSTER,
  held: arrayOf(record<HeldProduce>('HeldProduce', { broker: int, request: PRODUCER.produceRequest, overtaken: bool })),
  nextProducerId: int,
  application: record<ApplicationState>('ApplicationState', { toResend: arrayOf(int) }),
  ghost: GHOST,
  counters: COUNTERS,
  consumers: nullable(CONSUMER_SIDE),
  txn: nullable(TXN_SIDE),
});

// ---------------------------------------------------------------------------------------------
// Reading values against the declaration.
// ---------------------------------------------------------------------------------------------

/**
 * Where `value` departs from `shape`: one line per problem (a field the declaration does not
 * list, a declared field missing, a value of the wrong kind), each naming the path. Empty when it
 * conforms.
 */
export function nonConforming(shape: Shape, value: unknown, path = 'state', out: string[] = []): string[] {
  const bad = (what: string): void => {
    out.push(`${path}: ${what}`);
  };
  switch (shape.kind) {
    case 'int':
    case 'id':
      if (!Number.isSafeInteger(value)) bad(`expected an integer, found ${JSON.stringify(value)}`);
      break;
    case 'bool':
      if (typeof value !== 'boolean') bad(`expected a boolean, found ${JSON.stringify(value)}`);
      break;
    case 'true':
      if (value !== true) bad(`expected true, found ${JSON.stringify(value)}`);
      break;
    case 'enum':
      if (typeof value !== 'string' || !shape.values.includes(value)) bad(`expected one of ${shape.values.join(', ')}, found ${JSON.stringify(value)}`);
      break;
    case 'text':
      if (typeof value !== 'string') bad(`expected a string, found ${JSON.stringify(value)}`);
      break;
    case 'array':
      if (!Array.isArray(value)) bad(`expected an array, found ${JSON.stringify(value)}`);
      else value.forEach((item, i) => nonConforming(shape.of, item, `${path}[${i}]`, out));
      break;
    case 'nullable':
      if (value !== null) nonConforming(shape.of, value, path, out);
      break;
    case 'record': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        bad(`expected a ${shape.name} record, found ${JSON.stringify(value)}`);
        break;
      }
      const o = value as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        if (!shape.fields.some((f) => f.name === k)) bad(`field ${k} is not declared in ${shape.name} (src/checker/state-shape.ts)`);
      }
      for (const f of shape.fields) {
        if (!(f.name in o)) {
          if (!f.optional) bad(`${shape.name} field ${f.name} is missing`);
        } else if (f.optional && o[f.name] === undefined) bad(`optional field ${f.name} is present but undefined (leave it out instead)`);
        else nonConforming(f.shape, o[f.name], `${path}.${f.name}`, out);
      }
      break;
    }
  }
  return out;
}

/** Every record shape under `shape` (itself included), each once. */
export function recordShapes(shape: Shape, out: Set<RecordShape> = new Set()): Set<RecordShape> {
  if (shape.kind === 'record') {
    if (out.has(shape)) return out;
    out.add(shape);
    for (const f of shape.fields) recordShapes(f.shape, out);
  } else if (shape.kind === 'array' || shape.kind === 'nullable') recordShapes(shape.of, out);
  return out;
}
