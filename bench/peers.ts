/**
 * The side-by-side table with the peer models in ../shared/peers (plain fast-check, Quint, SPIN):
 * the same cases (a)–(g) in each tool, measured in one run. For each tool and case: the verdict,
 * runs to the first failure (random tools, median over seeds), whole-process wall time, and state
 * counts (exhaustive searches). A peer whose tool is not installed is skipped with the reason.
 *
 * The peers are copied to a temporary folder before anything is installed or built in them (their
 * README asks for it); fast-check's and Quint's folders get `npm install` there once.
 */

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adHocSuite } from '../src/checker/ad-hoc.js';
import type { AdHocOptions } from '../src/checker/ad-hoc.js';
import { runSuite } from '../src/checker/run-suite.js';
import type { Bounds } from '../src/model/events.js';

/** One case as each tool spells it. */
interface PeerCase {
  readonly id: string;
  readonly what: string;
  /** 'holds', or the invariant whose violation is expected (idemcheck's name). */
  readonly expect: string;
  /** idemcheck's ad-hoc suite (the same settings go to the CLI as flags). */
  readonly idemcheck: AdHocOptions;
  /** The peers' case names, and the peers' name of the expected invariant. */
  readonly fastCheck: string;
  readonly quint: string;
  readonly spin: string;
  readonly peerInvariant: string | null;
}

const ALL3 = ['NoDuplicateRecord', 'NoAckedRecordLost', 'SessionOrderKept'];
const K1_FAULTS = ['disconnect', 'request-timeout'] as const;

/**
 * Cases (a)–(g) of ../shared/peers/README.md: 3 records and at most 2 lost messages, one broker
 * (K1) or a leader and one follower (K2). (d) is the six-in-flight mutant at 6 records, where the
 * peers' fast-check and Quint models need the 3.8 epoch bump on OUT_OF_ORDER_SEQUENCE for the
 * duplicate to exist (their d6+bump and a7m6 cases) and SPIN's is d.N6.
 */
export const PEER_CASES: readonly PeerCase[] = [
  {
    id: 'a',
    what: 'K1 non-idempotent, 5 in flight',
    expect: 'NoDuplicateRecord',
    idemcheck: { config: { 'enable.idempotence': false }, faults: K1_FAULTS, invariants: ['NoDuplicateRecord'], bounds: { lostMessagesMax: 2 } },
    fastCheck: 'a',
    quint: 'a',
    spin: 'a',
    peerInvariant: 'NoDuplicates',
  },
  {
    id: 'b',
    what: 'K1 idempotent, 5 in flight',
    expect: 'holds',
    idemcheck: { config: {}, faults: K1_FAULTS, invariants: ALL3, bounds: { lostMessagesMax: 2 } },
    fastCheck: 'b',
    quint: 'b',
    spin: 'b',
    peerInvariant: null,
  },
  {
    id: 'c',
    what: 'K1 idempotent, producer restart, resend',
    expect: 'NoDuplicateRecord',
    idemcheck: { config: { application: 'at-least-once' }, faults: [...K1_FAULTS, 'producer-restart'], invariants: ['NoDuplicateRecord'], bounds: { lostMessagesMax: 2, restartsMax: 1, resendsMax: 2 } },
    fastCheck: 'c',
    quint: 'c',
    spin: 'c',
    peerInvariant: 'NoDuplicates',
  },
  {
    id: 'd',
    what: 'mutant: 6 in flight, 5-batch cache, 6 records',
    expect: 'NoDuplicateRecord',
    idemcheck: { config: { mutant: 'in-flight:6' }, faults: ['disconnect'], invariants: ['NoDuplicateRecord'], bounds: { recordsMax: 6, lostMessagesMax: 1, eventsMax: 60 } },
    fastCheck: 'd6+bump',
    quint: 'a7m6',
    spin: 'd.N6',
    peerInvariant: 'NoDuplicates',
  },
  {
    id: 'e',
    what: 'K2 acks=1, crash, clean election',
    expect: 'NoAckedRecordLost',
    idemcheck: { config: { acks: '1', 'replication.factor': 2 }, faults: ['broker-crash', 'disconnect'], invariants: ['NoAckedRecordLost'], bounds: { crashesMax: 1, lostMessagesMax: 2 } },
    fastCheck: 'e',
    quint: 'e',
    spin: 'e',
    peerInvariant: 'NoAckedLoss',
  },
  {
    id: 'f',
    what: 'K2 acks=all, crash, clean election',
    expect: 'holds',
    // NoAckedRecordLost only: with NoDuplicateRecord too, idemcheck finds a duplicate in 16 steps
    // that needs the crashed leader to restart, which the peers' crash-stop models cannot do.
    idemcheck: { config: { 'replication.factor': 2 }, faults: ['broker-crash', 'isr-shrink', 'disconnect'], invariants: ['NoAckedRecordLost'], bounds: { crashesMax: 1, clusterChangesMax: 1, lostMessagesMax: 2 } },
    fastCheck: 'f',
    quint: 'f',
    spin: 'f',
    peerInvariant: null,
  },
  {
    id: 'g',
    what: 'K2 acks=all, unclean election',
    expect: 'NoAckedRecordLost',
    idemcheck: {
      config: { 'replication.factor': 2, 'unclean.leader.election.enable': true },
      faults: ['broker-crash', 'isr-shrink', 'disconnect'],
      invariants: ['NoAckedRecordLost'],
      bounds: { crashesMax: 1, clusterChangesMax: 1, lostMessagesMax: 2 },
    },
    fastCheck: 'g',
    quint: 'g',
    spin: 'g',
    peerInvariant: 'NoAckedLoss',
  },
];

