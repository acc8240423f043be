/**
 * `npm run bench`: how fast idemcheck finds and shrinks counterexamples, how fast the model
 * steps, how fast the explorer visits states and how the state space grows with the number of
 * records. Prints a table and writes bench/results/latest.json and latest.md. Not part of
 * `npm test`: timings belong here, tests assert behaviour.
 *
 *   npm run bench                 # the full run (a few minutes on 2 cores), written to latest.{json,md}
 *   npm run bench -- --quick      # fewer seeds and smaller limits, to try it out; written to quick.{json,md}
 *   npm run bench -- --suite S    # only the counterexample rows of these suites (repeatable), printed, not written
 *   npm run bench -- --startup    # only the start-up times of the built CLI, printed, not written
 *   npm run bench -- --scale      # only the storage per state and the worker-thread speed-up, printed, not written
 *   npm run bench -- --swarm      # only swarm against fixed (with --suite: those suites), written to swarm.{json,md}
 *   npm run bench -- --peers      # only the side-by-side table with ../shared/peers, written to peers.{json,md}
 *   npm run bench -- --reduce     # only the reduction factor per suite (--reduce symmetry and por), printed, not written
 *   npm run bench -- --sections complete,storage   # only these sections (SECTIONS below), merged into latest.{json,md}:
 *                                 # the other sections keep their earlier numbers, each dated in latest.md
 *   npm run bench -- --complete-timeout S          # seconds each holding suite may take in 'complete' (default 900)
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SUITES, suiteByName } from '../properties/index.js';
import { benchPeers, peersMarkdown } from './peers.js';
import { runsText, SWARM_DECISION, swarmMarkdown } from './swarm-table.js';
import type { ProfileResult, SwarmRow } from './swarm-table.js';
import { FingerprintSet, stateKey } from '../src/checker/canonical.js';
import { exploreParallel } from '../src/cli/explore-parallel.js';
import { explore } from '../src/checker/explore.js';
import { Reducer } from '../src/checker/por.js';
import { symmetryUnsound } from '../src/checker/symmetry.js';
import type { Event, Setup } from '../src/model/events.js';
import { violatedInvariants } from '../src/model/invariants.js';
import { enabledEvents, initialState, stepEnabled } from '../src/model/system.js';
import type { State } from '../src/model/types.js';
import { runSuite } from '../src/checker/run-suite.js';
import { PROFILE_MODES } from '../src/checker/run-suite.js';
import type { ProfileMode } from '../src/checker/run-suite.js';
import type { Suite } from '../src/checker/suite.js';
import { defineSuite } from '../src/checker/suite.js';
import { adHocSuite } from '../src/checker/ad-hoc.js';

const USAGE = 'usage: npm run bench [-- --quick] [-- --suite NAME ...] [-- --startup] [-- --scale] [-- --swarm] [-- --peers] [-- --reduce] [-- --sections A,B] [-- --complete-timeout S]';

/** The sections of latest.{json,md}, in the order a full run measures and writes them. */
const SECTIONS = ['startup', 'counterexamples', 'throughput', 'costs', 'growth', 'storage', 'workers', 'complete', 'swarm', 'peers', 'reduction'] as const;
type Section = (typeof SECTIONS)[number];

/** Bad arguments: one line naming the problem, exit 2, nothing written. */
function usageError(message: string): never {
  process.stderr.write(`bench: ${message} (${USAGE})\n`);
  process.exit(2);
}

interface BenchArgs {
  quick: boolean;
  only: string[] | null;
  startupOnly: boolean;
  scaleOnly: boolean;
  swarmOnly: boolean;
  peersOnly: boolean;
  reduceOnly: boolean;
  /** --sections: the sections to measure and merge into latest (null: a full run). */
  sections: Section[] | null;
  completeTimeoutS: number;
}

function parseBenchArgs(): BenchArgs {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        quick: { type: 'boolean', default: false },
        suite: { type: 'string', multiple: true },
        startup: { type: 'boolean', default: false },
        scale: { type: 'boolean', default: false },
        swarm: { type: 'boolean', default: false },
        peers: { type: 'boolean', default: false },
        reduce: { type: 'boolean', default: false },
        sections: { type: 'string' },
        'complete-timeout': { type: 'string' },
      },
      strict: true,
    });
    const sections = values.sections === undefined ? null : values.sections.split(',').map((x) => x.trim());
    for (const name of sections ?? []) {
      if (!(SECTIONS as readonly string[]).includes(name)) usageError(`--sections: '${name}' is not a section; give some of: ${SECTIONS.join(', ')}`);
    }
    if (sections !== null && (values.startup || values.suite !== undefined || values.scale || values.swarm || values.peers || values.reduce)) {
      usageError('--sections goes with --quick and --complete-timeout only');
    }
    const timeoutText = values['complete-timeout'] ?? '900';
    const completeTimeoutS = Number(timeoutText);
    if (!/^[0-9]+$/.test(timeoutText) || completeTimeoutS < 1) usageError(`--complete-timeout: '${timeoutText}' is not allowed; give whole seconds, at least 1`);
    // --suite picks the suites of the counterexample section, or of --swarm.
    const suiteAlone = values.suite !== undefined && !values.swarm;
    if ([values.startup, suiteAlone, values.scale, values.swarm, values.peers, values.reduce].filter(Boolean).length > 1) {
      usageError('--startup, --suite, --scale, --swarm, --peers and --reduce each run one section: give one of them (--suite may go with --swarm)');
    }
    return {
      quick: values.quick,
      only: values.suite ?? null,
      startupOnly: values.startup,
      scaleOnly: values.scale,
      swarmOnly: values.swarm,
      peersOnly: values.peers,
      reduceOnly: values.reduce,
      sections: sections as Section[] | null,
      completeTimeoutS,
    };
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
}

const { quick, only, startupOnly, scaleOnly, swarmOnly, peersOnly, reduceOnly, sections, completeTimeoutS } = parseBenchArgs();
for (const name of only ?? []) {
  const found = suiteByName(name);
  if (found === undefined) usageError(`--suite: no suite named '${name}' (npx idemcheck list shows them)`);
  // --suite times counterexamples: a suite that holds (or a refused config) has none to time.
  if (found.expect.verdict !== 'violated' || found.setup === null) usageError(`--suite: ${name} expects no counterexample (${found.expect.verdict}); give a suite that expects a violation`);
}
/** States the breadth-first search for each suite's shortest counterexample may visit. */
const SHORTEST_LIMIT = quick ? 200_000 : 1_000_000;
const SEEDS = Array.from({ length: quick ? 5 : 20 }, (_, i) => 1000 + i);

/** Suites with a counterexample: time to find, time to shrink, shrunk length against the shortest. */
const COUNTEREXAMPLE_SUITES = [
  'delivery.acks0-loses-acknowledged',
  'delivery.acks1-retry-duplicates',
  'restart.at-least-once-duplicates',
  'replication.acks1-loses-on-failover',
  'replication.unclean-election-loses',
  'ordering.non-idempotent-pipelined-reorders',
  'finding.new-producer-id-reordered',
  'finding.new-producer-id-duplicated',
  'finding.clean-broker-restart-duplicates',
  'mutant.dedup-window-1',
  'mutant.six-in-flight',
];

