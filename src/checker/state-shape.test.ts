/**
 * The declaration of the state's fields (state-shape.ts), from which the canonical key and the
 * codec are derived: every state the suites reach has exactly the declared fields; changing any
 * one leaf the key holds changes the key, and changing one it ignores does not; renaming ids in
 * order does not change it.
 */

import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import type { Event, Setup } from '../model/events.js';
import { enabledEvents, initialState, stepEnabled } from '../model/system.js';
import type { State } from '../model/types.js';
import { canonicalText, stateKey } from './canonical.js';
import { ID_SPACES, type IdSpace, nonConforming, recordShapes, type Shape, STATE_SHAPE } from './state-shape.js';

function setupOf(name: string): Setup {
  const setup = SUITES.find((s) => s.name === name)?.setup;
  if (setup === null || setup === undefined) throw new Error(`no suite ${name}`);
  return setup;
}

/** States along seeded random walks of a suite: every `every`-th step of `walks` walks to the suite's full length. */
function walkStates(name: string, walks: number, every: number): State[] {
  const setup = setupOf(name);
  const random = seedrandom(`state-shape:${name}`);
  const out: State[] = [];
  for (let w = 0; w < walks; w++) {
    let state = initialState(setup);
    for (let i = 1; i <= setup.bounds.eventsMax; i++) {
      const events = enabledEvents(setup, state);
      if (events.length === 0) break;
      state = stepEnabled(setup, state, events[Math.floor(random() * events.length)] as Event);
      if (i % every === 0) out.push(state);
    }
    out.push(state);
  }
  return out;
}

// Suites whose states populate the producer's pipelines, replication, the consumer group and sink,
// transactions with a zombie instance, failovers and consume-transform-produce.
const SAMPLED = [
  'delivery.idempotent-in-flight-5',
  'replication.acks-all-min-isr-2-no-loss',
  'finding.clean-broker-restart-duplicates',
  'replication.power-loss-min-isr-2-no-loss',
  'consumer.dedup-end-to-end',
  'consumer.rebalance-old-owner-duplicates',
  'consumer.dedup-non-atomic',
  'txn.zombie-fenced',
  'txn.coordinator-failover',
  'txn.ctp-send-offsets-exactly-once',
  'txn.timeout-aborts-and-fences',
];

/** A value of `shape` to put where the state has none (a null, an absent field, an empty array). */
function sample(shape: Shape): unknown {
  switch (shape.kind) {
    case 'int':
    case 'id':
      return 0;
    case 'bool':
      return false;
    case 'true':
      return true;
    case 'enum':
      return shape.values[0];
    case 'text':
      return '';
    case 'array':
      return [];
    case 'nullable':
      return null;
    case 'record':
      return Object.fromEntries(shape.fields.filter((f) => !f.optional).map((f) => [f.name, sample(f.shape)]));
  }
}

type Live = Record<IdSpace, number[]>;

/** The live ids of each space in `value`, as canonical.ts ranks them. */
function liveIds(shape: Shape, value: unknown, live: Live): void {
  if (shape.kind === 'id') {
    if (shape.live && (value as number) >= 0 && !live[shape.space].includes(value as number)) live[shape.space].push(value as number);
  } else if (shape.kind === 'array') for (const item of value as unknown[]) liveIds(shape.of, item, live);
  else if (shape.kind === 'nullable') {
    if (value !== null) liveIds(shape.of, value, live);
  } else if (shape.kind === 'record') {
    for (const f of shape.fields) if ((value as Record<string, unknown>)[f.name] !== undefined) liveIds(f.shape, (value as Record<string, unknown>)[f.name], live);
  }
}

/**
 * One change of one leaf: the subtree before and after (they differ in that leaf only, or in
 * whether one value is there at all), whether the key holds it, and the field it is in.
 */
