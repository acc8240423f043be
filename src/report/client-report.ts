/**
 * Reports of real-client runs: the same kind as the model's (JSON source of truth, Markdown,
 * a self-contained HTML page with a sequence diagram), drawn from the broker-side trace: every
 * produce request as the broker saw it, the fault it got, what the model decided, and what became
 * of the answer.
 */

import { invariantByName, recordsOf } from '../model/invariants.js';
import { CLIENT_INVARIANTS, describeClientViolation } from '../clients/client-invariants.js';
import type { ClientInvariantResult, ClientViolation } from '../clients/client-invariants.js';
import type { State } from '../model/types.js';
import { esc, prose } from './html.js';
import { sentence } from './format.js';
import { describeViolation } from './violations.js';

export const CLIENT_REPORT_FORMAT = 'idemcheck-client-report';

export interface ClientReport {
  readonly format: typeof CLIENT_REPORT_FORMAT;
  readonly version: 2;
  readonly tool: string;
  readonly client: string;
  readonly clientVersion: string | null;
  readonly seed: number;
  readonly settings: Readonly<Record<string, unknown>>;
  /** The settings as the library uses them, where it changes or ignores some (see `notes`). */
  readonly settingsInEffect: Readonly<Record<string, unknown>>;
  /** What to know about how the settings ran: the Java client's refusal, the library's overrides, faults left out. */
  readonly notes: readonly string[];
  /** The most produce requests seen awaiting an answer on one connection. */
  readonly maxInFlightSeen: number;
  /** What the run did not test of what was asked (empty when it tested it). */
  readonly notTestedAsAsked: readonly string[];
  readonly workload: Readonly<Record<string, unknown>>;
  readonly faults: readonly string[];
  readonly faultRate: number;
  /** The command that reruns this seed. */
  readonly command: string;
  /** How often rerunning the seed reproduced a violation. */
  readonly reproduced: { readonly reruns: number; readonly violating: number };
  readonly violations: readonly {
    readonly invariant: string;
    readonly claim: string;
    readonly why: string;
    readonly explanation: string;
    /** The other violations of the same invariant, in words. */
    readonly more: readonly string[];
    /** How the trace produced each violation, where it can tell (a record taken for a duplicate, ...). */
    readonly causes: readonly string[];
    readonly details: readonly ClientViolation[];
  }[];
  readonly outcomes: readonly { readonly send: number; readonly partition: number; readonly outcome: string; readonly offset: number; readonly error: string | null }[];
  readonly trace: readonly {
    readonly ordinal: number;
    readonly connection: number;
    readonly fault: string | null;
    readonly acks: number;
    readonly inFlight: number;
    readonly batches: readonly { readonly partition: number; readonly producerId: number; readonly epoch: number; readonly baseSequence: number; readonly sends: readonly number[]; readonly result: string }[];
    readonly answer: string;
  }[];
  /** Each partition's log on the broker: [offset, send]. */
  readonly logs: readonly (readonly (readonly [number, number])[])[];
  readonly brokerLog: readonly string[];
}

/**
 * Why an invariant matters on the wire cluster, where the invariant's own text would mislead:
 * NoAckedRecordLost's general text ("acks=1 does not promise it", which is about leader failover)
 * would excuse a client that acknowledged a record the brokers never wrote. With acks=all the
 * leader answers success only once the ISR holds the batch (DelayedProduce), and the model's
 * controller elects leaders from the ISR only (reference §5), so nothing removes such a record.
 */
const WIRE_WHY: Readonly<Record<string, string>> = {
  NoAckedRecordLost:
    'On the wire cluster a leader answers acks=all with success only once every in-sync replica has the batch, and leaders ' +
    'are elected from the in-sync replicas only, so a record acknowledged under acks=all and missing from the log is one the ' +
    'client acknowledged without the brokers writing it. Under acks=1 a leader crash may lose an acknowledged record (Kafka ' +
    'does not promise otherwise); acks=0 promises nothing (success is reported without an answer).',
};