/** Suites that hold: random-mode steps per second, explorer states per second. */
const THROUGHPUT_SUITES = ['delivery.idempotent-in-flight-1', 'delivery.idempotent-in-flight-5', 'replication.acks-all-min-isr-2-no-loss'];

function suite(name: string): Suite {
  const found = suiteByName(name);
  if (found === undefined) throw new Error(`no suite ${name}`);
  return found;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)}s` : `${Math.round(x)}ms`;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface CounterexampleRow {
  suite: string;
  seeds: number;
  found: number;
  firstMedianMs: number;
  firstP10Ms: number;
  firstP90Ms: number;
  shrunkMedianMs: number;
  shrunkP10Ms: number;
  shrunkP90Ms: number;
  medianRuns: number;
  shortest: number | null;
  lengths: number[];
  medianRatio: number | null;
  maxRatio: number | null;
}

function benchCounterexamples(): CounterexampleRow[] {
  const rows: CounterexampleRow[] = [];
  for (const name of only ?? COUNTEREXAMPLE_SUITES) {
    const s = suite(name);
    const target = s.checked.filter((i) => s.expect.verdict === 'violated' && i.name === s.expect.invariant);
    const setup = s.setup;
    if (setup === null) continue;
    const bfs = explore(setup, target, [], { maxStates: SHORTEST_LIMIT });
    const shortest = bfs.verdict.kind === 'violated' ? bfs.verdict.events.length : null;
    const first: number[] = [];
    const total: number[] = [];
    const runs: number[] = [];
    const lengths: number[] = [];
    for (const seed of SEEDS) {
      const result = runSuite(s, { seed, runs: s.runs });
      if (result.counterexample === null || result.msToFirstFailure === null) continue;
      first.push(result.msToFirstFailure);
      total.push(result.ms);
      runs.push(result.runs);
      lengths.push(result.counterexample.events.length);
    }
    const ratios = shortest === null ? [] : lengths.map((l) => l / shortest);
    const row: CounterexampleRow = {
      suite: name,
      seeds: SEEDS.length,
      found: first.length,
      firstMedianMs: median(first),
      firstP10Ms: quantile(first, 0.1),
      firstP90Ms: quantile(first, 0.9),
      shrunkMedianMs: median(total),
      shrunkP10Ms: quantile(total, 0.1),
      shrunkP90Ms: quantile(total, 0.9),
      medianRuns: median(runs),
      shortest,
      lengths,
      medianRatio: ratios.length === 0 ? null : median(ratios),
      maxRatio: ratios.length === 0 ? null : Math.max(...ratios),
    };
    rows.push(row);
    log(
      `${name.padEnd(50)} found ${row.found}/${row.seeds}  first ${ms(row.firstMedianMs)} [${ms(row.firstP10Ms)}–${ms(row.firstP90Ms)}]  shrunk ${ms(row.shrunkMedianMs)} [${ms(row.shrunkP10Ms)}–${ms(row.shrunkP90Ms)}]  length/shortest ${row.medianRatio?.toFixed(2) ?? '?'} (max ${row.maxRatio?.toFixed(2) ?? '?'}, shortest ${shortest ?? '?'})`,
    );
  }
  return rows;
}

/** Every shipped suite that expects a counterexample (and whose config Kafka accepts). */
function violatingSuites(): Suite[] {
  return SUITES.filter((s) => s.expect.verdict === 'violated' && s.setup !== null);
}

/** Median that counts nulls (none found) as larger than every number; null when the median is one. */
function censoredMedian(xs: readonly (number | null)[]): number | null {
  const sorted = [...xs].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const mid = Math.floor(sorted.length / 2);
  const pick = sorted.length % 2 === 1 ? [sorted[mid]] : [sorted[mid - 1], sorted[mid]];
  if (pick.some((x) => x === null || x === undefined)) return null;
  return (pick as number[]).reduce((a, b) => a + b, 0) / pick.length;
}

function profileResult(s: Suite, mode: ProfileMode, seeds: readonly number[]): ProfileResult {
  const runs: (number | null)[] = [];
  const times: number[] = [];
  for (const seed of seeds) {
    const result = runSuite(s, { seed, runs: s.runs, profile: mode, endOnFailure: true });
    const cx = result.counterexample;
    // A counterexample to another invariant than the expected one is not the finding sought.
    if (cx === null || result.msToFirstFailure === null || cx.results[0]?.invariant !== (s.expect.verdict === 'violated' ? s.expect.invariant : '')) {
      runs.push(null);
      continue;
    }
    runs.push(cx.failingRun);
    times.push(result.msToFirstFailure);
  }
  return { found: times.length, medianRuns: censoredMedian(runs), medianMs: times.length === 0 ? null : median(times), runs };
}

/**
 * Swarm against fixed (issue 21, item 6): for every suite that expects a counterexample, runs to
 * the first one under each profile mode (run-suite.ts) on the same seeds, within the suite's own
 * budget of runs. No shrinking: only finding is timed.
 */
function benchSwarm(): SwarmRow[] {
  const rows: SwarmRow[] = [];
  for (const s of violatingSuites()) {
    if (only !== null && !only.includes(s.name)) continue;
    const profiles = Object.fromEntries(PROFILE_MODES.map((mode) => [mode, profileResult(s, mode, SEEDS)])) as Record<ProfileMode, ProfileResult>;
    rows.push({ suite: s.name, budget: s.runs, seeds: SEEDS.length, profiles });
    log(`${s.name.padEnd(50)} ${PROFILE_MODES.map((m) => `${m} ${profiles[m].found}/${SEEDS.length} median ${runsText(profiles[m].medianRuns, s.runs)}`).join('  ')}`);
  }
  return rows;
}

interface StartupRow {
  command: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** The README's target for this command through the installed bin (null: none). */
  targetMs: number | null;
}

const ROOT = new URL('..', import.meta.url).pathname;

/**
 * Whole-process wall-clock times of the built CLI, as a user starts it: `node bin/idemcheck.js`
 * (what an installed `idemcheck` runs) and `npx idemcheck` (which adds npm's own start-up). dist/
 * is built from the source first, so the times are of this code.
 */
function benchStartup(): StartupRow[] {
  buildDist();
  const reportDir = mkdtempSync(join(tmpdir(), 'idemcheck-bench-'));
  const checkArgs = ['check', '--suite', 'delivery.acks1-retry-duplicates', '--report-dir', reportDir];
  const cases: { command: string; file: string; args: string[]; targetMs: number | null }[] = [
    { command: 'node bin/idemcheck.js --version', file: process.execPath, args: ['bin/idemcheck.js', '--version'], targetMs: 300 },
    { command: 'node bin/idemcheck.js check --suite delivery.acks1-retry-duplicates', file: process.execPath, args: ['bin/idemcheck.js', ...checkArgs], targetMs: 1000 },
    { command: 'npx idemcheck --version', file: 'npx', args: ['idemcheck', '--version'], targetMs: null },
    { command: 'npx idemcheck check --suite delivery.acks1-retry-duplicates', file: 'npx', args: ['idemcheck', ...checkArgs], targetMs: null },
  ];
  const runs = quick ? 3 : 7;
  const rows: StartupRow[] = [];
  // Wall-clock times grow with whatever else the machine runs: say how busy it was.
  log(`load average before: ${loadavg()[0]?.toFixed(1)} (1 minute, ${cpus().length} CPUs)`);
  try {
    for (const c of cases) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const run = spawnSync(c.file, c.args, { cwd: ROOT, encoding: 'utf8' });
        times.push(performance.now() - started);
        // check exits 0 when the suite's expected violation is found.
        if (run.status !== 0) throw new Error(`bench: ${c.command} exited ${run.status}: ${run.stderr}`);
      }
      const row: StartupRow = { command: c.command, runs, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), maxMs: Math.round(Math.max(...times)), targetMs: c.targetMs };
      rows.push(row);
      log(`${c.command.padEnd(72)} median ${ms(row.medianMs)} [${ms(row.minMs)}–${ms(row.maxMs)}] over ${runs}${row.targetMs === null ? '' : ` (target < ${ms(row.targetMs)})`}`);
    }
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
  return rows;
}

interface ThroughputRow {
  suite: string;
  randomStepsPerSecond: number;
  randomRuns: number;
  explorer: { verdict: string; unique: number; generated: number; ms: number; uniquePerSecond: number; generatedPerSecond: number };
}

function benchThroughput(): ThroughputRow[] {
  const rows: ThroughputRow[] = [];
  for (const name of THROUGHPUT_SUITES) {
    const s = suite(name);
    const setup = s.setup;
    if (setup === null) continue;
    const runs = quick ? 500 : 3000;
    const random = runSuite(s, { seed: 1, runs });
    const explored = explore(setup, s.checked, [], { maxStates: quick ? 100_000 : 400_000 });
    const row: ThroughputRow = {
      suite: name,
      randomStepsPerSecond: Math.round((random.steps / random.ms) * 1000),
      randomRuns: random.runs,
      explorer: {
        verdict: explored.verdict.kind,
        unique: explored.unique,
        generated: explored.generated,
        ms: Math.round(explored.ms),
        uniquePerSecond: Math.round((explored.unique / explored.ms) * 1000),
        generatedPerSecond: Math.round((explored.generated / explored.ms) * 1000),
      },
    };
    rows.push(row);
    log(
      `${name.padEnd(50)} random ${row.randomStepsPerSecond} steps/s  explorer ${row.explorer.uniquePerSecond} unique/s, ${row.explorer.generatedPerSecond} generated/s (${row.explorer.verdict}, ${row.explorer.unique} states)`,
    );
  }
  return rows;
}

interface CostRow {
  suite: string;
  /** Unique states the parts were timed on: the first ones breadth-first search reaches. */
  sample: number;
  enabledUs: number;
  stepUs: number;
  keyUs: number;
  invariantsUs: number;
  /** Transitions per unique state in the sample (each costs a step and a key). */
  generatedPerUnique: number;
  /** enabled + transitions × (step + key) + invariants: what visiting one state costs, before garbage collection. */
  modelUs: number;
  /** Share of a full explorer run's time spent in garbage collection. */
  gcShare: number;
  /** The explorer's unique states per second in this run, and a depth-first walk's (states not kept). */
  explorerPerSecond: number;
  depthFirstPerSecond: number;
}

/**
 * Unique states per second of a depth-first walk over the same model and state keys, which drops
 * each state once its successors are keyed: what visiting a state costs when the search does not
 * keep a breadth-first level alive. It is not a substitute for the explorer: without the depth a
 * state was reached at, the events bound can cut a state off that breadth-first search would
 * reach through a shorter path, and its first counterexample need not be a shortest one.
 */
function depthFirstPerSecond(setup: Setup, maxStates: number): number {
  const seen = new FingerprintSet();
  const init = initialState(setup);
  const [a0, b0] = stateKey(init, 0);
  seen.add(a0, b0);
  const stack: State[] = [init];
  const started = performance.now();
  while (stack.length > 0 && seen.size < maxStates) {
    const state = stack.pop() as State;
    for (const event of enabledEvents(setup, state)) {
      const after = stepEnabled(setup, state, event);
      const [a, b] = stateKey(after, 0);
      if (seen.add(a, b)) stack.push(after);
    }
  }
  return Math.round((seen.size / (performance.now() - started)) * 1000);
}

/** Time one pass of `f` over `n` items after two warm-up passes; microseconds per item. */
function microseconds(n: number, f: () => void): number {
  f();
  f();
  const started = performance.now();
  for (let r = 0; r < 3; r++) f();
  return ((performance.now() - started) / 3 / n) * 1000;
}

/**
 * Where an explorer's time goes, per unique state: listing enabled events, a step and a state key
 * per transition, the invariants, and garbage collection (measured on a full explorer run).
 */
async function benchCosts(): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const name of THROUGHPUT_SUITES) {
    const s = suite(name);
    const setup = s.setup;
    if (setup === null) continue;
    const seen = new FingerprintSet();
    const states: State[] = [];
    let frontier = [initialState(setup)];
    while (frontier.length > 0 && states.length < 30_000) {
      const next: State[] = [];
      for (const state of frontier) {
        for (const event of enabledEvents(setup, state)) {
          const after = stepEnabled(setup, state, event);
          const [a, b] = stateKey(after, 0);
          if (seen.add(a, b)) next.push(after);
        }
      }
      states.push(...next);
      frontier = next;
    }
    const events: Event[][] = states.map((state) => enabledEvents(setup, state));
    const transitions = events.reduce((sum, list) => sum + list.length, 0);
    const enabledUs = microseconds(states.length, () => {
      for (const state of states) enabledEvents(setup, state);
    });
    const stepUs = microseconds(transitions, () => {
      for (let i = 0; i < states.length; i++) for (const event of events[i] as Event[]) stepEnabled(setup, states[i] as State, event);
    });
    const keyUs = microseconds(states.length, () => {
      for (const state of states) stateKey(state, 0);
    });
    const invariantsUs = microseconds(states.length, () => {
      for (const state of states) violatedInvariants(state, s.checked);
    });
    let gcMs = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcMs += entry.duration;
    });
    observer.observe({ entryTypes: ['gc'] });
    const explored = explore(setup, s.checked, [], { maxStates: quick ? 100_000 : 400_000 });
    // GC entries are delivered after the synchronous run, once the event loop gets to them.
    await new Promise((resolve) => setTimeout(resolve, 100));
    observer.disconnect();
    const generatedPerUnique = transitions / states.length;
    const depthFirst = depthFirstPerSecond(setup, quick ? 100_000 : 400_000);
    const row: CostRow = {
      suite: name,
      sample: states.length,
      enabledUs: round2(enabledUs),
      stepUs: round2(stepUs),
      keyUs: round2(keyUs),
      invariantsUs: round2(invariantsUs),
      generatedPerUnique: round2(generatedPerUnique),
      modelUs: round2(enabledUs + generatedPerUnique * (stepUs + keyUs) + invariantsUs),
      gcShare: round2(gcMs / explored.ms),
      explorerPerSecond: Math.round((explored.unique / explored.ms) * 1000),
      depthFirstPerSecond: depthFirst,
    };
    rows.push(row);
    log(
      `${name.padEnd(50)} per unique state: enabled ${row.enabledUs} µs + ${row.generatedPerUnique} × (step ${row.stepUs} + key ${row.keyUs}) + invariants ${row.invariantsUs} = ${row.modelUs} µs; ${Math.round(row.gcShare * 100)}% of an explorer run in GC; explorer ${row.explorerPerSecond} unique/s, depth-first ${row.depthFirstPerSecond}`,
    );
  }
  return rows;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

interface GrowthRow {
  records: number;
  verdict: string;
  unique: number;
  generated: number;
  depth: number;
  ms: number;
}

/** How the state space of the idempotent producer (2 in flight, lost messages, timeouts) grows with records. */
function benchGrowth(): GrowthRow[] {
  const rows: GrowthRow[] = [];
  const limit = quick ? 300_000 : 3_000_000;
  for (const records of [2, 3, 4, 5]) {
    const s = defineSuite({
      name: `growth.records-${records}`,
      claim: 'growth',
      config: { 'max.in.flight.requests.per.connection': 2 },
      // No delivery timeouts: with 2 in flight they break the guarantee (KAFKA-14034), and a search
      // that stops at the first violation measures nothing about growth.
      faults: ['disconnect', 'request-timeout'],
      bounds: { recordsMax: records, resendsMax: 0, eventsMax: 40, lostMessagesMax: 2, restartsMax: 0, crashesMax: 0, clusterChangesMax: 0, powerLossesMax: 0 },
      invariants: ['NoDuplicateRecord', 'NoAckedRecordLost', 'SessionOrderKept'],
      witnesses: [],
      expect: { verdict: 'holds' },
      runs: 1,
    });
    if (s.setup === null) continue;
    const explored = explore(s.setup, s.checked, [], { maxStates: limit });
    const row: GrowthRow = { records, verdict: explored.verdict.kind, unique: explored.unique, generated: explored.generated, depth: explored.depth, ms: Math.round(explored.ms) };
    rows.push(row);
    log(`records ${records}: ${row.verdict} ${row.unique} unique, ${row.generated} generated, depth ${row.depth}, ${ms(row.ms)}`);
    if (explored.verdict.kind === 'violated') throw new Error(`bench bug: the growth configuration is violated at ${records} records`);
    if (explored.verdict.kind === 'incomplete') break;
  }
  return rows;
}

interface StorageRow {
  suite: string;
  unique: number;
  visitedBytesPerState: number;
  traceBytesPerState: number;
  frontierBytesPerState: number;
  frontierStates: number;
}

/** What the explorer stores per state: the visited set, the trace arrays, and the encoded frontier. */
function benchStorage(): StorageRow[] {
  const name = 'replication.acks-all-min-isr-2-no-loss';
  const s = suite(name);
  const explored = explore(s.setup as Setup, s.checked, s.sought, { maxStates: quick ? 50_000 : 200_000 });
  const st = explored.storage;
  const row: StorageRow = {
    suite: name,
    unique: explored.unique,
    visitedBytesPerState: round2(st.visitedBytes / explored.unique),
    traceBytesPerState: round2(st.traceBytes / explored.unique),
    frontierBytesPerState: round2(st.frontierBytes / Math.max(1, st.frontierStates)),
    frontierStates: st.frontierStates,
  };
  log(`${name.padEnd(50)} ${row.unique} states: visited set ${row.visitedBytesPerState} B/state, trace ${row.traceBytesPerState} B/state, frontier ${row.frontierBytesPerState} B per encoded state (${row.frontierStates} held at most)`);
  return [row];
}

interface WorkersRow {
  task: string;
  workers: number;
  wallMs: number;
  cpuMs: number;
  /** Wall time with 1 worker over wall time with this many. */
  speedUp: number;
  verdict: string;
  unique: number | null;
}

/**
 * Explore and check with 1, 2 (and all) worker threads: wall time, and the process's CPU time
 * over all its threads (on a shared machine the wall time depends on what else runs).
 */
async function benchWorkers(): Promise<WorkersRow[]> {
  const rows: WorkersRow[] = [];
  const counts = [...new Set([1, 2, cpus().length])];
  const name = 'delivery.idempotent-in-flight-1';
  const s = suite(name);
  const maxStates = quick ? 100_000 : 2_000_000;
  let base = 0;
  for (const workers of counts) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result =
      workers === 1
        ? explore(s.setup as Setup, s.checked, s.sought, { maxStates })
        : await exploreParallel({ kind: 'suites', names: [name] }, s, { workers, maxStates, maxSteps: null });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (workers === 1) base = wallMs;
    const row: WorkersRow = { task: `explore ${name}`, workers, wallMs: Math.round(wallMs), cpuMs: Math.round((used.user + used.system) / 1000), speedUp: round2(base / wallMs), verdict: result.verdict.kind, unique: result.unique };
    rows.push(row);
    log(`${row.task.padEnd(50)} workers ${workers}: ${ms(row.wallMs)} wall, ${ms(row.cpuMs)} CPU, speed-up ${row.speedUp} (${row.verdict}, ${row.unique} states)`);
  }
  // With symmetry (the default): RF=3 with leader moves and ISR shrinks, where it merges states.
  const symOptions = {
    config: { 'replication.factor': 3, 'min.insync.replicas': 2 },
    faults: ['disconnect', 'isr-shrink', 'leader-change'] as const,
    invariants: ['NoAckedRecordLost', 'NoDuplicateRecord', 'SessionOrderKept'],
    witnesses: ['RecordAcknowledged'],
    bounds: { recordsMax: 2, eventsMax: quick ? 11 : 13, clusterChangesMax: 2 },
  };
  const sym = adHocSuite({ ...symOptions, faults: [...symOptions.faults] });
  for (const workers of counts) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result =
      workers === 1
        ? explore(sym.setup as Setup, sym.checked, sym.sought, { maxStates, reduce: { por: false, symmetry: true } })
        : await exploreParallel({ kind: 'ad-hoc', options: { ...symOptions, faults: [...symOptions.faults] } }, sym, { workers, maxStates, maxSteps: null, symmetry: true });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (workers === 1) base = wallMs;
    const task = `explore ad hoc RF=3, leader moves, ${symOptions.bounds.eventsMax} events, symmetry`;
    const row: WorkersRow = { task, workers, wallMs: Math.round(wallMs), cpuMs: Math.round((used.user + used.system) / 1000), speedUp: round2(base / wallMs), verdict: result.verdict.kind, unique: result.unique };
    rows.push(row);
    log(`${row.task.padEnd(50)} workers ${workers}: ${ms(row.wallMs)} wall, ${ms(row.cpuMs)} CPU, speed-up ${row.speedUp} (${row.verdict}, ${row.unique} states)`);
  }
  // check through the built CLI (each worker is a thread of the child): wall time only.
  const runs = quick ? '2000' : '8000';
  for (const workers of counts) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/idemcheck.js'), 'check', '--suite', 'delivery.idempotent-in-flight-4', '--runs', runs, '--workers', String(workers), '--no-report', '--json'], { cwd: ROOT, encoding: 'utf8' });
    const wallMs = performance.now() - started;
    if (run.status !== 0) throw new Error(`bench: check --workers ${workers} exited ${run.status}: ${run.stderr}`);
    if (workers === 1) base = wallMs;
    const row: WorkersRow = { task: `check delivery.idempotent-in-flight-4 --runs ${runs}`, workers, wallMs: Math.round(wallMs), cpuMs: -1, speedUp: round2(base / wallMs), verdict: 'holds', unique: null };
    rows.push(row);
    log(`${row.task.padEnd(50)} workers ${workers}: ${ms(row.wallMs)} wall (whole process), speed-up ${row.speedUp}`);
  }
  return rows;
}


interface CompleteRow {
  suite: string;
  /** The CLI's verdict; 'stopped' when the time limit interrupted it. */
  verdict: 'complete' | 'violated' | 'incomplete' | 'stopped' | 'error';
  asExpected: boolean;
  unique: number | null;
  /** Deepest level fully visited. */
  depth: number | null;
  wallMs: number;
  /** CPU time of the whole process (all threads): on a shared machine, wall time depends on what else runs. */
  cpuMs: number | null;
  /** Peak resident memory of the whole process (all threads), from the process itself. */
  peakRssMb: number | null;
  /** Visited set and trace arrays over unique states, and bytes per encoded frontier state, at the search's largest. */
  storedBytesPerState: number | null;
  frontierBytesPerState: number | null;
  /** Why it did not complete. */
  note: string;
}

/** Build dist/ from the source, so that the CLI processes timed run this code. */
function buildDist(): void {
  const built = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bench: building dist/ failed:\n${built.stdout}${built.stderr}`);
}

