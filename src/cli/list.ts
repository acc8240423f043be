/**
 * `idemcheck list`: everything a user can name on the command line, one line of explanation each.
 */

import { COMMON_FLAGS, flagHelp, flags, parseFlags } from './args.js';
import { SUITES } from '../../properties/index.js';
import { describeExpectation } from '../checker/suite.js';
import { KEY_HELP } from '../model/config.js';
import { BOUND_HELP, EVENT_HELP, EVENT_KINDS, FAULT_HELP, FAULTS } from '../model/events.js';
import { INVARIANTS } from '../model/invariants.js';
import { WITNESSES } from '../model/witnesses.js';
import { EXIT_OK } from './errors.js';
import { BOUND_FLAGS } from './selection.js';

const FLAGS = flags({ json: { ...COMMON_FLAGS.json, help: 'print the listing as JSON' }, help: COMMON_FLAGS.help });

export const LIST_HELP = `Usage: idemcheck list [--json]

List the suites, invariants, witnesses, faults, events, settings and bounds, one line each.

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

export function listing(): Record<string, Item[]> {
  return {
    suites: SUITES.map((s) => ({ name: s.name, expect: describeExpectation(s.expect), text: s.claim })),
    invariants: INVARIANTS.map((i) => ({ name: i.name, text: i.claim })),
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
    print(`${section}:`);
    const width = Math.max(...items.map((i) => i.name.length)) + 2;
    for (const item of items) print(`  ${item.name.padEnd(width)}${item.expect === undefined ? '' : `[${item.expect}] `}${item.text}`);
    print('');
  }
  return EXIT_OK;
}
