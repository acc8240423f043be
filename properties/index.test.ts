/** Every suite is in exactly one of the suite files that properties/*.test.ts run. */

import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SUITES } from './index.js';

it('each suite file has its test file, so the test files together run every suite', async () => {
  const dir = new URL('.', import.meta.url).pathname;
  const files = readdirSync(dir);
  const suiteFiles = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !['index.ts', 'common.ts', 'suite-tests.ts', 'trace-facts.ts'].includes(f));
  const names: string[] = [];
  for (const f of suiteFiles) {
    expect(files, `${f} has no ${f.replace(/\.ts$/, '.test.ts')}`).toContain(f.replace(/\.ts$/, '.test.ts'));
    const mod = (await import(`./${f}`)) as { default?: readonly { name: string }[] };
    names.push(...(mod.default ?? []).map((s) => s.name));
  }
  expect([...names].sort()).toEqual(SUITES.map((s) => s.name).sort());
});