/** explore --max-memory for 'complete': the issue's 8 GB, less room for what the memory check does not count. */
const COMPLETE_MAX_MEMORY_MB = 7168;

/**
 * Time and peak memory to a complete verdict (issue 21): `explore --suite S` of the built CLI for
 * every shipped suite that holds, at its default bounds, one process each, with explore's defaults
 * (1 worker, symmetry) and no state limit short of --max-memory; a suite still running after
 * --complete-timeout seconds is interrupted (Ctrl-C), which reports the depth and states reached.
 */
/**
 * Run a child to its end, sending it SIGINT after `timeoutMs` (as Ctrl-C would): unlike
 * spawnSync's timeout, what it prints after the signal (its summary) is still read.
 */
function runWithInterrupt(args: readonly string[], timeoutMs: number): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

async function benchComplete(): Promise<CompleteRow[]> {
  buildDist();
  const rows: CompleteRow[] = [];
  const timeoutS = quick ? Math.min(completeTimeoutS, 60) : completeTimeoutS;
  for (const s of SUITES.filter((x) => x.expect.verdict === 'holds' && x.setup !== null)) {
    const args = ['--import', join(ROOT, 'bench/peak-rss.mjs'), join(ROOT, 'bin/idemcheck.js'), 'explore', '--suite', s.name, '--json', '--no-report'];
    args.push('--max-states', '1000000000', '--max-memory', String(COMPLETE_MAX_MEMORY_MB));
    const started = performance.now();
    const run = await runWithInterrupt(args, timeoutS * 1000);
    const wallMs = Math.round(performance.now() - started);
    const rss = /peak-rss-kb (\d+) cpu-us (\d+)/.exec(run.stderr ?? '');
    const peakRssMb = rss === null ? null : Math.round(Number(rss[1]) / 1024);
    const cpuMs = rss === null ? null : Math.round(Number(rss[2]) / 1000);
    const stopped = /stopped while visiting depth (\d+) after (\d+) unique states/.exec(run.stderr ?? '');
    let row: CompleteRow;
    if (run.status === 130 || stopped !== null) {
      row = {
        suite: s.name,
        verdict: 'stopped',
        asExpected: false,
        unique: stopped === null ? null : Number(stopped[2]),
        depth: stopped === null ? null : Number(stopped[1]) - 1,
        wallMs,
        cpuMs,
        peakRssMb,
        storedBytesPerState: null,
        frontierBytesPerState: null,
        note: `still running after ${timeoutS} s${stopped === null ? '' : `, visiting depth ${stopped[1]}`}`,
      };
    } else if (!run.stdout.trimStart().startsWith('[')) {
      // No result: the process failed (its first line of stderr says why) or was killed.
      const why = (run.stderr ?? '').split('\n').find((l) => l.trim() !== '' && !l.startsWith('peak-rss-kb')) ?? `exit ${run.status ?? run.signal}`;
      row = { suite: s.name, verdict: 'error', asExpected: false, unique: null, depth: null, wallMs, cpuMs, peakRssMb, storedBytesPerState: null, frontierBytesPerState: null, note: `no result: ${why}` };
    } else {
      const parsed = JSON.parse(run.stdout) as { verdict: CompleteRow['verdict']; asExpected: boolean; unique: number; depth: number; problem: string | null; storage: { visitedBytes: number; traceBytes: number; frontierBytes: number; frontierStates: number } }[];
      const r = parsed[0];
      if (r === undefined) throw new Error(`bench: explore --suite ${s.name} printed no result: ${run.stderr}`);
      row = {
        suite: s.name,
        verdict: r.verdict,
        asExpected: r.asExpected,
        unique: r.unique,
        depth: r.depth,
        wallMs,
        cpuMs,
        peakRssMb,
        storedBytesPerState: r.unique === 0 ? null : round2((r.storage.visitedBytes + r.storage.traceBytes) / r.unique),
        frontierBytesPerState: r.storage.frontierStates === 0 ? null : round2(r.storage.frontierBytes / r.storage.frontierStates),
        note: r.problem ?? '',
      };
    }
    rows.push(row);
    log(`${s.name.padEnd(50)} ${row.verdict} ${row.unique ?? '?'} states, depth ${row.depth ?? '?'}, ${ms(row.wallMs)} wall, ${row.cpuMs === null ? '?' : ms(row.cpuMs)} CPU, peak ${row.peakRssMb ?? '?'} MB${row.note === '' ? '' : ` (${row.note})`}; load ${loadavg()[0]?.toFixed(1)}`);
  }
  return rows;
}

