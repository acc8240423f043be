/**
 * Writing a report's four files whole or not at all: each is written to a temporary name in the
 * same directory, then all are renamed into place.
 */

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderRegressionTest } from '../report/regression.js';
import type { Report } from '../report/report.js';
import { reportStem } from '../report/report.js';

export interface WrittenReport {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
  readonly test: string;
}

/** The project's src/ directory as an import path from `dir`, for the generated test's imports. */
function srcImportFrom(dir: string): string {
  const src = fileURLToPath(new URL('..', import.meta.url));
  const path = relative(dir, src).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

export function writeReport(dir: string, report: Report): WrittenReport {
  mkdirSync(dir, { recursive: true });
  const stem = reportStem(report);
  const paths: WrittenReport = {
    json: join(dir, `${stem}.json`),
    markdown: join(dir, `${stem}.md`),
    html: join(dir, `${stem}.html`),
    test: join(dir, `${stem}.test.ts`),
  };
  const shownJson = relative(process.cwd(), paths.json) || paths.json;
  const contents: [string, string][] = [
    [paths.json, `${JSON.stringify(report, null, 1)}\n`],
    [paths.markdown, renderMarkdown(report, shownJson)],
    [paths.html, renderHtml(report, shownJson)],
    [paths.test, renderRegressionTest(report, `${stem}.json`, srcImportFrom(dir))],
  ];
  const temporary = contents.map(([path]) => `${path}.tmp-${process.pid}`);
  try {
    contents.forEach(([, text], i) => writeFileSync(temporary[i] as string, text));
    contents.forEach(([path], i) => renameSync(temporary[i] as string, path));
  } catch (error) {
    for (const tmp of temporary) rmSync(tmp, { force: true });
    throw error;
  }
  return paths;
}
