/**
 * Why `explore` stores more states than SPIN on the peer cases c, d, f and g (issue 21): for each
 * case, the states idemcheck's explorer stores, the same search with one of SPIN's abstractions
 * adopted at a time (a rule SPIN's model does not have switched off, a step SPIN fuses into the
 * one before it, or a bound set as SPIN's), and how many of the states visited stay distinct when
 * fields SPIN's state does not hold are erased. Writes nothing; prints the tables for
 * bench/results/state-counts.md.
 *
 *   npx tsx bench/state-counts.ts            # cases c d f g
 *   npx tsx bench/state-counts.ts --case f   # one case (repeatable)
 *   npx tsx bench/state-counts.ts --sound-only   # only the default search, and the same with a pending send's counts as their difference in its key
 *
 * The search is the explorer's (explore.ts `exploreOnce`): breadth-first, one visit per canonical
 * key (canonical.ts `stateKey` with the witnesses' bits, the smallest over broker renamings where
 * symmetry applies), the first violating new state ends it. A variant only filters or fuses the
 * model's events; the model is not changed. Erasures do not steer the search: each is a function of
 * the state, and its count is the number of distinct erased keys among the states the search
 * visited, so it says how many states remain once a distinction is dropped.
 */

import { parseArgs } from 'node:util';
import { adHocSuite } from '../src/checker/ad-hoc.js';
import type { AdHocOptions } from '../src/checker/ad-hoc.js';
import { stateKey } from '../src/checker/canonical.js';
import { FingerprintSet } from '../src/checker/fingerprint-set.js';
import { renameBrokers, renamings, symmetryUnsound } from '../src/checker/symmetry.js';
import type { Event, EventKind, Setup } from '../src/model/events.js';
import { violatedInvariants } from '../src/model/invariants.js';
import type { Invariant } from '../src/model/invariants.js';
import * as make from '../src/model/records.js';
import { enabledEvents, initialState, stepEnabled } from '../src/model/system.js';
import type { State } from '../src/model/types.js';
import type { Witness } from '../src/model/witnesses.js';
import { PEER_CASES } from './peers.js';

/** A change to the search that adopts one of SPIN's abstractions. */
interface Variant {
  readonly name: string;
  /** Settings or bounds changed as flags would change them. */
  readonly options?: (o: AdHocOptions) => AdHocOptions;
  /** Events not taken (a rule SPIN's model lacks). */
  readonly skip?: (state: State, event: Event) => boolean;
  /** Event kinds taken as soon as they are enabled, inside the step that enabled them (SPIN fuses them). */
  readonly eager?: readonly EventKind[];
  /** Erased from the search's own key (only a sound merge belongs here: the search then visits one state per class). */
  readonly keyErase?: (state: State) => State;
}

/** A field, or part of one, erased from a state before its key is taken. */
interface Erasure {
  readonly name: string;
  readonly apply: (state: State) => State;
}

const noTimeout = (o: AdHocOptions): AdHocOptions => ({ ...o, faults: ['disconnect', 'producer-restart'] });
const lost2 = (o: AdHocOptions): AdHocOptions => ({ ...o, bounds: { ...o.bounds, lostMessagesMax: 2 } });
const noBrokerRestart = (_s: State, e: Event): boolean => e.kind === 'BrokerRestart';
/** SPIN's batches hold one record: a send waits until the partition's open batch is drained (stricter than SPIN, whose sends queue one batch each). */
const batchOpen = (s: State, e: Event): boolean =>
  (e.kind === 'AppSend' || e.kind === 'AppResend') && s.producer.batches.some((b) => !b.drained && !b.done);
const followerCrash = (s: State, e: Event): boolean => e.kind === 'BrokerCrash' && s.cluster.partitions[0]?.leader !== e.broker;

/**
 * The sound merge still open: a pending send's transmitted and rejected counts as their difference
 * (application.ts reads only transmitted === rejected). The model itself clears both once the send
 * has its outcome (ghost.ts settle), which was the merge that halved cases d and f.
 */
const pendingDifference = (s: State): State =>
  make.state({
    ...s,
    ghost: make.ghost({ ...s.ghost, sends: s.ghost.sends.map((x) => make.sendInfo({ ...x, transmitted: x.transmitted - x.rejected, rejected: 0 })) }),
  });

