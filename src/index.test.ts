/**
 * The library as a user imports it, by the package's name: a suite of one's own (custom config,
 * faults, bounds), checked with fast-check and explored, and a counterexample replayed and
 * rendered. In vitest 'idemcheck' is the source (the config's alias); the last test imports the
 * built package the way Node resolves it for a user, through package.json's "exports".
 */

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { check, defineSuite, enabledEvents, explore, formatEvent, initialState, invariantByName, replay, renderMarkdown, step, SuiteError, suiteByName, suites, VERSION } from 'idemcheck';
import type { Bounds, SuiteDefinition } from 'idemcheck';
import { ROOT } from './cli/cli-harness.js';

const bounds: Bounds = { recordsMax: 2, resendsMax: 0, eventsMax: 20, lostMessagesMax: 1, restartsMax: 0, crashesMax: 0, clusterChangesMax: 0, powerLossesMax: 0 };

// A producer with idempotence switched off, acks from the leader only, and lost answers.
const retryDuplicates: SuiteDefinition = {
  name: 'mine.retry-duplicates',
  claim: 'Without idempotence, a retry after a lost answer writes the record twice.',
  config: { acks: '1', 'enable.idempotence': false, 'max.in.flight.requests.per.connection': 1 },
  faults: ['disconnect'],
  bounds,
  invariants: ['NoDuplicateRecord'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoDuplicateRecord' },
  runs: 200,
};

describe("the library, imported as 'idemcheck'", () => {
  it('checks a user-defined suite: the expected duplicate, shrunk, as a report that replays', () => {
    const { result, judgement, report } = check(retryDuplicates, { seed: 7 });
    expect(judgement).toEqual({ asExpected: true, got: 'violates NoDuplicateRecord', problem: null });
    expect(result.counterexample?.events.map(formatEvent)).toContain('NetworkDisconnect(b0)');
    if (report === null) throw new Error('no report');
    expect(renderMarkdown(report, 'mine.json')).toContain('mine.retry-duplicates');
    // The report's events replay to a state that breaks the invariant.
    const { states } = replay(report.configInput, report.events);
    const last = states[states.length - 1];
    if (last === undefined) throw new Error('no states');
    expect(invariantByName('NoDuplicateRecord')?.check(last)).not.toEqual([]);
  });

  it('explores the same suite to a shortest counterexample, and the idempotent variant to completion', () => {
    expect(explore(retryDuplicates).judgement.asExpected).toBe(true);
    const idempotent = defineSuite({ ...retryDuplicates, name: 'mine.idempotent', config: { acks: 'all' }, expect: { verdict: 'holds' } });
    const { result, judgement } = explore(idempotent);
    expect(judgement.problem).toBeNull();
    expect(result.verdict.kind).toBe('complete');
    // ...and fast-check agrees on the random runs.
    expect(check(idempotent, { runs: 50 }).judgement.asExpected).toBe(true);
  });

  it('steps the model directly: initialState, enabledEvents and step', () => {
    const suite = defineSuite(retryDuplicates);
    if (suite.setup === null) throw new Error('config rejected');
    const first = initialState(suite.setup);
    const send = enabledEvents(suite.setup, first).find((e) => e.kind === 'AppSend');
    if (send === undefined) throw new Error('AppSend is not enabled in the initial state');
    expect(step(suite.setup, first, send)).not.toEqual(first);
  });

  it('refuses a suite with a misspelt invariant, naming the field', () => {
    // A misspelt name does not compile in TypeScript, and JavaScript gets the error at run time.
    // @ts-expect-error: 'NoDuplicateRecords' is not an invariant name
    expect(() => check({ ...retryDuplicates, invariants: ['NoDuplicateRecords'] })).toThrow(SuiteError);
  });

  it('offers the built-in suites', () => {
    expect(suites.length).toBeGreaterThan(10);
    expect(suiteByName('delivery.acks1-retry-duplicates')?.expect).toEqual({ verdict: 'violated', invariant: 'NoDuplicateRecord' });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('resolves for Node through package.json "exports" to the build in dist/', () => {
    const script = "const m = await import('idemcheck'); console.log(import.meta.resolve('idemcheck'), typeof m.check, typeof m.explore, typeof m.replay, m.suites.length > 0);";
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toMatch(/\/dist\/src\/index\.js function function function true$/);
  });
});
