/**
 * One sentence per step, derived from the event and the difference between the states before and
 * after it: what a person needs to follow a counterexample without reading code.
 */

import { logEndOffset } from '../model/broker.js';
import { EVENT_HELP } from '../model/events.js';
import { leaderAddedPartition, narrateTxn } from './narrate-txn.js';
import type { Event } from '../model/events.js';
import type { LogBatch, ProduceRequest, State, WireBatch } from '../model/types.js';
import { sendLabel } from './format.js';
import * as make from '../model/records.js';
import { isConsumerEvent, narrateConsumer } from './narrate-consumer.js';

function records(state: State, sends: readonly number[]): string {
  return sends.map((s) => sendLabel(state, s)).join(' ');
}

function wireLabel(state: State, wire: WireBatch): string {
  const header = wire.producerId >= 0 ? ` pid ${wire.producerId} epoch ${wire.epoch} seq ${wire.baseSequence}` : '';
  return `p${wire.partition} [${records(state, wire.sends)}]${header}`;
}

function batchLabel(state: State, batch: LogBatch): string {
  // A transaction marker (a control batch, replicated like data) says which: `<COMMIT pid/epoch>@offset`.
  if (batch.control !== undefined) return `<${batch.control.result} ${batch.producerId}/${batch.epoch}>@${batch.baseOffset}`;
  return `[${records(state, batch.sends)}]@${batch.baseOffset}`;
}

/** Batches a replica gained (by offset) between two states. */
function appended(before: State, after: State, partition: number, broker: number): LogBatch[] {
  const old = before.cluster.partitions[partition]?.replicas[broker];
  const now = after.cluster.partitions[partition]?.replicas[broker];
  if (old === undefined || now === undefined) return [];
  const known = new Set(old.log.map((b) => `${b.baseOffset}/${b.leaderEpoch}`));
  return now.log.filter((b) => !known.has(`${b.baseOffset}/${b.leaderEpoch}`));
}

/** Outcome changes, as "r0 ok@3", "r1 fails (info: NETWORK_EXCEPTION)". */
function outcomeChanges(before: State, after: State): string[] {
  const out: string[] = [];
  after.ghost.sends.forEach((info, id) => {
    const old = before.ghost.sends[id];
    if (old === undefined || old.outcome === info.outcome) return;
    const label = sendLabel(after, id);
    // A batch past delivery.timeout.ms is not retried (Sender.canRetry), whatever the error.
    const late = before.producer.batches.some((b) => b.deadlinePassed && !b.done && b.sends.includes(id)) ? ', past its delivery deadline, so not retried' : '';
    if (info.outcome === 'ok') out.push(info.offset >= 0 ? `${label} acknowledged at offset ${info.offset}` : `${label} acknowledged (no offset)`);
    else if (info.outcome === 'fail') out.push(`${label} failed definitely (${info.error}${late})`);
    else if (info.outcome === 'info') out.push(`${label} failed, maybe written (${info.error}${late})`);
  });
  return out;
}

function leaderChanges(before: State, after: State): string[] {
  const out: string[] = [];
  after.cluster.partitions.forEach((p, i) => {
    const old = before.cluster.partitions[i];
    if (old === undefined) return;
    if (old.leader !== p.leader) {
      out.push(p.leader < 0 ? `p${i} has no leader (offline)` : `p${i} leader is now b${p.leader} (leader epoch ${p.leaderEpoch})`);
    }
    if (old.isr.join(',') !== p.isr.join(',') && old.leader === p.leader) out.push(`p${i} ISR [${p.isr.join(',')}]`);
  });
  return out;
}

/** When a step makes the producer need a new epoch (TransactionManager.requestEpochBumpForPartition). */
function bumpRequested(before: State, after: State): string {
  return after.producer.epochBumpRequired && !before.producer.epochBumpRequired ? 'an epoch bump is requested' : '';
}

