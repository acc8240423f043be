/**
 * Small helpers for argv: node's parseArgs reads `--runs -5` as a missing value followed by an
 * unknown option; joining such pairs as `--runs=-5` lets the range check say what is wrong.
 */

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
export function valueFlagsOf(options: Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>): string[] {
  return Object.entries(options)
    .filter(([, o]) => o.type === 'string')
    .map(([name]) => `--${name}`);
}
