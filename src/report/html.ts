/**
 * The HTML report: one self-contained page (no scripts from elsewhere, no fonts, no images) with
 * an inline SVG sequence diagram of application, producer and brokers, and the state after each
 * step. Messages are drawn from the step they were written to the step they were read, or to a
 * cross where they were lost; faults and elections are marked on their lane.
 */

import type { Event } from '../model/events.js';
import type { State } from '../model/types.js';
import { consumerDrawing, consumerLanes, consumerLaneTitle, consumerLaneUp } from './html-consumer.js';
import type { ConsumerLane } from './html-consumer.js';
import { TXN_LANE_TITLE, txnDrawing, txnLanes } from './html-txn.js';
import type { TxnLane } from './html-txn.js';
import { CONSUMER_LEGEND, consumersCell, formatEvent, logsCell, outcomesCell, producerCell, sentence, STATE_LEGEND, TXN_LEGEND } from './format.js';
import { txnCell } from './narrate-txn.js';
import { narrate } from './narrate.js';
import type { KnownMechanism } from './known.js';
import type { Report } from './report.js';
import { describeLengths, describeOrigin, expectationSentence, replayCommand } from './report.js';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Escaped text with `code spans` rendered as <code>. */
export function prose(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

interface Message {
  readonly kind: 'request' | 'response';
  readonly broker: number;
  readonly label: string;
  readonly from: number;
  readonly to: number;
  readonly fate: 'read' | 'lost' | 'pending';
}

function requestLabel(state: State, broker: number, id: number): string {
  const request = state.network[broker]?.toBroker.find((r) => r.id === id);
  if (request === undefined) return `#${id}`;
  const parts = request.batches.map((b) => {
    const attempts = state.producer.batches.find((x) => x.id === b.batch)?.attempts ?? 0;
    const retry = attempts > 0 ? ` retry ${attempts}` : '';
    return b.producerId >= 0 ? `p${b.partition} pid${b.producerId} e${b.epoch} s${b.baseSequence}${retry}` : `p${b.partition}${retry}`;
  });
  return `#${id} ${parts.join(', ')}`;
}

function responseLabel(state: State, broker: number, id: number): string {
  const response = state.network[broker]?.toClient.find((r) => r.id === id);
  if (response === undefined) return `#${id}`;
  return `#${id} ${response.partitions.map((p) => (p.error === 'NONE' ? `ok@${p.baseOffset}` : p.error)).join(', ')}`;
}

/** Follow every request and response through the trace by its id. */
export function traceMessages(states: readonly State[], events: readonly Event[]): Message[] {
  const out: Message[] = [];
  const brokers = states[0]?.network.length ?? 0;
  for (let b = 0; b < brokers; b++) {
    for (const kind of ['request', 'response'] as const) {
      const open = new Map<number, { from: number; label: string }>();
      states.forEach((state, row) => {
        const queue = kind === 'request' ? state.network[b]?.toBroker : state.network[b]?.toClient;
        const ids = new Set((queue ?? []).map((m) => m.id));
        for (const [id, start] of open) {
          if (ids.has(id)) continue;
          const event = events[row - 1];
          const read =
            (kind === 'request' && (event?.kind === 'BrokerReceive' || event?.kind === 'BrokerDelayProduce') && event.broker === b) ||
            (kind === 'response' && event?.kind === 'ProducerReceive' && event.broker === b);
          out.push({ kind, broker: b, label: start.label, from: start.from, to: row, fate: read ? 'read' : 'lost' });
          open.delete(id);
        }
        for (const m of queue ?? []) {
          if (!open.has(m.id)) open.set(m.id, { from: row, label: kind === 'request' ? requestLabel(state, b, m.id) : responseLabel(state, b, m.id) });
        }
      });
      for (const [, start] of open) out.push({ kind, broker: b, label: start.label, from: start.from, to: states.length - 1, fate: 'pending' });
    }
  }
  return out;
}

const ROW = 30;
/** Row 0 (the state before the first step, where nothing is drawn) sits here; the lane titles just above it, the lanes starting under them. */
const TOP = 36;
const TITLE_Y = 22;
/** The narrowest gap between lanes; a trace with longer message labels gets wider gaps. */
const LANE_GAP = 210;
const MAX_LANE_GAP = 420;
/** The gap between a consumer group's lanes (consumers, coordinator, sink). */
const CONSUMER_GAP = 200;
/** Width of one character of a message label (11px monospace), for sizing the lanes. */
const LABEL_CHAR = 6.7;
const LEFT = 150;
/** How far from its sending lane a message's label starts. */
const LABEL_INSET = 14;
/** How far a message label may follow its line down from the row's middle (marks sit below it). */
const MAX_LABEL_DROP = 4;
/** How far a message that was lost, or never read, is drawn towards its lane before it stops. */
const SHORT = 0.35;
/** What a never-read message's label adds. */
const NEVER_READ = '(still on its way)';
const labelOf = (m: Message): string => (m.fate === 'pending' ? `${m.label} ${NEVER_READ}` : m.label);

/** The colours of the lines that end in an arrowhead, each with its own head (a shared black head on a blue line looked like a different message). */
const ARROW_COLOURS = { request: '#333', response: '#2c6fbb', fetch: '#7d3c98', app: '#555' } as const;
const arrow = (kind: keyof typeof ARROW_COLOURS): string => `url(#arrow-${kind})`;

/**
 * A light box under an 11px text whose baseline starts (or, anchored at its end, ends) at x, y: a
 * line that crosses the text is hidden behind it rather than running between the letters.
 */
function labelBox(x: number, y: number, text: string, anchor: 'start' | 'end' = 'start'): string {
  const width = [...text].length * LABEL_CHAR + 4;
  return `<rect x="${anchor === 'start' ? x - 2 : x - width + 2}" y="${y - 10}" width="${width}" height="13" class="label-box"/>`;
}

/** A short label for marks on a lane (the table below has the full sentence). */
function mark(event: Event, before: State, after: State): { lane: 'app' | 'producer' | number; text: string; tone: string } | null {
  switch (event.kind) {
    case 'ProducerResolve':
      return after.producer.epoch !== before.producer.epoch
        ? { lane: 'producer', text: `epoch bump → ${after.producer.epoch}`, tone: 'warn' }
        : { lane: 'producer', text: 'sequence resolved', tone: 'note' };
    case 'ProducerDeliveryTimeout':
      return { lane: 'producer', text: `◷ deadline passes p${event.partition}`, tone: 'warn' };
    case 'ProducerExpireBatches':
      return { lane: 'producer', text: 'expire batches', tone: 'warn' };
    case 'ProducerRequestTimeout':
      return { lane: 'producer', text: `◷ request timeout: close b${event.broker}`, tone: 'bad' };
    case 'ProducerRestart':
      return { lane: 'producer', text: `↻ restart: pid ${after.producer.producerId}`, tone: 'bad' };
    case 'NetworkDisconnect':
      return { lane: event.broker, text: '⚡ connection breaks', tone: 'bad' };
    case 'NetworkDrop':
      return { lane: event.broker, text: `drop ${event.direction}`, tone: 'bad' };
    case 'BrokerReceive': {
      const appended = after.cluster.partitions.some((p, i) => (p.replicas[event.broker]?.log.length ?? 0) > (before.cluster.partitions[i]?.replicas[event.broker]?.log.length ?? 0));
      const dup = after.ghost.stats.dedupHits > before.ghost.stats.dedupHits;
      const text = appended ? 'append' : dup ? 'duplicate: no append' : 'reject';
      return { lane: event.broker, text, tone: appended ? 'ok' : dup ? 'note' : 'warn' };
    }
    case 'BrokerCompleteProduce':
      return { lane: event.broker, text: 'HW reached: answer', tone: 'note' };
    case 'BrokerDelayProduce':
      return { lane: event.broker, text: '⏸ holds request; client times out', tone: 'bad' };
    case 'BrokerReceiveDelayed': {
      const held = before.held[event.nth];
      const b = held?.broker ?? 0;
      const appended = after.cluster.partitions.some((p, i) => (p.replicas[b]?.log.length ?? 0) > (before.cluster.partitions[i]?.replicas[b]?.log.length ?? 0));
      const dup = after.ghost.stats.dedupHits > before.ghost.stats.dedupHits;
      return { lane: b, text: `late #${held?.request.id ?? '?'}: ${appended ? 'append' : dup ? 'duplicate' : 'reject'}`, tone: appended ? 'bad' : 'note' };
    }
    case 'BrokerProduceTimeout':
      return { lane: event.broker, text: '◷ purgatory timeout', tone: 'warn' };
    case 'LeaderShrinkIsr':
      return { lane: after.cluster.partitions[event.partition]?.leader ?? event.replica, text: `ISR − b${event.replica}`, tone: 'warn' };
    case 'BrokerCrash':
      return { lane: event.broker, text: '✗ crash', tone: 'bad' };
    case 'BrokerShutdown':
      return { lane: event.broker, text: '▼ clean shutdown', tone: 'bad' };
    case 'BrokerRestart':
      return { lane: event.broker, text: '↻ restart', tone: 'ok' };
    case 'ControllerMoveLeader':
      return { lane: event.replica, text: `★ leads p${event.partition}`, tone: 'note' };
    case 'BrokerExpireProducer':
      return { lane: event.replica, text: 'forgets pid', tone: 'bad' };
    default:
      return null;
  }
}

function leaderMarks(before: State, after: State): { lane: number; text: string }[] {
  const out: { lane: number; text: string }[] = [];
  after.cluster.partitions.forEach((p, i) => {
    if (p.leader >= 0 && p.leader !== before.cluster.partitions[i]?.leader) out.push({ lane: p.leader, text: `★ leader p${i} (e${p.leaderEpoch})` });
  });
  return out;
}

export function renderSequenceDiagram(report: Report): string {
  const states = report.states;
  const events = report.events;
  const brokers = states[0]?.network.length ?? 1;
  const messages = traceMessages(states, events);
  // Wide enough that every label (`#4 OUT_OF_ORDER_SEQUENCE_NUMBER`, or a response for several
  // partitions) ends before the lane its message goes to, up to MAX_LANE_GAP: a message to or
  // from broker b spans b + 1 gaps.
  const needed = messages.map((m) => Math.ceil((labelOf(m).length * LABEL_CHAR + LABEL_INSET + 8) / (m.broker + 1)));
  const gap = Math.min(MAX_LANE_GAP, Math.max(LANE_GAP, ...needed));
  const brokerX = (lane: 'app' | 'producer' | number): number => (lane === 'app' ? LEFT : lane === 'producer' ? LEFT + LANE_GAP : LEFT + LANE_GAP + gap * (1 + lane));
  // A consumer group's lanes (consumers, coordinator, sink) follow the brokers; none without one.
  // So does the transaction coordinator's lane, with transactional.id.
  const extra: readonly (ConsumerLane | TxnLane)[] = [...consumerLanes(states[0]), ...txnLanes(states[0])];
  const laneX = (lane: 'app' | 'producer' | number | ConsumerLane | TxnLane): number => {
    const k = typeof lane === 'string' ? extra.indexOf(lane as ConsumerLane | TxnLane) : -1;
    return k >= 0 ? brokerX(brokers - 1) + CONSUMER_GAP * (1 + k) : brokerX(lane as 'app' | 'producer' | number);
  };
  const rowY = (row: number): number => TOP + row * ROW;
  // Marks on the coordinator's lane (`reads AddPartitionsToTxn → Ongoing`) run wider than a consumer's.
  const width = (extra.length > 0 ? laneX(extra[extra.length - 1] as ConsumerLane | TxnLane) : laneX(brokers - 1)) + (extra.includes('tc') ? 330 : 230);
  const height = rowY(events.length) + 50;
  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="sequence diagram">`);
  svg.push(
    `<defs>${Object.entries(ARROW_COLOURS)
      .map(([kind, colour]) => `<marker id="arrow-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`)
      .join('')}</defs>`,
  );
  // Rows: a stripe and the step number, linked to the table.
  events.forEach((event, i) => {
    const y = rowY(i + 1);
    const violation = i === events.length - 1;
    svg.push(`<a href="#step-${i + 1}"><rect x="0" y="${y - ROW / 2}" width="${width}" height="${ROW}" class="${violation ? 'row violation' : i % 2 === 0 ? 'row even' : 'row'}"/>`);
    svg.push(`<text x="8" y="${y + 4}" class="step">${i + 1}</text><title>${esc(formatEvent(event))}</title></a>`);
  });
  // Lanes, dashed while a broker is down.
  const lanes: ('app' | 'producer' | number | ConsumerLane | TxnLane)[] = ['app', 'producer', ...Array.from({ length: brokers }, (_, b) => b), ...extra];
  for (const lane of lanes) {
    const x = laneX(lane);
    const title = lane === 'app' ? 'Application' : lane === 'producer' ? 'Producer' : typeof lane === 'number' ? `Broker b${lane}` : lane === 'tc' ? TXN_LANE_TITLE : consumerLaneTitle(lane);
    svg.push(`<text x="${x}" y="${TITLE_Y}" class="lane-title" text-anchor="middle">${title}</text>`);
    for (let row = 0; row < events.length; row++) {
      const up =
        typeof lane === 'number' ? states[row + 1]?.cluster.alive[lane] === true : lane === 'app' || lane === 'producer' || lane === 'tc' ? true : consumerLaneUp(lane, states[row + 1]);
      svg.push(`<line x1="${x}" y1="${row === 0 ? TITLE_Y + 8 : rowY(row) + 10}" x2="${x}" y2="${rowY(row + 1) + ROW / 2}" class="${up ? 'lane' : 'lane down'}"/>`);
    }
  }
  // Messages: lines first, then every label over them, so a label's white halo hides the lines
  // that cross it (a response starts where its request's line arrives).
  const labels: string[] = [];
  const crosses = new Set<string>();
  for (const m of messages) {
    const fromX = m.kind === 'request' ? laneX('producer') : laneX(m.broker);
    const toX = m.kind === 'request' ? laneX(m.broker) : laneX('producer');
    const y1 = rowY(m.from);
    // A message never read is a short level stub in the row it was written in, above the marks
    // there, its label saying so: a line running on to the last row would say when it was read.
    const y2 = m.fate === 'pending' ? y1 : rowY(m.to);
    const endX = m.fate === 'read' ? toX : fromX + (toX - fromX) * SHORT;
    const cls = m.fate === 'lost' ? 'msg lost' : m.fate === 'pending' ? 'msg pending' : `msg ${m.kind}`;
    svg.push(`<line x1="${fromX}" y1="${y1}" x2="${endX}" y2="${y2}" class="${cls}"${m.fate === 'read' ? ` marker-end="${arrow(m.kind)}"` : ''}/>`);
    // Messages lost together on one connection end at one point: one cross for them all.
    const cross = `${endX},${y2}`;
    if (m.fate === 'lost' && !crosses.has(cross)) {
      crosses.add(cross);
      svg.push(`<text x="${endX}" y="${y2 + 5}" class="cross" text-anchor="middle">✗</text>`);
    }
    const text = labelOf(m);
    // The label starts just off the sending lane and runs the way the arrow goes, its baseline
    // above the line where it starts: the line only descends from there, so it never crosses the
    // text (a centred label on a sloping line did). It follows the line's drop there by at most
    // MAX_LABEL_DROP, so a steep line does not pull it down onto the marks in the lower half of
    // the row (a response sent at a leader move ran into the new leader's mark).
    const dir = toX > fromX ? 1 : -1;
    const labelX = fromX + dir * LABEL_INSET;
    const drop = ((y2 - y1) * LABEL_INSET) / Math.max(LABEL_INSET, Math.abs(endX - fromX));
    const labelY = y1 + Math.min(drop, MAX_LABEL_DROP) - 5;
    // A white box under the text, so a line that crosses the label (the request a response
    // answers, arriving in the same row) does not run through it between the letters.
    labels.push(labelBox(labelX, labelY, text, dir === 1 ? 'start' : 'end'));
    labels.push(`<text x="${labelX}" y="${labelY}" class="msg-label ${m.kind}" text-anchor="${dir === 1 ? 'start' : 'end'}">${esc(text)}</text>`);
  }
  svg.push(...labels);
  // Event marks.
  events.forEach((event, i) => {
    const before = states[i] as State;
    const after = states[i + 1] as State;
    const y = rowY(i + 1);
    if (event.kind === 'AppSend' || event.kind === 'AppResend') {
      const label = event.kind === 'AppSend' ? `send r${after.ghost.sends.at(-1)?.record} → p${event.partition}` : `resend r${after.ghost.sends.at(-1)?.record}`;
      svg.push(`<line x1="${laneX('app')}" y1="${y}" x2="${laneX('producer') - 4}" y2="${y}" class="msg app" marker-end="${arrow('app')}"/>`);
      svg.push(`<text x="${laneX('app') + 8}" y="${y - 4}" class="msg-label">${esc(label)}</text>`);
    }
    if (event.kind === 'ReplicaFetch') {
      const leader = after.cluster.partitions[event.partition]?.leader ?? 0;
      svg.push(`<line x1="${laneX(event.replica)}" y1="${y}" x2="${laneX(leader)}" y2="${y}" class="msg fetch" marker-end="${arrow('fetch')}" marker-start="${arrow('fetch')}"/>`);
      svg.push(`<text x="${(laneX(event.replica) + laneX(leader)) / 2}" y="${y - 4}" class="msg-label" text-anchor="middle">fetch p${event.partition}</text>`);
    }
    const drawing = consumerDrawing(event, before, after);
    if (drawing !== null) {
      const arrowOf = drawing.arrow;
      if (arrowOf !== null) {
        const fromX = laneX(arrowOf.from);
        const toX = laneX(arrowOf.to);
        const dir = toX > fromX ? 1 : -1;
        svg.push(`<line x1="${fromX}" y1="${y}" x2="${toX - dir * 4}" y2="${y}" class="msg fetch" marker-end="${arrow('fetch')}"/>`);
        svg.push(labelBox(fromX + dir * LABEL_INSET, y - 4, arrowOf.label, dir === 1 ? 'start' : 'end'));
        svg.push(`<text x="${fromX + dir * LABEL_INSET}" y="${y - 4}" class="msg-label" text-anchor="${dir === 1 ? 'start' : 'end'}">${esc(arrowOf.label)}</text>`);
      }
      for (const cm of drawing.marks) svg.push(labelBox(laneX(cm.lane) + 8, y + 12, cm.text), `<text x="${laneX(cm.lane) + 8}" y="${y + 12}" class="mark ${cm.tone}">${esc(cm.text)}</text>`);
    }
    const txn = txnDrawing(event, before, after);
    if (txn !== null) {
      for (const t of txn.arrows) {
        const fromX = laneX(t.from);
        const toX = laneX(t.to);
        const dir = toX > fromX ? 1 : -1;
        svg.push(`<line x1="${fromX}" y1="${y}" x2="${toX - dir * 4}" y2="${y}" class="msg ${t.kind}" marker-end="${arrow(t.kind)}"/>`);
        svg.push(labelBox(fromX + dir * LABEL_INSET, y - 4, t.label, dir === 1 ? 'start' : 'end'));
        svg.push(`<text x="${fromX + dir * LABEL_INSET}" y="${y - 4}" class="msg-label ${t.kind}" text-anchor="${dir === 1 ? 'start' : 'end'}">${esc(t.label)}</text>`);
      }
      for (const tm of txn.marks) svg.push(labelBox(laneX(tm.lane) + 8, y + 12, tm.text), `<text x="${laneX(tm.lane) + 8}" y="${y + 12}" class="mark ${tm.tone}">${esc(tm.text)}</text>`);
    }
    const m = mark(event, before, after);
    if (m !== null) svg.push(labelBox(laneX(m.lane) + 8, y + 12, m.text), `<text x="${laneX(m.lane) + 8}" y="${y + 12}" class="mark ${m.tone}">${esc(m.text)}</text>`);
    for (const lm of leaderMarks(before, after)) {
      const x = laneX(lm.lane) + 8 + (m !== null && m.lane === lm.lane ? 90 : 0);
      if (event.kind !== 'ControllerMoveLeader') svg.push(labelBox(x, y + 12, lm.text), `<text x="${x}" y="${y + 12}" class="mark note">${esc(lm.text)}</text>`);
    }
    // Outcomes reaching the application.
    after.ghost.sends.forEach((info, id) => {
      const old = before.ghost.sends[id];
      if (old === undefined || old.outcome === info.outcome || info.outcome === 'pending') return;
      const text = info.outcome === 'ok' ? `r${info.record} ok${info.offset >= 0 ? `@${info.offset}` : ''}` : `r${info.record} ${info.outcome === 'fail' ? 'failed' : 'unknown'}`;
      svg.push(`<text x="${laneX('app') - 8}" y="${y + 12}" class="mark ${info.outcome === 'ok' ? 'ok' : 'bad'}" text-anchor="end">${esc(text)}</text>`);
    });
  });
  svg.push(`<text x="${LEFT}" y="${rowY(events.length) + 36}" class="mark bad">✗ ${esc(report.violation.invariant)} violated after step ${events.length}</text>`);
  svg.push('</svg>');
  return svg.join('\n');
}

const STYLE = `
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { font-size: 20px; margin: 0 0 8px; } h2 { font-size: 16px; margin: 24px 0 8px; }
code, pre { font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; }
pre.cmd { background: #f4f4f4; padding: 8px 12px; border-radius: 4px; }
.verdict { background: #fdecea; border-left: 4px solid #c0392b; padding: 8px 12px; }
.diagram { overflow-x: auto; border: 1px solid #ddd; }
svg text { font: 12px ui-monospace, Menlo, Consolas, monospace; }
svg .lane-title { font-weight: bold; font-size: 13px; }
svg .lane { stroke: #999; stroke-width: 1.5; } svg .lane.down { stroke: #c0392b; stroke-dasharray: 3 4; }
svg .row { fill: transparent; } svg .row.even { fill: #fafafa; } svg .row.violation { fill: #fdecea; } svg a:hover .row { fill: #eef5ff; }
svg .step { fill: #888; }
svg .msg { stroke: #333; stroke-width: 1.4; } svg .msg.response { stroke: #2c6fbb; } svg .msg.lost { stroke: #c0392b; stroke-dasharray: 5 3; }
svg .msg.pending { stroke: #999; stroke-dasharray: 2 3; } svg .msg.fetch { stroke: #7d3c98; } svg .msg.app { stroke: #555; }
svg .label-box { fill: #fff; fill-opacity: 0.85; }
svg .msg-label { fill: #333; font-size: 11px; paint-order: stroke; stroke: #fff; stroke-width: 3px; } svg .msg-label.response { fill: #2c6fbb; } svg .cross { fill: #c0392b; font-size: 16px; font-weight: bold; }
svg .mark { font-size: 11px; } svg .mark.bad { fill: #c0392b; font-weight: bold; } svg .mark.warn { fill: #b9770e; } svg .mark.ok { fill: #1e8449; } svg .mark.note { fill: #2c6fbb; }
table { border-collapse: collapse; width: 100%; font-size: 12px; } th, td { border: 1px solid #ddd; padding: 4px 6px; vertical-align: top; text-align: left; }
tr.violation td { background: #fdecea; } td.n { text-align: right; color: #888; } td code { white-space: nowrap; }
details summary { cursor: pointer; color: #2c6fbb; }
`;

export function renderHtml(report: Report, jsonPath: string, known: KnownMechanism | null): string {
  const title = `${report.violation.invariant} violated: ${report.suite ?? 'ad-hoc check'}`;
  // A consumer group adds a column to the steps table (a producer-only report is as before).
  const withConsumers = report.states[0]?.consumers !== null && report.states[0]?.consumers !== undefined;
  // So does a transactional producer (the transactions column).
  const withTxn = report.states[0]?.txn !== null && report.states[0]?.txn !== undefined;
  const rows = report.events.map((event, i) => {
    const before = report.states[i] as State;
    const after = report.states[i + 1] as State;
    const cls = i === report.events.length - 1 ? ' class="violation"' : '';
    return (
      `<tr id="step-${i + 1}"${cls}><td class="n">${i + 1}</td><td><code>${esc(formatEvent(event))}</code></td><td>${esc(narrate(before, after, event))}</td>` +
      `<td>${esc(producerCell(after))}</td><td>${esc(logsCell(after))}</td><td>${esc(outcomesCell(after))}</td>` +
      (withConsumers ? `<td>${esc(consumersCell(after))}</td>` : '') +
      (withTxn ? `<td>${esc(txnCell(after))}</td>` : '') +
      `<td><details><summary>state</summary><pre>${esc(JSON.stringify(after, null, 1))}</pre></details></td></tr>`
    );
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<pre class="cmd">${esc(replayCommand(jsonPath))}</pre>
<p class="verdict"><strong>What went wrong.</strong> ${prose(sentence(report.violation.explanation))}.<br>
<strong>${esc(report.violation.invariant)}:</strong> ${prose(report.violation.claim)} ${prose(report.violation.why)}</p>
<p>${prose(expectationSentence(report, known))}</p>
<p>config: <code>${esc(Object.entries(report.config).map(([k, v]) => `${k}=${v}`).join(' '))}</code><br>
faults: <code>${esc(report.faults.join(', ') || 'none')}</code> · invariants checked: <code>${esc(report.invariants.join(', '))}</code> · ${esc(describeOrigin(report))} · fingerprint <code>${report.fingerprint}</code><br>
length: ${esc(describeLengths(report))}</p>
<h2>Sequence diagram</h2>
<p>Arrows are requests (black) and responses (blue), from the step they were written to the step they were read; a red dashed arrow ending in ✗ was lost; a short grey dotted line in the row it was written, its label ending in ${esc(NEVER_READ)}, had not been read when the trace ended; purple double arrows are follower fetches. A dashed red lane is a broker that is down. Outcomes reaching the application are written left of its lane.${withConsumers ? ' Purple one-way arrows from a consumer are its fetches from the partition leader, its effects in the sink and its commits to the group coordinator; a dashed consumer lane is a crashed consumer.' : ''}${withTxn ? " The transaction coordinator's lane: level arrows are the transaction manager's requests (black) and the coordinator's answers (blue), each drawn in the row it was sent or read, and the markers it sends to partition leaders, drawn in the row the leader writes them." : ''} Click a row for the full state after it.</p>
<div class="diagram">${renderSequenceDiagram(report)}</div>
<h2>Steps</h2>
<p>${esc(STATE_LEGEND)}${withConsumers ? ` · ${esc(CONSUMER_LEGEND)}` : ''}${withTxn ? ` · ${esc(TXN_LEGEND)}` : ''}.</p>
<table><thead><tr><th>#</th><th>event</th><th>what happened</th><th>producer</th><th>logs (* leader)</th><th>records</th>${withConsumers ? '<th>consumers</th>' : ''}${withTxn ? '<th>transactions</th>' : ''}<th></th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}