export function clientViolations(state: State, results: readonly ClientInvariantResult[], trace: ClientReport['trace']): ClientReport['violations'] {
  const describe = (v: ClientViolation): string => describeClientViolation(v) ?? describeViolation(state, v as Parameters<typeof describeViolation>[1]);
  return results.map((r) => {
    const inv = invariantByName(r.invariant) ?? CLIENT_INVARIANTS.find((c) => c.name === r.invariant);
    const [first, ...rest] = r.violations;
    return {
      invariant: r.invariant,
      claim: inv?.claim ?? '',
      why: WIRE_WHY[r.invariant] ?? inv?.why ?? '',
      explanation: first === undefined ? '' : describe(first),
      more: rest.map(describe),
      causes: r.violations.map((v) => causeOf(trace, v)).filter((c): c is string => c !== null),
      details: r.violations,
    };
  });
}

type TraceBatch = ClientReport['trace'][number]['batches'][number];

function batchesWith(trace: ClientReport['trace'], partition: number, send: number): TraceBatch[] {
  return trace.flatMap((t) => t.batches).filter((b) => b.partition === partition && b.sends.includes(send));
}

const ids = (b: TraceBatch): string => `producer ${b.producerId}, epoch ${b.epoch}, sequence ${b.baseSequence}`;
const records = (sends: readonly number[]): string => sends.map((s) => `r${s}`).join(', ');

/**
 * What in the broker's trace explains a violation, in one sentence, or null: an acknowledged record
 * that was answered as a duplicate of another batch (it carried that batch's sequence), or a record
 * appended twice under different sequences.
 */
export function causeOf(trace: ClientReport['trace'], v: ClientViolation): string | null {
  if (v.code === 'duplicate_across_partitions') {
    // The harness makes each send its own record.
    const where = trace.flatMap((t) => t.batches.filter((b) => b.sends.includes(v.record)).map((b) => `request #${t.ordinal} to partition ${b.partition}${t.fault === null ? '' : ` (${t.fault})`}: ${b.result}`));
    return where.length === 0 ? null : `r${v.record} was sent in ${where.join('; ')}: the client sent it again to another partition.`;
  }
  if (v.code === 'ack_without_offset') return null;
  if (v.code === 'acked_record_lost') {
    const dup = batchesWith(trace, v.partition, v.send).find((b) => b.result.startsWith('duplicate@'));
    if (dup === undefined) return null;
    const offset = dup.result.slice('duplicate@'.length);
    const original = trace.flatMap((t) => t.batches).find((b) => b.partition === v.partition && b.result === `appended@${offset}`);
    const whose = original === undefined ? `a batch already in the log at offset ${offset}` : `${records(original.sends)}'s batch, appended at offset ${offset}`;
    return `r${v.send} was sent as ${ids(dup)}, the same as ${whose}: the broker took it for a retry of that batch and answered with its offset, so r${v.send} was never written.`;
  }
  if (v.code === 'duplicate_record') {
    const send = v.sends[0];
    if (send === undefined) return null;
    const appended = batchesWith(trace, v.partition, send).filter((b) => b.result.startsWith('appended@'));
    if (appended.length < 2) return null;
    const where = appended.map((b) => `at offset ${b.result.slice('appended@'.length)} as ${ids(b)}`).join(', and again ');
    const [first, second] = appended as [(typeof appended)[number], (typeof appended)[number]];
    // Without a producer id the broker keeps no sequences: nothing can be recognised as a retry.
    if (first.producerId < 0 || second.producerId < 0) return `r${send} was appended ${where}: the producer ran without idempotence (no producer id), so the broker keeps no sequences and appended the retry again.`;
    const changed = [first.producerId !== second.producerId ? 'producer id' : '', first.epoch !== second.epoch ? 'epoch' : '', first.baseSequence !== second.baseSequence ? 'sequence' : ''].filter((w) => w !== '');
    if (changed.length === 0) return `r${send} was appended ${where}: the same producer id, epoch and sequence twice, which the broker should have answered as a duplicate.`;
    return `r${send} was appended ${where}: the second copy carried a new ${changed.join(' and ')}, so the broker could not recognise it as a retry.`;
  }
  return null;
}

