/**
 * The command line end to end for `idemcheck explore` and long traces: `node bin/idemcheck.js ...` in a child process, as in
 * cli.test.ts (split from it so that vitest's workers share the files out); run, replay and bad
 * input call main() in this process (cli-harness.ts).
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idemcheck, idemcheckInProcess, ROOT, tempDir } from './cli-harness.js';
import { replayScenario } from '../checker/replay.js';
import { applyPatch } from '../checker/state-diff.js';
import type { PatchOp } from '../checker/state-diff.js';
import type { ConfigInput } from '../model/config.js';

describe('CLI: long traces', () => {
  /** A trace of `cycles` send-and-acknowledge rounds (4 events each) on a non-idempotent acks=1 producer. */
  function longTrace(dir: string, cycles: number): string {
    const events = Array.from({ length: cycles }, () => ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)']).flat();
    const path = join(dir, `long-${cycles}.json`);
    writeFileSync(path, JSON.stringify({ config: { acks: '1' }, events }));
    return path;
  }

  it('run prints output linear in the trace, as text and as JSON (four times the events, about four times the bytes)', async () => {
    const dir = tempDir();
    const [short, long] = [longTrace(dir, 100), longTrace(dir, 400)];
    for (const json of [[], ['--json']]) {
      const a = await idemcheckInProcess('run', '--trace', short, ...json);
      const b = await idemcheckInProcess('run', '--trace', long, ...json);
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      // Quadratic output (every record's outcome, or every state whole, on every step) gave 14 times.
      expect(Buffer.byteLength(b.stdout) / Buffer.byteLength(a.stdout)).toBeLessThan(4.6);
      // About 1,200 bytes an event: 1,927,089 for these 1,600 with --json (1,879,599 before each
      // acknowledgement also cleared its send's two attempt counts, ghost.ts settle).
      expect(Buffer.byteLength(b.stdout)).toBeLessThan(1600 * 1250);
    }
  });

  it('run --json gives the initial state and each step\'s changes, which rebuild every state', async () => {
    const { code, stdout } = await idemcheckInProcess('run', '--trace', 'examples/non-idempotent-retry-duplicate.json', '--json');
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as { steps: { step: number; state?: unknown; changes?: PatchOp[] }[] };
    const trace = JSON.parse(readFileSync(join(ROOT, 'examples/non-idempotent-retry-duplicate.json'), 'utf8')) as { config: ConfigInput; events: string[] };
    const { states } = replayScenario(trace.config, trace.events);
    expect(doc.steps).toHaveLength(states.length);
    let state = doc.steps[0]?.state;
    expect(state).toEqual(states[0]);
    for (let i = 1; i < states.length; i++) {
      state = applyPatch(state, doc.steps[i]?.changes ?? []);
      expect(state).toEqual(JSON.parse(JSON.stringify(states[i])));
    }
  });

  it('a trace or report past 10000 events is refused with one line, exit 2', async () => {
    const dir = tempDir();
    const path = join(dir, 'huge.json');
    writeFileSync(path, JSON.stringify({ config: {}, events: Array.from({ length: 10_001 }, () => 'AppSend(p0)') }));
    const run = await idemcheckInProcess('run', '--trace', path);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`${path}: events: 10001 events, more than the 10000 a trace may have`);
    const report = JSON.parse(readFileSync(join(ROOT, 'reports/examples/restart.at-least-once-duplicates-seed20261125.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...report, events: Array.from({ length: 10_001 }, () => 'AppSend(p0)') }));
    const replay = await idemcheckInProcess('replay', path);
    expect(replay.code).toBe(2);
    expect(replay.stderr.trim().split('\n')).toHaveLength(1);
    expect(replay.stderr).toContain('10001 events, more than the 10000 a trace may have');
  });
});

