/**
 * The Markdown report: the replay command first, then what went wrong in words, then one row
 * per step with the state that matters.
 */

import type { State } from '../model/types.js';
import { CONSUMER_LEGEND, consumersCell, formatEvent, logsCell, outcomesCell, producerCell, sentence, STATE_LEGEND, TXN_LEGEND } from './format.js';
import { txnCell } from './narrate-txn.js';
import { narrate } from './narrate.js';
import type { KnownMechanism } from './known.js';
import type { Report } from './report.js';
import { describeBounds, describeLengths, describeOrigin, expectationSentence, replayCommand } from './report.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(report: Report, jsonPath: string, known: KnownMechanism | null): string {
  const lines: string[] = [];
  const title = report.suite ?? 'ad-hoc check';
  const last = report.states[report.states.length - 1] as State;
  lines.push(`# ${report.violation.invariant} violated: ${title}`);
  lines.push('');
  lines.push('Reproduce it:');
  lines.push('');
  lines.push('```');
  lines.push(replayCommand(jsonPath));
  if (report.suite !== null && report.fastCheck !== null) {
    const replayPath = report.fastCheck.replayPath === null ? '' : ` --replay-path '${report.fastCheck.replayPath}'`;
    lines.push(`npx idemcheck replay --suite ${report.suite} --seed ${report.fastCheck.seed} --path ${report.fastCheck.path}${replayPath} --fingerprint ${report.fingerprint}`);
  }
  lines.push('```');
  lines.push('');
  lines.push(`**What went wrong.** ${sentence(report.violation.explanation)}.`);
  lines.push('');
  lines.push(`**The invariant.** ${report.violation.invariant}: ${report.violation.claim} ${report.violation.why}`);
  lines.push('');
  lines.push(`**Expected?** ${expectationSentence(report, known)}`);
  if (report.violation.firstFailure !== report.violation.invariant) {
    lines.push('');
    lines.push(`Note: the first failing run broke ${report.violation.firstFailure}; shrinking led to this smaller violation of ${report.violation.invariant}.`);
  }
  lines.push('');
  lines.push('## Setup');
  lines.push('');
  lines.push(`- config: ${Object.entries(report.config).map(([k, v]) => `\`${k}=${v}\``).join(' ')}`);
  lines.push(`- faults: ${report.faults.length === 0 ? 'none' : report.faults.join(', ')}`);
  lines.push(`- invariants checked: ${report.invariants.join(', ')}`);
  lines.push(`- bounds: ${describeBounds(report)}`);
  lines.push(`- ${describeOrigin(report)}; trace fingerprint \`${report.fingerprint}\``);
  lines.push(`- length: ${describeLengths(report)}`);
  lines.push('');
  lines.push(`## Trace (${report.events.length} steps)`);
  lines.push('');
  // A consumer group adds a column (and its legend); a producer-only report is as before.
  const withConsumers = report.states[0]?.consumers !== null && report.states[0]?.consumers !== undefined;
  // So does a transactional producer (the transactions column).
  const withTxn = report.states[0]?.txn !== null && report.states[0]?.txn !== undefined;
  lines.push(`Legend: ${STATE_LEGEND}${withConsumers ? ` · ${CONSUMER_LEGEND}` : ''}${withTxn ? ` · ${TXN_LEGEND}` : ''}.`);
  lines.push('');
  lines.push(`| step | event | what happened | producer | logs | records |${withConsumers ? ' consumers |' : ''}${withTxn ? ' transactions |' : ''}`);
  lines.push(`|---:|---|---|---|---|---|${withConsumers ? '---|' : ''}${withTxn ? '---|' : ''}`);
  report.events.forEach((event, i) => {
    const before = report.states[i] as State;
    const after = report.states[i + 1] as State;
    const text = formatEvent(event);
    const mark = i === report.events.length - 1 ? ` **✗ ${report.violation.invariant}**` : '';
    lines.push(
      `| ${i + 1} | \`${text}\` | ${cell(narrate(before, after, event))}${mark} | ${cell(producerCell(after))} | ${cell(logsCell(after))} | ${cell(outcomesCell(after))} |` +
        (withConsumers ? ` ${cell(consumersCell(after))} |` : '') +
        (withTxn ? ` ${cell(txnCell(after))} |` : ''),
    );
  });
  lines.push('');
  lines.push('## Final state');
  lines.push('');
  lines.push('```');
  lines.push(`producer: ${producerCell(last)}`);
  lines.push(`logs:     ${logsCell(last)}`);
  lines.push(`records:  ${outcomesCell(last)}`);
  if (withConsumers) lines.push(`consumers: ${consumersCell(last)}`);
  if (withTxn) lines.push(`transactions: ${txnCell(last)}`);
  lines.push('```');
  lines.push('');
  return lines.join('\n');
}
