/**
 * `idemcheck clients`: run a real Kafka client library against the wire broker (whose partition
 * and idempotence logic is the model's), with faults from a seed, and check the model's
 * invariants on what the client reported and what the broker stored.
 */

import { join } from 'node:path';
import { TOOL } from '../package.js';
import { CLIENT_FAULTS, CLUSTER_FAULTS } from '../clients/broker-core.js';
import type { Fault } from '../clients/broker-core.js';
import { CLIENT_NAMES, ClientNotInstalled, DRIVERS, settingsInEffect } from '../clients/drivers.js';
import type { ClientName, ClientSettings } from '../clients/drivers.js';
import { applicableFaults, runClient } from '../clients/harness.js';
import type { RunResult, Workload } from '../clients/harness.js';
import type { ClientReport } from '../report/client-report.js';
import { shortHash } from '../report/report.js';
import { brokerLogs, CLIENT_REPORT_FORMAT, clientViolations, renderClientHtml, renderClientMarkdown } from '../report/client-report.js';
import { resolveConfig } from '../model/config.js';
import { COMMON_FLAGS, flagHelp, flags, parseFlags, wantsOf } from './args.js';
import type { FlagValues } from './args.js';
import { EXIT_OK, EXIT_VIOLATION, UsageError } from './errors.js';
import { refuseReportDirWithNoReport } from './selection.js';
import { ensureReportDir, reportWriteFailed, writeFilesWhole } from './write-report.js';

export const DEFAULT_CLIENT_FAULTS: readonly Fault[] = CLIENT_FAULTS.filter((f) => f !== 'state-loss');

/** clients' flags; the numeric bounds are where a run tests nothing more, or breaks the client's timers. */
const FLAGS = flags({
  client: {
    kind: 'choice',
    arg: 'NAME',
    choices: CLIENT_NAMES,
    help: 'kafkajs (2.2.4), platformatic (@platformatic/kafka 1.35.0), platformatic2\n(@platformatic/kafka 2.12.1, under Node 22.22 or newer), or rdkafka\n(node-rdkafka 3.6.1, librdkafka 2.12, only where it is installed and built)',
  },
  seed: { kind: 'seed', arg: 'N', help: 'first seed (default 1); runs use N, N+1, ...' },
  runs: { kind: 'integer', arg: 'N', min: 1, max: 10000, help: 'runs (default 10)' },
  workload: { kind: 'choice', arg: 'W', choices: ['sequential', 'concurrent'], wants: 'sequential or concurrent', help: 'sequential | concurrent (default sequential)' },
  records: { kind: 'integer', arg: 'N', min: 1, max: 1000, help: 'sends per run (default 10)' },
  keyed: { kind: 'switch', help: "keyed records (the client's partitioner hashes the key); without it records\ncarry neither key nor partition and the client's default partitioner decides" },
  'partition-by-harness': { kind: 'switch', help: 'the harness names partition i mod P on every record, so the client\'s\npartitioner never runs' },
  partitions: { kind: 'integer', arg: 'N', min: 1, max: 2, wants: '1 or 2', help: '1 or 2 (default 2)' },
  brokers: { kind: 'integer', arg: 'N', min: 1, max: 3, wants: '1, 2 or 3', help: 'brokers of the cluster on 127.0.0.1, each partition on all of them, min.insync.replicas 2\n(default 3; 1 is a single node without the cluster faults)' },
  idempotent: { kind: 'choice', arg: 'B', choices: ['true', 'false'], wants: 'true or false', help: 'true | false (default true)' },
  acks: { kind: 'choice', arg: 'A', choices: ['all', '-1', '1', '0'], wants: 'all (or -1), 1 or 0', help: 'all (or -1) | 1 | 0 (default all)' },
  'max-in-flight': { kind: 'integer', arg: 'N', min: 1, max: 100, help: 'requests in flight per connection, where the client has the setting (default 1)' },
  batch: {
    kind: 'choice',
    arg: 'B',
    choices: ['one', 'client'],
    wants: 'one or client',
    help: "one: each record its own batch, so concurrent sends fill the pipeline (librdkafka:\nbatch.num.messages=1, linger.ms=0); client: the client's own batching (default one)",
  },
  retries: { kind: 'integer', arg: 'N', min: 0, max: 2147483647, help: 'client retries (default 1000)' },
  'request-timeout': { kind: 'integer', arg: 'MS', min: 50, max: 60000, wants: 'milliseconds, an integer from 50 to 60000', help: 'client request timeout (default 300)' },
  faults: {
    kind: 'text',
    arg: 'A,B',
    wants: `a comma-separated list of ${CLIENT_FAULTS.join(', ')}, or 'none'`,
    help: `${CLIENT_FAULTS.join(', ')}\n(default: all but state-loss, a broker caveat that breaks every client; 'none')`,
  },
  'fault-rate': { kind: 'number', arg: 'R', min: 0, max: 1, help: 'probability that a produce request gets a fault (default 0.25)' },
  reruns: { kind: 'integer', arg: 'K', min: 0, max: 100, help: 'rerun a violating seed K times to see how often it reproduces (default 3)' },
  ...COMMON_FLAGS,
  'report-dir': { ...COMMON_FLAGS['report-dir'], help: 'where reports go (default: reports)' },
});

