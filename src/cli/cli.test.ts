/**
 * The command line end to end, as a user runs it: `node bin/idemcheck.js ...` in a child process
 * (or main() in this process, cli-harness.ts, where no worker thread runs: run, replay, list, help
 * and bad input), checking output, files and exit codes (0 as expected, 1 counterexample or not as
 * expected, 2 bad input, 130 interrupted). Bad input has its own file (cli-input.test.ts), explore and long
 * traces theirs (cli-explore.test.ts), and the real clients theirs (cli-clients.test.ts), so that
 * vitest's workers share them out.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, idemcheck, idemcheckInProcess, ROOT, tempDir } from './cli-harness.js';

describe('CLI: run', () => {
  it('steps an example trace, prints a line per step and the invariants, exit 1 on a violation', async () => {
    const { code, stdout } = await idemcheckInProcess('run', '--trace', 'examples/non-idempotent-retry-duplicate.json');
    expect(code).toBe(1);
    expect(stdout).toContain('   6 BrokerReceive(b0)');
    expect(stdout).toMatch(/✗ NoDuplicateRecord: violated at step 6/);
    expect(stdout).toMatch(/✓ NoAckedRecordLost: holds/);
  });

  it('--json prints every state', async () => {
    const { code, stdout } = await idemcheckInProcess('run', '--trace', 'examples/non-idempotent-retry-duplicate.json', '--json');
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as { steps: unknown[]; invariants: { name: string; holds: boolean }[] };
    expect(doc.steps).toHaveLength(8);
    expect(doc.invariants.find((i) => i.name === 'NoDuplicateRecord')?.holds).toBe(false);
  });

  it('a config the Java client rejects is exit 2 with ConfigException\'s reason on one line', async () => {
    const dir = tempDir();
    const trace = join(dir, 't.json');
    writeFileSync(trace, JSON.stringify({ config: { acks: '1', 'enable.idempotence': true }, events: [] }));
    const { code, stderr, stdout } = await idemcheckInProcess('run', '--trace', trace);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('config.acks: ConfigException: Must set acks to all in order to use the idempotent producer.');
  });

  it('an event that is not enabled is exit 2 naming the step', async () => {
    const dir = tempDir();
    const trace = join(dir, 't.json');
    writeFileSync(trace, JSON.stringify({ config: {}, events: ['AppSend(p0)', 'ProducerReceive(b0)'] }));
    const { code, stderr } = await idemcheckInProcess('run', '--trace', trace);
    expect(code).toBe(2);
    expect(stderr).toContain('step 2 (ProducerReceive(b0)) is not enabled: no response is on its way from broker 0');
  });

  it('an unknown field is exit 2 naming it', async () => {
    const dir = tempDir();
    const trace = join(dir, 't.json');
    writeFileSync(trace, JSON.stringify({ config: { 'ack': 'all' }, events: [] }));
    const { code, stderr } = await idemcheckInProcess('run', '--trace', trace);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown config key 'ack'");
  });
});

describe('CLI: check, reports and replay', () => {
  it('runs a suite, writes its report whole, and replay reproduces it exactly', async () => {
    const dir = tempDir();
    const { code, stdout } = idemcheck('check', '--suite', 'delivery.acks1-retry-duplicates', '--report-dir', dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/delivery\.acks1-retry-duplicates\s+violates NoDuplicateRecord\s+violates NoDuplicateRecord/);
    const files = readdirSync(dir).sort();
    const stem = 'delivery.acks1-retry-duplicates-seed20261125';
    expect(files).toEqual([`${stem}.html`, `${stem}.json`, `${stem}.md`, `${stem}.test.ts`]);
    const markdown = readFileSync(join(dir, `${stem}.md`), 'utf8');
    // The directory was given as an absolute path, so the replay command names the report by it.
    expect(markdown.split('\n').slice(0, 6).join('\n')).toContain(`npx idemcheck replay ${join(dir, `${stem}.json`)}`);
    expect(readFileSync(join(dir, `${stem}.html`), 'utf8')).toContain('<svg');
    const replayed = await idemcheckInProcess('replay', join(dir, `${stem}.json`));
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('reproduced exactly: same trace fingerprint');
    const report = JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as { fastCheck: { path: string; replayPath: string } };
    const fromCoordinates = await idemcheckInProcess('replay', '--suite', 'delivery.acks1-retry-duplicates', '--seed', '20261125', '--path', report.fastCheck.path, '--replay-path', report.fastCheck.replayPath);
    expect(fromCoordinates.code).toBe(0);
    const fingerprint = replayed.stdout.match(/fingerprint (\w+)/)?.[1] ?? 'missing';
    expect(fromCoordinates.stdout).toContain(fingerprint);
    // A fingerprint is compared whatever the case of its hexadecimal digits.
    const upper = await idemcheckInProcess('replay', '--suite', 'delivery.acks1-retry-duplicates', '--seed', '20261125', '--path', report.fastCheck.path, '--replay-path', report.fastCheck.replayPath, '--fingerprint', fingerprint.toUpperCase());
    expect(upper.code).toBe(0);
    expect(upper.stdout).toContain('reproduced exactly from fast-check\'s coordinates');
  });

  it.each([
    ['outside the project', () => tempDir()],
    // Inside the project vitest would find the project's own config, which includes only src/ and reports/.
    ['inside the project, outside reports/', () => mkdtempSync(join(ROOT, '.tmp-report-dir-'))],
  ])('a regression test written %s names a command that runs it', (_where, makeDir) => {
    const dir = realpathSync(makeDir());
    try {
      idemcheck('check', '--suite', 'delivery.acks1-retry-duplicates', '--report-dir', dir);
      const test = readFileSync(join(dir, 'delivery.acks1-retry-duplicates-seed20261125.test.ts'), 'utf8');
      const command = test.match(/^\/\/ Run it with: cd "([^"]+)" && npx vitest run -c "([^"]+)" --root "([^"]+)"$/m);
      expect(command?.[1]).toBe(realpathSync(ROOT).replace(/\/$/, ''));
      expect(command?.[3]).toBe(dir);
      const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '-c', command?.[2] ?? 'missing', '--root', dir], {
        cwd: command?.[1] ?? ROOT,
        encoding: 'utf8',
      });
      expect(`${run.stdout}${run.stderr}`).toContain('1 passed');
      expect(run.status).toBe(0);
    } finally {
      if (dir.startsWith(realpathSync(ROOT))) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check --json gives the verdict, the counterexample with its shortest length and the search limit', async () => {
    const { code, stdout } = idemcheck('check', '--suite', 'delivery.acks0-loses-acknowledged', '--suite', 'config.explicit-idempotence-acks-1', '--json', '--no-report');
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { verdict: string; invariant: string | null; configError: string | null; counterexample: { shortest: number; shortestLimit: number; path: string; replayPath: string } }[];
    expect(rows[0]).toMatchObject({ verdict: 'violated', invariant: 'NoAckedRecordLost', configError: null });
    expect(rows[1]).toMatchObject({ verdict: 'rejected', invariant: null, counterexample: null });
    expect(rows[1]?.configError).toMatch(/acks/);
    expect(rows[0]?.counterexample).toMatchObject({ shortest: 3, shortestLimit: 100000 });
    // Both coordinates replay needs, as the report gives them.
    const { path, replayPath } = rows[0]?.counterexample ?? { path: '', replayPath: '' };
    expect(replayPath).toMatch(/\S/);
    const replayed = await idemcheckInProcess('replay', '--suite', 'delivery.acks0-loses-acknowledged', '--seed', '20261125', '--path', path, '--replay-path', replayPath);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('found a counterexample at these coordinates');
  });

  it('an ad-hoc config Kafka refuses: exit 2 with the reason on stderr, and with --json its row (verdict rejected, configError) as a named config suite gets', async () => {
    const { code, stdout, stderr } = await idemcheckInProcess('check', '--set', 'acks=1', '--set', 'enable.idempotence=true', '--json', '--no-report');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual(['idemcheck check: --set acks: ConfigException: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.']);
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ suite: 'ad-hoc', verdict: 'rejected', got: 'ConfigException', asExpected: false, invariant: null, counterexample: null, runs: 0 });
    expect(rows[0]?.configError).toBe('Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
    // The same fields as a named config suite's row.
    const named = JSON.parse(idemcheck('check', '--suite', 'config.explicit-idempotence-acks-1', '--json', '--no-report').stdout) as Record<string, unknown>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(Object.keys(named[0] ?? {}));
    // A limit of the model is not Kafka refusing: no row.
    const limit = await idemcheckInProcess('check', '--set', 'partitions=3', '--json', '--no-report');
    expect(limit.code).toBe(2);
    expect(limit.stdout).toBe('');
  });

  it("--json keeps what Kafka logs for the config (each row's kafkaLogs), which the table prints as a note", () => {
    const plain = idemcheck('check', '--set', 'retries=0', '--runs', '10', '--no-report');
    expect(plain.stdout).toContain('note: Kafka logs: INFO Idempotence will be disabled because retries is set to 0.');
    const json = idemcheck('check', '--set', 'retries=0', '--runs', '10', '--no-report', '--json');
    const [adHoc] = JSON.parse(json.stdout) as { kafkaLogs: string[] }[];
    expect(adHoc?.kafkaLogs).toEqual(['INFO Idempotence will be disabled because retries is set to 0.']);
    const named = idemcheck('explore', '--suite', 'config.implicit-acks-1-disables-idempotence', '--no-report', '--json');
    const [row] = JSON.parse(named.stdout) as { kafkaLogs: string[] }[];
    expect(row?.kafkaLogs).toEqual(["INFO Idempotence will be disabled because acks is set to 1, not set to 'all'."]);
  });

  it('explore leaves out suites whose config Kafka refuses, with a note (on stderr with --json)', () => {
    const plain = idemcheck('explore', '--suite', 'config.*', '--no-report');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('note: not explored, Kafka refuses their config (idemcheck check shows the ConfigException): config.explicit-idempotence-retries-0,');
    expect(plain.stdout).toContain('1 suite explored: 1 as expected.');
    const json = idemcheck('explore', '--suite', 'config.*', '--no-report', '--json');
    expect((JSON.parse(json.stdout) as { suite: string }[]).map((r) => r.suite)).toEqual(['config.implicit-acks-1-disables-idempotence']);
    expect(json.stderr).toContain('note: not explored');
  });

  it('an ad-hoc check finds the duplicate of a non-idempotent producer and exits 1', () => {
    const dir = tempDir();
    const { code, stdout } = idemcheck(
      'check', '--set', 'acks=1', '--set', 'enable.idempotence=false', '--faults', 'disconnect', '--invariants', 'NoDuplicateRecord', '--report-dir', dir,
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/ad-hoc\s+holds\s+violates NoDuplicateRecord/);
    expect(readdirSync(dir).some((f) => /^ad-hoc-[0-9a-f]{8}-seed20261125\.json$/.test(f))).toBe(true);
    // An experiment's unexpected counterexample gets no regression test: one asserting the
    // invariant holds would fail the regression command the README gives next.
    expect(readdirSync(dir).filter((f) => f.endsWith('.test.ts'))).toEqual([]);
  });

  it('a counterexample by a mechanism a shipped suite documents names that suite, in the table, the JSON and the report', () => {
    const dir = tempDir();
    // The default faults include delivery-timeout: acks=all alone meets finding 1.
    const plain = idemcheck('check', '--set', 'acks=all', '--report-dir', dir);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('the trace repeats a known mechanism, shown by suite finding.failure-after-deadline-rewrites-in-flight');
    const markdown = readdirSync(dir).find((f) => f.endsWith('.md')) ?? 'missing';
    expect(readFileSync(join(dir, markdown), 'utf8')).toContain('The trace repeats a known mechanism, shown by suite finding.failure-after-deadline-rewrites-in-flight');
    const json = idemcheck('explore', '--set', 'acks=all', '--no-report', '--json');
    const [row] = JSON.parse(json.stdout) as { knownMechanism: { suite: string } | null }[];
    expect(row?.knownMechanism?.suite).toBe('finding.failure-after-deadline-rewrites-in-flight');
  });

  it('an ad-hoc check that holds exits 0 and --json gives machine-readable results', () => {
    const { code, stdout } = idemcheck('check', '--set', 'max.in.flight.requests.per.connection=2', '--faults', 'disconnect', '--runs', '100', '--json', '--no-report');
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { suite: string; asExpected: boolean; got: string }[];
    expect(rows).toEqual([expect.objectContaining({ suite: 'ad-hoc', asExpected: true, got: 'holds', verdict: 'holds', invariant: null, configError: null })]);
  });

  it('replay of a damaged or foreign report is a clear error, not a stack trace', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "idemcheck-report", "version": 99}');
    const wrongVersion = await idemcheckInProcess('replay', bad);
    expect(wrongVersion.code).toBe(2);
    expect(wrongVersion.stderr).toContain('report version 99 is not supported');
    writeFileSync(bad, '{"format": "idemcheck-report", "version": 1, "configInput": {}, "faults": [], "bounds": {}}');
    const broken = await idemcheckInProcess('replay', bad);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not a usable idemcheck report');
    writeFileSync(bad, '{"format": ');
    expect((await idemcheckInProcess('replay', bad)).stderr).toContain('not valid JSON');
  });

  it('replay notices a report whose settings were edited, and a fingerprint that does not match', async () => {
    const dir = tempDir();
    expect(idemcheck('check', '--suite', 'delivery.acks0-loses-acknowledged', '--report-dir', dir).code).toBe(0);
    const path = join(dir, 'delivery.acks0-loses-acknowledged-seed20261125.json');
    const report = JSON.parse(readFileSync(path, 'utf8')) as { config: Record<string, unknown>; fastCheck: { path: string; replayPath: string } };
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...report, config: { ...report.config, acks: '1' } }));
    const mismatch = await idemcheckInProcess('replay', edited);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain("'config' does not match what 'configInput' resolves to");
    const wrong = await idemcheckInProcess('replay', '--suite', 'delivery.acks0-loses-acknowledged', '--seed', '20261125', '--path', report.fastCheck.path, '--replay-path', report.fastCheck.replayPath, '--fingerprint', '0000000000000000');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('not reproduced: these coordinates give fingerprint');
  });

  it('Ctrl-C stops a run, prints the seed and what was checked, and leaves no report behind', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [BIN, 'check', '--suite', 'delivery.idempotent-in-flight-5', '--runs', '10000000', '--report-dir', dir], {
      cwd: ROOT,
      env: { ...process.env, FC_SEED: '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // The table's header is printed once the command has loaded; the interrupt comes well after
    // that (the suite's worker still has to load), so a busy machine's slow start does not make it
    // arrive before the suite runs.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('expected')) resolve();
      });
      // A child that ends first fails the exit-code check below instead of leaving this test to time out.
      child.on('exit', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted: seed 20261125; finished 0 of 1 suites; delivery.idempotent-in-flight-5 stopped after');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

describe('CLI: replay compares what it says it compares', () => {
  type Report = { states: { cluster: { partitions: { replicas: { hw: number }[] }[] }; producer: { partitions: { nextSequence: number }[] } }[]; suite: string | null; violation: { invariant: string }; fingerprint: string; faults: string[] };
  const example = (): Report => JSON.parse(readFileSync(join(ROOT, 'reports/examples/restart.at-least-once-duplicates-seed20261125.json'), 'utf8')) as Report;
  it.each<[string, (r: Report) => void, string]>([
    ['a high watermark', (r) => { (r.states[3]?.cluster.partitions[0]?.replicas[0] ?? { hw: 0 }).hw = 9; }, "the state after step 3 differs from the report's at cluster.partitions[0].replicas[0].hw: the report has 9, the model gives 1"],
    ['a sequence number', (r) => { (r.states[0]?.producer.partitions[0] ?? { nextSequence: 0 }).nextSequence = 4; }, "the initial state differs from the report's at producer.partitions[0].nextSequence: the report has 4, the model gives 0"],
    ['the suite, to another suite', (r) => { r.suite = 'finding.clean-broker-restart-duplicates'; }, "the report names suite finding.clean-broker-restart-duplicates, but its 'configInput' {\"application\":\"at-least-once\"} is not the suite's {}"],
    ['the suite, to no suite', (r) => { r.suite = 'no.such'; }, "the report names suite 'no.such', which is no shipped suite"],
    ['the faults', (r) => { r.faults = ['disconnect']; }, "the report names suite restart.at-least-once-duplicates, but its 'faults' [\"disconnect\"] is not the suite's"],
    ['the invariant', (r) => { r.violation.invariant = 'NoAckedRecordLost'; }, 'the report says NoAckedRecordLost is violated, but it holds in every state of the trace (the trace violates NoDuplicateRecord from step 7)'],
    ['the fingerprint', (r) => { r.fingerprint = '0123456789abcdef'; }, `every state matches the report's, but its 'fingerprint' 0123456789abcdef is not theirs, ${example().fingerprint}`],
  ])('an edited report (%s) is not reproduced, exit 1, and the message names what differs', async (_what, edit, message) => {
    const report = example();
    edit(report);
    const path = join(tempDir(), 'edited.json');
    writeFileSync(path, JSON.stringify(report));
    const { code, stdout } = await idemcheckInProcess('replay', path);
    expect(code).toBe(1);
    expect(stdout).toContain('not reproduced (the model or the report changed):');
    expect(stdout).toContain(`  - ${message}`);
    expect(stdout).not.toContain('reproduced exactly');
  });
});

describe('CLI: check, the shortest counterexample', () => {
  it('says when its search for the shortest stopped short, and when there was none', () => {
    const dir = tempDir();
    const stem = join(dir, 'delivery.acks1-retry-duplicates-seed20261125');
    const small = idemcheck('check', '--suite', 'delivery.acks1-retry-duplicates', '--shortest-states', '5', '--report-dir', dir);
    expect(small.code).toBe(0);
    expect(small.stdout).toContain('shortest possible: not reached in 5 states');
    expect(readFileSync(`${stem}.md`, 'utf8')).toContain('a search of 5 states did not reach it (check --shortest-states N searches further)');
    const enough = idemcheck('check', '--suite', 'delivery.acks1-retry-duplicates', '--report-dir', dir);
    expect(enough.stdout).toMatch(/6 steps \(shortest possible: 6; the search took \d+\.\ds\)/);
    expect(readFileSync(`${stem}.md`, 'utf8')).toContain('the shortest possible is 6');
    idemcheck('check', '--suite', 'delivery.acks1-retry-duplicates', '--shortest-states', '0', '--report-dir', dir);
    expect(readFileSync(`${stem}.md`, 'utf8')).toContain('the shortest possible was not searched for (--shortest-states 0)');
  });
});

describe('CLI: list and help', () => {
  it('list names every suite, invariant, witness, fault and setting', async () => {
    const { code, stdout } = await idemcheckInProcess('list');
    expect(code).toBe(0);
    for (const word of ['restart.at-least-once-duplicates', 'NoDuplicateRecord', 'LostAckDeduplicated', 'producer-restart', 'min.insync.replicas', '--cluster-changes']) {
      expect(stdout).toContain(word);
    }
  });

  it('-h is --help, and help COMMAND shows that command\'s help', async () => {
    for (const args of [['check', '-h'], ['help', 'check']]) {
      const { code, stdout } = await idemcheckInProcess(...args);
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: idemcheck check');
    }
  });

  it('--version gives the version package.json declares, and the Kafka release modelled', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = idemcheck(flag);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(`idemcheck ${version} (models the producer and broker rules of Apache Kafka 3.8.0)`);
    }
  });

  it('help for an unknown command is bad input', async () => {
    const { code, stderr } = await idemcheckInProcess('help', 'nosuch');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'nosuch'");
  });

  it('list --json gives each suite its expected verdict as a field', async () => {
    const { stdout } = await idemcheckInProcess('list', '--json');
    const suites = (JSON.parse(stdout) as { suites: { name: string; expect: string; text: string }[] }).suites;
    expect(suites.find((s) => s.name === 'delivery.acks0-loses-acknowledged')).toMatchObject({ expect: 'violates NoAckedRecordLost', text: expect.stringMatching(/^With acks=0/) });
  });

  it('list shows the suites reached only by a hand-written trace apart from those check runs', async () => {
    const { stdout } = await idemcheckInProcess('list', '--json');
    const all = JSON.parse(stdout) as Record<string, { name: string; expect: string }[]>;
    expect(all.traceSuites?.find((s) => s.name === 'txn.kafka-17754-stale-endtxn-tv1')).toMatchObject({ expect: 'violates NoCommittedWriteLost' });
    expect(all.suites?.some((s) => s.name === 'txn.kafka-17754-stale-endtxn-tv1')).toBe(false);
    expect((await idemcheckInProcess('list')).stdout).toContain('suites reached only by a hand-written trace');
  });

  it('an unknown option is named in one sentence', async () => {
    const { code, stderr } = await idemcheckInProcess('replay', '--foo');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe("idemcheck replay: Unknown option '--foo' (see idemcheck replay --help)");
  });

  it('--help explains each command', async () => {
    for (const command of ['check', 'explore', 'replay', 'run', 'list', 'clients']) {
      const { code, stdout } = await idemcheckInProcess(command, '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: idemcheck ${command}`);
    }
  });
});

describe('CLI: run --trace of a suite, with a report', () => {
  it('steps the KAFKA-17754 trace with the suite’s setup and invariants, writes the report of the earliest violation and exits 1', async () => {
    const dir = tempDir();
    const { code, stdout } = await idemcheckInProcess('run', '--trace', join(ROOT, 'examples/kafka-17754-stale-endtxn-tv1.json'), '--report-dir', dir);
    expect(stdout).toContain('config: acks=all enable.idempotence=true');
    expect(stdout).toContain('transactional.id=orders');
    expect(stdout).toContain('✗ NoCommittedWriteLost: violated at step 51: transaction #2 was committed (commitTransaction() returned), but r1 was aborted by a marker');
    expect(stdout).toContain('✗ TransactionAtomic: violated at step 53: transaction #2 is torn');
    expect(stdout).toContain('report (written by hand, not found by a search)');
    expect(code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['html', 'json', 'md', 'test.ts'].map((ext) => `txn.kafka-17754-stale-endtxn-tv1-trace.${ext}`));
    const replayed = await idemcheckInProcess('replay', join(dir, 'txn.kafka-17754-stale-endtxn-tv1-trace.json'));
    expect(replayed.stdout).toContain('reproduced exactly');
  });

  it.each([
    [{ events: [] }, '--report-dir: only a trace of a suite'],
    [{ suite: 'no.such', events: [] }, 'suite: no suite is named no.such'],
    [{ suite: 'txn.kafka-17754-stale-endtxn-tv1', config: { acks: 1 }, events: [] }, 'config: a trace of a suite takes the suite'],
  ])('refuses %j in one line, exit 2, writing nothing', async (doc, message) => {
    const dir = tempDir();
    const file = join(dir, 'trace.json');
    writeFileSync(file, JSON.stringify(doc));
    const { code, stderr } = await idemcheckInProcess('run', '--trace', file, '--report-dir', join(dir, 'out'));
    expect(stderr).toContain(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(code).toBe(2);
    expect(readdirSync(dir)).toEqual(['trace.json']);
  });

  it('refuses --report-dir with --json in one line, exit 2, before stepping', async () => {
    const dir = tempDir();
    const { code, stderr } = await idemcheckInProcess('run', '--trace', join(ROOT, 'examples/kafka-17754-stale-endtxn-tv1.json'), '--json', '--report-dir', join(dir, 'out'));
    expect(stderr.trim()).toBe('idemcheck run: --report-dir: not with --json (run it without --json to write the report)');
    expect(code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});
