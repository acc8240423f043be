#!/usr/bin/env node
// Entry point for `npx idemcheck`: the compiled CLI in dist/ (`npm ci` or `npm run build` makes it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('idemcheck: the CLI is not built (no dist/src/cli/main.js): run `npm run build` in the idemcheck directory\n');
  process.exit(2);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is done: a client library may leave timers behind (kafkajs's retry backoffs kept a
// finished `clients` run alive for 5 s more). Once what was printed is flushed, exit.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))));
process.exit(code);
