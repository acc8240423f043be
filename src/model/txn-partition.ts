/**
 * A partition's transactional side, derived from a replica's log (issue 19, phase 2). Kafka
 * rebuilds it from the log too (UL `rebuildProducerState`, PSM snapshots + replay, LogLoader's
 * transaction index recovery), so the model keeps no second copy: the producer entries'
 * transactional fields, the open and unreplicated transactions and the aborted index are the
 * replay of the log through txn.ts's rules (`appendTxnData`, `appendMarker`), with the HW applied
 * last (PSM `onHighWatermarkUpdated`). Replication, truncation and restarts then carry them as
 * they carry the log: a follower's view is its copy's (control batches replicate like data, and
 * its own HW bounds its LSO), and a replica that truncated or became leader has its new log's.
 *
 * One difference, on the cautious side: PSM `truncateAndReload` clears `unreplicatedTxns` ("we
 * assume that the offset is less than or equal to the high watermark") and reloads a snapshot,
 * so Kafka forgets a completed transaction whose marker lies before that snapshot but not below
 * the HW; the replay keeps it unstable until the HW passes its marker. The model's LSO is never
 * above Kafka's.
 */

import type { LogBatch, Replica } from './types.js';
import { appendMarker, appendTxnData, EMPTY_TXN_PARTITION, setHighWatermark } from './txn.js';
import type { TxnPartition } from './txn-types.js';

/** A log batch as txn.ts reads it. */
function isTransactional(b: LogBatch): boolean {
  return b.transactional === true || b.control !== undefined;
}

/** The transactional view of `replica`: the replay of its log (REPLICATION origin: what was appended passed its checks then). */
export function txnView(replica: Replica): TxnPartition {
  let p: TxnPartition = EMPTY_TXN_PARTITION;
  for (const b of replica.log) {
    const result =
      b.control !== undefined
        ? appendMarker(p, { partition: -1, producerId: b.producerId, epoch: b.epoch, result: b.control.result, coordinatorEpoch: b.control.coordinatorEpoch })
        : appendTxnData(p, b.producerId, b.epoch, isTransactional(b), b.sends);
    if (result.kind !== 'appended' || result.baseOffset !== b.baseOffset) {
      // A log replays as it was appended; a mismatch is a bug in the model (offsets or checks out of step).
      throw new Error(`model bug: the transactional replay of a log disagrees at offset ${b.baseOffset}`);
    }
    p = result.partition;
  }
  return setHighWatermark(p, replica.hw);
}
