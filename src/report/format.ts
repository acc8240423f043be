/**
 * Pure string builders for events and states: the one-line-per-step trace used by `run`, the
 * Markdown report and test failure messages.
 */

import type { LogBatch, Replica, State } from '../model/types.js';

export { formatEvent } from '../model/event-text.js';

/** Record label for a send: `r3`, or `r3'` / `r3''` for the second and third send of record 3. */
export function sendLabel(state: State, send: number): string {
  const info = state.ghost.sends[send];
  if (info === undefined) return `?s${send}`;
  let attempt = 0;
  for (let i = 0; i < send; i++) if (state.ghost.sends[i]?.record === info.record) attempt += 1;
  return `r${info.record}${"'".repeat(attempt)}`;
}

function batchLabel(state: State, batch: LogBatch): string {
  // A transaction marker (a control batch) is `offset:<COMMIT pid/epoch>`; a transactional data batch says `txn`.
  if (batch.control !== undefined) return `${batch.baseOffset}:<${batch.control.result} ${batch.producerId}/${batch.epoch}>`;
  const records = batch.sends.map((s) => sendLabel(state, s)).join(' ');
  const header = batch.producerId >= 0 ? `${batch.transactional === true ? 'txn ' : ''}${batch.producerId}/${batch.epoch}/${batch.baseSequence} ` : '';
  return `${batch.baseOffset}:[${header}${records}]`;
}

export function formatLog(state: State, replica: Replica, limit = 8): string {
  const shown = replica.log.slice(-limit).map((b) => batchLabel(state, b));
  const hidden = replica.log.length - shown.length;
  const body = shown.length === 0 ? '-' : (hidden > 0 ? `… ${hidden} more ` : '') + shown.join(' ');
  return `${body} hw=${replica.hw}`;
}

/** Producer: pid/epoch, per partition the next sequence and last acknowledged one, queued batches. */
export function producerCell(state: State): string {
  const p = state.producer;
  const id = p.producerId >= 0 ? `pid ${p.producerId} epoch ${p.epoch}` : 'no pid';
  const parts = p.partitions.map((part, i) => {
    const seq = p.producerId >= 0 ? ` next ${part.nextSequence} acked ${part.lastAckedSequence}` : '';
    const queued = part.queue.length > 0 ? ` queued ${part.queue.length}` : '';
    return `p${i}${seq}${queued}`;
  });
  const unanswered = p.requests.reduce((n, rs) => n + rs.length, 0);
  return [id, ...parts, unanswered > 0 ? `${unanswered} unanswered` : ''].filter((s) => s !== '').join(' · ');
}

export function logsCell(state: State): string {
  return state.cluster.partitions
    .map((p, i) => {
      const replicas = p.replicas.map((r, b) => {
        const mark = state.cluster.alive[b] !== true ? ' (down)' : b === p.leader ? '*' : '';
        return `b${b}${mark} ${formatLog(state, r, 6)}`;
      });
      return `p${i} isr{${p.isr.join(',')}}: ${replicas.join(' · ')}`;
    })
    .join(' ‖ ');
}

/** Each send's outcome; `only` picks some of them (run prints those a step changed). */
export function outcomesCell(state: State, only: (send: number) => boolean = () => true): string {
  const shown = state.ghost.sends.map((info, id) => ({ info, id })).filter(({ id }) => only(id));
  if (shown.length === 0) return '-';
  return shown
    .map(({ info, id }) => {
      const label = sendLabel(state, id);
      switch (info.outcome) {
        case 'pending':
          return `${label} …`;
        case 'ok':
          return info.offset >= 0 ? `${label} ok@${info.offset}` : `${label} ok`;
        case 'fail':
          return `${label} fail`;
        case 'info':
          return `${label} unknown`;
      }
    })
    .join(' · ');
}

