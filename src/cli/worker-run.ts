/**
 * Running a job in the worker thread: messages in, a progress line on a terminal, and a clean stop
 * on Ctrl-C (exit 130, with a summary of what was checked; reports are only ever written whole).
 */

import { Worker } from 'node:worker_threads';
import type { Job, WorkerMessage } from './check-worker.js';

export const EXIT_INTERRUPTED = 130;

export interface WorkerHandlers {
  /** Handle one message; progress text (or null) is shown on the terminal's status line. */
  readonly onMessage: (message: WorkerMessage) => string | null;
  /** What to say when Ctrl-C stops the job. */
  readonly interruptedSummary: () => string;
  /** Show a status line on stderr (only on a terminal). */
  readonly tty: boolean;
  /** Heap limit of the worker's old generation (MB); V8's default when absent. */
  readonly maxOldGenerationSizeMb?: number;
}

/** The error a worker that exhausted its heap limit ends with (Node's code for it). */
export function isWorkerOutOfMemory(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/**
 * The worker's module. Built (dist/, where this module is .js): the compiled check-worker.js.
 * From source (tests, tsx): an entry that registers tsx first, since worker threads do not
 * inherit the loader that runs the TypeScript.
 */
export function workerEntry(here: string = import.meta.url): URL {
  return here.endsWith('.ts') ? new URL('./check-worker-entry.mjs', here) : new URL('./check-worker.js', here);
}

/** Run the job; resolves with null when it finished, or EXIT_INTERRUPTED after Ctrl-C. */
export async function runInWorker(job: Job, handlers: WorkerHandlers): Promise<number | null> {
  const resourceLimits = handlers.maxOldGenerationSizeMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: handlers.maxOldGenerationSizeMb } };
  const worker = new Worker(workerEntry(), { workerData: job, execArgv: [], ...resourceLimits });
  const clear = (): void => {
    if (handlers.tty) process.stderr.write('\r\x1b[K');
  };
  const interrupted = new Promise<number>((resolve) => {
    const onSigint = (): void => {
      void worker.terminate();
      clear();
      // Several workers of one command: the summary is said once (the others' is empty).
      const summary = handlers.interruptedSummary();
      if (summary !== '') console.error(`\n${summary}`);
      resolve(EXIT_INTERRUPTED);
    };
    process.once('SIGINT', onSigint);
    worker.once('exit', () => process.removeListener('SIGINT', onSigint));
  });
  let finishedCleanly = false;
  const finished = new Promise<null>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'done') {
        finishedCleanly = true;
        clear();
        resolve(null);
        return;
      }
      clear();
      const status = handlers.onMessage(message);
      if (status !== null && handlers.tty) process.stderr.write(status);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!finishedCleanly) reject(new Error(`the checker stopped unexpectedly (exit ${code})`));
    });
  });
  const outcome = await Promise.race([finished, interrupted]);
  await worker.terminate();
  return outcome;
}