/** The CLI flags of an ad-hoc case (bounds only where the case sets them: an unused bound is an error). */
export function caseFlags(c: PeerCase): string[] {
  const o = c.idemcheck;
  const flags: string[] = [];
  for (const [key, value] of Object.entries(o.config)) flags.push('--set', `${key}=${String(value)}`);
  flags.push('--faults', (o.faults ?? []).join(','));
  flags.push('--invariants', (o.invariants ?? []).join(','));
  flags.push('--expect', c.expect === 'holds' ? 'holds' : `violated:${c.expect}`);
  const names: Partial<Record<keyof Bounds, string>> = {
    recordsMax: '--records',
    resendsMax: '--resends',
    lostMessagesMax: '--lost',
    restartsMax: '--restarts',
    crashesMax: '--crashes',
    clusterChangesMax: '--cluster-changes',
    eventsMax: '--max-steps',
  };
  for (const [bound, value] of Object.entries(o.bounds ?? {}) as [keyof Bounds, number][]) {
    const flag = names[bound];
    if (flag === undefined) throw new Error(`bench bug: no flag for bound ${bound}`);
    flags.push(flag, String(value));
  }
  return flags;
}

export interface ToolResult {
  /** 'holds', 'violates X', 'skipped: reason', 'error: ...' */
  readonly verdict: string;
  /** Random tools: seeds whose runs found the expected violation, of how many. */
  readonly found: string | null;
  /** Random tools: median runs to the first failure (null: half or more found none or none run). */
  readonly medianRuns: number | null;
  /** Whole-process wall time of one run (median when several), ms. */
  readonly processMs: number | null;
  /** Exhaustive tools: states stored, and the counterexample's length. */
  readonly states: number | null;
  readonly length: number | null;
  /** SPIN: the pan process alone (the search), without spin -a and gcc. */
  readonly searchMs?: number;
  readonly note?: string;
}

export interface PeerRow {
  readonly id: string;
  readonly what: string;
  readonly expect: string;
  readonly tools: Readonly<Record<string, ToolResult>>;
}