export const CLIENTS_HELP = `Usage: idemcheck clients --client kafkajs|platformatic|platformatic2|rdkafka [options]

Run a real producer client against a broker on 127.0.0.1 that speaks Kafka's wire protocol and
decides every append with idemcheck's model, inject faults from a seed, and check the invariants
on what the client reported and what the broker stored.

${flagHelp(FLAGS)}

Each run's line ends ✓ (a pass), ✗ (a violation, a run that tested nothing, or sends left
unresolved) or ○ (no violation, but not what was asked: no fault injected, or fewer requests in
flight on the wire than --max-in-flight); a ○ run is not a pass.

Exit codes: 0 every run passed, 1 a violation (or a run that tested nothing, left sends unresolved
or was not tested as asked), 2 bad input, 130 interrupted.`;

type Values = FlagValues<typeof FLAGS>;

function parse(argv: readonly string[]) {
  return parseFlags(argv, FLAGS);
}

export interface ClientPlan {
  readonly client: ClientName;
  readonly seed: number;
  readonly runs: number;
  /** The settings asked for, and as the library uses them (see `settingNotes`). */
  readonly settings: ClientSettings;
  readonly inEffect: ClientSettings;
  readonly workload: Workload;
  readonly faults: readonly Fault[];
  readonly faultRate: number;
  readonly reruns: number;
  /** Faults asked for that make no sense with these settings (no answer to lose with acks=0, ...). */
  readonly skippedFaults: readonly Fault[];
  /** ConfigException's message when the Java client would refuse these settings, which this client may run. */
  readonly javaRefuses: string | null;
}

/**
 * What the Java client says of these settings: its ConfigException, or null when it accepts them.
 * Every driver sets idempotence explicitly, so it counts as explicit here
 * (ProducerConfig.postProcessAndValidateIdempotenceConfigs refuses only explicit idempotence).
 */
export function javaRefusal(settings: ClientSettings): string | null {
  const result = resolveConfig({
    'enable.idempotence': settings.idempotent,
    acks: settings.acks === -1 ? 'all' : settings.acks,
    'max.in.flight.requests.per.connection': settings.maxInFlight,
    retries: settings.retries,
  });
  return !result.ok && result.configException ? result.error : null;
}

/** The plan for command-line arguments, as `clients` makes it (for tests). */
export function planFromArgs(argv: readonly string[]): ClientPlan {
  return planFrom(parse(argv).values);
}

