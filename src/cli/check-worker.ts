/**
 * Runs suites off the main thread, so the main thread stays free to show progress and to stop
 * cleanly on Ctrl-C (fast-check's loop is synchronous). It only computes: results and reports go
 * back as messages, and the main thread writes files.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { SUITES } from '../../properties/index.js';
import { adHocSuite } from '../checker/ad-hoc.js';
import type { AdHocOptions } from '../checker/ad-hoc.js';
import { buildReport } from '../checker/build-report.js';
import { judge, runSuite } from '../checker/run-suite.js';
import type { Judgement, SuiteResult } from '../checker/run-suite.js';
import type { Suite } from '../checker/suite.js';
import type { Report } from '../report/report.js';

export interface RunSettings {
  readonly seed: number;
  /** Overrides every suite's own number of runs. */
  readonly runs: number | null;
  readonly maxSteps: number | null;
}

export type Job =
  | { readonly kind: 'suites'; readonly names: readonly string[]; readonly settings: RunSettings }
  | { readonly kind: 'ad-hoc'; readonly options: AdHocOptions; readonly settings: RunSettings };

export type WorkerMessage =
  | { readonly type: 'start'; readonly suite: string; readonly runs: number }
  | { readonly type: 'progress'; readonly suite: string; readonly done: number }
  | { readonly type: 'result'; readonly suite: string; readonly result: SuiteResult; readonly judgement: Judgement; readonly report: Report | null }
  | { readonly type: 'done' };

export function suitesOf(job: Job): { readonly suites: readonly Suite[]; readonly adHoc: boolean } {
  if (job.kind === 'ad-hoc') return { suites: [adHocSuite(job.options)], adHoc: true };
  return { suites: job.names.map((name) => SUITES.find((s) => s.name === name) as Suite), adHoc: false };
}

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

function runJob(job: Job): void {
  const { suites, adHoc } = suitesOf(job);
  for (const suite of suites) {
    const runs = job.settings.runs ?? suite.runs;
    post({ type: 'start', suite: suite.name, runs });
    let last = 0;
    const result = runSuite(suite, {
      seed: job.settings.seed,
      runs,
      ...(job.settings.maxSteps === null ? {} : { maxSteps: job.settings.maxSteps }),
      onRun: (done) => {
        if (done - last >= 250) {
          last = done;
          post({ type: 'progress', suite: suite.name, done });
        }
      },
    });
    post({ type: 'result', suite: suite.name, result, judgement: judge(suite, result), report: buildReport(suite, result, adHoc) });
  }
  post({ type: 'done' });
}

if (parentPort !== null && workerData !== undefined && workerData !== null) runJob(workerData as Job);