/** acks -1 is spelled `all`, as users set it. */
export function settingsText(settings: ClientReport['settings']): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${k === 'acks' && v === -1 ? 'all' : String(v)}`)
    .join(' ');
}

function answerText(t: ClientReport['trace'][number]): string {
  if (t.answer === 'sent' && t.fault === 'error-after-append') return 'sent (NOT_ENOUGH_REPLICAS_AFTER_APPEND)';
  return t.answer;
}

export function brokerLogs(state: State): ClientReport['logs'] {
  return state.cluster.partitions.map((p) => recordsOf((p.replicas[p.leader] ?? p.replicas[0])?.log ?? []).map((r) => [r.offset, r.send] as const));
}


function batchText(b: ClientReport['trace'][number]['batches'][number]): string {
  const header = b.producerId >= 0 ? ` pid ${b.producerId} e${b.epoch} s${b.baseSequence}` : '';
  return `p${b.partition}${header} [${b.sends.map((s) => `r${s}`).join(' ')}] → ${b.result}`;
}

function outcomeText(o: ClientReport['outcomes'][number]): string {
  if (o.outcome === 'ok') return o.offset >= 0 ? `ok p${o.partition}@${o.offset}` : `ok p${o.partition}`;
  if (o.outcome === 'failed') return `failed: ${o.error ?? ''}`;
  return 'pending (no answer before the run ended)';
}

export function renderClientMarkdown(report: ClientReport): string {
  const lines: string[] = [];
  const names = report.violations.map((v) => v.invariant).join(', ');
  lines.push(`# ${names} violated: ${report.client} ${report.clientVersion ?? ''} (seed ${report.seed})`);
  lines.push('');
  lines.push('Rerun it:');
  lines.push('');
  lines.push('```');
  lines.push(report.command);
  lines.push('```');
  lines.push('');
  lines.push(
    report.reproduced.reruns === 0
      ? "This seed was not rerun (`--reruns 0`). The seed fixes which produce request gets which fault; the client's own timing is not under its control."
      : `Rerunning this seed reproduced a violation **${report.reproduced.violating} of ${report.reproduced.reruns}** times. The seed fixes which produce request gets which fault; the client's own timing is not under its control.`,
  );
  lines.push('');
  for (const v of report.violations) {
    lines.push(`**${v.invariant}.** ${sentence(v.explanation)}.`);
    lines.push('');
    if (v.more.length > 0) {
      const shown = v.more.slice(0, 10);
      lines.push(`Also (${v.more.length} more):`);
      lines.push('');
      for (const m of shown) lines.push(`- ${m}.`);
      if (v.more.length > shown.length) lines.push(`- … and ${v.more.length - shown.length} more (all in the JSON).`);
      lines.push('');
    }
    if (v.causes.length > 0) {
      lines.push(`**How.** ${v.causes[0]}${v.causes.length > 1 ? ` (The same for ${v.causes.length - 1} more; see the table below.)` : ''}`);
      lines.push('');
    }
    lines.push(`> ${v.claim} ${v.why}`);
    lines.push('');
  }
  lines.push('## Setup');
  lines.push('');
  lines.push(`- client: ${report.client} ${report.clientVersion ?? '(not installed)'}; settings: ${settingsText(report.settings).split(' ').map((x) => `\`${x}\``).join(' ')}`);
  if (settingsText(report.settingsInEffect) !== settingsText(report.settings)) {
    lines.push(`- in effect (the library changes some): ${settingsText(report.settingsInEffect).split(' ').map((x) => `\`${x}\``).join(' ')}`);
  }
  for (const note of report.notes) lines.push(`- note: ${note}`);
  lines.push(`- workload: ${Object.entries(report.workload).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  lines.push(report.faults.length === 0 ? '- faults: none' : `- faults: ${report.faults.join(', ')}, each produce request with probability ${report.faultRate}`);
  lines.push(`- on the wire: at most ${report.maxInFlightSeen} produce request${report.maxInFlightSeen === 1 ? '' : 's'} in flight per connection`);
  for (const gap of report.notTestedAsAsked) lines.push(`- not tested as asked: ${gap}`);
  lines.push('');
  lines.push('## What the broker saw');
  lines.push('');
  lines.push('One row per produce request, in the order the broker read them. `rN` is the record the harness sent as the N-th send; the result is the model\'s decision (`appended@offset`, `duplicate@offset` for a batch recognised by producer id and sequence, or an error). The answer was `sent`, `lost` (the connection was closed instead), `held` (sent only when the next request arrived on the same connection, so the client may have timed out first) or `none` (acks=0).');
  lines.push('');
  lines.push('| # | connection | fault | batches | answer |');
  lines.push('|---:|---:|---|---|---|');
  for (const t of report.trace) {
    lines.push(`| ${t.ordinal} | ${t.connection} | ${t.fault ?? ''} | ${t.batches.map(batchText).join('; ') || '(not decoded)'} | ${answerText(t)} |`);
  }
  lines.push('');
  lines.push('## What the client reported');
  lines.push('');
  lines.push('| send | outcome |');
  lines.push('|---:|---|');
  for (const o of report.outcomes) lines.push(`| r${o.send} | ${outcomeText(o).replace(/\|/g, '\\|')} |`);
  lines.push('');
  lines.push('## The broker\'s log');
  lines.push('');
  report.logs.forEach((log, p) => lines.push(`- p${p}: ${log.length === 0 ? '(empty)' : log.map(([offset, send]) => `${offset}:r${send}`).join(' ')}`));
  if (report.brokerLog.length > 0) {
    lines.push('');
    lines.push('Broker notes:');
    lines.push('');
    for (const line of report.brokerLog) lines.push(`- ${line}`);
  }
  lines.push('');
  return lines.join('\n');
}