export function planFrom(values: Values): ClientPlan {
  if (values.client === undefined) throw new UsageError(`--client is required (one of ${CLIENT_NAMES.join(', ')})`);
  const client = values.client;
  if (DRIVERS[client].version() === null) throw new UsageError(`--client ${client}: the library is not installed; install it with: ${DRIVERS[client].install}`);
  const notRunnable = DRIVERS[client].notRunnableHere();
  if (notRunnable !== null) throw new UsageError(`--client ${client}: ${notRunnable}`);
  const acksText = values.acks ?? 'all';
  const acks = acksText === 'all' || acksText === '-1' ? -1 : acksText === '1' ? 1 : 0;
  const settings: ClientSettings = {
    idempotent: (values.idempotent ?? 'true') === 'true',
    acks,
    maxInFlight: values['max-in-flight'] ?? 1,
    retries: values.retries ?? 1000,
    requestTimeoutMs: values['request-timeout'] ?? 300,
    oneRecordPerBatch: (values.batch ?? 'one') === 'one',
  };
  const workload: Workload = { mode: values.workload ?? 'sequential', records: values.records ?? 10, keyed: values.keyed, byHarness: values['partition-by-harness'], partitions: values.partitions ?? 2, brokers: values.brokers ?? 3 };
  let wanted: readonly Fault[] = DEFAULT_CLIENT_FAULTS;
  if (values.faults !== undefined) {
    const items = values.faults.split(',').map((f) => f.trim()).filter((f) => f !== '');
    if (items.length === 0) throw new UsageError(`--faults needs ${wantsOf(FLAGS.faults)}`);
    const unknown = items.find((f) => !(CLIENT_FAULTS as readonly string[]).includes(f));
    if (unknown !== undefined && values.faults.trim() !== 'none') throw new UsageError(`--faults must be one of ${CLIENT_FAULTS.join(', ')}, got '${unknown}'`);
    wanted = values.faults.trim() === 'none' ? [] : (items as Fault[]);
  }
  const faultRate = values['fault-rate'] ?? 0.25;
  const runs = values.runs ?? 10;
  const seed = values.seed ?? 1;
  if (seed + runs - 1 > 2147483647) throw new UsageError(`--seed ${seed} with --runs ${runs} would pass 2147483647, the largest 32-bit seed; use a smaller --seed or fewer --runs`);
  // Which faults make sense depends on the acks the library really sends.
  const inEffect = settingsInEffect(DRIVERS[client], settings);
  const faults = applicableFaults(inEffect, wanted, workload.brokers);
  return {
    client,
    seed,
    runs,
    settings,
    inEffect,
    workload,
    faults,
    skippedFaults: wanted.filter((f) => !faults.includes(f)),
    faultRate,
    reruns: values.reruns ?? 3,
    javaRefuses: javaRefusal(settings),
  };
}

/**
 * What to know about how these settings are run: the Java client's refusal, where the library
 * changes or ignores a setting, a pipeline that the workload cannot fill, and the faults left out.
 */
export function settingNotes(plan: ClientPlan): readonly string[] {
  const notes: string[] = [];
  if (plan.javaRefuses !== null) notes.push(`the Java client refuses these settings (ConfigException: ${plan.javaRefuses}); ${plan.client} accepts them`);
  const overrides = DRIVERS[plan.client].overrides(plan.settings);
  notes.push(...overrides.map((o) => o.why));
  if (plan.inEffect.maxInFlight > 1 && plan.workload.mode === 'sequential') {
    notes.push(`sequential sends wait for each answer, so no more than one request is in flight; --workload concurrent fills the pipeline`);
  }
  if (plan.skippedFaults.length > 0) {
    const why =
      plan.workload.brokers < 2 && plan.skippedFaults.every((f) => CLUSTER_FAULTS.includes(f))
        ? 'a single broker has no leader to move, no follower to take over, no ISR to shrink'
        : plan.inEffect.acks === 0
          ? 'acks=0 gets no answer to lose, hold or fail'
          : 'NOT_ENOUGH_REPLICAS_AFTER_APPEND and a shrunk ISR show only under acks=all';
    notes.push(`not injecting ${plan.skippedFaults.join(', ')}: ${why}`);
  }
  return notes;
}

