/**
 * Bad input on the command line: one line on stderr naming the flag or field and what is allowed,
 * exit 2, nothing on stdout.
 */

import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { idemcheck, ROOT, tempDir } from './cli-harness.js';

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
    [['replay', 'reports/examples/client-kafkajs-seed1-19890060.json'], 'a report of a real-client run, which replay cannot step; rerun it with idemcheck clients: npx idemcheck clients --client kafkajs'],
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
    // A path is walked run by run: one past the suite's runs would only take time (100000000 took 31 s).
    [['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '99999999999999999999'], '--path: the run index 99999999999999999999 (the path\'s first number) must be below 300, the runs of suite restart.at-least-once-duplicates'],
    [['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '100000000'], '--path: the run index 100000000 (the path\'s first number) must be below 300'],
    [['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '5000', '--runs', '1000'], '--path: the run index 5000 (the path\'s first number) must be below 1000 (--runs)'],
    [['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '1:x'], "--path must be non-negative integers joined by ':', like 12:0:3"],
    [['replay', '--suite', 'restart.at-least-once-duplicates', '--seed', '20261125', '--path', '1:99999999999999999999'], '--path: each number must be below 2^53'],
    [['replay', 'reports/examples/restart.at-least-once-duplicates-seed20261125.json', '--runs', '5'], '--runs goes with --suite/--seed/--path'],
    // An Object's own property names are settings, commands and flags like any other unknown one.
    ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].flatMap((key) => [
      [['check', '--set', `${key}=1`], `--set ${key}: unknown config key '${key}'`],
      [['explore', '--set', `${key}=1`], `--set ${key}: unknown config key '${key}'`],
    ]),
    [['constructor'], "unknown command 'constructor'"],
    [['help', '__proto__'], "unknown command '__proto__'"],
    [['check', '--constructor', '1'], "Unknown option '--constructor'"],
  ])('bad input %j is exit 2 with one line naming the problem', (args, message) => {
    const { code, stderr, stdout } = idemcheck(...args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
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
  ])('%s of a file with a prototype key: exit 2 naming it', (command, text, message) => {
    const path = join(tempDir(), 'file.json');
    writeFileSync(path, typeof text === 'string' ? text : text());
    const { code, stdout, stderr } = command === 'run' ? idemcheck('run', '--trace', path) : idemcheck('replay', path);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });
});

describe('CLI: bad input to clients', () => {
  it.each([
    [[], '--client is required (one of kafkajs, platformatic, rdkafka)'],
    [['--client', 'java'], "--client must be one of kafkajs, platformatic, rdkafka, got 'java'"],
    [['--client', 'kafkajs', '--fault-rate', '2'], "--fault-rate must be a number from 0 to 1, got '2'"],
    [['--client', 'kafkajs', '--faults', 'lose-request,fire'], "--faults must be one of lose-request, lose-response, error-after-append, error-without-append, hold-response, state-loss, got 'fire'"],
    [['--client', 'kafkajs', '--partitions', '3'], "--partitions must be an integer from 1 to 2, got '3'"],
    [['--client', 'kafkajs', '--request-timeout', '999999999999'], "--request-timeout must be an integer from 50 to 60000, got '999999999999'"],
    [['--client', '--runs', '1'], '--client needs a value: one of kafkajs, platformatic, rdkafka'],
    [['--client', 'kafkajs', '--runs'], '--runs needs a value: an integer from 1 to 10000'],
    [['--client', 'kafkajs', '--fault-rate', ''], '--fault-rate needs a value: a number from 0 to 1'],
    [['--client', 'kafkajs', '--keyed', 'true'], "--keyed is a switch and takes no value, got 'true'"],
    [['--client', 'kafkajs', '--seed', '2147483647', '--runs', '2'], '--seed 2147483647 with --runs 2 would pass 2147483647'],
    [['--client', 'kafkajs', '--acks', '1'], "kafkajs sent no produce request with these settings (--idempotent true --acks 1 --max-in-flight 1 --retries 1000): KafkaJSNonRetriableError: Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees"],
  ])('bad input %j is exit 2 with one line naming the flag', (args, message) => {
    const { code, stdout, stderr } = idemcheck('clients', ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });
});
