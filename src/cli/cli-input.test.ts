/**
 * Bad input on the command line: one line on stderr naming the flag or field and what is allowed,
 * exit 2, nothing on stdout. Most cases call the CLI's main() in this process; those in SPAWNED
 * run `node bin/idemcheck.js` (each way the binary exits: a command's usage error, parseArgs's,
 * an unknown command, no command, a success, and the client libraries).
 */

import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { idemcheck, idemcheckInProcess, ROOT, tempDir } from './cli-harness.js';
import type { CliResult } from './cli-harness.js';

const SPAWNED = new Set(
  [
    ['check', '--runs', 'abc'],
    ['check', '--bogus'],
    ['frobnicate'],
    [],
    ['run', '--trace', '{dir}/t.json'],
    ['check', '--set', 'min.insync.replicas=4', '--faults', 'none', '--runs', '5', '--no-report'],
    ['clients', '--client', 'java'],
    ['clients', '--client', 'kafkajs', '--acks', '1'],
  ].map((args) => JSON.stringify(args)),
);

/** The CLI on these arguments: spawned for the SPAWNED cases, else in this process. */
async function cli(...args: string[]): Promise<CliResult> {
  return SPAWNED.has(JSON.stringify(args)) ? idemcheck(...args) : idemcheckInProcess(...args);
}

