/**
 * Command-line flags, each declared once: its kind and range (for parsing and validation), its
 * help line (for --help) and what it wants (for the one-line error). Every command parses with
 * `parseFlags(argv, TABLE)` and prints its options with `flagHelp(TABLE, names)`.
 *
 * Parsing is node's parseArgs (no dependency; commander's own error wording would replace the
 * messages the tests pin), with the cases it words badly caught first, so each gets one line
 * naming the flag and what it wants:
 * - `--runs -5` (parseArgs reads a missing value and an unknown option): joined as `--runs=-5`,
 *   so the range check says what is wrong;
 * - a value flag with no value (`--client --runs 1`, `--runs` last, `--faults ''`);
 * - a single-valued flag given twice; a switch given a value (`--keyed true`).
 */

import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

interface Described {
  /** Placeholder for the value in --help: `N`, `DIR`, `KEY=VALUE`. */
  readonly arg?: string;
  /** The help text; `\n` starts a continuation line under the first. Empty: not listed. */
  readonly help: string;
}

export type FlagSpec =
  | (Described & { readonly kind: 'switch' })
  | (Described & { readonly kind: 'text'; readonly wants: string; readonly repeatable?: boolean })
  | (Described & { readonly kind: 'integer'; readonly min: number; readonly max?: number; readonly wants?: string })
  | (Described & { readonly kind: 'number'; readonly min: number; readonly max: number })
  | (Described & { readonly kind: 'seed' })
  | (Described & { readonly kind: 'choice'; readonly choices: readonly string[]; readonly wants?: string });

export type FlagTable = Readonly<Record<string, FlagSpec>>;

type ValueOf<S extends FlagSpec> = S extends { readonly kind: 'switch' }
  ? boolean
  : S extends { readonly kind: 'integer' | 'number' | 'seed' }
    ? number | undefined
    : S extends { readonly kind: 'choice'; readonly choices: readonly (infer C)[] }
      ? C | undefined
      : S extends { readonly repeatable: true }
        ? string[] | undefined
        : string | undefined;

/** The parsed values of a table: numbers validated, choices narrowed, switches false when absent. */
export type FlagValues<T extends FlagTable> = { readonly [K in keyof T]: ValueOf<T[K]> };