interface Change {
  readonly path: string;
  readonly field: string;
  readonly relevant: boolean;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * Every one-leaf change of `value`. Where the state has no value (null, an absent field, an empty
 * array) a sample is put in, and the sample's own leaves are changed too, so that every declared
 * field is exercised. An id is changed to another live id of its space (a change to an unused id
 * may be a mere renaming); `skipped` counts ids with no other live id to change to.
 */
function* changes(shape: Shape, value: unknown, path: string, field: string, relevant: boolean, live: Live, skipped: { n: number }): Generator<Change> {
  const change = (after: unknown, before: unknown = value): Change => ({ path, field, relevant, before, after });
  switch (shape.kind) {
    case 'int':
      yield change((value as number) + 1);
      return;
    case 'bool':
      yield change(!(value as boolean));
      return;
    case 'true':
      return;
    case 'enum': {
      const i = shape.values.indexOf(value as string);
      if (shape.values.length > 1) yield change(shape.values[(i + 1) % shape.values.length]);
      return;
    }
    case 'text':
      yield change(`${value as string}!`);
      return;
    case 'id': {
      const other = live[shape.space].find((x) => x !== value);
      if (other === undefined) skipped.n += 1;
      else yield change(other);
      return;
    }
    case 'array': {
      const items = value as unknown[];
      if (items.length === 0) {
        const one = sample(shape.of);
        yield change([one]);
        for (const c of changes(shape.of, one, `${path}[0]`, field, relevant, live, skipped)) yield { ...c, before: [c.before], after: [c.after] };
        return;
      }
      yield change(items.slice(0, -1));
      for (let i = 0; i < items.length; i++) {
        for (const c of changes(shape.of, items[i], `${path}[${i}]`, field, relevant, live, skipped)) {
          const wrap = (x: unknown): unknown[] => items.map((item, j) => (j === i ? x : item));
          yield { ...c, before: wrap(c.before), after: wrap(c.after) };
        }
      }
      return;
    }
    case 'nullable':
      if (value === null) {
        const one = sample(shape.of);
        yield change(one);
        yield* changes(shape.of, one, path, field, relevant, live, skipped);
      } else {
        yield change(null);
        yield* changes(shape.of, value, path, field, relevant, live, skipped);
      }
      return;
    case 'record': {
      const o = value as Record<string, unknown>;
      for (const f of shape.fields) {
        const name = `${shape.name}.${f.name}`;
        const holds = relevant && f.ignored === null;
        const wrap = (x: unknown): Record<string, unknown> => {
          const copy = { ...o };
          if (x === undefined) delete copy[f.name];
          else copy[f.name] = x;
          return copy;
        };
        const here = (after: unknown, before: unknown): Change => ({ path: `${path}.${f.name}`, field: name, relevant: holds, before: wrap(before), after: wrap(after) });
        let current = o[f.name];
        if (f.optional) {
          const one = current ?? sample(f.shape);
          yield here(current === undefined ? one : undefined, current);
          current = one;
        }
        for (const c of changes(f.shape, current, `${path}.${f.name}`, name, holds, live, skipped)) yield { ...c, before: wrap(c.before), after: wrap(c.after) };
      }
      return;
    }
  }
}

/** The state with every id of `space` under the ranked part of the declaration renamed by `to`, an increasing map. */
function renameIds(shape: Shape, value: unknown, space: IdSpace, to: (id: number) => number): unknown {
  switch (shape.kind) {
    case 'id':
      return shape.space === space && (value as number) >= 0 ? to(value as number) : value;
    case 'array':
      return (value as unknown[]).map((item) => renameIds(shape.of, item, space, to));
    case 'nullable':
      return value === null ? null : renameIds(shape.of, value, space, to);
    case 'record': {
      const o = value as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, renameIds(shape.fields.find((f) => f.name === k)?.shape as Shape, v, space, to)]));
    }
    default:
      return value;
  }
}