export const TOOLS = ['idemcheck check', 'fast-check (plain)', 'Quint (simulator)', 'idemcheck explore', 'SPIN (BFS)'] as const;

function skipped(reason: string): ToolResult {
  return { verdict: `skipped: ${reason}`, found: null, medianRuns: null, processMs: null, states: null, length: null };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function censoredMedian(xs: readonly (number | null)[]): number | null {
  const sorted = [...xs].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const mid = Math.floor(sorted.length / 2);
  const pick = sorted.length % 2 === 1 ? [sorted[mid]] : [sorted[mid - 1], sorted[mid]];
  if (pick.length === 0 || pick.some((x) => x === null || x === undefined)) return null;
  return (pick as number[]).reduce((a, b) => a + b, 0) / pick.length;
}

/** Run a command, timing the whole process. */
function timed(file: string, args: readonly string[], cwd: string, timeoutMs = 600_000): { status: number | null; stdout: string; stderr: string; ms: number } {
  const started = performance.now();
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error?.message ?? ''), ms: performance.now() - started };
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

export interface PeerOptions {
  readonly root: string;
  readonly seeds: number;
  readonly quintSeeds: number;
  readonly runs: number;
  readonly processRepeats: number;
  readonly log: (line: string) => void;
}

/** A working copy of a peer's folder in which it may be installed and built; null when it cannot be set up. */
function peerCopy(root: string, name: string, install: boolean, log: (line: string) => void): { dir: string } | { error: string } {
  const source = join(root, '..', 'shared', 'peers', name);
  if (!existsSync(source)) return { error: `${source} not found` };
  const base = join(tmpdir(), 'idemcheck-bench-peers');
  mkdirSync(base, { recursive: true });
  const dir = join(base, name);
  if (!existsSync(dir)) cpSync(source, dir, { recursive: true });
  if (install && !existsSync(join(dir, 'node_modules'))) {
    log(`  npm install in a copy of peers/${name} ...`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) return { error: `npm install failed: ${(r.stderr ?? '').split('\n').filter(Boolean).pop() ?? ''}` };
  }
  return { dir };
}

function idemcheckCheck(c: PeerCase, o: PeerOptions): ToolResult {
  const suite = adHocSuite({ ...c.idemcheck, runs: o.runs });
  const runs: (number | null)[] = [];
  let other = 0;
  for (let seed = 1; seed <= o.seeds; seed++) {
    const result = runSuite(suite, { seed, runs: o.runs, endOnFailure: true });
    const got = result.counterexample?.results[0]?.invariant ?? null;
    if (got !== null && got === c.expect) runs.push(result.counterexample?.failingRun ?? null);
    else {
      if (got !== null) other += 1;
      runs.push(null);
    }
  }
  const found = runs.filter((r) => r !== null).length;
  const times: number[] = [];
  let status: number | null = null;
  for (let i = 0; i < o.processRepeats; i++) {
    const r = timed(process.execPath, ['bin/idemcheck.js', 'check', ...caseFlags(c), '--runs', String(o.runs), '--seed', String(i + 1), '--no-report', '--shortest-states', '0'], o.root);
    status = r.status;
    times.push(r.ms);
  }
  const verdict = c.expect === 'holds' ? (other === 0 ? 'holds' : `violated on ${other} seeds`) : found > 0 ? `violates ${c.expect}` : 'not found';
  return {
    verdict,
    found: `${found}/${o.seeds}`,
    medianRuns: c.expect === 'holds' ? null : censoredMedian(runs),
    processMs: Math.round(median(times)),
    states: null,
    length: null,
    ...(status === 0 ? {} : { note: `check exited ${status}` }),
  };
}

