/**
 * The flag tables: one declaration per flag gives its parsing, its range check, its "needs a
 * value" text and its --help line.
 */

import { describe, expect, it } from 'vitest';
import { flagHelp, flags, parseFlags, wantsOf } from './args.js';
import { UsageError } from './errors.js';

const TABLE = flags({
  runs: { kind: 'integer', arg: 'N', min: 1, max: 10, help: 'runs (default 3)' },
  seed: { kind: 'seed', arg: 'N', help: 'the seed' },
  rate: { kind: 'number', arg: 'R', min: 0, max: 1, help: 'a rate\nsecond line' },
  mode: { kind: 'choice', arg: 'M', choices: ['a', 'b'], help: 'a | b' },
  set: { kind: 'text', arg: 'K=V', repeatable: true, wants: 'KEY=VALUE', help: 'a setting' },
  json: { kind: 'switch', help: 'JSON' },
  help: { kind: 'switch', help: '' },
});

function failure(argv: string[]): string {
  try {
    parseFlags(argv, TABLE);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  return 'no error';
}

describe('parseFlags', () => {
  it('converts each value as declared, switches default to false', () => {
    const { values } = parseFlags(['--runs', '4', '--seed', '-7', '--rate', '0.5', '--mode', 'b', '--set', 'x=1', '--set', 'y=2'], TABLE);
    expect(values).toMatchObject({ runs: 4, seed: -7, rate: 0.5, mode: 'b', set: ['x=1', 'y=2'], json: false, help: false });
  });

  it('words each problem from the declaration', () => {
    expect(failure(['--runs', '11'])).toBe("--runs must be an integer from 1 to 10, got '11'");
    expect(failure(['--runs'])).toBe('--runs needs a value: an integer from 1 to 10');
    expect(failure(['--rate', 'x'])).toBe("--rate must be a number from 0 to 1, got 'x'");
    expect(failure(['--mode', 'c'])).toBe("--mode must be one of a, b, got 'c'");
    expect(failure(['--set'])).toBe('--set needs a value: KEY=VALUE');
    expect(failure(['--seed', '1', '--seed', '2'])).toBe("--seed is given twice ('1' and '2'); give it once");
    expect(failure(['--json=yes'])).toBe("--json is a switch and takes no value, got 'yes'");
    expect(wantsOf(TABLE.seed)).toBe('a 32-bit integer');
  });

  it("an object's own property names are not flags", () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => parseFlags([`--${name}`, '1'], TABLE)).toThrow(/Unknown option/);
    }
  });

  it('--help lists every flag with help text, in one column, continuation lines under it', () => {
    expect(flagHelp(TABLE).split('\n')).toEqual([
      '  --runs N   runs (default 3)',
      '  --seed N   the seed',
      '  --rate R   a rate',
      '             second line',
      '  --mode M   a | b',
      '  --set K=V  a setting',
      '  --json     JSON',
    ]);
  });
});
