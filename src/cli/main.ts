/**
 * The command line: the only layer that reads argv and files, writes output and exits.
 */

import { pathToFileURL } from 'node:url';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { TOOL } from '../package.js';

/** What --version prints: the tool, and the Kafka release whose rules the model follows. */
export const VERSION = `${TOOL} (models the producer and broker rules of Apache Kafka 3.8.0)`;

const HELP = `idemcheck: a property-based model checker for Kafka producer delivery guarantees

Usage: idemcheck <command> [options]

Commands:
  check                    run the property suites (or an ad-hoc check) and report counterexamples
  explore                  visit every state within a suite's bounds: complete, or a shortest counterexample
  replay REPORT.json       reproduce a counterexample (or --suite S --seed N --path P)
  run --trace FILE.json    step a hand-written scenario and check the invariants
  clients --client NAME    run a real client library against a wire broker driven by the model
  list                     list suites, invariants, witnesses, faults, events, settings and bounds
  merge FILE.json ...      one verdict from the --json outputs of check --shard I/N

Run 'idemcheck <command> --help' for a command's options; 'idemcheck --version' for the version.`;

type Command = (argv: readonly string[], print: (line: string) => void) => number | Promise<number>;

/**
 * Each command's module, loaded when the command runs: `--version` loads none of them, and a
 * command loads only what it needs (suites, fast-check, the client libraries).
 */
const COMMANDS: Readonly<Record<string, () => Promise<{ run: Command; help: string }>>> = {
  check: async () => import('./check.js').then((m) => ({ run: m.checkCommand, help: m.CHECK_HELP })),
  explore: async () => import('./explore.js').then((m) => ({ run: m.exploreCommand, help: m.EXPLORE_HELP })),
  replay: async () => import('./replay.js').then((m) => ({ run: m.replayCommand, help: m.REPLAY_HELP })),
  run: async () => import('./run.js').then((m) => ({ run: m.runCommand, help: m.RUN_HELP })),
  clients: async () => import('./clients.js').then((m) => ({ run: m.clientsCommand, help: m.CLIENTS_HELP })),
  list: async () => import('./list.js').then((m) => ({ run: m.listCommand, help: m.LIST_HELP })),
  merge: async () => import('./merge.js').then((m) => ({ run: m.mergeCommand, help: m.MERGE_HELP })),
};

/** The command of that name; `constructor` or `__proto__` is no command, whatever an Object has. */
function commandNamed(name: string): (() => Promise<{ run: Command; help: string }>) | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

let pipeGuarded = false;

/**
 * Output piped into `head` closes early: stop quietly instead of crashing with EPIPE. Once per
 * process: the tests call main() many times in one process.
 */
function exitQuietlyOnClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

export async function main(argv: readonly string[], print: (line: string) => void = (l) => console.log(l)): Promise<number> {
  exitQuietlyOnClosedPipe();
  const [name, ...given] = argv;
  // `idemcheck help check` is `idemcheck check --help`; `-h` is `--help` (before a `--`).
  if (name === 'help' && given[0] !== undefined) {
    const asked = commandNamed(given[0]);
    if (asked === undefined) {
      console.error(`idemcheck: unknown command '${given[0]}' (commands: ${Object.keys(COMMANDS).join(', ')}; see idemcheck --help)`);
      return EXIT_USAGE;
    }
    print((await asked()).help);
    return EXIT_OK;
  }
  const end = given.indexOf('--');
  const rest = given.map((arg, i) => (arg === '-h' && (end < 0 || i < end) ? '--help' : arg));
  if (name === '--version' || name === '-V') {
    print(VERSION);
    return EXIT_OK;
  }
  // No command is bad input: the usage goes to stderr, so stdout stays empty.
  if (name === undefined) {
    console.error(HELP);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    print(HELP);
    return EXIT_OK;
  }
  const load = commandNamed(name);
  if (load === undefined) {
    console.error(`idemcheck: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')}; see idemcheck --help)`);
    return EXIT_USAGE;
  }
  const command = await load();
  try {
    return await command.run(rest, print);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`idemcheck ${name}: ${error.message}`);
      return EXIT_USAGE;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      // parseArgs adds advice on positionals after '--' that quotes unevenly: the first sentence is enough.
      const first = ((error as Error).message.split('\n')[0] ?? '').replace(/^(Unknown option '[^']*')\..*$/, '$1');
      console.error(`idemcheck ${name}: ${first} (see idemcheck ${name} --help)`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

// Run when started directly (`tsx src/cli/main.ts ...`); bin/idemcheck.js calls main() itself.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