function idemcheckExplore(c: PeerCase, o: PeerOptions): ToolResult {
  const r = timed(process.execPath, ['bin/idemcheck.js', 'explore', ...caseFlags(c), '--no-report', '--json'], o.root);
  try {
    const [row] = JSON.parse(r.stdout) as { verdict: string; invariant: string | null; unique: number; events: string[] | null }[];
    if (row === undefined) throw new Error('no row');
    const verdict = row.verdict === 'violated' ? `violates ${row.invariant}` : row.verdict === 'complete' ? 'holds' : row.verdict;
    return { verdict, found: null, medianRuns: null, processMs: Math.round(r.ms), states: row.unique, length: row.events?.length ?? null };
  } catch {
    return { ...skipped(''), verdict: `error: explore exited ${r.status}: ${r.stderr.split('\n')[0]}` };
  }
}

interface FastCheckCase {
  id: string;
  seeds: number;
  perSeed: { failed: boolean; fcNumRuns: number; invariantShrunk: string | null; cexLength: number | null }[];
}

function fastCheckPeer(o: PeerOptions): Map<string, ToolResult> | string {
  if (!onPath('npm')) return 'npm not found';
  const copy = peerCopy(o.root, 'fastcheck-plain', true, o.log);
  if ('error' in copy) return copy.error;
  const out = join(copy.dir, 'bench-out.json');
  const ids = PEER_CASES.map((c) => c.fastCheck).join(',');
  const tsx = join(copy.dir, 'node_modules', '.bin', 'tsx');
  const r = timed(tsx, ['bench.ts', '--cases', ids, '--seeds', String(o.seeds), '--runs', String(o.runs), '--size', 'max', '--out', out], copy.dir);
  if (r.status !== 0) return `bench.ts exited ${r.status}: ${r.stderr.split('\n')[0]}`;
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { results: Record<string, FastCheckCase[]> };
  const cases = doc.results['size=max'] ?? [];
  const results = new Map<string, ToolResult>();
  for (const c of PEER_CASES) {
    const fc = cases.find((x) => x.id === c.fastCheck);
    if (fc === undefined) continue;
    const runs = fc.perSeed.map((s) => (s.failed && s.invariantShrunk === c.peerInvariant ? s.fcNumRuns : null));
    const found = runs.filter((x) => x !== null).length;
    const failed = fc.perSeed.filter((s) => s.failed).length;
    const times: number[] = [];
    for (let i = 0; i < o.processRepeats; i++) times.push(timed(tsx, ['assert.ts', c.fastCheck, String(i + 1), String(o.runs), 'max'], copy.dir).ms);
    results.set(c.id, {
      verdict: c.expect === 'holds' ? (failed === 0 ? 'holds' : `violated on ${failed} seeds`) : found > 0 ? `violates ${c.peerInvariant}` : failed > 0 ? 'other violations only' : 'not found',
      found: `${found}/${fc.seeds}`,
      medianRuns: c.expect === 'holds' ? null : censoredMedian(runs),
      processMs: Math.round(median(times)),
      states: null,
      length: null,
      ...(c.fastCheck !== c.id ? { note: `case ${c.fastCheck}` } : {}),
    });
  }
  return results;
}

