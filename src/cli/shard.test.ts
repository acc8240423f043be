/**
 * Random checking across threads and machines: check --workers N and --shard I/N cut each suite's
 * runs into slices with derived seeds, a counterexample found in a slice replays from its report,
 * and merge combines the shards' --json outputs into one verdict.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idemcheck, tempDir } from './cli-harness.js';

describe('check --workers and --shard, and merge', () => {
  it('two shards run the runs of one check between them, and merge gives one verdict', () => {
    const dir = tempDir();
    const files = ['1/2', '2/2'].map((shard, i) => {
      const run = idemcheck('check', '--suite', 'delivery.idempotent-in-flight-2', '--runs', '61', '--shard', shard, '--json', '--no-report');
      expect(run.code).toBe(0);
      const file = join(dir, `shard-${i}.json`);
      writeFileSync(file, run.stdout);
      return { file, rows: JSON.parse(run.stdout) as { runs: number; seed: number }[] };
    });
    expect(files.map((f) => f.rows[0]?.runs)).toEqual([31, 30]);
    // Slice 0 keeps the seed; the other's is derived from it.
    expect(files[0]?.rows[0]?.seed).toBe(20261125);
    expect(files[1]?.rows[0]?.seed).not.toBe(20261125);
    const merged = idemcheck('merge', '--json', ...files.map((f) => f.file));
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject([{ suite: 'delivery.idempotent-in-flight-2', runs: 61, asExpected: true, verdict: 'holds' }]);
  });

  it('a counterexample found by a later slice on another worker replays from its report', () => {
    const dir = tempDir();
    const run = idemcheck('check', '--suite', 'delivery.acks1-retry-duplicates', '--workers', '2', '--shard', '2/2', '--json', '--report-dir', dir);
    expect(run.code).toBe(0);
    const [row] = JSON.parse(run.stdout) as { verdict: string; seed: number; report: { json: string } }[];
    expect(row?.verdict).toBe('violated');
    expect(row?.seed).not.toBe(20261125);
    const replay = idemcheck('replay', row?.report.json ?? '');
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
  });

  it('merge refuses what is not check --json output, in one line, exit 2', () => {
    const dir = tempDir();
    const file = join(dir, 'x.json');
    writeFileSync(file, '{"not": "rows"}');
    const run = idemcheck('merge', file);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('not the output of idemcheck check --json');
    expect(idemcheck('check', '--shard', '0/2').stderr).toContain('--shard must be I/N');
  });
});