/** Declare a table keeping its literal kinds and choices, so that parsed values are typed. */
export function flags<const T extends FlagTable>(table: T): T {
  return table;
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** What a flag's value should be, for "needs a value" and list errors. */
export function wantsOf(spec: FlagSpec): string | null {
  switch (spec.kind) {
    case 'switch':
      return null;
    case 'text':
      return spec.wants;
    case 'integer':
      return spec.wants ?? `an integer ${spec.max === undefined ? `>= ${spec.min}` : `from ${spec.min} to ${spec.max}`}`;
    case 'number':
      return `a number from ${spec.min} to ${spec.max}`;
    case 'seed':
      return 'a 32-bit integer';
    case 'choice':
      return spec.wants ?? `one of ${spec.choices.join(', ')}`;
  }
}

/** Check one given value against its declaration; the error names the flag and the range. */
function convert(name: string, spec: FlagSpec, value: string): string | number {
  const flag = `--${name}`;
  switch (spec.kind) {
    case 'integer': {
      const n = Number(value);
      if (!/^\d+$/.test(value.trim()) || n < spec.min || !Number.isSafeInteger(n) || (spec.max !== undefined && n > spec.max)) {
        throw new UsageError(`${flag} must be an integer ${spec.max === undefined ? `>= ${spec.min}` : `from ${spec.min} to ${spec.max}`}, got '${value}'`);
      }
      return n;
    }
    case 'number': {
      const n = value.trim() === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(n) || n < spec.min || n > spec.max) throw new UsageError(`${flag} must be a number from ${spec.min} to ${spec.max}, got '${value}'`);
      return n;
    }
    case 'seed': {
      const n = Number(value);
      if (!/^-?\d+$/.test(value.trim()) || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
        throw new UsageError(`${flag} must be a 32-bit integer (${INT32_MIN} to ${INT32_MAX}), got '${value}'`);
      }
      return n;
    }
    case 'choice':
      if (!spec.choices.includes(value)) throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}, got '${value}'`);
      return value;
    default:
      return value;
  }
}

/** `--runs -5` → `--runs=-5` for value flags, so that parseArgs does not take -5 for an option. */
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

/**
 * Parse a command's argv against its table: one line naming the flag for every problem, values
 * converted and checked in the order they were given.
 */
export function parseFlags<const T extends FlagTable>(
  argv: readonly string[],
  table: T,
  settings: { readonly allowPositionals?: boolean } = {},
): { readonly values: FlagValues<T>; readonly positionals: string[] } {
  // The table's own keys only: a name such as 'constructor' is not a flag because an object has it.
  const specOf = (name: string): FlagSpec | undefined => (Object.hasOwn(table, name) ? table[name] : undefined);
  const names = Object.keys(table);
  const valueFlags = names.filter((n) => specOf(n)?.kind !== 'switch').map((n) => `--${n}`);
  const args = joinNegativeValues(argv, valueFlags);
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!flag.startsWith('--')) continue;
    const spec = specOf(flag.slice(2));
    if (spec === undefined) continue; // parseArgs names unknown options itself
    if (spec.kind !== 'switch') {
      const value = eq > 0 ? arg.slice(eq + 1) : args[i + 1];
      if (value === undefined || value.trim() === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${flag} needs a value: ${wantsOf(spec)}`);
      // parseArgs keeps the last of a repeated single-valued flag; say so instead of guessing.
      const before = given.get(flag);
      const repeatable = spec.kind === 'text' && spec.repeatable === true;
      if (before !== undefined && !repeatable) throw new UsageError(`${flag} is given twice ('${before}' and '${value}'); give it once`);
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
  const options = Object.fromEntries(
    names.map((n) => {
      const spec = specOf(n) as FlagSpec;
      return [n, spec.kind === 'switch' ? { type: 'boolean' as const } : { type: 'string' as const, multiple: spec.kind === 'text' && spec.repeatable === true }];
    }),
  );
  const parsed = parseArgs({ args, options, strict: true, allowPositionals: settings.allowPositionals ?? false, tokens: true });
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const n of names) if (specOf(n)?.kind === 'switch') values[n] = false;
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const spec = specOf(token.name) as FlagSpec;
    if (spec.kind === 'switch') {
      values[token.name] = true;
    } else if (spec.kind === 'text' && spec.repeatable === true) {
      values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), token.value ?? ''];
    } else {
      values[token.name] = convert(token.name, spec, token.value ?? '');
    }
  }
  return { values: values as FlagValues<T>, positionals: parsed.positionals };
}

/**
 * The --help lines of some of a table's flags: `--name ARG` in a column `width` wide, then the
 * help, continuation lines indented under it. The width defaults to fit every flag of the table.
 */
export function flagHelp(table: FlagTable, names: readonly string[] = Object.keys(table), width = helpWidth(table)): string {
  const lines: string[] = [];
  for (const name of names) {
    const spec = table[name];
    if (spec === undefined || spec.help === '') continue;
    const head = `--${name}${spec.arg === undefined ? '' : ` ${spec.arg}`}`;
    const [first, ...rest] = spec.help.split('\n');
    lines.push(`  ${head.padEnd(width)}${head.length >= width ? ' ' : ''}${first}`);
    for (const line of rest) lines.push(`  ${' '.repeat(width)}${line}`);
  }
  return lines.join('\n');
}

/** The column for a table's help: its longest `--name ARG` and two spaces. */
export function helpWidth(table: FlagTable): number {
  return Math.max(...Object.entries(table).filter(([, s]) => s.help !== '').map(([n, s]) => `--${n}${s.arg === undefined ? '' : ` ${s.arg}`}`.length)) + 2;
}

/** The switches and the output flags several commands share. */
export const COMMON_FLAGS = flags({
  json: { kind: 'switch', help: 'print the results as JSON instead of text' },
  'report-dir': { kind: 'text', arg: 'DIR', wants: 'a directory', help: 'where counterexample reports go (default: reports)' },
  'no-report': { kind: 'switch', help: 'write no report files' },
  help: { kind: 'switch', help: '' },
});
