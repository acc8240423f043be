/**
 * argv for every command: node's parseArgs, with the cases it words badly caught first, so each
 * gets one line naming the flag and what it wants:
 * - `--runs -5` (parseArgs reads a missing value and an unknown option): joined as `--runs=-5`,
 *   so the range check says what is wrong;
 * - a value flag with no value (`--client --runs 1`, `--runs` last, `--faults ''`);
 * - a switch given a value (`--keyed true`).
 */

import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type OptionSpec = { readonly type: 'string' | 'boolean'; readonly multiple?: boolean; readonly default?: string | boolean | string[] };

export function joinNegativeValues(argv: readonly string[], valueFlags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (valueFlags.includes(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** The string-valued flags of a parseArgs options object, as `--name`. */
export function valueFlagsOf(options: Readonly<Record<string, OptionSpec>>): string[] {
  return Object.entries(options)
    .filter(([, o]) => o.type === 'string')
    .map(([name]) => `--${name}`);
}

/**
 * Parse a command's argv. `wants` says, for a value flag, what its value should be ("an integer
 * >= 1", "one of kafkajs, platformatic, rdkafka"); a missing value is reported with it.
 */
export function parseCommandArgs<O extends Readonly<Record<string, OptionSpec>>>(
  argv: readonly string[],
  options: O,
  settings: { readonly allowPositionals?: boolean; readonly wants?: Readonly<Record<string, string>> } = {},
) {
  const valueFlags = valueFlagsOf(options);
  const args = joinNegativeValues(argv, valueFlags);
  const wanted = (flag: string): string => {
    const what = settings.wants?.[flag.slice(2)];
    return what === undefined ? `${flag} needs a value` : `${flag} needs a value: ${what}`;
  };
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!flag.startsWith('--')) continue;
    const spec = options[flag.slice(2)];
    if (spec === undefined) continue; // parseArgs names unknown options itself
    if (spec.type === 'string') {
      const value = eq > 0 ? arg.slice(eq + 1) : args[i + 1];
      if (value === undefined || value.trim() === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(wanted(flag));
      // parseArgs keeps the last of a repeated single-valued flag; say so instead of guessing.
      const before = given.get(flag);
      if (before !== undefined && spec.multiple !== true) throw new UsageError(`${flag} is given twice ('${before}' and '${value}'); give it once`);
      given.set(flag, value);
      if (eq < 0) i += 1;
    } else {
      if (eq > 0) throw new UsageError(`${flag} is a switch and takes no value, got '${arg.slice(eq + 1)}'`);
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-') && settings.allowPositionals !== true) {
        throw new UsageError(`${flag} is a switch and takes no value, got '${next}'`);
      }
    }
  }
  return parseArgs({ args, options, strict: true, allowPositionals: settings.allowPositionals ?? false });
}
