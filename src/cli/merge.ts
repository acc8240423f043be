/**
 * `idemcheck merge FILE...`: one verdict from the `check --json` outputs of several shards
 * (`--shard I/N` on the machines of a CI matrix). Per suite: the runs, witnesses and events of
 * every shard added up; the first shard's counterexample (one that breaks the expected invariant
 * first); "holds" only when no shard found a counterexample and every witness was reached in some
 * shard. Prints the table (or the merged rows with --json); exit 0 when every suite behaved as
 * expected, 1 when one did not.
 */

import { readFileSync } from 'node:fs';
import { COMMON_FLAGS, flagHelp, flags, helpWidth, parseFlags } from './args.js';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from './errors.js';
import { pad } from './selection.js';

const FLAGS = flags({ json: COMMON_FLAGS.json, help: COMMON_FLAGS.help });

export const MERGE_HELP = `Usage: idemcheck merge FILE.json ...

Combine the --json outputs of 'idemcheck check --shard I/N --json' (one per shard) into one
verdict per suite: runs, witnesses and events added up, the first shard's counterexample.

${flagHelp(FLAGS, ['json'], helpWidth(FLAGS))}

Exit codes: 0 every suite behaved as expected, 1 some did not, 2 bad input.`;

/** The fields of a check --json row that merge reads (the rest of the chosen row is kept). */
interface CheckRow {
  readonly suite: string;
  readonly expected: string;
  readonly got: string;
  readonly asExpected: boolean;
  readonly problem: string | null;
  readonly verdict: 'holds' | 'violated' | 'rejected';
  readonly invariant: string | null;
  readonly runs: number;
  readonly ms: number;
  readonly seed: number;
  readonly witnessRuns: Record<string, number>;
  readonly eventCounts: Record<string, number>;
  readonly [more: string]: unknown;
}

function isRow(x: unknown): x is CheckRow {
  if (x === null || typeof x !== 'object') return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r.suite === 'string' &&
    typeof r.expected === 'string' &&
    typeof r.runs === 'number' &&
    (r.verdict === 'holds' || r.verdict === 'violated' || r.verdict === 'rejected') &&
    typeof r.witnessRuns === 'object' &&
    r.witnessRuns !== null &&
    typeof r.eventCounts === 'object' &&
    r.eventCounts !== null
  );
}

function readRows(path: string): CheckRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not JSON; give the output of idemcheck check --json`);
  }
  if (!Array.isArray(parsed) || !parsed.every(isRow)) throw new UsageError(`${path}: not the output of idemcheck check --json (an array of suite rows with runs, verdict, witnessRuns)`);
  return parsed;
}

function add(records: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + (typeof v === 'number' ? v : 0);
  return out;
}

/** Merge one suite's rows, given in the files' order. */
export function mergeRows(rows: readonly CheckRow[]): CheckRow {
  const first = rows[0] as CheckRow;
  const expectedInvariant = first.expected.startsWith('violates ') ? first.expected.slice('violates '.length) : null;
  const chosen = rows.find((r) => expectedInvariant !== null && r.invariant === expectedInvariant) ?? rows.find((r) => r.verdict !== 'holds') ?? first;
  const witnessRuns = add(rows.map((r) => r.witnessRuns));
  const merged = { ...chosen, runs: rows.reduce((n, r) => n + r.runs, 0), ms: Math.max(...rows.map((r) => r.ms)), witnessRuns, eventCounts: add(rows.map((r) => r.eventCounts)) };
  if (first.expected !== 'holds') return merged;
  // A guarantee holds in the merged run when no shard broke it and every witness was reached somewhere.
  if (chosen.verdict !== 'holds') return merged;
  const missing = Object.entries(witnessRuns)
    .filter(([, n]) => n === 0)
    .map(([name]) => name);
  return missing.length > 0 ? { ...merged, asExpected: false, problem: `never reached: ${missing.join(', ')}` } : { ...merged, asExpected: true, problem: null };
}

export function mergeCommand(argv: readonly string[], print: (line: string) => void): number {
  const { values, positionals } = parseFlags(argv, FLAGS, { allowPositionals: true });
  if (values.help) {
    print(MERGE_HELP);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('merge needs FILE.json ...: the --json outputs of idemcheck check --shard I/N');
  const bySuite = new Map<string, CheckRow[]>();
  for (const path of positionals) for (const row of readRows(path)) bySuite.set(row.suite, [...(bySuite.get(row.suite) ?? []), row]);
  const merged = [...bySuite.values()].map(mergeRows);
  const code = merged.every((r) => r.asExpected) ? EXIT_OK : EXIT_VIOLATION;
  if (values.json) {
    print(JSON.stringify(merged, null, 2));
    return code;
  }
  const width = Math.max(...merged.map((r) => r.suite.length), 5) + 2;
  print(`${pad('suite', width)}${pad('expected', 34)}${pad('got', 34)}${pad('runs', 10)}shards`);
  for (const r of merged) {
    print(`${pad(r.suite, width)}${pad(r.expected, 34)}${pad(r.got, 34)}${pad(String(r.runs), 10)}${bySuite.get(r.suite)?.length ?? 0}  ${r.asExpected ? '✓' : '✗'}`);
    if (!r.asExpected && r.problem !== null) print(`    not as expected: ${r.problem}`);
    if (r.verdict === 'violated') print(`    counterexample from the shard with seed ${r.seed} (its report replays it)`);
  }
  const bad = merged.filter((r) => !r.asExpected);
  print('');
  print(`${merged.length} suite${merged.length === 1 ? '' : 's'} from ${positionals.length} file${positionals.length === 1 ? '' : 's'}: ${merged.length - bad.length} as expected${bad.length > 0 ? `, ${bad.length} not: ${bad.map((r) => r.suite).join(', ')}` : ''}.`);
  return code;
}