/** "1 batch", "2 batches". */
function batches(n: number): string {
  return `${n} batch${n === 1 ? '' : 'es'}`;
}

function sentence(parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join('; ');
}

function lostOnConnection(before: State, after: State, broker: number): string {
  const conn = before.network[broker];
  const unanswered = before.producer.requests[broker]?.length ?? 0;
  if (conn === undefined) return '';
  const lost: string[] = [];
  if (conn.toBroker.length > 0) lost.push(`${conn.toBroker.length} unread request${conn.toBroker.length > 1 ? 's' : ''}`);
  if (conn.pending !== null) lost.push('the answer to an appended, parked request');
  if (conn.toClient.length > 0) lost.push(`${conn.toClient.length} unread response${conn.toClient.length > 1 ? 's' : ''} (acks or errors the producer never sees)`);
  const retried = after.ghost.stats.retries - before.ghost.stats.retries;
  const tail = unanswered > 0 ? `; ${unanswered} unanswered request${unanswered > 1 ? 's' : ''} fail${unanswered > 1 ? '' : 's'}` : '';
  return `${lost.length > 0 ? `lost ${lost.join(', ')}` : 'nothing was on the wire'}${tail}${retried > 0 ? `, ${batches(retried)} queued for retry` : ''}`;
}

function newRequest(before: State, after: State, broker: number): ProduceRequest | undefined {
  const old = new Set((before.network[broker]?.toBroker ?? []).map((r) => r.id));
  return (after.network[broker]?.toBroker ?? []).find((r) => !old.has(r.id));
}

/** What the Sender loop's prologue did (ProducerResolve, or the start of a drain or expiry step). */
function prologue(before: State, after: State): string[] {
  const parts: string[] = [];
  if (after.producer.epoch !== before.producer.epoch || after.producer.producerId !== before.producer.producerId) {
    parts.push(`the producer bumps its epoch to ${after.producer.epoch} (pid ${after.producer.producerId}) and rewrites in-flight sequences of p${before.producer.partitionsToRewrite.join(', p')} from 0`);
  }
  before.producer.unresolved.forEach((u, i) => {
    if (u >= 0 && (after.producer.unresolved[i] ?? -1) < 0 && after.producer.epoch === before.producer.epoch) parts.push(`p${i}'s sequence is resolved: a later batch was acknowledged`);
  });
  return parts;
}

/** BrokerReceiveDelayed: what the leader did with each batch of a held request whose answer goes nowhere. */
function narrateDelayed(before: State, after: State, nth: number): string {
  const held = before.held[nth];
  if (held === undefined) return 'a held produce request is handled';
  const b = held.broker;
  const diff = (key: keyof State['ghost']['stats']): number => after.ghost.stats[key] - before.ghost.stats[key];
  const addedAtCoordinator = leaderAddedPartition(before, after);
  const parts: string[] = addedAtCoordinator === null ? [] : [addedAtCoordinator];
  for (const wire of held.request.batches) {
    const added = appended(before, after, wire.partition, b);
    if (added.length > 0) parts.push(`b${b} appends ${added.map((x) => batchLabel(after, x)).join(' ')}${held.overtaken ? ', after a later request of the same producer' : ''}`);
    else if (diff('dedupHits') > 0) parts.push(`b${b} recognises ${wireLabel(after, wire)} as a duplicate and appends nothing`);
    else {
      const why =
        diff('notLeader') > 0 ? 'NOT_LEADER_OR_FOLLOWER' : diff('outOfOrder') > 0 ? 'OUT_OF_ORDER_SEQUENCE_NUMBER' : diff('invalidEpoch') > 0 ? 'INVALID_PRODUCER_EPOCH' : diff('notEnoughReplicas') > 0 ? 'NOT_ENOUGH_REPLICAS' : 'a transactional check';
      parts.push(`b${b} rejects ${wireLabel(after, wire)} (${why})`);
    }
  }
  return sentence([`a request handler on b${b} finally handles held request #${held.request.id}, whose connection is closed`, ...parts, held.request.acks === 0 ? '' : 'the answer is dropped']);
}