/** Erasures, applied cumulatively in this order; the first four drop what no rule reads (see state-counts.md). */
const ERASURES: readonly Erasure[] = [
  { name: "the witnesses' bits (SPIN has no witnesses)", apply: (s) => s },
  {
    name: 'producer lastAckedOffset (no rule reads it)',
    apply: (s) => make.state({ ...s, producer: make.producer({ ...s.producer, partitions: s.producer.partitions.map((p) => make.producerPartition({ ...p, lastAckedOffset: -1 })) }) }),
  },
  {
    name: 'batch attempts (read only against retries=2147483647)',
    apply: (s) => make.state({ ...s, producer: make.producer({ ...s.producer, batches: s.producer.batches.map((b) => make.batch({ ...b, attempts: 0 })) }) }),
  },
  { name: "a pending send's transmitted and rejected kept as their difference (a settled send's are already 0)", apply: pendingDifference },
  {
    name: "ghost acked offset and session of each send (SPIN keeps only each record's status)",
    apply: (s) => make.state({ ...s, ghost: make.ghost({ ...s.ghost, sends: s.ghost.sends.map((x) => make.sendInfo({ ...x, offset: -1, session: 0 })) }) }),
  },
  {
    name: "follower HW and the leader's view of follower LEOs (SPIN's fetch moves the HW at once)",
    apply: (s) =>
      make.state({
        ...s,
        cluster: make.cluster({
          ...s.cluster,
          partitions: s.cluster.partitions.map((p) =>
            make.partition({ ...p, followerLeo: p.followerLeo.map(() => 0), replicas: p.replicas.map((r, b) => make.replica({ ...r, hw: b === p.leader ? r.hw : 0 })) }),
          ),
        }),
      }),
  },
  {
    name: 'leader epochs (partition and each log batch), epoch start offset, flushed offset, producer snapshots',
    apply: (s) =>
      make.state({
        ...s,
        cluster: make.cluster({
          ...s.cluster,
          partitions: s.cluster.partitions.map((p) =>
            make.partition({
              ...p,
              leaderEpoch: 0,
              leaderEpochStartOffset: 0,
              replicas: p.replicas.map((r) => make.replica({ ...r, log: r.log.map((x) => ({ ...x, leaderEpoch: 0 })), flushed: 0, snapshots: [] })),
            }),
          ),
        }),
      }),
  },
  {
    name: "broker producer-state entries (SPIN derives them from the leader's log)",
    apply: (s) =>
      make.state({
        ...s,
        cluster: make.cluster({ ...s.cluster, partitions: s.cluster.partitions.map((p) => make.partition({ ...p, replicas: p.replicas.map((r) => make.replica({ ...r, producers: [] })) })) }),
      }),
  },
  {
    name: "a stopped broker's replica (SPIN wipes the dead leader's log)",
    apply: (s) =>
      make.state({
        ...s,
        cluster: make.cluster({
          ...s.cluster,
          partitions: s.cluster.partitions.map((p) =>
            make.partition({ ...p, replicas: p.replicas.map((r, b) => (s.cluster.alive[b] === true ? r : make.replica({ log: [], hw: 0, flushed: 0, producers: [], snapshots: [] }))) }),
          ),
        }),
      }),
  },
];