describe('CLI: explore', () => {
  it('a limit stops the search: exit 1, says up to which depth it visited everything, writes nothing', () => {
    const dir = tempDir();
    const { code, stdout } = idemcheck('explore', '--suite', 'delivery.idempotent-in-flight-1', '--max-states', '200', '--report-dir', dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/the state limit \(200 unique states\) was reached while visiting depth (\d+) \(every state to depth \d+ was visited\)/);
    const [, visiting] = stdout.match(/while visiting depth (\d+)/) ?? [];
    const [, table] = stdout.match(/incomplete after 200 states\s+200\s+\d+\s+(\d+)/) ?? [];
    // The table's depth is the deepest level visited completely, one less than the level it stopped in.
    expect(Number(table) + 1).toBe(Number(visiting));
    expect(stdout).toContain('to search further: raise --max-states or --max-memory');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--max-memory measures each suite alone: a large suite stopped by it does not stop the next one', () => {
    // The limit used to be the process's RSS, which never falls: every suite after a large one stopped at once.
    // --no-spill: with the frontier on disk the large suite would run to its state limit instead.
    const { code, stdout } = idemcheck('explore', '--suite', 'replication.acks-all-min-isr-2-no-loss', '--suite', 'delivery.idempotent-in-flight-2', '--max-memory', '90', '--no-spill', '--no-report', '--json');
    expect(code).toBe(1);
    const [large, small] = JSON.parse(stdout) as { suite: string; verdict: string; problem: string | null; unique: number }[];
    expect(large?.verdict).toBe('incomplete');
    expect(large?.problem).toContain('the memory limit (90 MB) was reached');
    expect(small?.suite).toBe('delivery.idempotent-in-flight-2');
    expect(small?.verdict).toBe('complete');
    expect(small?.unique).toBe(4277);
  });

  it('finds the shortest counterexample, writes a report replay reproduces, and --json names the invariant', async () => {
    const dir = tempDir();
    const { code, stdout } = idemcheck('explore', '--suite', 'delivery.acks1-retry-duplicates', '--json', '--report-dir', dir);
    expect(code).toBe(0);
    const [row] = JSON.parse(stdout) as { verdict: string; invariant: string | null; events: string[]; report: { json: string } }[];
    expect(row?.verdict).toBe('violated');
    expect(row?.invariant).toBe('NoDuplicateRecord');
    expect(row?.events).toHaveLength(6);
    const replayed = await idemcheckInProcess('replay', row?.report.json ?? 'missing');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('reproduced exactly');
  });

  it('--reduce por: the same verdict and shortest counterexample, a report replay reproduces; symmetry by default; bad values exit 2 in one line', async () => {
    const dir = tempDir();
    const { code, stdout } = idemcheck('explore', '--suite', 'delivery.acks1-retry-duplicates', '--reduce', 'por', '--json', '--report-dir', dir);
    expect(code).toBe(0);
    const [row] = JSON.parse(stdout) as { verdict: string; events: string[]; report: { json: string }; reduction: { verdict: string; length: number } | null }[];
    expect(row?.events).toHaveLength(6);
    expect(row?.reduction).toMatchObject({ verdict: 'violated', length: 6 });
    expect((await idemcheckInProcess('replay', row?.report.json ?? 'missing')).stdout).toContain('reproduced exactly');
    const byDefault = idemcheck('explore', '--suite', 'replication.acks1-loses-on-failover', '--suite', 'delivery.acks0-loses-acknowledged', '--no-report');
    expect(byDefault.stdout.match(/symmetry: interchangeable brokers merged/g)).toHaveLength(1);
    for (const [args, message] of [
      [['--reduce', 'por,symmetry'], "idemcheck explore: --reduce: 'por,symmetry' is not allowed; give one of: por, symmetry, none (por and symmetry do not combine)\n"],
      [['--reduce', 'por', '--workers', '2'], 'idemcheck explore: --reduce: por runs on one worker; use --workers 1, or --reduce symmetry or none\n'],
    ] as const) {
      const bad = await idemcheckInProcess('explore', '--suite', 'delivery.acks1-retry-duplicates', ...args, '--no-report');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe(message);
      expect(bad.stdout).toBe('');
    }
  });

  it('ad-hoc reports with different expectations get different names', () => {
    const dir = tempDir();
    const adHoc = ['explore', '--set', 'acks=1', '--set', 'enable.idempotence=false', '--faults', 'disconnect', '--records', '2', '--report-dir', dir];
    expect(idemcheck(...adHoc).code).toBe(1);
    expect(idemcheck(...adHoc, '--expect', 'violated:NoDuplicateRecord').code).toBe(0);
    const stems = new Set(readdirSync(dir).map((f) => f.replace(/\.(json|md|html|test\.ts)$/, '')));
    expect(stems.size).toBe(2);
    // Only the expected counterexample is pinned by a regression test, and that test passes.
    const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts'));
    expect(tests).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(dir, (tests[0] ?? '').replace(/\.test\.ts$/, '.json')), 'utf8')) as { expected: string };
    expect(report.expected).toBe('violates NoDuplicateRecord');
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '-c', join(ROOT, 'vitest.report-dir.config.ts'), '--root', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toContain('1 passed');
    expect(run.status).toBe(0);
  });
});
