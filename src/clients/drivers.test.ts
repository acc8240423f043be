/**
 * Loading client libraries, which idemcheck declares as optional peer dependencies: a missing one
 * is named with the one command that installs it; a library that fails for another reason (a
 * package it needs is missing) keeps its own error.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClientNotInstalled, DRIVERS, importClient, installCommand } from './drivers.js';

const peers = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies;

describe('client libraries are loaded when a run needs them', () => {
  it('a missing library is ClientNotInstalled, naming the command that installs it', async () => {
    const missing = 'idemcheck-test-no-such-client';
    const error: unknown = await importClient(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientNotInstalled);
    expect((error as Error).message).toBe(`${missing} is not installed; install it with: npm install ${missing}`);
  });

  it('the install command gives the range idemcheck declares as its peer dependency', () => {
    expect(peers).toMatchObject({ kafkajs: expect.any(String), '@platformatic/kafka': expect.any(String) });
    expect(DRIVERS.kafkajs.install).toBe(`npm install kafkajs@${peers.kafkajs}`);
    expect(DRIVERS.platformatic.install).toBe(`npm install @platformatic/kafka@${peers['@platformatic/kafka']}`);
    expect(installCommand('kafkajs')).toBe(`npm install kafkajs@${peers.kafkajs}`);
  });

  it('a library that is there but needs a missing package keeps its own error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idemcheck-client-'));
    const file = join(dir, 'library.mjs');
    writeFileSync(file, "import 'idemcheck-test-missing-dependency';\nexport const loaded = true;\n");
    const error: unknown = await importClient(pathToFileURL(file).href).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ClientNotInstalled);
    expect((error as NodeJS.ErrnoException).message).toContain('idemcheck-test-missing-dependency');
  });

  it('the installed clients load', async () => {
    await expect(DRIVERS.kafkajs.load()).resolves.toBeDefined();
    await expect(DRIVERS.platformatic.load()).resolves.toBeDefined();
  });
});