export function narrate(before: State, after: State, event: Event): string {
  if (isConsumerEvent(event)) return narrateConsumer(before, after, event);
  const outcomes = outcomeChanges(before, after);
  switch (event.kind) {
    case 'AppSend': {
      const id = after.ghost.sends.length - 1;
      return `the application sends ${sendLabel(after, id)} to p${event.partition}`;
    }
    case 'AppResend': {
      const id = after.ghost.sends.length - 1;
      return `the application resends record r${after.ghost.sends[id]?.record} as ${sendLabel(after, id)}`;
    }
    case 'ProducerResolve':
      return sentence(prologue(before, after)) || 'the sender resolves sequences';
    case 'ProducerDrain': {
      const request = newRequest(before, after, event.broker);
      if (request === undefined) return 'the sender drains nothing';
      const retry = request.batches.some((w) => (before.producer.batches.find((b) => b.id === w.batch)?.attempts ?? 0) > 0);
      const what = request.batches.map((w) => wireLabel(after, w)).join(', ');
      const expired = after.ghost.stats.deliveryTimeouts - before.ghost.stats.deliveryTimeouts;
      return sentence([
        ...prologue(before, after),
        `the producer sends request #${request.id} to b${event.broker}: ${what}${retry ? ' (a retry)' : ''}`,
        expired > 0 ? `then expires ${batches(expired)} past the delivery deadline` : '',
        ...outcomes,
      ]);
    }
    case 'ProducerReceive': {
      const response = before.network[event.broker]?.toClient[event.nth];
      const errors = (response?.partitions ?? []).filter((p) => p.error !== 'NONE').map((p) => `p${p.partition} ${p.error}`);
      const retried = after.ghost.stats.retries - before.ghost.stats.retries;
      const bump = bumpRequested(before, after);
      return sentence([
        `the producer reads response #${response?.id ?? '?'} from b${event.broker}${errors.length > 0 ? `: ${errors.join(', ')}` : ''}`,
        ...outcomes,
        retried > 0 ? `${batches(retried)} queued for retry with the same sequence` : '',
        bump,
      ]);
    }
    case 'ProducerDeliveryTimeout': {
      const batch = after.producer.batches.find((b) => b.deadlinePassed && !(before.producer.batches.find((x) => x.id === b.id)?.deadlinePassed ?? false));
      return `delivery.timeout.ms runs out for p${event.partition}'s batch [${batch === undefined ? '?' : records(after, batch.sends)}]`;
    }
    case 'ProducerExpireBatches':
      return sentence([...prologue(before, after), 'the sender expires the batches past their deadline', ...outcomes]);
    case 'ProducerRequestTimeout':
      return sentence([`request.timeout.ms: the producer closes its connection to b${event.broker}`, lostOnConnection(before, after, event.broker), ...outcomes, bumpRequested(before, after)]);
    case 'ProducerRestart': {
      const lost = before.network.map((_, b) => lostOnConnection(before, after, b)).filter((s) => !s.startsWith('nothing'));
      const id =
        after.producer.producerId >= 0
          ? `a new pid ${after.producer.producerId}`
          : after.txn !== null
            ? `no pid until initTransactions()${after.txn.zombie !== null && before.txn?.zombie === null ? ', while the old instance keeps running (zombie)' : ''}`
            : 'no pid (idempotence off)';
      // A new KafkaProducer has a new NetworkClient, whose correlation ids start again at 0.
      return sentence([`the producer restarts with ${id}; its connections close and its requests are numbered from #0 again`, ...lost, ...outcomes]);
    }
    case 'NetworkDisconnect':
      return sentence([`the connection to b${event.broker} breaks`, lostOnConnection(before, after, event.broker), ...outcomes, bumpRequested(before, after)]);
    case 'NetworkDrop': {
      // `nth` is a position in the queue; #N names the request (or its answer) by id, as elsewhere.
      const conn = before.network[event.broker];
      const message = (event.direction === 'request' ? conn?.toBroker : conn?.toClient)?.[event.nth];
      const which = message === undefined ? `${event.direction} ${event.nth} in the queue` : event.direction === 'request' ? `request #${message.id}` : `response #${message.id}`;
      return `the network drops ${which} on the connection to b${event.broker} (lossy mode)`;
    }
    case 'BrokerReceive': {
      const request = before.network[event.broker]?.toBroker[event.nth];
      const addedAtCoordinator = leaderAddedPartition(before, after);
      const parts: string[] = addedAtCoordinator === null ? [] : [addedAtCoordinator];
      for (const wire of request?.batches ?? []) {
        const added = appended(before, after, wire.partition, event.broker);
        if (added.length > 0) {
          parts.push(`b${event.broker} appends ${added.map((b) => batchLabel(after, b)).join(' ')}`);
          continue;
        }
        if (after.ghost.stats.dedupHits > before.ghost.stats.dedupHits) {
          parts.push(`b${event.broker} recognises ${wireLabel(after, wire)} as a duplicate and appends nothing`);
          continue;
        }
        const answer = after.network[event.broker]?.toClient.find((r) => r.id === request?.id)?.partitions.find((p) => p.partition === wire.partition);
        parts.push(`b${event.broker} rejects ${wireLabel(after, wire)}${answer === undefined ? '' : ` with ${answer.error}`}`);
      }
      const parked = after.network[event.broker]?.pending;
      if (parked !== null && parked !== undefined && parked.id === request?.id) {
        const waits = parked.partitions.filter((p) => p.requiredOffset >= 0).map((p) => `p${p.partition} HW ≥ ${p.requiredOffset}`);
        parts.push(`acks=all: the answer waits for ${waits.join(', ')}`);
      } else if (request?.acks === 0) {
        parts.push(after.network[event.broker]?.toBroker.length === 0 && (before.network[event.broker]?.toBroker.length ?? 0) > 1 ? 'acks=0: the broker closes the connection' : 'acks=0: no answer');
      }
      return sentence(parts);
    }
    case 'BrokerCompleteProduce':
    case 'BrokerProduceTimeout': {
      const answer = after.network[event.broker]?.toClient.at(-1);
      const results = (answer?.partitions ?? []).map((p) => `p${p.partition} ${p.error}${p.baseOffset >= 0 ? `@${p.baseOffset}` : ''}`);
      const why = event.kind === 'BrokerProduceTimeout' ? "the broker's purgatory timeout fires" : `b${event.broker} answers the parked request`;
      return `${why}: ${results.join(', ')}`;
    }
    case 'ReplicaFetch': {
      const partition = after.cluster.partitions[event.partition];
      const replica = partition?.replicas[event.replica];
      const truncated = after.ghost.stats.truncations > before.ghost.stats.truncations;
      const added = appended(before, after, event.partition, event.replica);
      const parts = [`b${event.replica} fetches p${event.partition} from b${partition?.leader}`];
      if (truncated) {
        const old = before.cluster.partitions[event.partition]?.replicas[event.replica];
        const common = old?.log.filter((b) => replica?.log.some((n) => n.baseOffset === b.baseOffset && n.leaderEpoch === b.leaderEpoch)).length ?? 0;
        const dropped = (old?.log.length ?? 0) - common;
        parts.push(dropped > 0 ? `truncates ${batches(dropped)} that diverged and rebuilds producer state` : 'truncates a diverged suffix and rebuilds producer state');
      }
      if (added.length > 0) parts.push(`copies ${added.map((b) => batchLabel(after, b)).join(' ')}`);
      const leaderHw = partition?.replicas[partition.leader]?.hw;
      const oldLeaderHw = before.cluster.partitions[event.partition]?.replicas[partition?.leader ?? -1]?.hw;
      if (leaderHw !== oldLeaderHw) parts.push(`leader HW ${oldLeaderHw} → ${leaderHw}`);
      if (before.cluster.partitions[event.partition]?.isr.join(',') !== partition?.isr.join(',')) parts.push(`ISR [${partition?.isr.join(',')}]`);
      return sentence(parts);
    }
    case 'LeaderShrinkIsr':
      return sentence([`the leader drops lagging b${event.replica} from p${event.partition}'s ISR`, ...leaderChanges(before, after).filter((s) => s.includes('ISR'))]);
    case 'BrokerCrash':
    case 'BrokerShutdown': {
      const how = event.kind === 'BrokerCrash' ? 'crashes' : 'shuts down cleanly (producer snapshot at the log end)';
      return sentence([`b${event.broker} ${how}`, lostOnConnection(before, after, event.broker), ...leaderChanges(before, after), ...outcomes]);
    }
    case 'BrokerRestart': {
      const cached = after.cluster.partitions
        .map((p, i) => {
          const entries = p.replicas[event.broker]?.producers ?? [];
          return entries.length === 0 ? '' : `p${i}: ${entries.map((e) => `pid ${e.producerId} keeps ${batches(e.batches.length)}`).join(', ')}`;
        })
        .filter((s) => s !== '');
      const leo = after.cluster.partitions.map((p) => logEndOffset(p.replicas[event.broker] ?? { log: [], hw: 0, flushed: 0, producers: [], snapshots: [] }));
      return sentence([`b${event.broker} restarts (log end ${leo.join('/')})`, ...cached, ...leaderChanges(before, after)]);
    }
    case 'ControllerMoveLeader':
      return sentence([`leadership of p${event.partition} moves to b${event.replica}`, ...leaderChanges(before, after)]);
    case 'BrokerFlush': {
      const ends = after.cluster.partitions.map((p) => p.replicas[event.broker]?.flushed ?? 0);
      return `b${event.broker}'s page cache reaches the disk: its logs are flushed to offset ${ends.join('/')}`;
    }
    case 'BrokerPowerLoss': {
      const lost = after.ghost.stats.unflushedBatchesLost - before.ghost.stats.unflushedBatchesLost;
      return sentence([
        `b${event.broker} loses power`,
        lost > 0 ? `${batches(lost)} never flushed ${lost === 1 ? 'is' : 'are'} gone from its logs` : 'it had flushed everything',
        lostOnConnection(before, after, event.broker),
        ...outcomes,
        ...leaderChanges(before, after),
      ]);
    }
    case 'BrokerDelayProduce': {
      const request = before.network[event.broker]?.toBroker[0];
      const what = (request?.batches ?? []).map((w) => wireLabel(before, w)).join(', ');
      // What the close loses besides the held request.
      const rest = make.state({ ...before, network: before.network.map((c, b) => (b === event.broker ? make.connection({ ...c, toBroker: c.toBroker.slice(1) }) : c)) });
      return sentence([
        `b${event.broker} has read request #${request?.id ?? '?'} (${what}) and not handled it yet when request.timeout.ms closes the producer's connection; the broker keeps the request`,
        lostOnConnection(rest, after, event.broker).replace(/^nothing was on the wire; /, ''),
        ...outcomes,
        bumpRequested(before, after),
      ]);
    }
    case 'BrokerReceiveDelayed':
      return narrateDelayed(before, after, event.nth);
    case 'BrokerExpireProducer': {
      const entry = before.cluster.partitions[event.partition]?.replicas[event.replica]?.producers[event.nth];
      return `b${event.replica} expires pid ${entry?.producerId} on p${event.partition} (producer.id.expiration.ms)`;
    }
    default:
      // The transactional kinds (narrate-txn.ts); their one-line help if the state says nothing.
      return narrateTxn(before, after, event) ?? EVENT_HELP[event.kind];
  }
}
