/**
 * `idemcheck list`: everything a user can name on the command line, one line of explanation each.
 */

import { LIVENESS_CLAIM, LIVENESS_NAME } from '../checker/liveness.js';
import { parseCommandArgs } from './args.js';
import { SUITES } from '../../properties/index.js';
import { describeExpectation } from '../checker/suite.js';
import { KEY_HELP } from '../model/config.js';
import { BOUND_HELP, EVENT_HELP, EVENT_KINDS, FAULT_HELP, FAULTS } from '../model/events.js';
import { INVARIANTS } from '../model/invariants.js';
import { WITNESSES } from '../model/witnesses.js';
import { EXIT_OK } from './errors.js';

export const LIST_HELP = `Usage: idemcheck list [--json]

List the suites, invariants, the liveness check, witnesses, faults, events, settings and bounds, one line each.`;

const BOUND_FLAGS: Readonly<Record<string, string>> = {
  recordsMax: '--records',
  resendsMax: '--resends',
  eventsMax: '--max-steps',
  lostMessagesMax: '--lost',
  restartsMax: '--restarts',
  crashesMax: '--crashes',
  clusterChangesMax: '--cluster-changes',
  powerLossesMax: '--power-losses',
};

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
    liveness: [{ name: LIVENESS_NAME, text: `${LIVENESS_CLAIM} (check and explore --liveness)` }],
    witnesses: WITNESSES.map((w) => ({ name: w.name, text: w.claim })),
    faults: FAULTS.map((f) => ({ name: f, text: FAULT_HELP[f] })),
    events: EVENT_KINDS.map((k) => ({ name: k, text: EVENT_HELP[k] })),
    settings: Object.entries(KEY_HELP).map(([k, text]) => ({ name: k, text })),
    bounds: Object.entries(BOUND_HELP).map(([k, text]) => ({ name: `${BOUND_FLAGS[k] ?? k} (${k})`, text })),
  };
}

export function listCommand(argv: readonly string[], print: (line: string) => void): number {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } });
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
