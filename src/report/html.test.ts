/**
 * The HTML report's sequence diagram: message labels stay readable where lines cross.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSequenceDiagram } from './html.js';
import type { Report } from './report.js';

const load = (name: string): Report => JSON.parse(readFileSync(`reports/examples/${name}-seed20261125.json`, 'utf8')) as Report;
// Requests and responses crossing, responses lost three rows after they were sent (steep lines)
// and one still on its way: the crowded case.
const REPORT = load('finding.failure-after-deadline-rewrites-in-flight');
// A response sent as leadership moves and never read, beside the new leader's mark, with the
// longest label of the examples.
const STEEP = load('finding.new-producer-id-reordered');

const num = (tag: string, attr: string): number => Number(new RegExp(`${attr}="([-0-9.]+)"`).exec(tag)?.[1]);

const messages = (svg: string): { lines: string[]; labels: string[]; texts: string[] } => ({
  lines: [...svg.matchAll(/<line [^>]*class="msg (request|response|lost|pending)"[^>]*>/g)].map((m) => m[0]),
  labels: [...svg.matchAll(/<text [^>]*class="msg-label (request|response)"[^>]*>/g)].map((m) => m[0]),
  texts: [...svg.matchAll(/<text [^>]*class="msg-label (?:request|response)"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string),
});

describe('sequence diagram', () => {
  const svg = renderSequenceDiagram(REPORT);
  const { lines, labels } = messages(svg);

  it('draws every message label after every message line, so a label hides the lines that cross it', () => {
    expect(lines.length).toBeGreaterThan(3);
    expect(labels).toHaveLength(lines.length);
    expect(svg.lastIndexOf(lines.at(-1) as string)).toBeLessThan(svg.indexOf(labels[0] as string));
  });

  it('puts a box under each label covering its text, so a crossing line does not run between the letters', () => {
    const pairs = [...svg.matchAll(/<rect ([^>]*)class="label-box"\/>\n<text ([^>]*)class="msg-label (?:request|response)"([^>]*)>([^<]*)<\/text>/g)];
    expect(pairs).toHaveLength(labels.length);
    // The marks written right of a lane get one too (all but the closing line under the diagram;
    // outcomes are written left of the application's lane, where no line runs).
    const marks = [...svg.matchAll(/<text [^>]*class="mark [^"]*"[^>]*>/g)].filter((t) => !t[0].includes('text-anchor="end"')).length;
    expect([...svg.matchAll(/class="label-box"\/>\n<text [^>]*class="mark /g)]).toHaveLength(marks - 1);
    for (const [, rect = '', before = '', after = '', text = ''] of pairs) {
      const label = before + after;
      const [left, width, top, height] = [num(rect, 'x'), num(rect, 'width'), num(rect, 'y'), num(rect, 'height')];
      const x = num(label, 'x');
      const y = num(label, 'y');
      // 11px monospace: about 6.7px a character, ascent about 8px above the baseline.
      const [textLeft, textRight] = label.includes('text-anchor="start"') ? [x, x + text.length * 6.7] : [x - text.length * 6.7, x];
      expect(left).toBeLessThanOrEqual(textLeft);
      expect(left + width).toBeGreaterThanOrEqual(textRight);
      expect(top).toBeLessThanOrEqual(y - 8);
      expect(top + height).toBeGreaterThanOrEqual(y + 2);
    }
  });

  it('starts each label beside its sending lane, running the way its line goes and above it there', () => {
    lines.forEach((line, i) => {
      const label = labels[i] as string;
      const [x1, y1, x2, y2] = [num(line, 'x1'), num(line, 'y1'), num(line, 'x2'), num(line, 'y2')];
      const [x, y] = [num(label, 'x'), num(label, 'y')];
      const rightward = x2 > x1;
      expect(label).toContain(`text-anchor="${rightward ? 'start' : 'end'}"`);
      expect(Math.abs(x - x1)).toBeLessThan(20);
      // The line descends (later rows are lower), away from where the label starts: the
      // label's baseline above the line at its start keeps the whole label above it.
      expect(y2).toBeGreaterThanOrEqual(y1);
      const lineY = y1 + ((y2 - y1) * (x - x1)) / (x2 - x1);
      expect(y).toBeLessThan(lineY);
    });
  });

  it('keeps a label in the upper half of its row, clear of the marks written below the middle, however steep its line', () => {
    for (const report of [REPORT, STEEP]) {
      const m = messages(renderSequenceDiagram(report));
      const steep = m.lines.filter((line) => num(line, 'y2') - num(line, 'y1') > Math.abs(num(line, 'x2') - num(line, 'x1')));
      if (report === REPORT) expect(steep.length).toBeGreaterThan(0);
      m.lines.forEach((line, i) => {
        // Marks have their baseline 12px below the row's middle, so their text starts about 2px below it.
        expect(num(m.labels[i] as string, 'y')).toBeLessThanOrEqual(num(line, 'y1') - 1);
      });
    }
  });

  it('spaces the lanes so that even the longest label ends before the lane its message goes to', () => {
    const m = messages(renderSequenceDiagram(STEEP));
    expect(Math.max(...m.texts.map((t) => t.length))).toBeGreaterThan(30);
    m.lines.forEach((line, i) => {
      const [x1, x2] = [num(line, 'x1'), num(line, 'x2')];
      // 11px monospace is about 6.6px a character; the label starts 14px off its lane.
      const lanes = Math.round(Math.abs(x2 - x1) / (line.includes('pending') || line.includes('lost') ? 0.35 : 1));
      expect(14 + (m.texts[i] as string).length * 6.6).toBeLessThan(lanes);
    });
  });

  it('gives each colour of arrow its own arrowhead, of that colour', () => {
    const svg2 = renderSequenceDiagram(STEEP);
    const heads = new Map([...svg2.matchAll(/<marker id="([^"]+)"[^>]*><path [^>]*fill="([^"]+)"/g)].map((m) => [m[1] as string, m[2] as string]));
    const colours: Record<string, string> = { request: '#333', response: '#2c6fbb', fetch: '#7d3c98', app: '#555' };
    const arrows = [...svg2.matchAll(/<line [^>]*class="msg (\w+)"[^>]*marker-end="url\(#([^)]+)\)"/g)];
    expect(new Set(arrows.map((a) => a[1]))).toEqual(new Set(Object.keys(colours)));
    for (const [, kind = '', head = ''] of arrows) expect(heads.get(head), `${kind} line's head`).toBe(colours[kind]);
  });

  it('draws a message never read as a short level stub in the row it was written, its label saying it is still on its way', () => {
    const m = messages(renderSequenceDiagram(STEEP));
    const pending = m.lines.map((line, i) => ({ line, text: m.texts[i] as string })).filter((p) => p.line.includes('msg pending'));
    expect(pending.length).toBeGreaterThan(0);
    for (const { line, text } of pending) {
      // Level at the row's middle, above the marks written below it, with no arrowhead.
      expect(num(line, 'y2')).toBe(num(line, 'y1'));
      expect(line).not.toContain('marker-end');
      expect(text).toMatch(/\(still on its way\)$/);
    }
    expect(m.texts.filter((t) => t.endsWith('(still on its way)'))).toHaveLength(pending.length);
  });
});