interface ReductionRow {
  suite: string;
  /** Why por cannot reduce this suite at all (then only the full search ran), or null. */
  inert: string | null;
  full: { verdict: string; unique: number; ms: number };
  /** The reduced search's own verdict and counts, and how many states it expanded with a reduced set. */
  reduced: { verdict: string; unique: number; ms: number; reducedStates: number; expandedStates: number } | null;
  /** Full unique states over reduced, when both searches ended (complete or violated). */
  factor: number | null;
  /** explore --reduce por in all (with its full search where it falls back) over the full search alone. */
  timeRatio: number | null;
  /** explore --reduce symmetry where it applies (else why not): its verdict, states, time, and the factors over `symmetryFull`. */
  symmetry: { verdict: string; unique: number; ms: number; factor: number | null; timeRatio: number } | string;
  /** The full search symmetry is compared with (up to a larger state limit than por's). */
  symmetryFull: { verdict: string; unique: number; ms: number };
}

/** explore --reduce por against the full search on every suite, at its default bounds, up to a state limit. */
function benchReduction(): ReductionRow[] {
  const limit = quick ? 20_000 : 100_000;
  const rows: ReductionRow[] = [];
  for (const s of SUITES) {
    if (s.setup === null) continue;
    const full = explore(s.setup, s.checked, s.sought, { maxStates: limit });
    const inert = new Reducer(s.setup, s.checked.map((i) => i.name), s.sought.map((w) => w.name)).inert;
    const fullRow = { verdict: full.verdict.kind, unique: full.unique, ms: Math.round(full.ms) };
    const unsound = symmetryUnsound(s.setup);
    let symmetry: ReductionRow['symmetry'] = unsound ?? '';
    let symmetryFull = fullRow;
    if (unsound === null) {
      // A larger limit here: the suites it applies to are few, and one needs 355,619 states.
      const symLimit = quick ? limit : 400_000;
      const whole = symLimit === limit ? full : explore(s.setup, s.checked, s.sought, { maxStates: symLimit });
      const sym = explore(s.setup, s.checked, s.sought, { maxStates: symLimit, reduce: { por: false, symmetry: true } });
      const ended = whole.verdict.kind !== 'incomplete' && sym.verdict.kind !== 'incomplete';
      symmetry = { verdict: sym.verdict.kind, unique: sym.unique, ms: Math.round(sym.ms), factor: ended ? round2(whole.unique / sym.unique) : null, timeRatio: round2(sym.ms / whole.ms) };
      symmetryFull = { verdict: whole.verdict.kind, unique: whole.unique, ms: Math.round(whole.ms) };
      log(`${s.name.padEnd(50)} symmetry: ${sym.verdict.kind} ${sym.unique} states ${ms(sym.ms)} (full ${whole.verdict.kind} ${whole.unique} states ${ms(whole.ms)}); factor ${symmetry.factor ?? '-'}`);
    }
    if (inert !== null) {
      rows.push({ suite: s.name, inert, full: fullRow, reduced: null, factor: null, timeRatio: null, symmetry, symmetryFull });
      log(`${s.name.padEnd(50)} ${full.verdict.kind} ${full.unique} states; por: nothing to reduce (${inert})`);
      continue;
    }
    const por = explore(s.setup, s.checked, s.sought, { maxStates: limit, reduce: { por: true } });
    const red = por.reduction;
    if (red === undefined) throw new Error('bench bug: a reduced search without a report');
    const ended = full.verdict.kind !== 'incomplete' && red.verdict !== 'incomplete';
    const row: ReductionRow = {
      suite: s.name,
      inert: null,
      full: fullRow,
      reduced: { verdict: red.verdict, unique: red.unique, ms: Math.round(red.ms), reducedStates: red.reducedStates, expandedStates: red.reducedStates + red.fullStates },
      factor: ended ? round2(full.unique / red.unique) : null,
      timeRatio: round2(por.ms / full.ms),
      symmetry,
      symmetryFull,
    };
    rows.push(row);
    log(
      `${s.name.padEnd(50)} full ${full.verdict.kind} ${full.unique} states ${ms(full.ms)}; reduced ${red.verdict} ${red.unique} states, ${red.reducedStates} of ${red.reducedStates + red.fullStates} expanded reduced; factor ${row.factor ?? '-'}; time x${row.timeRatio}`,
    );
  }
  return rows;
}


