/**
 * `idemcheck run --trace FILE.json [--json]`: step a hand-written scenario and print what happened.
 */

import { readFileSync } from 'node:fs';
import { COMMON_FLAGS, flagHelp, flags, parseFlags } from './args.js';
import { stepAll, verdicts } from '../checker/replay.js';
import { parseTrace, TraceError } from '../checker/trace.js';
import { describeConfig } from '../model/config.js';
import { traceSetup } from '../model/events.js';
import { INVARIANTS } from '../model/invariants.js';
import type { State } from '../model/types.js';
import { formatEvent, formatStateLine, STATE_LEGEND } from '../report/format.js';
import { narrate } from '../report/narrate.js';
import { describeViolation } from '../report/violations.js';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from './errors.js';

const FLAGS = flags({
  trace: {
    kind: 'text',
    arg: 'FILE',
    wants: 'a trace file, FILE.json',
    help: 'a JSON file: {"config": {...Kafka settings...}, "events": [...]}\n(the README\'s "Trace files" section documents the format)',
  },
  json: { ...COMMON_FLAGS.json, help: 'print the full state after every step as JSON instead of the table' },
  help: COMMON_FLAGS.help,
});

export const RUN_HELP = `Usage: idemcheck run --trace FILE.json [--json]

Step a scenario through the model and print one line per step, then whether each invariant held.

${flagHelp(FLAGS)}

Exit codes: 0 every invariant held, 1 an invariant was violated, 2 bad input.`;

/** Read a JSON file; errors name the file (and the flag it came from, when there is one). */
export function readJsonFile(path: string, flag: string | null): unknown {
  const where = flag === null ? path : `${flag} ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${where}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${where}: not valid JSON (${(error as Error).message})`);
  }
}

export function runCommand(argv: readonly string[], print: (line: string) => void): number {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    print(RUN_HELP);
    return EXIT_OK;
  }
  if (values.trace === undefined) throw new UsageError('--trace FILE.json is required (see idemcheck run --help)');
  const doc = readJsonFile(values.trace, '--trace');
  let trace;
  try {
    trace = parseTrace(doc);
  } catch (error) {
    if (error instanceof TraceError) throw new UsageError(`${values.trace}: ${error.message}`);
    throw error;
  }
  const setup = traceSetup(trace.config);
  const stepped = stepAll(setup, trace.events);
  if (!stepped.ok) {
    throw new UsageError(`${values.trace}: step ${stepped.step} (${formatEvent(stepped.event)}) is not enabled: ${stepped.reason}`);
  }
  const states = stepped.states;
  const results = verdicts(states, INVARIANTS);
  const violated = results.some((r) => r.at !== null);

  if (values.json) {
    print(
      JSON.stringify(
        {
          config: describeConfig(trace.config),
          notes: trace.notes,
          steps: states.map((state, i) => ({ step: i, event: i === 0 ? null : trace.events[i - 1], state })),
          invariants: results.map((r) => ({
            name: r.invariant.name,
            holds: r.at === null,
            step: r.at?.step ?? null,
            violations: r.at?.results.flatMap((x) => x.violations) ?? [],
          })),
        },
        null,
        2,
      ),
    );
    return violated ? EXIT_VIOLATION : EXIT_OK;
  }

  const config = describeConfig(trace.config);
  print(`config: ${Object.entries(config).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const note of trace.notes) print(`note: Kafka logs: ${note}`);
  print('');
  print(`legend: ${STATE_LEGEND}`);
  print('');
  print('step event                          what happened ‖ state after: producer | network | logs | records');
  print(`   0 ${'(initial)'.padEnd(30)} ${formatStateLine(states[0] as State)}`);
  trace.events.forEach((event, i) => {
    const before = states[i] as State;
    const after = states[i + 1] as State;
    print(`${String(i + 1).padStart(4)} ${formatEvent(event).padEnd(30)} ${narrate(before, after, event)} ‖ ${formatStateLine(after)}`);
  });
  print('');
  print('invariants:');
  for (const r of results) {
    if (r.at === null) {
      print(`  ✓ ${r.invariant.name}: holds (${r.invariant.claim})`);
      continue;
    }
    const state = states[r.at.step] as State;
    const first = r.at.results[0]?.violations[0];
    print(`  ✗ ${r.invariant.name}: violated at step ${r.at.step}: ${first === undefined ? '' : describeViolation(state, first)}`);
  }
  return violated ? EXIT_VIOLATION : EXIT_OK;
}