export function renderClientHtml(report: ClientReport): string {
  const ROW = 34;
  const TOP = 60;
  const client = 260;
  const broker = 640;
  const rows = report.trace;
  const height = TOP + rows.length * ROW + 40;
  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" width="980" height="${height}" viewBox="0 0 980 ${height}">`);
  // One arrowhead per line colour: requests black, answers blue (a black head on a blue line read as another message).
  const head = (id: string, colour: string): string => `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`;
  svg.push(`<defs>${head('a', '#333')}${head('a-response', '#2c6fbb')}</defs>`);
  svg.push(`<text x="${client}" y="24" text-anchor="middle" class="lane-title">${esc(`${report.client} (client)`)}</text>`);
  svg.push(`<text x="${broker}" y="24" text-anchor="middle" class="lane-title">broker (model)</text>`);
  svg.push(`<line x1="${client}" y1="34" x2="${client}" y2="${height - 20}" class="lane"/><line x1="${broker}" y1="34" x2="${broker}" y2="${height - 20}" class="lane"/>`);
  rows.forEach((t, i) => {
    const y = TOP + i * ROW;
    const label = t.batches.map((b) => (b.producerId >= 0 ? `p${b.partition} pid${b.producerId} s${b.baseSequence} [${b.sends.map((s) => `r${s}`).join(' ')}]` : `p${b.partition} [${b.sends.map((s) => `r${s}`).join(' ')}]`)).join(', ');
    const lost = t.answer === 'lost' && t.batches.every((b) => b.result === 'lost');
    svg.push(`<text x="8" y="${y + 4}" class="step">#${t.ordinal} c${t.connection}</text>`);
    svg.push(`<line x1="${client}" y1="${y - 6}" x2="${lost ? (client + broker) / 2 : broker}" y2="${y}" class="${lost ? 'msg lost' : 'msg'}" ${lost ? '' : 'marker-end="url(#a)"'}/>`);
    if (lost) svg.push(`<text x="${(client + broker) / 2}" y="${y + 5}" class="cross" text-anchor="middle">✗</text>`);
    svg.push(`<text x="${client + 10}" y="${y - 10}" class="label">${esc(label)}</text>`);
    const result = t.batches.map((b) => b.result).join(', ');
    if (!lost) svg.push(`<text x="${broker + 10}" y="${y + 4}" class="mark ${/duplicate/.test(result) ? 'note' : /appended/.test(result) ? 'ok' : 'warn'}">${esc(result)}</text>`);
    if (t.fault !== null) svg.push(`<text x="${broker + 10}" y="${y + 17}" class="mark bad">${esc(`fault: ${t.fault}`)}</text>`);
    if (t.answer === 'sent') svg.push(`<line x1="${broker}" y1="${y + 4}" x2="${client}" y2="${y + 12}" class="msg response" marker-end="url(#a-response)"/>`);
    if (t.answer === 'lost' && !lost) {
      svg.push(`<line x1="${broker}" y1="${y + 4}" x2="${(client + broker) / 2}" y2="${y + 12}" class="msg lost"/><text x="${(client + broker) / 2}" y="${y + 17}" class="cross" text-anchor="middle">✗</text>`);
    }
    if (t.answer === 'held') svg.push(`<text x="${broker - 10}" y="${y + 17}" class="mark warn" text-anchor="end">answer held</text>`);
  });
  svg.push('</svg>');
  const outcomes = report.outcomes.map((o) => `<tr><td>r${o.send}</td><td>${esc(outcomeText(o))}</td></tr>`).join('\n');
  const logs = report.logs.map((log, p) => `<li>p${p}: ${log.length === 0 ? '(empty)' : esc(log.map(([offset, send]) => `${offset}:r${send}`).join(' '))}</li>`).join('\n');
  const violations = report.violations
    .map((v) => {
      const more = v.more.length === 0 ? '' : `<br>Also: ${v.more.slice(0, 10).map((m) => prose(m)).join('; ')}${v.more.length > 10 ? `; and ${v.more.length - 10} more` : ''}.`;
      const how = v.causes.length === 0 ? '' : `<br><strong>How.</strong> ${prose(v.causes[0] ?? '')}${v.causes.length > 1 ? ` (The same for ${v.causes.length - 1} more.)` : ''}`;
      return `<p class="verdict"><strong>${esc(v.invariant)}.</strong> ${prose(sentence(v.explanation))}.${more}${how}<br>${prose(v.claim)} ${prose(v.why)}</p>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`${report.client} seed ${report.seed}`)}</title>
<style>
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; } code, pre { font: 12px ui-monospace, Menlo, Consolas, monospace; }
pre.cmd { background: #f4f4f4; padding: 8px 12px; border-radius: 4px; white-space: pre-wrap; }
.verdict { background: #fdecea; border-left: 4px solid #c0392b; padding: 8px 12px; }
svg text { font: 11px ui-monospace, Menlo, Consolas, monospace; } svg .lane-title { font-weight: bold; font-size: 13px; }
svg .lane { stroke: #999; stroke-width: 1.5; } svg .msg { stroke: #333; stroke-width: 1.3; } svg .msg.response { stroke: #2c6fbb; }
svg .msg.lost { stroke: #c0392b; stroke-dasharray: 5 3; } svg .cross { fill: #c0392b; font-size: 15px; font-weight: bold; }
svg .step { fill: #888; } svg .label { fill: #333; } svg .mark.bad { fill: #c0392b; font-weight: bold; } svg .mark.warn { fill: #b9770e; }
svg .mark.ok { fill: #1e8449; } svg .mark.note { fill: #2c6fbb; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 3px 8px; font-size: 12px; text-align: left; }
</style></head><body>
<h1>${esc(report.violations.map((v) => v.invariant).join(', '))} violated: ${esc(`${report.client} ${report.clientVersion ?? ''}`)}, seed ${report.seed}</h1>
<pre class="cmd">${esc(report.command)}</pre>
${violations}
<p>${report.reproduced.reruns === 0 ? 'This seed was not rerun' : `Rerunning this seed reproduced a violation <strong>${report.reproduced.violating} of ${report.reproduced.reruns}</strong> times`} (the seed fixes the faults, not the client's timing).</p>
<p>settings: <code>${esc(settingsText(report.settings))}</code>${settingsText(report.settingsInEffect) === settingsText(report.settings) ? '' : ` (in effect: <code>${esc(settingsText(report.settingsInEffect))}</code>)`} · workload: <code>${esc(Object.entries(report.workload).map(([k, v]) => `${k}=${String(v)}`).join(' '))}</code> · faults: ${report.faults.length === 0 ? 'none' : `<code>${esc(report.faults.join(', '))}</code> at rate ${report.faultRate}`}</p>
${report.notes.map((n) => `<p class="note">note: ${esc(n)}</p>`).join('\n')}
<h2>What the broker saw</h2>
<p>Each row is a produce request in the order the broker read it: the batches it carried (producer id, base sequence, records), the model's decision, the fault injected, and the answer (blue arrow; a red ✗ when lost with the connection).</p>
${svg.join('\n')}
<h2>What the client reported</h2>
<table><tr><th>send</th><th>outcome</th></tr>
${outcomes}
</table>
<h2>The broker's log</h2>
<ul>${logs}</ul>
</body></html>
`;
}