function quintPeer(o: PeerOptions): Map<string, ToolResult> | string {
  if (!onPath('npm')) return 'npm not found';
  const copy = peerCopy(o.root, 'quint', true, o.log);
  if ('error' in copy) return copy.error;
  if (!existsSync(join(copy.dir, 'node_modules', '.bin', 'quint'))) return 'quint did not install';
  const results = new Map<string, ToolResult>();
  for (const c of PEER_CASES) {
    // Far-apart seeds (run.sh's NSEEDS): quint's nearby seeds replay nearly the same runs.
    const env = { ...process.env, NSEEDS: String(o.quintSeeds) };
    const run = spawnSync('bash', ['run.sh', c.quint], { cwd: copy.dir, encoding: 'utf8', env, timeout: 1_800_000 });
    const lines = (run.stdout ?? '').split('\n').filter((l) => l.startsWith(`${c.quint} `));
    if (lines.length === 0) {
      const why = run.signal !== null ? `stopped by ${run.signal} before its first seed ended` : `run.sh printed no result (${(run.stderr ?? '').split('\n')[0]})`;
      results.set(c.id, { ...skipped(''), verdict: `error: ${why}` });
      continue;
    }
    const runs: (number | null)[] = [];
    const walls: number[] = [];
    let failed = 0;
    let lengths: number[] = [];
    for (const line of lines) {
      const [, , , result, violated, samples, steps, , wall] = line.trim().split(/\s+/);
      walls.push(Number(wall) * 1000);
      if (result === 'violation') {
        failed += 1;
        const hit = c.peerInvariant !== null && (violated ?? '').split(',').includes(c.peerInvariant);
        runs.push(hit ? Number(samples) : null);
        const len = Number((steps ?? '').replace('cex:', ''));
        if (Number.isFinite(len)) lengths = [...lengths, len];
      } else runs.push(null);
    }
    const found = runs.filter((x) => x !== null).length;
    results.set(c.id, {
      verdict: c.expect === 'holds' ? (failed === 0 ? 'holds' : `violated on ${failed} seeds`) : found > 0 ? `violates ${c.peerInvariant}` : failed > 0 ? 'other violations only' : 'not found',
      found: `${found}/${lines.length}`,
      medianRuns: c.expect === 'holds' ? null : censoredMedian(runs),
      processMs: Math.round(median(walls)),
      states: null,
      length: lengths.length === 0 ? null : median(lengths),
      ...(c.quint !== c.id ? { note: `case ${c.quint}` } : {}),
    });
  }
  return results;
}

/** SPIN's defines per case, as ../shared/peers/spin/run.sh gives them (Kafka/TCP reading). */
const SPIN_DEFINES: Readonly<Record<string, string>> = {
  a: '-DK=1 -DIDEMP=0 -DR=0',
  b: '-DK=1 -DIDEMP=1 -DR=0 -DMIF=5',
  c: '-DK=1 -DIDEMP=1 -DR=1',
  'd.N6': '-DK=1 -DIDEMP=1 -DR=0 -DMIF=6 -DCACHE=5 -DN=6',
  e: '-DK=2 -DIDEMP=1 -DR=0 -DACKS=1 -DUNCLEAN=0',
  f: '-DK=2 -DIDEMP=1 -DR=0 -DACKS=-1 -DUNCLEAN=0',
  g: '-DK=2 -DIDEMP=1 -DR=0 -DACKS=-1 -DUNCLEAN=1',
};

/**
 * SPIN's breadth-first search (shortest counterexample), built and run as run.sh does: `spin -a`,
 * gcc -O2, `pan -m10000 -w20`. The whole-process time is the three together; pan alone is noted.
 */
function spinPeer(o: PeerOptions): Map<string, ToolResult> | string {
  if (!onPath('spin')) return 'spin is not installed (apt-get install spin)';
  if (!onPath('gcc')) return 'gcc is not installed';
  const copy = peerCopy(o.root, 'spin', false, o.log);
  if ('error' in copy) return copy.error;
  const results = new Map<string, ToolResult>();
  for (const c of PEER_CASES) {
    const defines = SPIN_DEFINES[c.spin];
    if (defines === undefined) continue;
    const dir = join(copy.dir, 'build', `bench-${c.spin}`);
    mkdirSync(dir, { recursive: true });
    cpSync(join(copy.dir, 'kafka_producer.pml'), join(dir, 'kafka_producer.pml'));
    const script = `spin -a -DNET=0 -DRETRY=0 ${defines} kafka_producer.pml >spin.log 2>&1 && gcc -O2 -DNOREDUCE -DMEMLIM=16000 -w -DBFS -o pan pan.c >gcc.log 2>&1`;
    const build = timed('sh', ['-c', script], dir);
    if (build.status !== 0) {
      results.set(c.id, { ...skipped(''), verdict: `error: build failed (${dir})` });
      continue;
    }
    const pans: { ms: number; out: string }[] = [];
    for (let i = 0; i < o.processRepeats; i++) {
      const r = timed('./pan', ['-m10000', '-w20'], dir);
      pans.push({ ms: r.ms, out: r.stdout });
    }
    const out = pans[0]?.out ?? '';
    const prop = /assertion violated ([A-Za-z]+)/.exec(out)?.[1] ?? null;
    const depth = /\(at depth (\d+)\)/.exec(out)?.[1];
    const stored = /(\d+) states, stored/.exec(out)?.[1];
    const panMs = median(pans.map((p) => p.ms));
    results.set(c.id, {
      verdict: prop === null ? 'holds' : `violates ${prop}`,
      found: null,
      medianRuns: null,
      processMs: Math.round(build.ms + panMs),
      states: stored === undefined ? null : Number(stored),
      length: depth === undefined ? null : Number(depth) + 1,
      searchMs: Math.round(panMs),
      note: `pan ${Math.round(panMs)}ms, spin -a + gcc ${Math.round(build.ms)}ms${c.spin !== c.id ? `; case ${c.spin}` : ''}`,
    });
  }
  return results;
}

