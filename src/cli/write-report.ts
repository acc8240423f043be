/**
 * Writing a report's four files whole or not at all: each is written to a temporary name in the
 * same directory, then all are renamed into place.
 */

import { accessSync, constants, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { SUITES } from '../../properties/index.js';
import { renderHtml } from '../report/html.js';
import { otherKnownMechanism } from '../report/known.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderRegressionTest } from '../report/regression.js';
import type { Report } from '../report/report.js';
import { reportStem } from '../report/report.js';
import { PACKAGE_ROOT } from '../package.js';
import { UsageError } from './errors.js';

export interface WrittenReport {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
  /** The regression test, or null: an ad-hoc check's unexpected counterexample gets none (see writeReport). */
  readonly test: string | null;
}

/**
 * Make sure the report directory exists (creating missing parts one level at a time) and can be
 * written, before any run starts; a problem is one line naming --report-dir, exit 2.
 */
export function ensureReportDir(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw new UsageError(`--report-dir ${dir}: ${at} is not a directory`);
      break;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new UsageError(`--report-dir ${dir}: cannot use it (${code ?? 'error'})`);
      missing.unshift(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      throw new UsageError(`--report-dir ${dir}: cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  try {
    accessSync(target, constants.W_OK);
  } catch {
    throw new UsageError(`--report-dir ${dir}: not writable`);
  }
}

/**
 * How to run a regression test written to `dir`. The regressions config includes reports/ under
 * the project; a test elsewhere runs with a config that includes every test under its directory
 * (vitest would otherwise find the project's own config above a directory inside the project).
 * Paths are compared after resolving symlinks.
 */
function regressionRunCommand(dir: string): string {
  const project = realpathSync(PACKAGE_ROOT);
  const target = realpathSync(resolve(dir));
  const inReports = relative(join(project, 'reports'), target);
  if (inReports === '' || (!inReports.startsWith('..') && !isAbsolute(inReports))) return 'npx vitest run -c vitest.regressions.config.ts';
  // vitest resolves -c against --root: the config goes by its full path.
  return `cd ${JSON.stringify(project)} && npx vitest run -c ${JSON.stringify(join(project, 'vitest.report-dir.config.ts'))} --root ${JSON.stringify(target)}`;
}

/**
 * Whether a report gets a regression test. A shipped suite's always does: it asserts the anomaly
 * the suite expects still reproduces, or, for an unexpected one, that the invariant holds (failing
 * while the model or Kafka's rule is broken, which is the point). An ad-hoc check's gets one only
 * when the counterexample is the one it expected (--expect violated:X), pinning it: an unexpected
 * one is an experiment's result, and a test asserting it away would fail the regression command
 * (npx vitest run -c vitest.regressions.config.ts) for every later run, as following the README's
 * examples in order did.
 */
export function writesRegressionTest(report: Report): boolean {
  return report.suite !== null || report.expected === `violates ${report.violation.invariant}`;
}

export function writeReport(dir: string, report: Report): WrittenReport {
  ensureReportDir(dir);
  const stem = reportStem(report);
  const testPath = join(dir, `${stem}.test.ts`);
  const paths: WrittenReport = {
    json: join(dir, `${stem}.json`),
    markdown: join(dir, `${stem}.md`),
    html: join(dir, `${stem}.html`),
    test: writesRegressionTest(report) ? testPath : null,
  };
  // The replay command in the report names the JSON as the user named the directory.
  const shownJson = isAbsolute(dir) ? paths.json : relative(process.cwd(), paths.json) || paths.json;
  const known = otherKnownMechanism(report, SUITES);
  const contents: [string, string][] = [
    [paths.json, `${JSON.stringify(report, null, 1)}\n`],
    [paths.markdown, renderMarkdown(report, shownJson, known)],
    [paths.html, renderHtml(report, shownJson, known)],
  ];
  if (paths.test !== null) contents.push([paths.test, renderRegressionTest(report, `${stem}.json`, regressionRunCommand(dir))]);
  writeFilesWhole(contents);
  // A test an older run left under this name would no longer match the report beside it.
  if (paths.test === null) rmSync(testPath, { force: true });
  return paths;
}

/**
 * Write files whole or not at all: each to a temporary name beside it; files already at the target
 * names are set aside, the temporaries renamed into place, and the set-aside files removed. If a
 * rename fails, the ones already made are undone and the set-aside files put back, so the
 * directory holds the old set or the new one, never a mix. A target that exists and is not a file
 * is refused before anything is renamed.
 */
export function writeFilesWhole(contents: readonly (readonly [string, string])[]): void {
  const paths = contents.map(([path]) => path);
  for (const path of paths) {
    const existing = statOrNull(path);
    if (existing !== null && !existing.isFile()) throw new Error(`${path} exists and is not a file`);
  }
  const temporary = paths.map((path) => `${path}.tmp-${process.pid}`);
  const setAside = paths.map((path) => `${path}.old-${process.pid}`);
  const asideDone: number[] = [];
  const placed: number[] = [];
  try {
    contents.forEach(([, text], i) => writeFileSync(temporary[i] as string, text));
    paths.forEach((path, i) => {
      if (statOrNull(path) === null) return;
      renameSync(path, setAside[i] as string);
      asideDone.push(i);
    });
    paths.forEach((path, i) => {
      renameSync(temporary[i] as string, path);
      placed.push(i);
    });
  } catch (error) {
    // Undo as much as can be undone, each step on its own, and report the first error.
    const attempt = (undo: () => void): void => {
      try {
        undo();
      } catch {
        // keep undoing the rest
      }
    };
    for (const i of placed) attempt(() => rmSync(paths[i] as string, { force: true }));
    for (const i of asideDone) attempt(() => renameSync(setAside[i] as string, paths[i] as string));
    for (const tmp of temporary) attempt(() => rmSync(tmp, { force: true }));
    throw error;
  }
  for (const i of asideDone) rmSync(setAside[i] as string, { force: true });
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The one line for a report that could not be written. */
export function reportWriteFailed(dir: string, error: unknown): string {
  return `--report-dir ${dir}: writing the report failed (${error instanceof Error ? error.message : String(error)})`;
}

/** The table's line under a suite whose report could not be written (the error follows the table). */
export const REPORT_NOT_WRITTEN = '    report: not written (the error is at the end)';

/**
 * Write a check or explore report, or say why it could not be written (named after --report-dir)
 * so the run can finish its table and then stop with exit 2.
 */
export function tryWriteReport(dir: string, report: Report | null): { readonly written: WrittenReport | null; readonly error: string | null } {
  if (report === null) return { written: null, error: null };
  try {
    return { written: writeReport(dir, report), error: null };
  } catch (error) {
    return { written: null, error: reportWriteFailed(dir, error) };
  }
}