/** What is run, in one line: client, workload, partitioning, settings, batching and faults. */
export function headerLine(plan: ClientPlan): string {
  const w = plan.workload;
  const s = plan.settings;
  const partitioning = w.byHarness ? 'partition named by the harness' : w.keyed ? "keyed (the client's partitioner)" : "keyless (the client's partitioner)";
  return [
    `${plan.client} ${DRIVERS[plan.client].version()}`,
    `${w.brokers} broker${w.brokers === 1 ? '' : 's'}, ${w.mode}, ${w.records} records, ${w.partitions} partition${w.partitions === 1 ? '' : 's'}, ${partitioning}${w.keyed && w.byHarness ? ', keyed' : ''}`,
    `idempotent ${s.idempotent}, acks=${s.acks === -1 ? 'all' : s.acks}, max in flight ${s.maxInFlight}, retries ${s.retries}, ${s.oneRecordPerBatch ? 'one record per batch' : "the client's batching"}`,
    plan.faults.length === 0 ? 'no faults' : `faults ${plan.faults.join(', ')} at rate ${plan.faultRate}`,
  ].join(' · ');
}

export function commandFor(plan: ClientPlan, seed: number): string {
  const s = plan.settings;
  const w = plan.workload;
  return [
    `npx idemcheck clients --client ${plan.client} --seed ${seed} --runs 1`,
    `--workload ${w.mode} --records ${w.records}${w.keyed ? ' --keyed' : ''}${w.byHarness ? ' --partition-by-harness' : ''} --partitions ${w.partitions} --brokers ${w.brokers}`,
    `${settingsFlags(plan)} --request-timeout ${s.requestTimeoutMs}`,
    `--faults ${plan.faults.length === 0 ? 'none' : plan.faults.join(',')} --fault-rate ${plan.faultRate}`,
  ].join(' ');
}

/** The client settings as the flags that set them, for an error about them. */
function settingsFlags(plan: ClientPlan): string {
  const s = plan.settings;
  return `--idempotent ${s.idempotent} --acks ${s.acks === -1 ? 'all' : s.acks} --max-in-flight ${s.maxInFlight} --batch ${s.oneRecordPerBatch ? 'one' : 'client'} --retries ${s.retries}`;
}

export async function runPlanned(plan: ClientPlan, seed: number): Promise<RunResult> {
  return runClient({
    driver: DRIVERS[plan.client],
    settings: plan.settings,
    workload: plan.workload,
    seed,
    faultRate: plan.faultRate,
    faults: plan.faults,
    deadlineMs: Math.max(3000, plan.settings.requestTimeoutMs * 10 + plan.workload.records * 50),
  });
}

export function buildClientReport(plan: ClientPlan, result: RunResult, reproduced: ClientReport['reproduced']): ClientReport {
  return {
    format: CLIENT_REPORT_FORMAT,
    version: 2,
    tool: TOOL,
    client: result.client,
    clientVersion: result.version,
    seed: result.seed,
    settings: { ...result.settings },
    settingsInEffect: { ...plan.inEffect },
    notes: [DRIVERS[plan.client].batching(plan.settings), ...settingNotes(plan)],
    maxInFlightSeen: result.maxInFlightSeen,
    notTestedAsAsked: result.notAsAsked,
    workload: { ...result.workload },
    faults: result.faults,
    faultRate: result.faultRate,
    command: commandFor(plan, result.seed),
    reproduced,
    violations: clientViolations(result.state, result.violations, result.trace),
    outcomes: result.outcomes,
    trace: result.trace,
    logs: brokerLogs(result.state),
    brokerLog: result.brokerLog,
  };
}

export function writeClientReport(dir: string, report: ClientReport): string {
  ensureReportDir(dir);
  // The seed names the run; the hash of the rerun command tells apart runs of one seed with other settings.
  const stem = join(dir, `client-${report.client}-seed${report.seed}-${shortHash(report.command.replace(/ --seed \d+/, ''))}`);
  try {
    writeFilesWhole([
      [`${stem}.json`, `${JSON.stringify(report, null, 1)}\n`],
      [`${stem}.md`, renderClientMarkdown(report)],
      [`${stem}.html`, renderClientHtml(report)],
    ]);
  } catch (error) {
    throw new UsageError(reportWriteFailed(dir, error));
  }
  return `${stem}.md`;
}