export function benchPeers(o: PeerOptions): { rows: PeerRow[]; skipped: Record<string, string> } {
  const skippedTools: Record<string, string> = {};
  const perTool: Record<string, Map<string, ToolResult>> = {};
  const add = (tool: string, result: Map<string, ToolResult> | string): void => {
    if (typeof result === 'string') {
      skippedTools[tool] = result;
      o.log(`  ${tool}: skipped (${result})`);
    } else perTool[tool] = result;
  };
  // Built from this source first, so the CLI's times are of this code.
  const built = spawnSync(process.execPath, [join(o.root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: o.root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bench: building dist/ failed:\n${built.stdout}${built.stderr}`);
  const check = new Map<string, ToolResult>();
  const explore = new Map<string, ToolResult>();
  for (const c of PEER_CASES) {
    check.set(c.id, idemcheckCheck(c, o));
    explore.set(c.id, idemcheckExplore(c, o));
    o.log(`  idemcheck ${c.id}: check ${JSON.stringify(check.get(c.id))} explore ${JSON.stringify(explore.get(c.id))}`);
  }
  add('idemcheck check', check);
  add('idemcheck explore', explore);
  o.log('  fast-check (plain) ...');
  add('fast-check (plain)', fastCheckPeer(o));
  o.log('  SPIN ...');
  add('SPIN (BFS)', spinPeer(o));
  o.log('  Quint ...');
  add('Quint (simulator)', quintPeer(o));
  const rows = PEER_CASES.map((c) => ({
    id: c.id,
    what: c.what,
    expect: c.expect,
    tools: Object.fromEntries(TOOLS.map((t) => [t, perTool[t]?.get(c.id) ?? skipped(skippedTools[t] ?? 'no result')])),
  }));
  return { rows, skipped: skippedTools };
}

function msText(x: number | null): string {
  if (x === null) return '–';
  return x >= 1000 ? `${(x / 1000).toFixed(2)}s` : `${Math.round(x)}ms`;
}

function cell(r: ToolResult | undefined, exhaustive: boolean): string {
  if (r === undefined) return '–';
  if (r.verdict.startsWith('skipped') || r.verdict.startsWith('error')) return r.verdict;
  const parts = [r.verdict];
  if (!exhaustive) {
    if (r.found !== null) parts.push(`found ${r.found}`);
    if (r.medianRuns !== null) parts.push(`median ${r.medianRuns} runs`);
  } else {
    if (r.states !== null) parts.push(`${r.states} states`);
    if (r.length !== null) parts.push(`${r.length} steps`);
  }
  parts.push(msText(r.processMs));
  if (r.note !== undefined) parts.push(`(${r.note})`);
  return parts.join(', ');
}

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  return a === null || a === undefined || b === null || b === undefined || b === 0 ? '–' : (a / b).toFixed(2);
}

export function peersMarkdown(result: { rows: readonly PeerRow[]; skipped: Readonly<Record<string, string>>; seeds: number; quintSeeds: number; runs: number; processRepeats: number }): string[] {
  const lines: string[] = [];
  lines.push('## Where we stand against the peers');
  lines.push('');
  lines.push(
    `Cases (a)–(g) of \`../shared/peers\` in each tool, measured in one run. Random tools: ${result.runs.toLocaleString('en-US')} runs per seed at most; "found" counts the seeds (${result.seeds} for idemcheck and plain fast-check, ${result.quintSeeds} for Quint, which takes seconds per process) whose runs hit the expected violation; "median runs" is runs to the first failure, a seed that found nothing counting as more than the budget. Times are whole-process wall times (median of ${result.processRepeats} processes; for SPIN, \`spin -a\` + gcc + pan, pan alone in brackets). Exhaustive tools: unique states stored and the shortest counterexample's length. The models abstract differently (see the peers' README): idemcheck steps requests, responses and replication separately and restarts a crashed broker, the peers do not.`,
  );
  const skippedTools = Object.entries(result.skipped);
  if (skippedTools.length > 0) {
    lines.push('');
    lines.push(`Not run: ${skippedTools.map(([t, why]) => `${t} (${why})`).join('; ')}.`);
  }
  lines.push('');
  lines.push('### Random');
  lines.push('');
  lines.push('| case | expected | idemcheck check | fast-check (plain) | Quint (simulator) | check / fast-check time |');
  lines.push('|---|---|---|---|---|---:|');
  for (const r of result.rows) {
    const t = r.tools;
    lines.push(`| ${r.id}: ${r.what} | ${r.expect} | ${cell(t['idemcheck check'], false)} | ${cell(t['fast-check (plain)'], false)} | ${cell(t['Quint (simulator)'], false)} | ${ratio(t['idemcheck check']?.processMs, t['fast-check (plain)']?.processMs)} |`);
  }
  lines.push('');
  lines.push('### Exhaustive');
  lines.push('');
  lines.push('| case | expected | idemcheck explore | SPIN (BFS) | explore / SPIN time | explore / pan time | explore / SPIN states |');
  lines.push('|---|---|---|---|---:|---:|---:|');
  for (const r of result.rows) {
    const t = r.tools;
    lines.push(`| ${r.id}: ${r.what} | ${r.expect} | ${cell(t['idemcheck explore'], true)} | ${cell(t['SPIN (BFS)'], true)} | ${ratio(t['idemcheck explore']?.processMs, t['SPIN (BFS)']?.processMs)} | ${ratio(t['idemcheck explore']?.processMs, t['SPIN (BFS)']?.searchMs)} | ${ratio(t['idemcheck explore']?.states, t['SPIN (BFS)']?.states)} |`);
  }
  return lines;
}

// Re-render bench/results/peers.md from peers.json: npx tsx bench/peers.ts
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const dir = new URL('./results/', import.meta.url).pathname;
  const doc = JSON.parse(readFileSync(`${dir}peers.json`, 'utf8')) as { machine: { node: string; cpus: number; cpuModel: string; date: string; quick: boolean }; peers: Parameters<typeof peersMarkdown>[0] & { notes?: string[] } };
  const m = doc.machine;
  const text = [
    '# idemcheck benchmark (peers only)',
    '',
    `Node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), ${m.date}${m.quick ? ', --quick' : ''}; run while other work kept the 2-core machine busy (load average 7 to 20 while it ran): every whole-process time here is longer than on an idle machine, and the ratios between tools are only rough.`,
    '',
    ...peersMarkdown(doc.peers),
    ...(doc.peers.notes ?? []).flatMap((n) => ['', n]),
    '',
  ].join('\n');
  writeFileSync(`${dir}peers.md.tmp`, text);
  renameSync(`${dir}peers.md.tmp`, `${dir}peers.md`);
}