function completeMarkdown(rows: readonly CompleteRow[]): string[] {
  const lines: string[] = [];
  lines.push('## Time and memory to a complete verdict');
  lines.push('');
  lines.push(
    `\`explore --suite S\` of the built CLI for every shipped suite that holds, at its default bounds and with explore's defaults (1 worker, symmetry where it applies, spilling to disk), one process each, \`--max-memory ${COMPLETE_MAX_MEMORY_MB}\` and no lower state limit. Wall and CPU time of the whole process (CPU over all its threads: on a busy shared machine the wall time is longer); peak memory is its resident set at its largest (all threads). "stored B/state" is the visited set and the trace arrays over the states visited; "frontier B/state" the encoded states of the levels held, at their largest. A suite still running at the time limit was interrupted (Ctrl-C): its depth is the deepest level visited in full.`,
  );
  lines.push('');
  lines.push('| suite | verdict | states | depth | wall | CPU | peak memory | stored B/state | frontier B/state | note |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const verdict = r.verdict === 'complete' ? `complete${r.asExpected ? '' : ' (not as expected)'}` : r.verdict;
    lines.push(`| ${r.suite} | ${verdict} | ${r.unique ?? '?'} | ${r.depth ?? '?'} | ${ms(r.wallMs)} | ${r.cpuMs === null ? '?' : ms(r.cpuMs)} | ${r.peakRssMb === null ? '?' : `${r.peakRssMb} MB`} | ${r.storedBytesPerState ?? ''} | ${r.frontierBytesPerState ?? ''} | ${r.note} |`);
  }
  const done = rows.filter((r) => r.verdict === 'complete' && r.asExpected);
  const total = rows.reduce((sum, r) => sum + r.wallMs, 0);
  const cpu = rows.reduce((sum, r) => sum + (r.cpuMs ?? 0), 0);
  const peak = Math.max(0, ...rows.map((r) => r.peakRssMb ?? 0));
  lines.push('');
  lines.push(
    `**${done.length} of ${rows.length}** suites complete with their expected verdict; all of them took ${ms(total)} wall and ${ms(cpu)} CPU in all (the interrupted ones counted to their time limit), at most ${peak} MB at once. Target (issue 21): every one complete, within 15 minutes in total and 8 GB.`,
  );
  lines.push('');
  return lines;
}

