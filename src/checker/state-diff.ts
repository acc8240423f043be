/**
 * What changed between two states, as JSON Patch operations (RFC 6902): `run --json` prints each
 * step's changes instead of the whole state, so that its output grows with the trace, not with
 * its square; `replay` names the first field where a report's state differs from the model's.
 *
 * States are plain JSON data (src/model/types.ts). An array that grew is `add`s at its end; one
 * that shrank is `remove`s from its end; anything else that differs is a `replace` of the
 * smallest enclosing value that differs.
 */

export type PatchOp =
  | { readonly op: 'add'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'replace'; readonly path: string; readonly value: unknown };

/** RFC 6901: `~` is written `~0` and `/` is written `~1` in a path segment. */
function segment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The operations that turn `before` into `after`, appended to `out`. */
export function diffStates(before: unknown, after: unknown, path = '', out: PatchOp[] = []): PatchOp[] {
  // The model shares what a step leaves unchanged: the same reference is the same value.
  if (before === after) return out;
  if (Array.isArray(before) && Array.isArray(after)) {
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) diffStates(before[i], after[i], `${path}/${i}`, out);
    for (let i = common; i < after.length; i++) out.push({ op: 'add', path: `${path}/${i}`, value: after[i] });
    for (let i = before.length - 1; i >= common; i--) out.push({ op: 'remove', path: `${path}/${i}` });
    return out;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key)) out.push({ op: 'remove', path: `${path}/${segment(key)}` });
    }
    for (const key of Object.keys(after)) {
      const at = `${path}/${segment(key)}`;
      if (Object.hasOwn(before, key)) diffStates(before[key], after[key], at, out);
      else out.push({ op: 'add', path: at, value: after[key] });
    }
    return out;
  }
  if (!Object.is(before, after)) out.push({ op: 'replace', path, value: after });
  return out;
}

/** Apply operations made by `diffStates` to a copy of `doc` (for tests and for readers of `run --json`). */
export function applyPatch(doc: unknown, ops: readonly PatchOp[]): unknown {
  let root = structuredClone(doc);
  for (const op of ops) {
    const keys = op.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (keys.length === 0) {
      if (op.op === 'remove') throw new Error('cannot remove the whole document');
      root = structuredClone(op.value);
      continue;
    }
    let parent = root as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    const last = keys[keys.length - 1] as string;
    if (Array.isArray(parent)) {
      const index = Number(last);
      if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
      else if (op.op === 'remove') parent.splice(index, 1);
      else parent[index] = structuredClone(op.value);
    } else if (op.op === 'remove') {
      delete parent[last];
    } else {
      Object.defineProperty(parent, last, { value: structuredClone(op.value), enumerable: true, writable: true, configurable: true });
    }
  }
  return root;
}

/** A path made readable: `/producer/partitions/0/nextSequence` → `producer.partitions[0].nextSequence`. */
export function readablePath(path: string): string {
  if (path === '') return 'the whole state';
  return path
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((text, key) => (/^\d+$/.test(key) ? `${text}[${key}]` : text === '' ? key : `${text}.${key}`), '');
}
