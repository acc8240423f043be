/** Bad input: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}

/**
 * An ad-hoc config the Java client refuses (ConfigException): bad input like any other, which
 * `check --json` also gives as a row with verdict "rejected", as it does for a named config suite.
 */
export class RejectedConfigError extends UsageError {
  constructor(
    message: string,
    readonly configError: string,
    /** The ad-hoc check's expectation, in words ("holds", "violates X"). */
    readonly expected: string,
  ) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;
