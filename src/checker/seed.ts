/**
 * One seed everywhere. `npm test` and `idemcheck check` use DEFAULT_SEED unless FC_SEED (tests)
 * or --seed (CLI) says otherwise, so a red build reproduces on any machine.
 */

export const DEFAULT_SEED = 20261125;

/** FC_SEED from the environment, or the default. Throws on a value that is not an integer. */
export function seedFromEnvironment(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.FC_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got '${raw}'`);
  return seed;
}
