/**
 * Every committed example report (check and client reports), opened in a real browser: Debian's
 * Chromium at /usr/bin/chromium, driven by playwright-core (which never downloads a browser of
 * its own). The page loads nothing from elsewhere and logs no error, the sequence diagram has one
 * row per step of the sibling JSON, and every text in the diagram is readable: its box, as the
 * browser lays it out, lies inside the picture and overlaps no other text's box.
 *
 * Without Chromium the tests skip, saying so; under CI (CI=true) they fail instead, so a CI run
 * cannot pass without having looked. `.ci/run` installs Chromium.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is absent: install it (apt-get install -y chromium) to run the browser test`;
const EXAMPLES = resolve('reports/examples');
const pages = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.html'))
  .sort();

/** How many rows the diagram must have: one per step of the check report, one per produce request of a client report. */
function expectedRows(html: string): number {
  const report = JSON.parse(readFileSync(join(EXAMPLES, html.replace(/\.html$/, '.json')), 'utf8')) as { events?: unknown[]; trace?: unknown[] };
  const steps = html.startsWith('client-') ? report.trace : report.events;
  if (!Array.isArray(steps)) throw new Error(`${html}: its JSON has no ${html.startsWith('client-') ? 'trace' : 'events'} list`);
  return steps.length;
}

interface Box {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The few browser APIs the in-page function uses. The project compiles without the DOM library
 * (nothing else runs in a browser), so they are named here rather than made global for all code.
 */
interface InPageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  getBBox(): { x: number; y: number; width: number; height: number };
}
interface InPageSvg extends InPageElement {
  readonly viewBox: { readonly baseVal: { width: number; height: number } };
  querySelector(selector: string): InPageElement | null;
  querySelectorAll(selector: string): Iterable<InPageElement> & { readonly length: number };
}
interface InPage {
  readonly document: { querySelector(selector: 'svg'): InPageSvg | null; querySelectorAll(selector: string): { readonly length: number } };
  getComputedStyle(element: InPageElement): { stroke: string; fill: string };
}

/** Two boxes overlap when they share more than a hairline in both directions (glyph boxes of neighbouring rows may touch). */
const SLACK = 0.5;
const overlaps = (a: Box, b: Box): boolean =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > SLACK && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > SLACK;

describe('example reports in Chromium', () => {
  let browser: Browser | undefined;
  // One page for every report, each loaded in turn: a page per report took twice as long.
  let page: Page | undefined;
  let current = '';
  const problems: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      // The default reporter shows only a count of skipped tests: say why once (console is reserved for failures here).
      if (process.env.CI !== 'true') process.stderr.write(`skipping the browser test: ${MISSING}\n`);
      return;
    }
    // Playwright starts it headless with a fresh temporary profile; the flags keep it off the
    // network (this machine has none) and away from the sandbox, which needs privileges.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // A self-contained page asks for nothing but itself.
    page.on('request', (r) => {
      if (r.url() !== current) problems.push(`request: ${r.url()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('has example reports to open', () => {
    expect(pages.filter((p) => p.startsWith('client-')).length).toBeGreaterThan(0);
    expect(pages.filter((p) => !p.startsWith('client-')).length).toBeGreaterThan(0);
  });

  for (const name of pages) {
    it(`${name}: loads cleanly, one diagram row per step, every label readable`, async (ctx) => {
      if (page === undefined) {
        if (process.env.CI === 'true') throw new Error(`${MISSING} (CI must run it, not skip it)`);
        ctx.skip(MISSING);
        return;
      }
      problems.length = 0;
      current = pathToFileURL(join(EXAMPLES, name)).href;
      await page.goto(current, { waitUntil: 'load' });
      const found = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as InPage;
        const svg = document.querySelector('svg');
        if (svg === null) return null;
        const view = svg.viewBox.baseVal;
        const texts = [...svg.querySelectorAll('text')].map((t) => {
          const b = t.getBBox();
          return { text: t.textContent ?? '', x: b.x, y: b.y, width: b.width, height: b.height };
        });
        // Each arrowhead's fill and its line's stroke, as the browser computes them.
        const heads = [...svg.querySelectorAll('line[marker-end], line[marker-start]')].flatMap((line) =>
          ['marker-end', 'marker-start'].flatMap((attribute) => {
            const ref = /url\(#([^)]+)\)/.exec(line.getAttribute(attribute) ?? '')?.[1];
            if (ref === undefined) return [];
            const path = svg.querySelector(`marker[id="${ref}"] path`);
            return [{ line: line.getAttribute('class') ?? '', stroke: getComputedStyle(line).stroke, head: path === null ? 'missing' : getComputedStyle(path).fill }];
          }),
        );
        return {
          svgs: document.querySelectorAll('svg').length,
          view: { width: view.width, height: view.height },
          steps: svg.querySelectorAll('text.step').length,
          stripes: svg.querySelectorAll('rect.row').length,
          texts,
          heads,
        };
      });
      expect(problems).toEqual([]);
      expect(found, 'an SVG diagram').not.toBeNull();
      if (found === null) return;
      expect(found.svgs).toBe(1);
      // A step number on every row; a check report also stripes each row.
      expect(found.steps).toBe(expectedRows(name));
      if (!name.startsWith('client-')) expect(found.stripes).toBe(expectedRows(name));
      expect(found.heads.length).toBeGreaterThan(0);
      expect(found.heads.filter((h) => h.head !== h.stroke), 'arrowheads in another colour than their line').toEqual([]);

      // The texts are laid out (a page without its font would give empty boxes), inside the picture, and apart.
      expect(found.texts.filter((t) => t.text !== '' && t.width === 0)).toEqual([]);
      const outside = found.texts.filter((t) => t.x < 0 || t.y < 0 || t.x + t.width > found.view.width || t.y + t.height > found.view.height);
      expect(outside, 'labels reaching outside the picture').toEqual([]);
      const clashes: string[] = [];
      found.texts.forEach((a, i) => {
        for (const b of found.texts.slice(i + 1)) {
          if (overlaps(a, b)) clashes.push(`"${a.text}" (${a.x.toFixed(0)},${a.y.toFixed(0)}) overlaps "${b.text}" (${b.x.toFixed(0)},${b.y.toFixed(0)})`);
        }
      });
      expect(clashes, 'labels overlapping each other').toEqual([]);
    });
  }
});