describe('CLI: bad input to check, explore, replay and run', () => {
  it.each([
    [['check', '--runs', 'abc'], '--runs must be an integer from 1 to 10000000'],
    [['check', '--runs', '2147483648'], "--runs must be an integer from 1 to 10000000, got '2147483648'"],
    [['check', '--suite', 'no.such'], "no suite matches 'no.such'"],
    [['check', '--faults', 'meteor'], "--faults: unknown 'meteor'"],
    [['check', '--set', 'acks=2'], 'Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1'],
    [['check', '--set', 'enable.idempotence=true', '--set', 'retries=0'], 'Must set retries to non-zero when using the idempotent producer.'],
    [['check', '--expect', 'sometimes'], "--expect must be 'holds' or 'violated:INVARIANT'"],
    [['check', '--bogus'], "Unknown option '--bogus'"],
    [['check', '--seed', '1', '--seed', '2'], "--seed is given twice ('1' and '2'); give it once"],
    [['check', '--report-dir', 'x', '--no-report'], 'give --report-dir or --no-report, not both'],
    [['check', '--set', 'partitions=3'], '--set partitions: the model supports 1 or 2, got 3'],
    [['check', '--runs', '-5'], "--runs must be an integer from 1 to 10000000, got '-5'"],
    [['check', '--suite', 'delivery'], "did you mean 'delivery.*'?"],
    [['check', '--report-dir', 'README.md'], 'README.md is not a directory'],
    [['replay', 'examples/non-idempotent-retry-duplicate.json'], 'this looks like a trace file, not a report'],
    [['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '1:1:1:1:1:1:1:1:1:1:1:1:1:4:0', '--replay-path', 'zzz'], 'fast-check cannot replay seed 20261125'],
    [['replay', 'reports/examples/client-kafkajs-seed1-afeabef3.json'], 'a report of a real-client run, which replay cannot step; rerun it with idemcheck clients: npx idemcheck clients --client kafkajs'],
    [['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '1', '--path', '1', '--fingerprint', 'zz'], "--fingerprint must be 16 hexadecimal digits, as a report gives it, got 'zz'"],
    [['replay', 'reports/examples/restart.at-least-once-duplicates-seed20261125.json', '--fingerprint', '0123456789abcdef'], '--fingerprint goes with --suite/--seed/--path'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['replay', '--suite', 'ad-hoc', '--seed', '1', '--path', '3'], "--suite ad-hoc: an ad-hoc check has no coordinates to re-run; replay its report's .json"],
    [['check', '--set', 'acks=1', '--set', 'acks=all'], "--set acks is given twice ('1' and 'all'); give it once"],
    [['check', '--faults', ''], "--faults needs a value: a comma-separated list of faults, or 'none'"],
    [['check', '--faults', ','], '--faults needs a comma-separated list of disconnect,'],
    [['check', '--suite', '--runs', '5'], "--suite needs a value: a suite name or 'prefix*'"],
    [['check', '--json', 'yes'], "--json is a switch and takes no value, got 'yes'"],
    [['explore', '--set', 'acks=1', '--records', '5000'], "--records must be an integer from 1 to 20, got '5000'"],
    [['explore', '--max-steps', '0'], "--max-steps must be an integer from 1 to 1000, got '0'"],
    [['check', '--faults', 'drop-message'], '--faults: the drop-message fault needs network=lossy'],
    [['check', '--expect', 'violated:NoDuplicateRecord', '--invariants', 'NoAckedRecordLost'], '--expect: expects NoDuplicateRecord violated, but NoDuplicateRecord is not among the invariants checked (NoAckedRecordLost)'],
    [['check', '--records', '0'], "--records must be an integer from 1 to 20, got '0'"],
    [['explore', '--no-report'], "explore needs --suite NAME ('prefix*' for several, '*' for every suite)"],
    [['explore', '--suite', 'config.explicit-idempotence-acks-1', '--no-report'], 'nothing to explore: Kafka refuses the config of config.explicit-idempotence-acks-1'],
    [['run', '--trace'], '--trace needs a value: a trace file, FILE.json'],
    [['check', '--faults', 'disconnect,,leader-change'], "--faults: an empty name in 'disconnect,,leader-change' (a stray comma?)"],
    [['explore', '--faults', 'disconnect,disconnect'], "--faults: 'disconnect' is given twice"],
    [['check', '--crashes', '2'], '--crashes has no effect: none of the default faults (disconnect,request-timeout,delivery-timeout) stops a broker; add broker-crash or broker-clean-shutdown to --faults'],
    [['explore', '--faults', 'none', '--lost', '1'], '--lost has no effect: no fault is injected (--faults none)'],
    [['check', '--faults', 'disconnect', '--cluster-changes', '2'], '--cluster-changes has no effect: none of --faults disconnect changes the cluster'],
    [['check', '--restarts', '2'], '--restarts has no effect'],
    [['check', '--suite', '*acks*'], "--suite: '*acks*': only a trailing * is supported"],
    [['check', '--faults', 'producer-restart', '--restarts', '0'], '--restarts 0: producer-restart can never fire; raise --restarts or leave it out of --faults'],
    [['explore', '--lost', '0'], '--lost 0: the default faults disconnect, request-timeout can never fire; raise --lost or give --faults delivery-timeout'],
    [['check', '--faults', 'broker-crash,broker-clean-shutdown', '--crashes', '0'], '--crashes 0: broker-crash, broker-clean-shutdown can never fire'],
    [['check', '--faults', 'leader-change', '--set', 'replication.factor=1'], '--faults: leader-change can never fire with replication.factor=1'],
    [['explore', '--faults', 'disconnect,isr-shrink', '--set', 'replication.factor=1'], '--faults: isr-shrink can never fire with replication.factor=1'],
    [['check', '--resends', '1'], '--resends has no effect: only an application that resends failed records uses it; add --set application=at-least-once'],
  ])('bad input %j is exit 2 with one line naming the problem', async (args, message) => {
    const { code, stderr, stdout } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });
});

/**
 * The malformed invocations of issue 17, each with the exit code and the first line it must give
 * (on stderr for bad input, exit 2; on stdout otherwise), or how it begins. `files` are written to a fresh directory
 * first; `{dir}` in an argument names it.
 */
const EXAMPLE_REPORT = 'reports/examples/restart.at-least-once-duplicates-seed20261125.json';
const exampleReport = (): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, EXAMPLE_REPORT), 'utf8')) as Record<string, unknown>;
const FUZZ: readonly { readonly args: readonly string[]; readonly files?: () => Record<string, string>; readonly code: number; readonly first: string }[] = [
  // Object-prototype keys are unknown settings, commands and options like any other.
  ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].flatMap((key) =>
    ['check', 'explore'].map((command) => ({ args: [command, '--set', `${key}=1`], code: 2, first: `idemcheck ${command}: --set ${key}: unknown config key '${key}'; known keys: acks,` })),
  ),
  { args: ['constructor'], code: 2, first: "idemcheck: unknown command 'constructor' (commands: check, explore, replay, run, clients, list, merge; see idemcheck --help)" },
  { args: ['help', '__proto__'], code: 2, first: "idemcheck: unknown command '__proto__'" },
  { args: ['check', '--constructor', '1'], code: 2, first: "idemcheck check: Unknown option '--constructor' (see idemcheck check --help)" },
  // A path is walked run by run: one past the suite's runs only takes time (100000000 took 31 s).
  ...['99999999999999999999', '100000000'].map((path) => ({
    args: ['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', path],
    code: 2,
    first: `idemcheck replay: --path: the run index ${path} (the path's first number) must be below 300, the runs of suite restart.at-least-once-duplicates (a check run with --runs N replays with the same --runs N)`,
  })),
  { args: ['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '5000', '--runs', '1000'], code: 2, first: "idemcheck replay: --path: the run index 5000 (the path's first number) must be below 1000 (--runs)" },
  { args: ['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '1:x'], code: 2, first: "idemcheck replay: --path must be non-negative integers joined by ':', like 12:0:3 (fast-check's counterexample path), got '1:x'" },
  { args: ['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '1:99999999999999999999'], code: 2, first: "idemcheck replay: --path: each number must be below 2^53, got '1:99999999999999999999'" },
  { args: ['replay', EXAMPLE_REPORT, '--runs', '5'], code: 2, first: 'idemcheck replay: --runs goes with --suite/--seed/--path; a REPORT.json carries its own' },
  // No command: the usage, on stderr.
  { args: [], code: 2, first: 'idemcheck: a property-based model checker for Kafka producer delivery guarantees' },
  // A fingerprint that is not a string of 16 hex digits.
  {
    args: ['replay', '{dir}/r.json'],
    files: () => ({ 'r.json': JSON.stringify({ ...exampleReport(), fingerprint: 1234567890123456 }) }),
    code: 2,
    first: "idemcheck replay: {dir}/r.json: not a usable idemcheck report ('fingerprint' must be a string of 16 hex digits, got 1234567890123456)",
  },
  // The file's own line break is not echoed into the one-line error.
  { args: ['run', '--trace', '{dir}/t.json'], files: () => ({ 't.json': 'x\n' }), code: 2, first: `idemcheck run: --trace {dir}/t.json: not valid JSON (Unexpected token 'x', "x\\n" is not valid JSON)` },
  // Past 10,000 events: refused before anything runs.
  {
    args: ['run', '--trace', '{dir}/t.json'],
    files: () => ({ 't.json': JSON.stringify({ config: {}, events: Array.from({ length: 30_000 }, () => 'AppSend(p0)') }) }),
    code: 2,
    first: 'idemcheck run: {dir}/t.json: events: 30000 events, more than the 10000 a trace may have; split the scenario into shorter traces',
  },
  // min.insync.replicas above the replication factor: Kafka uses the replication factor.
  {
    args: ['run', '--trace', '{dir}/t.json'],
    files: () => ({ 't.json': JSON.stringify({ config: { 'min.insync.replicas': 4 }, events: ['AppSend(p0)'] }) }),
    code: 0,
    first: 'config: acks=all enable.idempotence=true retries=2147483647 max.in.flight.requests.per.connection=5 delivery.timeout.ms=120000 request.timeout.ms=30000 partitions=1 replication.factor=1 min.insync.replicas=4 unclean.leader.election.enable=false application=fire-and-forget network=tcp',
  },
  {
    args: ['check', '--set', 'min.insync.replicas=4', '--faults', 'none', '--runs', '5', '--no-report'],
    code: 0,
    first: 'note: min.insync.replicas=4 is more than replication.factor=1: Kafka accepts it and uses min(min.insync.replicas, replication factor) = 1 (Partition.effectiveMinIsr), so acks=all needs 1 in-sync replica, not 4',
  },
];

describe('CLI: fuzz cases, each with its exit code and first line', () => {
  it.each(FUZZ.map((c) => [c.args.join(' ') || '(no arguments)', c] as const))('%s', async (_name, c) => {
    const dir = tempDir();
    for (const [name, text] of Object.entries(c.files?.() ?? {})) writeFileSync(join(dir, name), text);
    const args = c.args.map((a) => a.replace('{dir}', dir));
    // The one run --trace that succeeds is spawned; the others (bad files) run in this process.
    const spawned = SPAWNED.has(JSON.stringify(c.args)) && (c.args[0] !== 'run' || c.code === 0);
    const { code, stdout, stderr } = spawned ? idemcheck(...args) : await idemcheckInProcess(...args);
    expect(code).toBe(c.code);
    const out = code === 2 ? stderr : stdout;
    // The first line begins with the text given (a long list of allowed values may follow).
    const first = c.first.replace('{dir}', dir).replace('{dir}', dir);
    expect(out.split('\n')[0]?.slice(0, first.length)).toBe(first);
    if (code === 2) {
      expect(stdout).toBe('');
      if (c.args.length > 0) expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('min.insync.replicas above the replication factor gets the note in run, after the config line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.json'), JSON.stringify({ config: { 'min.insync.replicas': 4 }, events: ['AppSend(p0)'] }));
    const { stdout } = await idemcheckInProcess('run', '--trace', join(dir, 't.json'));
    expect(stdout.split('\n')[1]).toBe('note: min.insync.replicas=4 is more than replication.factor=1: Kafka accepts it and uses min(min.insync.replicas, replication factor) = 1 (Partition.effectiveMinIsr), so acks=all needs 1 in-sync replica, not 4');
  });
});

describe('CLI: object-prototype keys in trace and report files', () => {
  const report = (): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, 'reports/examples/restart.at-least-once-duplicates-seed20261125.json'), 'utf8')) as Record<string, unknown>;
  it.each([
    ['run', '{"config": {"__proto__": "1"}, "events": []}', "config.__proto__: unknown config key '__proto__'"],
    ['run', '{"config": {"constructor": 1}, "events": []}', "config.constructor: unknown config key 'constructor'"],
    ['run', '{"config": {}, "events": [{"kind": "AppSend", "partition": 0, "__proto__": 1}]}', "events[0]: unknown field '__proto__' for AppSend"],
    ['run', '{"config": {}, "events": [{"kind": "toString"}]}', 'events[0]: unknown event kind "toString"'],
    ['run', '{"config": {}, "events": [], "__proto__": {}}', "unknown top-level field '__proto__'"],
    ['replay', () => JSON.stringify({ ...report(), configInput: JSON.parse('{"__proto__": "all"}') }), "configInput.__proto__: unknown config key '__proto__'"],
    ['replay', () => JSON.stringify({ ...report(), bounds: { ...(report().bounds as object), constructor: 1 } }), 'bounds.constructor is not a bound'],
  ])('%s of a file with a prototype key: exit 2 naming it', async (command, text, message) => {
    const path = join(tempDir(), 'file.json');
    writeFileSync(path, typeof text === 'string' ? text : text());
    const { code, stdout, stderr } = command === 'run' ? await idemcheckInProcess('run', '--trace', path) : await idemcheckInProcess('replay', path);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });
});

describe('CLI: bad input to clients', () => {
  it.each([
    [[], '--client is required (one of kafkajs, platformatic, platformatic2, rdkafka)'],
    [['--client', 'java'], "--client must be one of kafkajs, platformatic, platformatic2, rdkafka, got 'java'"],
    [['--client', 'kafkajs', '--fault-rate', '2'], "--fault-rate must be a number from 0 to 1, got '2'"],
    [['--client', 'kafkajs', '--faults', 'lose-request,fire'], "--faults must be one of lose-request, lose-response, error-after-append, error-without-append, hold-response, state-loss, move-leader, crash-leader, shrink-isr, got 'fire'"],
    [['--client', 'kafkajs', '--partitions', '3'], "--partitions must be an integer from 1 to 2, got '3'"],
    [['--client', 'kafkajs', '--request-timeout', '999999999999'], "--request-timeout must be an integer from 50 to 60000, got '999999999999'"],
    [['--client', '--runs', '1'], '--client needs a value: one of kafkajs, platformatic, platformatic2, rdkafka'],
    [['--client', 'kafkajs', '--runs'], '--runs needs a value: an integer from 1 to 10000'],
    [['--client', 'kafkajs', '--fault-rate', ''], '--fault-rate needs a value: a number from 0 to 1'],
    [['--client', 'kafkajs', '--keyed', 'true'], "--keyed is a switch and takes no value, got 'true'"],
    [['--client', 'kafkajs', '--seed', '2147483647', '--runs', '2'], '--seed 2147483647 with --runs 2 would pass 2147483647'],
    [['--client', 'kafkajs', '--acks', '1'], "kafkajs sent no produce request with these settings (--idempotent true --acks 1 --max-in-flight 1 --batch one --retries 1000): KafkaJSNonRetriableError: Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees"],
  ])('bad input %j is exit 2 with one line naming the flag', async (args, message) => {
    const { code, stdout, stderr } = await cli('clients', ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });
});