type Machine = { node: string; cpus: number; cpuModel: string; date: string; quick: boolean };

/** What latest.json holds: the machine of the last run, and each section measured, with when and how busy the machine was. */
interface Results {
  machine: Machine;
  /** When each section was measured (sections from an earlier run keep theirs) and the 1-minute load average then. */
  measured?: Partial<Record<Section, { date: string; load: number }>>;
  startup?: StartupRow[];
  counterexamples?: CounterexampleRow[];
  throughput?: ThroughputRow[];
  costs?: CostRow[];
  growth?: GrowthRow[];
  storage?: StorageRow[];
  workers?: WorkersRow[];
  complete?: CompleteRow[];
  swarm?: SwarmRow[];
  peers?: ReturnType<typeof peersSection>;
  reduction?: ReductionRow[];
}

function markdown(result: Results): string {
  const lines: string[] = [];
  const m = result.machine;
  lines.push('# idemcheck benchmark');
  lines.push('');
  lines.push(`Node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), ${m.date}${m.quick ? ', --quick' : ''}. Single-threaded except the worker-thread table and the CLI processes timed in "Time and memory to a complete verdict".`);
  lines.push('');
  const measured = result.measured ?? {};
  if (Object.keys(measured).length > 0) {
    lines.push('Each section was measured at the time below (`npm run bench -- --sections A,B` measures some and keeps the others); the load average is the 1-minute one when it started: this machine is shared, and other work makes times longer.');
    lines.push('');
    lines.push('| section | measured | load average |');
    lines.push('|---|---|---:|');
    for (const name of SECTIONS) {
      const at = measured[name];
      if (at !== undefined && result[name] !== undefined) lines.push(`| ${name} | ${at.date} | ${at.load < 0 ? '?' : at.load.toFixed(1)} |`);
    }
    lines.push('');
  }
  const startup = result.startup;
  if (startup !== undefined) {
    lines.push('## Start-up');
    lines.push('');
    lines.push(
      `Whole-process wall-clock time of the built CLI, median [min–max] of ${startup[0]?.runs ?? 0} runs; check writes its report to a temporary directory. \`npx\` adds npm's own start-up to the same process.`,
    );
    lines.push('');
    lines.push('| command | median | min–max | target |');
    lines.push('|---|---:|---:|---:|');
    for (const r of startup) lines.push(`| \`${r.command}\` | ${ms(r.medianMs)} | ${ms(r.minMs)}–${ms(r.maxMs)} | ${r.targetMs === null ? '' : `< ${ms(r.targetMs)}`} |`);
    lines.push('');
  }
  const counterexamples = result.counterexamples;
  if (counterexamples !== undefined) {
    lines.push(`## Time to a counterexample (${counterexamples[0]?.seeds ?? 0} seeds)`);
    lines.push('');
    lines.push(
      `Median [10th–90th percentile]. "first" is the end of the first failing run; "shrunk" includes fast-check shrinking and the final minimisation. Length/shortest compares the reported trace with the shortest one (breadth-first search); "?" where that search did not reach a counterexample within ${SHORTEST_LIMIT.toLocaleString('en-US')} states.`,
    );
    lines.push('');
    lines.push('| suite | found | first | shrunk | runs (median) | length/shortest median (max) | shortest |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of counterexamples) {
      lines.push(
        `| ${r.suite} | ${r.found}/${r.seeds} | ${ms(r.firstMedianMs)} [${ms(r.firstP10Ms)}–${ms(r.firstP90Ms)}] | ${ms(r.shrunkMedianMs)} [${ms(r.shrunkP10Ms)}–${ms(r.shrunkP90Ms)}] | ${r.medianRuns} | ${r.medianRatio?.toFixed(2) ?? '?'} (${r.maxRatio?.toFixed(2) ?? '?'}) | ${r.shortest ?? '?'} |`,
      );
    }
    const ratios = counterexamples.map((r) => r.medianRatio).filter((x): x is number => x !== null);
    lines.push('');
    lines.push(
      `Median over suites of the median length/shortest ratio: **${ratios.length === 0 ? '?' : median(ratios).toFixed(2)}** (${ratios.length} of ${counterexamples.length} suites have a known shortest).`,
    );
    lines.push('');
  }
  const throughput = result.throughput;
  if (throughput !== undefined) {
    lines.push('## Throughput');
    lines.push('');
    lines.push('| suite | random steps/s | explorer unique/s | explorer generated/s | explorer states (verdict) |');
    lines.push('|---|---:|---:|---:|---|');
    for (const r of throughput) {
      lines.push(`| ${r.suite} | ${r.randomStepsPerSecond} | ${r.explorer.uniquePerSecond} | ${r.explorer.generatedPerSecond} | ${r.explorer.unique} (${r.explorer.verdict}) |`);
    }
    lines.push('');
  }
  const costs = result.costs;
  if (costs !== undefined) {
    lines.push('## Where the explorer spends its time');
    lines.push('');
    lines.push(
      'Microseconds per call, timed on the first unique states breadth-first search reaches: listing a state\'s enabled events, a step and a state key for each of its transitions, the invariants on a new state. "per state" adds them up for one visited state (garbage collection not included); "in GC" is the share of the explorer run above spent collecting garbage. 300,000 unique states per second would leave 3.3 µs per state. The last two columns compare that explorer run with a depth-first walk over the same model and keys that drops each state once its successors are keyed (no invariants; not a substitute for the explorer: it keeps no depth, so the events bound can cut off states and its first counterexample need not be shortest): the gap is what keeping a breadth-first level alive costs.',
    );
    lines.push('');
    lines.push('| suite | sample | enabled | transitions per state | step | key | invariants | per state | in GC | explorer unique/s | depth-first unique/s |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of costs) {
      lines.push(
        `| ${r.suite} | ${r.sample} | ${r.enabledUs} | ${r.generatedPerUnique} | ${r.stepUs} | ${r.keyUs} | ${r.invariantsUs} | ${r.modelUs} | ${Math.round(r.gcShare * 100)}% | ${r.explorerPerSecond} | ${r.depthFirstPerSecond} |`,
      );
    }
    lines.push('');
  }
  const growth = result.growth;
  if (growth !== undefined) {
    lines.push('## State-space growth');
    lines.push('');
    lines.push('The idempotent producer with 2 requests in flight, up to 2 disconnects or request timeouts, 40 events; exhaustive search as records grow (the guarantee holds in every state).');
    lines.push('');
    lines.push('| records | verdict | unique states | generated | depth | time |');
    lines.push('|---:|---|---:|---:|---:|---:|');
    for (const r of growth) lines.push(`| ${r.records} | ${r.verdict} | ${r.unique} | ${r.generated} | ${r.depth} | ${ms(r.ms)} |`);
    lines.push('');
  }
  const storage = result.storage;
  if (storage !== undefined) {
    lines.push('## Storage per state');
    lines.push('');
    lines.push('Bytes the explorer holds per state: the visited set (64-bit fingerprints, table capacity), the parent and choice arrays that rebuild a trace, and the frontier (the two levels held, encoded), at its largest.');
    lines.push('');
    lines.push('| suite | states | visited set B/state | trace B/state | frontier B/encoded state | frontier states |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const r of storage) lines.push(`| ${r.suite} | ${r.unique} | ${r.visitedBytesPerState} | ${r.traceBytesPerState} | ${r.frontierBytesPerState} | ${r.frontierStates} |`);
    lines.push('');
  }
  const workers = result.workers;
  if (workers !== undefined) {
    lines.push('## Worker threads');
    lines.push('');
    lines.push("Wall time and speed-up over 1 worker; CPU time is the process's, over all its threads (explore runs in this process; check runs the built CLI, whole-process wall time).");
    lines.push('');
    lines.push('| task | workers | wall | CPU | speed-up | verdict (states) |');
    lines.push('|---|---:|---:|---:|---:|---|');
    for (const r of workers) lines.push(`| ${r.task} | ${r.workers} | ${ms(r.wallMs)} | ${r.cpuMs < 0 ? '' : ms(r.cpuMs)} | ${r.speedUp} | ${r.verdict}${r.unique === null ? '' : ` (${r.unique})`} |`);
    lines.push('');
  }
  if (result.complete !== undefined) lines.push(...completeMarkdown(result.complete));
  const reduction = result.reduction;
  if (reduction !== undefined) {
    lines.push('## Reduction factor (explore --reduce symmetry, explore --reduce por)');
    lines.push('');
    lines.push(
      'Each suite at its default bounds, full search against the reduced one, up to the same state limit. The factor is full unique states over reduced, where both searches ended. Symmetry (the default, with any number of workers) applies to the suites listed in its table; elsewhere it changes nothing. For por, "reduced" counts the states expanded with a persistent set smaller than the enabled set, and the time ratio is explore --reduce por in all (with the full search it runs where it falls back: a counterexample, or the events bound reached) over the full search alone.',
    );
    lines.push('');
    lines.push('| suite (symmetry applies) | full: verdict (states) | symmetry: verdict (states) | factor | time ratio |');
    lines.push('|---|---|---|---:|---:|');
    for (const r of reduction) {
      if (typeof r.symmetry === 'string') continue;
      lines.push(`| ${r.suite} | ${r.symmetryFull.verdict} (${r.symmetryFull.unique}), ${ms(r.symmetryFull.ms)} | ${r.symmetry.verdict} (${r.symmetry.unique}), ${ms(r.symmetry.ms)} | ${r.symmetry.factor ?? '-'} | ${r.symmetry.timeRatio} |`);
    }
    lines.push('');
    lines.push('| suite | full: verdict (states) | reduced: verdict (states) | states expanded reduced | factor | time ratio |');
    lines.push('|---|---|---|---:|---:|---:|');
    for (const r of reduction) {
      if (r.reduced === null) lines.push(`| ${r.suite} | ${r.full.verdict} (${r.full.unique}) | nothing to reduce: ${r.inert} | | | |`);
      else lines.push(`| ${r.suite} | ${r.full.verdict} (${r.full.unique}) | ${r.reduced.verdict} (${r.reduced.unique}) | ${r.reduced.reducedStates} of ${r.reduced.expandedStates} | ${r.factor ?? '-'} | ${r.timeRatio} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', date: new Date().toISOString(), quick };
  log(`idemcheck benchmark: node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel})${quick ? ', --quick' : ''}`);
  if (peersOnly) {
    log('\nPeers');
    const peers = peersSection();
    writeResults(quick ? 'peers-quick' : 'peers', { machine, peers }, [header(machine, 'peers only'), ...peersMarkdown(peers), ''].join('\n'));
    return;
  }
  if (swarmOnly) {
    log('\nSwarm against fixed');
    const swarm = benchSwarm();
    // Only a run over every violating suite is written.
    if (only === null) writeResults(quick ? 'swarm-quick' : 'swarm', { machine, swarm }, [header(machine, 'swarm against fixed only'), ...swarmMarkdown(swarm), ...SWARM_DECISION, ''].join('\n'));
    return;
  }
  if (scaleOnly) {
    log('\nStorage per state');
    benchStorage();
    log('\nWorker threads');
    await benchWorkers();
    return;
  }
  if (reduceOnly) {
    log('\nReduction factor (explore --reduce symmetry, explore --reduce por)');
    benchReduction();
    return;
  }
  if (sections !== null) {
    await measureSections(machine, sections);
    return;
  }
  if (startupOnly || only !== null) {
    // First, while nothing else of the benchmark is in memory or running.
    if (only === null) (log('\nStart-up'), benchStartup());
    if (startupOnly) return;
    log('\nTime to a counterexample');
    benchCounterexamples();
    return;
  }
  await measureSections(machine, SECTIONS);
}

/** What each section is called in the log, and how it is measured. */
const SECTION_RUNS: Record<Section, { title: string; run: () => unknown }> = {
  startup: { title: 'Start-up', run: benchStartup },
  counterexamples: { title: 'Time to a counterexample', run: benchCounterexamples },
  throughput: { title: 'Throughput', run: benchThroughput },
  costs: { title: 'Where the explorer spends its time', run: benchCosts },
  growth: { title: 'State-space growth', run: benchGrowth },
  storage: { title: 'Storage per state', run: benchStorage },
  workers: { title: 'Worker threads', run: benchWorkers },
  complete: { title: 'Time and memory to a complete verdict', run: benchComplete },
  swarm: { title: 'Swarm against fixed', run: benchSwarm },
  peers: { title: 'Peers', run: peersSection },
  reduction: { title: 'Reduction factor (explore --reduce symmetry, explore --reduce por)', run: benchReduction },
};

/**
 * Measure these sections (in SECTIONS' order) and write latest.{json,md} (quick.* with --quick):
 * a full run writes every section; a partial one keeps the other sections of the file it
 * replaces, each with the date it was measured.
 */
async function measureSections(machine: Machine, wanted: readonly Section[]): Promise<void> {
  const stem = quick ? 'quick' : 'latest';
  const previousFile = new URL(`./results/${stem}.json`, import.meta.url).pathname;
  const previous: Partial<Results> = wanted.length < SECTIONS.length && existsSync(previousFile) ? (JSON.parse(readFileSync(previousFile, 'utf8')) as Partial<Results>) : {};
  const measured: NonNullable<Results['measured']> = { ...previous.measured };
  // Sections of a file written before sections were dated: the date of that run, load unknown.
  for (const name of SECTIONS) if (previous[name] !== undefined && measured[name] === undefined) measured[name] = { date: previous.machine?.date ?? '?', load: -1 };
  const result: Results = { ...previous, machine, measured };
  for (const name of SECTIONS) {
    if (!wanted.includes(name)) continue;
    log(`\n${SECTION_RUNS[name].title}`);
    measured[name] = { date: new Date().toISOString(), load: Math.round((loadavg()[0] ?? 0) * 10) / 10 };
    (result as unknown as Record<string, unknown>)[name] = await SECTION_RUNS[name].run();
  }
  const text = [markdown(result)];
  if (result.swarm !== undefined) text.push(...swarmMarkdown(result.swarm), ...SWARM_DECISION, '');
  if (result.peers !== undefined) text.push(...peersMarkdown(result.peers), '');
  writeResults(stem, result, text.join('\n'));
}

/** The peers' table: 20 seeds (Quint 3: seconds per process), 10,000 runs, as the peers' own benchmarks use. */
function peersSection(): ReturnType<typeof benchPeers> & { seeds: number; quintSeeds: number; runs: number; processRepeats: number } {
  const settings = { seeds: quick ? 5 : 20, quintSeeds: quick ? 1 : 3, runs: 10_000, processRepeats: quick ? 1 : 3 };
  return { ...benchPeers({ root: ROOT, log, ...settings }), ...settings };
}

/** The first lines of a section's own results file. */
function header(machine: { node: string; cpus: number; cpuModel: string; date: string; quick: boolean }, what: string): string {
  return `# idemcheck benchmark (${what})\n\nNode ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.date}${machine.quick ? ', --quick' : ''}; load average ${loadavg()[0]?.toFixed(1)} at the end (other work on the machine makes the times longer, not the run counts).\n`;
}

/** Write bench/results/STEM.json and STEM.md, each through a temporary file. */
function writeResults(stem: string, result: unknown, text: string): void {
  const dir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of [
    [`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`],
    [`${stem}.md`, text],
  ] as const) {
    writeFileSync(`${dir}${name}.tmp`, body);
    renameSync(`${dir}${name}.tmp`, `${dir}${name}`);
  }
  log(`\nWrote bench/results/${stem}.json and bench/results/${stem}.md`);
}

await main();