/** What is on the wire, per broker: unanswered requests, requests not yet read, a parked request, responses. */
export function networkCell(state: State): string {
  const parts: string[] = [];
  state.network.forEach((conn, b) => {
    const unanswered = state.producer.requests[b]?.length ?? 0;
    const segs: string[] = [];
    if (unanswered > 0) segs.push(`${unanswered} unanswered`);
    if (conn.toBroker.length > 0) segs.push(`${conn.toBroker.length} request${conn.toBroker.length > 1 ? 's' : ''} on the wire`);
    if (conn.pending !== null) segs.push('1 parked');
    if (conn.toClient.length > 0) segs.push(`${conn.toClient.length} response${conn.toClient.length > 1 ? 's' : ''} on the wire`);
    if (segs.length > 0) parts.push(`b${b}: ${segs.join(', ')}`);
  });
  return parts.length === 0 ? 'nothing on the wire' : parts.join('; ');
}

/**
 * The consumer side, when there is one: each consumer (member, generation, per partition its
 * position and fetch state, records returned and not yet processed), the group (generation,
 * committed offsets) and the sink (effects as record@offset by consumer, skipped ids kept).
 */
export function consumersCell(state: State): string {
  const side = state.consumers ?? null;
  if (side === null) return '';
  const consumers = side.consumers.map((c, i) => {
    if (!c.running) return `c${i} down`;
    const member = c.memberId >= 0 ? ` m${c.memberId}/g${c.generation}` : ' no member';
    const parts = c.assigned.map((a) => {
      const where = a.fetchState === 'FETCHING' ? `@${a.position.offset}` : a.fetchState === 'AWAIT_VALIDATION' ? `@${a.position.offset}?` : ' reset';
      return `p${a.partition}${where}${a.buffered === null ? '' : ` +${a.buffered.records.length} fetched`}`;
    });
    const returned = c.returned.length > 0 ? ` to process: ${c.returned.map((r) => sendLabel(state, r.send)).join(' ')}` : '';
    return `c${i}${member}${parts.length > 0 ? ` ${parts.join(' ')}` : ''}${returned}${c.phase === 'poll' ? '' : ` (${c.phase})`}`;
  });
  const committed = side.group.committed.map((e) => `p${e.partition}→${e.offset < 0 ? '-' : e.offset}`).join(' ');
  const group = `group g${side.group.generation} ${side.group.phase} committed ${committed}`;
  const effects = side.sink.effects.map((e) => `${sendLabel(state, e.send)}@${e.offset}/c${e.consumer}`).join(' ');
  const ids = side.sink.processedIds.length > 0 ? ` ids{${side.sink.processedIds.map((k) => `r${k}`).join(',')}}` : '';
  const offsets = side.sink.offsets.some((o) => o >= 0) ? ` offsets{${side.sink.offsets.map((o, p) => `p${p}→${o}`).join(',')}}` : '';
  return `${consumers.join(' · ')} · ${group} · sink ${effects === '' ? '-' : effects}${ids}${offsets}`;
}

/** The one-line view of a state used after each step. */
export function formatStateLine(state: State): string {
  // A state read from a report written before the model had consumers has no such field.
  const consumers = (state.consumers ?? null) === null ? '' : ` | ${consumersCell(state)}`;
  return `${producerCell(state)} | ${networkCell(state)} | ${logsCell(state)} | ${outcomesCell(state)}${consumers}`;
}

/** A legend for the state columns, printed once above a trace. */
/** The legend of the consumer column, added when a trace has a consumer group. */
export const CONSUMER_LEGEND =
  'consumers: cN member/generation, per partition @position (? awaiting validation), records fetched and returned · group: generation, phase, committed offsets · sink: effects as record@offset/consumer, the ids a dedup sink keeps';

/** The transactional column's legend, and how the logs show transactions. */
export const TXN_LEGEND =
  'transactions: TM = the producer\'s transaction manager state and pid/epoch, in{…} its partitions added; TC = the coordinator\'s state, partitions and pid/epoch, → a transition waiting for its log write; markers on their way; txns #n and what the application was told · logs: [txn …] a transactional batch, <COMMIT pid/epoch> a marker';

export const STATE_LEGEND =
  "producer: pid/epoch, per partition the next sequence and the last acknowledged one · logs: * leader, offset:[pid/epoch/seq records], hw = high watermark · records: ok@offset, fail (definitely not written), unknown (maybe written), … pending; r3' is the second send of record 3";

/**
 * Text that starts a sentence: a first word of letters is capitalised ("record r0 is ..." →
 * "Record r0 is ..."); a name such as r4 or p0 stays as it is.
 */
export function sentence(text: string): string {
  return /^[a-z]+(\s|,|$)/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
