/**
 * `import ... from 'idemcheck'` in tests (the library test, generated regression tests) resolves
 * to the source under test, src/index.ts; in an installed package, which carries no src/, to the
 * built dist/src/index.js.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('./src/index.ts', import.meta.url));
const built = fileURLToPath(new URL('./dist/src/index.js', import.meta.url));

export const IDEMCHECK_ALIAS = [{ find: /^idemcheck$/, replacement: existsSync(source) ? source : built }];