describe('State declaration', () => {
  it('every state of random walks through every suite has exactly the declared fields, of the declared kinds', () => {
    let states = 0;
    for (const s of SUITES) {
      if (s.setup === null) continue;
      for (const state of walkStates(s.name, 2, 1)) {
        const problems = nonConforming(STATE_SHAPE, state);
        if (problems.length > 0) expect(problems, s.name).toEqual([]);
        states += 1;
      }
    }
    expect(states).toBeGreaterThan(2000);
  });

  it('reports a field the declaration does not list, a missing one, and a value of another kind, by path', () => {
    const state = walkStates('txn.zombie-fenced', 1, 1000)[0] as State;
    const txn = state.txn as NonNullable<State['txn']>;
    expect(nonConforming(STATE_SHAPE, { ...state, txn: { ...txn, client: { ...txn.client, newField: 1 } } })).toEqual([
      'state.txn.client: field newField is not declared in TxnClient (src/checker/state-shape.ts)',
    ]);
    const { position: _gone, ...withoutPosition } = txn;
    expect(nonConforming(STATE_SHAPE, { ...state, txn: withoutPosition })).toEqual(['state.txn: TxnSide field position is missing']);
    expect(nonConforming(STATE_SHAPE, { ...state, counters: { ...state.counters, records: 1.5 } })).toEqual(['state.counters.records: expected an integer, found 1.5']);
  });

  it('changing any one leaf the key holds changes the key (both forms); changing one it ignores does not', () => {
    const covered = new Set<string>();
    const skipped = { n: 0 };
    let checked = 0;
    for (const name of SAMPLED) {
      for (const state of walkStates(name, 1, 20)) {
        const live: Live = { batch: [], request: [], member: [] };
        liveIds(STATE_SHAPE, state, live);
        for (const c of changes(STATE_SHAPE, state, 'state', 'State', true, live, skipped)) {
          const [before, after] = [c.before as State, c.after as State];
          const same = stateKey(before, 0).join(':') === stateKey(after, 0).join(':');
          // The readable form too, on every fifth change (it is ten times slower).
          const sameText = checked % 5 === 0 ? canonicalText(before) === canonicalText(after) : same;
          if (c.relevant) {
            if (same || sameText) expect.fail(`${name}: changing ${c.path} (${c.field}) left the key as it was`);
          } else if (!same || !sameText) expect.fail(`${name}: ${c.path} (${c.field}) is declared ignored, but changing it changed the key`);
          covered.add(c.field);
          checked += 1;
        }
      }
    }
    // Every declared field was changed at least once (a field holding a record, through its own fields).
    const fields = [...recordShapes(STATE_SHAPE)].flatMap((r) => r.fields.filter((f) => f.shape.kind !== 'record').map((f) => `${r.name}.${f.name}`));
    expect(fields.filter((f) => !covered.has(f))).toEqual([]);
    expect(checked).toBeGreaterThan(8_000);
    expect(skipped.n).toBeLessThan(checked / 10);
  });

  it('renaming the ids of a space in order (and the counters that hand them out) leaves the key as it was', () => {
    let renamed = 0;
    for (const name of SAMPLED) {
      for (const state of walkStates(name, 2, 15)) {
        for (const space of ID_SPACES) {
          const moved = renameIds(STATE_SHAPE, state, space, (id) => id * 3 + 7) as State;
          if (JSON.stringify(moved) === JSON.stringify(state)) continue;
          const bumped: State =
            space === 'batch'
              ? { ...moved, producer: { ...moved.producer, nextBatchId: moved.producer.nextBatchId * 3 + 7 } }
              : space === 'request'
                ? { ...moved, producer: { ...moved.producer, nextRequestId: moved.producer.nextRequestId * 3 + 7 } }
                : moved.consumers === null
                  ? moved
                  : { ...moved, consumers: { ...moved.consumers, group: { ...moved.consumers.group, nextMemberId: moved.consumers.group.nextMemberId * 3 + 7 } } };
          expect(stateKey(bumped, 0), `${name} ${space}`).toEqual(stateKey(state, 0));
          expect(canonicalText(bumped)).toBe(canonicalText(state));
          renamed += 1;
        }
      }
    }
    expect(renamed).toBeGreaterThan(30);
  });
});
