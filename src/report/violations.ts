/** Violations in words: what a person reads in reports and the CLI. */

import type { Violation } from '../model/invariants.js';
import type { State } from '../model/types.js';
import { sendLabel } from './format.js';

export function describeViolation(state: State, v: Violation): string {
  const label = (send: number): string => sendLabel(state, send);
  switch (v.code) {
    case 'acked_record_lost': {
      const at = v.ackedOffset >= 0 ? ` at offset ${v.ackedOffset}` : ' (acks=0: no offset)';
      return `${label(v.send)} was acknowledged${at}, but partition ${v.partition}'s leader does not have it and nothing on the wire carries it`;
    }
    case 'duplicate_record': {
      const copies = v.offsets.map((offset) => `offset ${offset}`).join(' and ');
      const sameSend = new Set(v.sends).size === 1;
      const how = sameSend ? 'the same send written again by a retry' : `from sends ${v.sends.map(label).join(', ')} (the application resent it)`;
      return `record r${v.record} is in partition ${v.partition}'s committed log ${v.offsets.length} times, at ${copies}: ${how}`;
    }
    case 'session_order_violated':
      return `in session ${v.session}, ${label(v.later.send)} (sent later) is at offset ${v.later.offset} of partition ${v.partition}, before ${label(v.earlier.send)} (sent earlier) at offset ${v.earlier.offset}`;
    case 'phantom_record':
      return `offset ${v.offset} of partition ${v.partition} holds send ${v.send}, which the application never sent to that partition`;
    case 'acked_offset_mismatch':
      return `${label(v.send)} was acknowledged at offset ${v.ackedOffset} of partition ${v.partition}, but the log has it at ${v.offsets.join(', ')}`;
    case 'acked_offset_shared':
      return `${label(v.sends[0])} and ${label(v.sends[1])} were both acknowledged at offset ${v.offset} of partition ${v.partition}: records r${v.records[0]} and r${v.records[1]} at one offset`;
    case 'duplicate_across_partitions':
      return `record r${v.record} is in the committed logs of ${v.partitions.map((p, i) => `partition ${p} (offset ${v.offsets[i]})`).join(' and ')}`;
    case 'not_settled': {
      const what = v.pending.length > 0 ? `${v.pending.map(label).join(', ')} still pending` : 'an unresolved sequence or epoch bump left';
      return `with faults stopped, the system ${v.stuck ? 'got stuck (no event enabled)' : `did not settle within ${v.steps} steps`}: ${what}`;
    }
    case 'failed_record_present':
      return `${label(v.send)} failed definitely, yet broker ${v.replica}'s log of partition ${v.partition} has it at offset ${v.offset}`;
    case 'record_processed_twice': {
      const copies = v.effects.map((e) => `p${e.partition}@${e.offset} by consumer c${e.consumer} (session ${e.session})`).join(' and ');
      return `record r${v.record} has ${v.effects.length} effects in the sink: ${copies}`;
    }
    case 'record_skipped':
      return `${label(v.send)} at offset ${v.offset} of partition ${v.partition} lies below the resume point ${v.resumeOffset}, yet record r${v.record} has no effect in the sink and no consumer holds it`;
    case 'processed_out_of_order':
      return `consumer c${v.consumer} (session ${v.session}, generation ${v.generation}) processed offset ${v.laterEffect.offset} (r${v.laterEffect.record}) of partition ${v.partition} after offset ${v.earlierEffect.offset} (r${v.earlierEffect.record})`;
    case 'aborted_read':
      // With `consumer`, a consumer of the group returned or processed it (the model's detail says which).
      if (v.consumer !== undefined) return `consumer c${v.consumer} of the group (${state.txn?.isolation ?? 'read_uncommitted'}) ${v.detail.includes(' processed ') ? 'processed' : 'got'} ${label(v.send)} at offset ${v.offset} of partition ${v.partition}, a record of an aborted transaction`;
      return `${state.txn?.isolation ?? 'a'} consumer returns ${label(v.send)} at offset ${v.offset} of partition ${v.partition}, a record of an aborted transaction`;
    case 'torn_transaction':
      if (v.group === true) return `transaction #${v.txn + 1} is torn for the consumer group: it got ${v.visible.map(label).join(', ')}, and its reads skipped ${v.hidden.map(label).join(', ')} as aborted`;
      return `transaction #${v.txn + 1} is torn: ${v.visible.map(label).join(', ')} ${v.visible.length === 1 ? 'is' : 'are'} visible to read_committed, ${v.hidden.map(label).join(', ')} ${v.hidden.length === 1 ? 'is' : 'are'} in the log but aborted or not yet visible`;
    case 'committed_write_lost':
      // The model's detail says where the record is (aborted at an offset, or not in the log).
      return `transaction #${v.txn + 1} was committed (commitTransaction() returned), but ${label(v.send)}${v.detail.endsWith('was aborted') ? ' was aborted by a marker' : ' is not in its partition\'s log'}`;
    case 'zombie_write_visible':
    case 'output_not_exactly_once':
      return v.detail;
    case 'effect_of_lost_record':
      return `the sink has an effect of ${label(v.send)} read at offset ${v.offset} of partition ${v.partition}, but the partition's leader no longer has that record there`;
  }
}