/** The variants measured per case, each adopting one more of SPIN's abstractions than the one before. */
const VARIANTS: Readonly<Record<string, readonly Variant[]>> = {
  c: [
    { name: 'no request-timeout fault (SPIN has one kind of connection reset)', options: noTimeout },
    { name: '+ one record per batch', options: noTimeout, skip: batchOpen },
    { name: '+ ProducerResolve fused into the step before (SPIN bumps inside the response step)', options: noTimeout, skip: batchOpen, eager: ['ProducerResolve'] },
  ],
  d: [
    { name: 'one record per batch', skip: batchOpen },
    { name: '+ ProducerResolve fused into the step before', skip: batchOpen, eager: ['ProducerResolve'] },
    { name: '+ lost-messages bound 2 (SPIN F=2; the bench gives idemcheck 1)', options: lost2, skip: batchOpen, eager: ['ProducerResolve'] },
  ],
  f: [
    { name: 'crash-stop: no BrokerRestart', skip: noBrokerRestart },
    { name: '+ only the leader crashes', skip: (s, e) => noBrokerRestart(s, e) || followerCrash(s, e) },
    { name: '+ BrokerCompleteProduce fused into the step that reached the HW', skip: (s, e) => noBrokerRestart(s, e) || followerCrash(s, e), eager: ['BrokerCompleteProduce'] },
    { name: '+ ProducerResolve fused', skip: (s, e) => noBrokerRestart(s, e) || followerCrash(s, e), eager: ['BrokerCompleteProduce', 'ProducerResolve'] },
    { name: '+ one record per batch', skip: (s, e) => noBrokerRestart(s, e) || followerCrash(s, e) || batchOpen(s, e), eager: ['BrokerCompleteProduce', 'ProducerResolve'] },
  ],
  g: [
    { name: 'crash-stop: no BrokerRestart', skip: noBrokerRestart },
    { name: '+ only the leader crashes', skip: (s, e) => noBrokerRestart(s, e) || followerCrash(s, e) },
    { name: '+ BrokerCompleteProduce fused into the step that reached the HW', skip: (s, e) => noBrokerRestart(s, e) || followerCrash(s, e), eager: ['BrokerCompleteProduce'] },
    { name: '+ ProducerResolve fused', skip: (s, e) => noBrokerRestart(s, e) || followerCrash(s, e), eager: ['BrokerCompleteProduce', 'ProducerResolve'] },
    { name: '+ one record per batch', skip: (s, e) => noBrokerRestart(s, e) || followerCrash(s, e) || batchOpen(s, e), eager: ['BrokerCompleteProduce', 'ProducerResolve'] },
  ],
};

export interface Counted {
  readonly unique: number;
  /** The counterexample's length, or null when the search completed. */
  readonly length: number | null;
  readonly depth: number;
  /** Distinct keys among the states visited, after each cumulative erasure. */
  readonly erased: readonly number[];
  readonly ms: number;
  /** The search stopped at the state cap, incomplete. */
  readonly capped: boolean;
}

/** Breadth-first search as the explorer does it, with a variant's filter and fused steps. */
export function countStates(setup: Setup, invariants: readonly Invariant[], witnesses: readonly Witness[], variant: Variant | null, erasures: readonly Erasure[], stopAtViolation = true, cap = Number.POSITIVE_INFINITY): Counted {
  const started = performance.now();
  const renames = symmetryUnsound(setup) === null ? renamings(setup.config.topic.replicationFactor) : null;
  const keyWith = (state: State, bits: number): string => {
    let [a, b] = stateKey(state, bits);
    for (const to of renames ?? []) {
      const [c, d] = stateKey(renameBrokers(state, to), bits);
      if (c >>> 0 < a >>> 0 || (c >>> 0 === a >>> 0 && d >>> 0 < b >>> 0)) [a, b] = [c, d];
    }
    return `${a >>> 0},${b >>> 0}`;
  };
  const bitsOf = (state: State): number => {
    let bits = 0;
    for (let i = 0; i < witnesses.length; i++) if ((witnesses[i] as Witness).holds(state)) bits |= 1 << i;
    return bits;
  };
  const erasedSets = erasures.map(() => new Set<string>());
  const record = (state: State): void => {
    let s = state;
    for (let i = 0; i < erasures.length; i++) {
      s = (erasures[i] as Erasure).apply(s);
      (erasedSets[i] as Set<string>).add(keyWith(s, 0));
    }
  };
  const eager = new Set<EventKind>(variant?.eager ?? []);
  const successors = (state: State): State[] => {
    const out: State[] = [];
    for (const event of enabledEvents(setup, state)) {
      if (eager.has(event.kind)) continue;
      if (variant?.skip?.(state, event) === true) continue;
      let next = stepEnabled(setup, state, event);
      // Fused steps: taken at once, without counting an event (SPIN does them inside the step).
      for (let guard = 0; guard < 8 && eager.size > 0; guard++) {
        const fused = enabledEvents(setup, next).find((e) => eager.has(e.kind));
        if (fused === undefined) break;
        const after = stepEnabled(setup, next, fused);
        next = make.state({ ...after, counters: make.counters({ ...after.counters, events: next.counters.events }) });
      }
      out.push(next);
    }
    return out;
  };
  const seen = new FingerprintSet();
  const add = (state: State): boolean => {
    const [a, b] = keyWith(variant?.keyErase?.(state) ?? state, bitsOf(state)).split(',').map(Number) as [number, number];
    return seen.add(a, b);
  };
  const init = initialState(setup);
  add(init);
  record(init);
  let frontier: { state: State; depth: number }[] = [{ state: init, depth: 0 }];
  let depth = 0;
  const done = (length: number | null, capped = false): Counted => ({ unique: seen.size, length, depth, erased: erasedSets.map((s) => s.size), ms: Math.round(performance.now() - started), capped });
  while (frontier.length > 0) {
    const next: { state: State; depth: number }[] = [];
    for (const { state, depth: d } of frontier) {
      for (const after of successors(state)) {
        if (!add(after)) continue;
        record(after);
        if (seen.size >= cap) return done(null, true);
        if (stopAtViolation && violatedInvariants(after, invariants).length > 0) {
          depth = d + 1;
          return done(d + 1);
        }
        next.push({ state: after, depth: d + 1 });
      }
    }
    frontier = next;
    if (frontier.length > 0) depth += 1;
  }
  return done(null);
}

