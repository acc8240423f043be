/**
 * The worker thread's entry in both ways the CLI runs: from source (tests, `npm run check`
 * through tsx) it registers tsx and loads check-worker.ts; built, dist/src/cli/worker-run.js loads
 * the compiled check-worker.js (the CLI tests run that one, through bin/idemcheck.js).
 */

import { describe, expect, it } from 'vitest';
import type { WorkerMessage } from './check-worker.js';
import { runInWorker, workerEntry } from './worker-run.js';

describe('the worker entry', () => {
  it('is the compiled worker beside a compiled worker-run.js, the tsx entry beside the source', () => {
    expect(workerEntry('file:///p/dist/src/cli/worker-run.js').href).toBe('file:///p/dist/src/cli/check-worker.js');
    expect(workerEntry('file:///p/src/cli/worker-run.ts').href).toBe('file:///p/src/cli/check-worker-entry.mjs');
  });

  it('runs a check job from source', async () => {
    const messages: WorkerMessage['type'][] = [];
    const outcome = await runInWorker(
      { mode: 'check', selection: { kind: 'suites', names: ['delivery.acks1-retry-duplicates'] }, settings: { seed: 1, runs: 50, maxSteps: null, shortestStates: 0, liveness: false } },
      { onMessage: (m) => (messages.push(m.type), null), interruptedSummary: () => 'interrupted', tty: false },
    );
    expect(outcome).toBeNull();
    expect(messages).toEqual(['start', 'result']);
  });
});
