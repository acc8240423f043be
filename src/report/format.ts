/**
 * Pure string builders for events and states: the one-line-per-step trace used by `run`, the
 * Markdown report and test failure messages.
 */

import type { Event } from '../model/events.js';
import type { LogBatch, Outcome, ProducerState, Replica, State } from '../model/types.js';

export function formatEvent(event: Event): string {
  switch (event.kind) {
    case 'AppSend':
      return `AppSend(p${event.partition})`;
    case 'AppResend':
      return `AppResend(#${event.nth})`;
    case 'ProducerResolve':
      return 'ProducerResolve';
    case 'ProducerDrain':
      return `ProducerDrain(b${event.broker})`;
    case 'ProducerReceive':
      return event.nth === 0 ? `ProducerReceive(b${event.broker})` : `ProducerReceive(b${event.broker},#${event.nth})`;
    case 'ProducerDeliveryTimeout':
      return `ProducerDeliveryTimeout(p${event.partition})`;
    case 'ProducerExpireBatches':
      return 'ProducerExpireBatches';
    case 'ProducerRequestTimeout':
      return `ProducerRequestTimeout(b${event.broker})`;
    case 'ProducerRestart':
      return 'ProducerRestart';
    case 'NetworkDisconnect':
      return `NetworkDisconnect(b${event.broker})`;
    case 'NetworkDrop':
      return `NetworkDrop(b${event.broker},${event.direction},#${event.nth})`;
    case 'BrokerReceive':
      return event.nth === 0 ? `BrokerReceive(b${event.broker})` : `BrokerReceive(b${event.broker},#${event.nth})`;
    case 'BrokerCompleteProduce':
      return `BrokerCompleteProduce(b${event.broker})`;
    case 'BrokerProduceTimeout':
      return `BrokerProduceTimeout(b${event.broker})`;
    case 'ReplicaFetch':
      return `ReplicaFetch(p${event.partition},b${event.replica})`;
    case 'LeaderShrinkIsr':
      return `LeaderShrinkIsr(p${event.partition},b${event.replica})`;
    case 'BrokerCrash':
      return `BrokerCrash(b${event.broker})`;
    case 'BrokerShutdown':
      return `BrokerShutdown(b${event.broker})`;
    case 'BrokerRestart':
      return `BrokerRestart(b${event.broker})`;
    case 'ControllerMoveLeader':
      return `ControllerMoveLeader(p${event.partition},b${event.replica})`;
    case 'BrokerExpireProducer':
      return `BrokerExpireProducer(p${event.partition},b${event.replica},#${event.nth})`;
  }
}

/** Record label for a send: `r3`, or `r3'` / `r3''` for the second and third send of record 3. */
export function sendLabel(state: State, send: number): string {
  const info = state.ghost.sends[send];
  if (info === undefined) return `?s${send}`;
  let attempt = 0;
  for (let i = 0; i < send; i++) if (state.ghost.sends[i]?.record === info.record) attempt += 1;
  return `r${info.record}${"'".repeat(attempt)}`;
}

function batchLabel(state: State, batch: LogBatch): string {
  const records = batch.sends.map((s) => sendLabel(state, s)).join(' ');
  const header = batch.producerId >= 0 ? `${batch.producerId}/${batch.epoch}/${batch.baseSequence} ` : '';
  return `${batch.baseOffset}:[${header}${records}]`;
}

export function formatLog(state: State, replica: Replica, limit = 8): string {
  const shown = replica.log.slice(-limit).map((b) => batchLabel(state, b));
  const hidden = replica.log.length - shown.length;
  const body = shown.length === 0 ? '-' : (hidden > 0 ? `… ${hidden} more ` : '') + shown.join(' ');
  return `${body} hw=${replica.hw}`;
}

/** Producer summary: PID/epoch and, per partition, next sequence / last acked sequence. */
export function formatProducer(producer: ProducerState): string {
  const id = producer.producerId >= 0 ? `pid=${producer.producerId} e=${producer.epoch}` : 'no-pid';
  const parts = producer.partitions
    .map((p, i) => {
      const seq = producer.producerId >= 0 ? ` seq=${p.nextSequence}/${p.lastAckedSequence}` : '';
      const unresolved = (producer.unresolved[i] ?? -1) >= 0 ? ` unresolved@${producer.unresolved[i]}` : '';
      const queue = p.queue.length > 0 ? ` q=${p.queue.length}` : '';
      return `p${i}${seq}${queue}${unresolved}`;
    })
    .join(' ');
  const bump = producer.epochBumpRequired ? ' bump!' : '';
  return `s${producer.session} ${id}${bump} ${parts}`;
}

/** What is on the wire: requests to, parked at, and responses from each broker. */
export function formatNetwork(state: State): string {
  const parts: string[] = [];
  state.network.forEach((conn, b) => {
    const out = conn.toBroker.length;
    const back = conn.toClient.length;
    const unanswered = state.producer.requests[b]?.length ?? 0;
    if (out + back + unanswered === 0 && conn.pending === null) return;
    const segs = [`b${b}`];
    if (unanswered > 0) segs.push(`unanswered=${unanswered}`);
    if (out > 0) segs.push(`req→${out}`);
    if (conn.pending !== null) segs.push('parked');
    if (back > 0) segs.push(`←resp${back}`);
    parts.push(segs.join(' '));
  });
  return parts.length === 0 ? '-' : parts.join(', ');
}

export function formatCluster(state: State): string {
  return state.cluster.partitions
    .map((p, i) => {
      const replicas = p.replicas
        .map((r, b) => {
          const mark = state.cluster.alive[b] !== true ? '✗' : b === p.leader ? '*' : '';
          return `b${b}${mark} ${formatLog(state, r)}`;
        })
        .join(' | ');
      return `p${i} e${p.leaderEpoch} isr=[${p.isr.join(',')}] ${replicas}`;
    })
    .join(' ‖ ');
}

const OUTCOME_MARK: Readonly<Record<Outcome, string>> = { pending: '…', ok: 'ok', fail: 'fail', info: 'info' };

export function formatOutcomes(state: State, limit = 12): string {
  const shown = state.ghost.sends.slice(0, limit).map((info, id) => {
    const at = info.outcome === 'ok' && info.offset >= 0 ? `@${info.offset}` : '';
    return `${sendLabel(state, id)}:${OUTCOME_MARK[info.outcome]}${at}`;
  });
  const hidden = state.ghost.sends.length - shown.length;
  return shown.length === 0 ? '-' : shown.join(' ') + (hidden > 0 ? ` … ${hidden} more` : '');
}

/** The one-line view of a state used after each step. */
export function formatStateLine(state: State): string {
  return `${formatProducer(state.producer)} | net ${formatNetwork(state)} | ${formatCluster(state)} | ${formatOutcomes(state)}`;
}
