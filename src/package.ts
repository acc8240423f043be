/**
 * The package this code belongs to: its root directory and its version, read from its
 * package.json (the one place the version is written). Found by walking up from this module, so it
 * works from src/ (tests, tsx) and from dist/src/ (the built CLI and library).
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Found {
  readonly root: string;
  readonly version: string;
  readonly peerDependencies: Readonly<Record<string, string>>;
}

function findPackage(): Found {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const json = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown; version?: unknown; peerDependencies?: Record<string, string> };
      if (json.name === 'idemcheck' && typeof json.version === 'string') return { root: fileURLToPath(dir), version: json.version, peerDependencies: json.peerDependencies ?? {} };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (new URL('..', dir).href === dir.href) throw new Error(`idemcheck: no package.json of idemcheck above ${fileURLToPath(import.meta.url)}`);
  }
}

const found = findPackage();

/** The package's root directory (where package.json is), ending in a path separator. */
export const PACKAGE_ROOT: string = found.root;

/** The version in package.json, e.g. "0.1.0". */
export const PACKAGE_VERSION: string = found.version;

/** The tool and its version, as reports and `--version` name it: "idemcheck 0.1.0". */
export const TOOL = `idemcheck ${PACKAGE_VERSION}`;

/** The client libraries idemcheck can drive, as package.json ranges them (optional peers). */
export const PEER_DEPENDENCIES: Readonly<Record<string, string>> = found.peerDependencies;
