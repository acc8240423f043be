/**
 * `idemcheck list`: everything a user can name on the command line, one line of explanation each.
 */

import { LIVENESS_CLAIM, LIVENESS_NAME } from '../checker/liveness.js';
import { COMMON_FLAGS, flagHelp, flags, parseFlags } from './args.js';
import { REACHED_BY_TRACE, SUITES } from '../../properties/index.js';
import { describeExpectation } from '../checker/suite.js';
import { KEY_HELP } from '../model/config.js';
import { BOUND_HELP, EVENT_HELP, EVENT_KINDS, FAULT_HELP, FAULTS } from '../model/events.js';
import { INVARIANTS } from '../model/invariants.js';
import { WITNESSES } from '../model/witnesses.js';
import { EXIT_OK } from './errors.js';
import { BOUND_FLAGS } from './selection.js';

const FLAGS = flags({ json: { ...COMMON_FLAGS.json, help: 'print the listing as JSON' }, help: COMMON_FLAGS.help });

export const LIST_HELP = `Usage: idemcheck list [--json]

List the suites (and those reached only by a hand-written trace), invariants, the liveness check, witnesses, faults, events, settings and bounds, one line each.

${flagHelp(FLAGS)}`;

/** The flag that sets each bound: an ad-hoc bound flag, or --max-steps for the events bound. */
function flagOfBound(bound: string): string | undefined {
  if (bound === 'eventsMax') return '--max-steps';
  const flag = Object.entries(BOUND_FLAGS).find(([, b]) => b.bound === bound)?.[0];
  return flag === undefined ? undefined : `--${flag}`;
}

/** One line of the listing; a suite's expected verdict is its own field (the text mode shows it in brackets). */
interface Item {
  readonly name: string;
  readonly text: string;
  readonly expect?: string;
}

/** Section headings in the text listing where the JSON key is not one. */
const HEADINGS: Readonly<Record<string, string>> = {
  traceSuites: 'suites reached only by a hand-written trace (check does not run them; run --trace steps a trace file that names the suite)',
};

export function listing(): Record<string, Item[]> {
  return {
    suites: SUITES.map((s) => ({ name: s.name, expect: describeExpectation(s.expect), text: s.claim })),
    traceSuites: REACHED_BY_TRACE.map((s) => ({
      name: s.name,
      expect: describeExpectation(s.expect),
      text: s.claim,
    })),
    invariants: INVARIANTS.map((i) => ({ name: i.name, text: i.claim })),
    liveness: [{ name: LIVENESS_NAME, text: `${LIVENESS_CLAIM} (check and explore --liveness)` }],
    witnesses: WITNESSES.map((w) => ({ name: w.name, text: w.claim })),
    faults: FAULTS.map((f) => ({ name: f, text: FAULT_HELP[f] })),
    events: EVENT_KINDS.map((k) => ({ name: k, text: EVENT_HELP[k] })),
    settings: Object.entries(KEY_HELP).map(([k, text]) => ({ name: k, text })),
    bounds: Object.entries(BOUND_HELP).map(([k, text]) => ({ name: `${flagOfBound(k) ?? k} (${k})`, text })),
  };
}

export function listCommand(argv: readonly string[], print: (line: string) => void): number {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    print(LIST_HELP);
    return EXIT_OK;
  }
  const all = listing();
  if (values.json) {
    print(JSON.stringify(all, null, 2));
    return EXIT_OK;
  }
  for (const [section, items] of Object.entries(all)) {
    print(`${HEADINGS[section] ?? section}:`);
    const width = Math.max(...items.map((i) => i.name.length)) + 2;
    for (const item of items) print(`  ${item.name.padEnd(width)}${item.expect === undefined ? '' : `[${item.expect}] `}${item.text}`);
    print('');
  }
  return EXIT_OK;
}