/** Where a search for every reachable state (of a violating case) gives up. */
const FULL_CAP = 200_000;

function setupOf(options: AdHocOptions, expect: string): { setup: Setup; invariants: readonly Invariant[]; witnesses: readonly Witness[] } {
  // The CLI's ad-hoc default: RecordAcknowledged must be reached when the case is expected to hold.
  const suite = adHocSuite({ ...options, witnesses: options.witnesses ?? (expect === 'holds' ? ['RecordAcknowledged'] : []) });
  if (suite.setup === null) throw new Error(`bad case: ${suite.configError}`);
  return { setup: suite.setup, invariants: suite.checked, witnesses: suite.sought };
}

function main(): void {
  const { values } = parseArgs({ options: { case: { type: 'string', multiple: true }, 'sound-only': { type: 'boolean' } } });
  const ids = values.case ?? ['c', 'd', 'f', 'g'];
  for (const id of ids) {
    const c = PEER_CASES.find((x) => x.id === id);
    if (c === undefined) {
      process.stderr.write(`--case: no case '${id}' (a to g)\n`);
      process.exit(2);
    }
    console.log(`\n## case ${c.id}: ${c.what} (expect ${c.expect})`);
    const base = setupOf(c.idemcheck, c.expect);
    const row = (name: string, r: Counted): void =>
      console.log(`| ${name} | ${r.capped ? 'more than ' : ''}${r.unique} | ${r.capped ? `stopped at depth ${r.depth + 1}` : r.length === null ? `holds, depth ${r.depth}` : `${r.length} steps`} | ${r.ms} ms |`);
    console.log('| search | states | verdict | time |\n|---|---:|---|---:|');
    const def = countStates(base.setup, base.invariants, base.witnesses, null, values['sound-only'] === true ? [] : ERASURES);
    row('idemcheck default', def);
    row("idemcheck default, key with a pending send's transmitted/rejected as their difference (sound)", countStates(base.setup, base.invariants, base.witnesses, { name: 'sound', keyErase: pendingDifference }, []));
    if (values['sound-only'] === true) continue;
    const variants = VARIANTS[c.id] ?? [];
    let last: Counted = def;
    for (const v of variants) {
      const s = v.options === undefined ? base : setupOf(v.options(c.idemcheck), c.expect);
      last = countStates(s.setup, s.invariants, s.witnesses, v, ERASURES);
      row(v.name, last);
    }
    if (c.expect !== 'holds') {
      const full = countStates(base.setup, base.invariants, base.witnesses, null, ERASURES, false, FULL_CAP);
      row('idemcheck default, every reachable state (not stopping at the violation)', full);
      printErasures('default, every reachable state', full);
      if (variants.length > 0) {
        const v = variants[variants.length - 1] as Variant;
        const s = v.options === undefined ? base : setupOf(v.options(c.idemcheck), c.expect);
        const closest = countStates(s.setup, s.invariants, s.witnesses, v, ERASURES, false, FULL_CAP);
        row(`closest variant, every reachable state`, closest);
        printErasures('closest variant, every reachable state', closest);
      }
    }
    printErasures('default (states visited)', def);
    if (variants.length > 0) printErasures('closest variant (states visited)', last);
  }
}

function printErasures(what: string, r: Counted): void {
  console.log(`\nErased cumulatively, ${what}: ${r.unique} states`);
  console.log('| also erased | distinct states |\n|---|---:|');
  ERASURES.forEach((e, i) => console.log(`| ${e.name} | ${r.erased[i]} |`));
}

main();
