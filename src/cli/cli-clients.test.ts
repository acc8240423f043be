/**
 * The command line end to end for `idemcheck clients`: `node bin/idemcheck.js ...` in a child process, as in
 * cli.test.ts (split from it so that vitest's workers share the files out). Runs that finish call
 * main() in this process (cli-harness.ts); the run whose sends never resolve and the report that
 * cannot be written stay real spawns.
 */

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idemcheck, idemcheckInProcess, tempDir } from './cli-harness.js';
import { renderClientMarkdown } from '../report/client-report.js';
import { buildClientReport, headerLine, javaRefusal, planFromArgs, runPlanned, settingNotes } from './clients.js';

describe('CLI: clients', () => {
  it('a sound kafkajs setup under transient faults: exit 0, one line per run, no report', async () => {
    const dir = tempDir();
    // Partitions named by the harness: keyless records left to kafkajs's partitioner are not safe (clients.test.ts).
    const { code, stdout } = await idemcheckInProcess('clients', '--client', 'kafkajs', '--partition-by-harness', '--runs', '2', '--report-dir', dir);
    expect(code).toBe(0);
    expect(stdout).toContain('kafkajs 2.2.4');
    expect(stdout).toMatch(/seed 1: 10 ok, 0 failed, 0 pending; \d+ produce requests, \d+ faults?, at most 1 in flight · ✓ no violation/);
    expect(stdout).toContain('2 runs: no violation; 2 passed.');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the @platformatic/kafka concurrent-send defect: exit 1, a report whose rerun command reproduces it', async () => {
    const dir = tempDir();
    const args = ['--client', 'platformatic', '--workload', 'concurrent', '--partitions', '1', '--faults', 'none', '--runs', '1', '--reruns', '1'];
    const { code, stdout } = await idemcheckInProcess('clients', ...args, '--report-dir', dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ NoAckedRecordLost, DistinctAckedOffsets \(reproduced 1\/1\)/);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(3);
    expect(files.map((f) => f.replace(/^client-platformatic-seed1-[0-9a-f]{8}\./, ''))).toEqual(['html', 'json', 'md']);
    const md = readFileSync(join(dir, files.find((f) => f.endsWith('.md')) ?? ''), 'utf8');
    expect(md).toContain('# NoAckedRecordLost, DistinctAckedOffsets violated: platformatic 1.35.0 (seed 1)');
    expect(md).toContain('duplicate@');
    const command = /npx idemcheck clients (.*)/.exec(md)?.[1] ?? '';
    const again = await idemcheckInProcess('clients', ...command.split(' '), '--no-report');
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('NoAckedRecordLost');
  });

  it('settings the Java client refuses but this client runs get a note with ConfigException\'s reason', async () => {
    const settings = { idempotent: true, acks: -1, maxInFlight: 1, retries: 1000, requestTimeoutMs: 300, oneRecordPerBatch: true } as const;
    expect(javaRefusal(settings)).toBeNull();
    expect(javaRefusal({ ...settings, maxInFlight: 6 })).toBe('Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.');
    expect(javaRefusal({ ...settings, maxInFlight: 6, idempotent: false })).toBeNull();
    const { code, stdout } = await idemcheckInProcess('clients', '--client', 'kafkajs', '--runs', '1', '--records', '2', '--max-in-flight', '6', '--faults', 'none', '--no-report');
    // Not a pass: the wire never saw 6 requests in flight.
    expect(code).toBe(1);
    expect(stdout).toContain('○ not tested as asked: at most 1 request in flight per connection on the wire, not the 6 asked for (no violation, not a pass)');
    expect(stdout).toContain('1 run: no violation; 1 not tested as asked (seed 1); 0 passed.');
    expect(stdout).toContain('note: the Java client refuses these settings (ConfigException: Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.); kafkajs accepts them');
    // And that kafkajs does not use it: an idempotent producer sends one request per broker at a time.
    expect(stdout).toContain('note: kafkajs sends an idempotent producer\'s requests to a broker one at a time (a lock per broker, released when a request is answered or times out), so --max-in-flight 6 has no effect');
    const plain = await idemcheckInProcess('clients', '--client', 'kafkajs', '--runs', '1', '--records', '2', '--faults', 'none', '--no-report');
    expect(plain.stdout).not.toContain('Java client refuses');
    // With --json the note goes to stderr and stdout stays one JSON array.
    const json = await idemcheckInProcess('clients', '--client', 'kafkajs', '--runs', '1', '--records', '2', '--max-in-flight', '6', '--faults', 'none', '--no-report', '--json');
    expect(json.stderr).toContain('note: the Java client refuses these settings');
    const rows = JSON.parse(json.stdout) as unknown[];
    expect(rows).toHaveLength(1);
    // Each row says what was run, so that it reads on its own.
    expect(rows[0]).toMatchObject({ seed: 1, client: 'kafkajs', clientVersion: '2.2.4', settings: { idempotent: true, maxInFlight: 6 }, faults: [], faultsInjected: 0 });
    expect((rows[0] as { notes: string[] }).notes[0]).toMatch(/^the Java client refuses these settings/);
    expect(rows[0]).toMatchObject({ settingsInEffect: { idempotent: true, maxInFlight: 1 } });
  });

  it('the header names the workload, partitions, keyed or not, retries and batching', () => {
    expect(headerLine(planFromArgs(['--client', 'kafkajs']))).toBe(
      "kafkajs 2.2.4 · 3 brokers, sequential, 10 records, 2 partitions, keyless (the client's partitioner) · idempotent true, acks=all, max in flight 1, retries 1000, one record per batch · faults lose-request, lose-response, error-after-append, error-without-append, hold-response, move-leader, crash-leader, shrink-isr at rate 0.25",
    );
    expect(headerLine(planFromArgs(['--client', 'kafkajs', '--keyed', '--batch', 'client', '--retries', '1', '--faults', 'none']))).toContain("keyed (the client's partitioner) · idempotent true, acks=all, max in flight 1, retries 1, the client's batching · no faults");
  });

  it('notes where a client changes or ignores a setting, and a pipeline sequential sends cannot fill', () => {
    const notes = (...args: string[]): readonly string[] => settingNotes(planFromArgs(['--client', ...args])).map((n) => `note: ${n}`);
    expect(notes('kafkajs')).toEqual([]);
    expect(notes('platformatic', '--max-in-flight', '3', '--acks', '1', '--retries', '1')).toEqual([
      'note: the Java client refuses these settings (ConfigException: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.); platformatic accepts them',
      'note: @platformatic/kafka keeps an idempotent producer to one request awaiting an answer per connection (until it times out), so --max-in-flight 3 has no effect',
      'note: @platformatic/kafka uses acks=all for an idempotent producer, not --acks 1',
      "note: @platformatic/kafka raises an idempotent producer's retries of 1 or less to Number.MAX_SAFE_INTEGER, so --retries 1 has no effect",
    ]);
    // The faults follow the acks the library sends: all, so NOT_ENOUGH_REPLICAS_AFTER_APPEND is injected.
    expect(planFromArgs(['--client', 'platformatic', '--acks', '1']).faults).toContain('error-after-append');
    expect(planFromArgs(['--client', 'kafkajs', '--idempotent', 'false', '--acks', '1']).faults).not.toContain('error-after-append');
    expect(notes('kafkajs', '--idempotent', 'false', '--acks', '1')).toEqual(['note: not injecting error-after-append, shrink-isr: NOT_ENOUGH_REPLICAS_AFTER_APPEND and a shrunk ISR show only under acks=all']);
    expect(notes('kafkajs', '--brokers', '1')).toEqual(['note: not injecting move-leader, crash-leader, shrink-isr: a single broker has no leader to move, no follower to take over, no ISR to shrink']);
    expect(notes('kafkajs', '--max-in-flight', '3')).toEqual([
      'note: kafkajs sends an idempotent producer\'s requests to a broker one at a time (a lock per broker, released when a request is answered or times out), so --max-in-flight 3 has no effect',
    ]);
    expect(notes('kafkajs', '--idempotent', 'false', '--max-in-flight', '3')).toEqual([
      'note: sequential sends wait for each answer, so no more than one request is in flight; --workload concurrent fills the pipeline',
    ]);
    expect(notes('kafkajs', '--idempotent', 'false', '--max-in-flight', '3', '--workload', 'concurrent')).toEqual([]);
  });

  it('a client report shows the settings in effect and the notes beside the settings asked for', async () => {
    const plan = planFromArgs(['--client', 'platformatic', '--acks', '1', '--records', '2', '--faults', 'none']);
    const result = await runPlanned(plan, 1);
    const markdown = renderClientMarkdown(buildClientReport(plan, result, { reruns: 0, violating: 0 }));
    expect(markdown).toContain('settings: `idempotent=true` `acks=1`');
    expect(markdown).toContain('- in effect (the library changes some): `idempotent=true` `acks=all`');
    expect(markdown).toContain('- note: @platformatic/kafka uses acks=all for an idempotent producer, not --acks 1');
    expect(result.trace.every((t) => t.acks === -1)).toBe(true);
  });

  it('a run whose sends the client never resolves is unfinished, not a pass: exit 1', () => {
    const { code, stdout } = idemcheck('clients', '--client', 'kafkajs', '--runs', '1', '--records', '2', '--faults', 'lose-request', '--fault-rate', '1', '--no-report');
    // The lines first, so a failure shows what the run printed.
    expect(stdout).toContain('✗ unfinished: 2 sends neither acknowledged nor failed, so not checked');
    expect(stdout).toContain('1 run: no violation; unfinished in seed 1; 0 passed.');
    expect(code).toBe(1);
  });

  it('a report that cannot be written is one line naming --report-dir, exit 2, and no partial report', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'client-platformatic-seed1-041dd732.html'));
    const args = ['--client', 'platformatic', '--workload', 'concurrent', '--partitions', '1', '--faults', 'none', '--runs', '1', '--reruns', '0'];
    const { code, stderr } = idemcheck('clients', ...args, '--report-dir', dir);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`--report-dir ${dir}: writing the report failed`);
    expect(readdirSync(dir)).toEqual(['client-platformatic-seed1-041dd732.html']);
  });
});