/** The first failed send and its error, for the run's line. */
function firstFailure(result: RunResult): string | null {
  const failed = result.outcomes.find((o) => o.outcome === 'failed');
  return failed === undefined ? null : `r${failed.send} failed: ${failed.error ?? 'no error given'}`;
}

function summary(result: RunResult): string {
  const ok = result.outcomes.filter((o) => o.outcome === 'ok').length;
  const failed = result.outcomes.filter((o) => o.outcome === 'failed').length;
  const pending = result.outcomes.length - ok - failed;
  const faults = result.trace.filter((t) => t.fault !== null).length;
  return `${ok} ok, ${failed} failed, ${pending} pending; ${result.trace.length} produce request${result.trace.length === 1 ? '' : 's'}, ${faults} fault${faults === 1 ? '' : 's'}, at most ${result.maxInFlightSeen} in flight`;
}

export async function clientsCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    print(CLIENTS_HELP);
    return EXIT_OK;
  }
  const plan = planFrom(values);
  try {
    await DRIVERS[plan.client].load();
  } catch (error) {
    if (error instanceof ClientNotInstalled) throw new UsageError(`--client ${plan.client}: ${error.message}`);
    throw error;
  }
  const reportDir = values['report-dir'] ?? 'reports';
  refuseReportDirWithNoReport(values);
  if (!values['no-report']) ensureReportDir(reportDir);
  let stop = false;
  const onSigint = (): void => {
    stop = true;
  };
  process.once('SIGINT', onSigint);
  const rows: { seed: number; result: RunResult; reproduced: ClientReport['reproduced'] | null; report: string | null; nothingTested: boolean; unresolved: number; notAsAsked: readonly string[] }[] = [];
  try {
    // The header goes out with the first run's line: a client that refuses the settings is bad
    // input (exit 2), with nothing on stdout.
    const header = [headerLine(plan)];
    header.push(...settingNotes(plan).map((n) => `note: ${n}`));
    for (let i = 0; i < plan.runs && !stop; i++) {
      const seed = plan.seed + i;
      const result = await runPlanned(plan, seed);
      // A run in which no produce request reached the broker tested nothing. On the first seed,
      // with no send acknowledged, that is the client refusing these settings: bad input.
      const nothingTested = result.trace.length === 0;
      if (nothingTested && i === 0 && result.outcomes.every((o) => o.outcome !== 'ok')) {
        const why = firstFailure(result) ?? result.error ?? 'no error given';
        throw new UsageError(`${plan.client} sent no produce request with these settings (${settingsFlags(plan)}): ${why.replace(/^r\d+ failed: /, '')}`);
      }
      // Sends the client neither acknowledged nor failed before the deadline were never checked:
      // such a run is not a pass, whatever the invariants say about the rest.
      const unresolved = result.outcomes.filter((o) => o.outcome === 'pending').length;
      let reproduced: ClientReport['reproduced'] | null = null;
      let report: string | null = null;
      if (result.violations.length > 0) {
        let violating = 0;
        let reruns = 0;
        for (; reruns < plan.reruns && !stop; reruns++) {
          const again = await runPlanned(plan, seed);
          // A rerun cut short by Ctrl-C is not counted, and no report is written with fewer reruns than asked.
          if (stop) break;
          if (again.violations.length > 0) violating += 1;
        }
        reproduced = { reruns, violating };
        if (stop) {
          if (!values.json) {
            if (i === 0) header.forEach((line) => print(line));
            print(`seed ${seed}: ${summary(result)} · ✗ ${result.violations.map((v) => v.invariant).join(', ')} (interrupted during its reruns: no report written)`);
          }
          break;
        }
        if (!values['no-report']) report = writeClientReport(reportDir, buildClientReport(plan, result, reproduced));
      }
      // A clean run that did not test what was asked (no fault, a pipeline never filled) is not a pass either.
      const notAsAsked = result.violations.length === 0 && !nothingTested && unresolved === 0 ? result.notAsAsked : [];
      rows.push({ seed, result, reproduced, report, nothingTested, unresolved, notAsAsked });
      if (!values.json) {
        if (i === 0) header.forEach((line) => print(line));
        const verdict = nothingTested
          ? '✗ nothing tested: no produce request reached the broker'
          : result.violations.length > 0
            ? `✗ ${result.violations.map((v) => v.invariant).join(', ')} (${reproduced === null || reproduced.reruns === 0 ? 'not rerun' : `reproduced ${reproduced.violating}/${reproduced.reruns}`})`
            : unresolved > 0
              ? `✗ unfinished: ${unresolved} send${unresolved === 1 ? '' : 's'} neither acknowledged nor failed, so not checked`
              : notAsAsked.length > 0
                ? `○ not tested as asked: ${notAsAsked.join('; ')} (no violation, not a pass)`
                : '✓ no violation';
        const failure = firstFailure(result);
        print(`seed ${seed}: ${summary(result)} · ${verdict}${result.error === null ? '' : ` · ${result.error}`}${failure === null ? '' : ` · first ${failure}`}`);
        if (report !== null) print(`    report: ${report}`);
      }
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (stop) {
    const done = rows.length === 0 ? 'no seed finished' : `seeds ${plan.seed}..${plan.seed + rows.length - 1} done of ${plan.runs}`;
    console.error(`interrupted: ${plan.client}, ${done}; reports are written whole or not at all.`);
    return 130;
  }
  const violating = rows.filter((r) => r.result.violations.length > 0);
  const untested = rows.filter((r) => r.nothingTested);
  const unfinished = rows.filter((r) => !r.nothingTested && r.result.violations.length === 0 && r.unresolved > 0);
  const notAsAsked = rows.filter((r) => r.notAsAsked.length > 0);
  if (values.json) {
    // The notes go to stderr, as explore's do with --json: stdout stays one JSON array, and each
    // row says what was run, so that it reads on its own.
    const notes = settingNotes(plan);
    for (const note of notes) console.error(`note: ${note}`);
    const version = DRIVERS[plan.client].version();
    print(
      JSON.stringify(
        rows.map((r) => ({
          seed: r.seed,
          client: plan.client,
          clientVersion: version,
          settings: plan.settings,
          settingsInEffect: plan.inEffect,
          workload: plan.workload,
          faults: plan.faults,
          faultRate: plan.faultRate,
          notes,
          outcomes: r.result.outcomes,
          violations: r.result.violations.map((v) => v.invariant),
          violationDetails: r.result.violations,
          reproduced: r.reproduced,
          error: r.result.error,
          nothingTested: r.nothingTested,
          unresolvedSends: r.unresolved,
          notTestedAsAsked: r.notAsAsked,
          maxInFlightSeen: r.result.maxInFlightSeen,
          produceRequests: r.result.trace.length,
          trace: r.result.trace,
          faultsInjected: r.result.trace.filter((t) => t.fault !== null).length,
          report: r.report,
        })),
        null,
        2,
      ),
    );
  } else {
    print('');
    const seeds = (rs: readonly { seed: number }[]): string => `seed${rs.length === 1 ? '' : 's'} ${rs.map((r) => r.seed).join(', ')}`;
    const parts = [violating.length === 0 ? 'no violation' : `violations in ${seeds(violating)}`];
    if (untested.length > 0) parts.push(`nothing tested in ${seeds(untested)}`);
    if (unfinished.length > 0) parts.push(`unfinished in ${seeds(unfinished)}`);
    if (notAsAsked.length > 0) parts.push(`${notAsAsked.length} not tested as asked (${seeds(notAsAsked)})`);
    const passed = rows.length - violating.length - untested.length - unfinished.length - notAsAsked.length;
    parts.push(`${passed} passed`);
    print(`${rows.length} run${rows.length === 1 ? '' : 's'}: ${parts.join('; ')}.`);
  }
  return violating.length === 0 && untested.length === 0 && unfinished.length === 0 && notAsAsked.length === 0 ? EXIT_OK : EXIT_VIOLATION;
}
