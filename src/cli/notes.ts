/**
 * Notes on settings that Kafka accepts but does not use as written (beside the lines Kafka logs,
 * which resolveConfig gives): printed before a run so that a user does not think they hold.
 */

import { effectiveMinIsr } from '../model/config.js';
import type { ModelConfig } from '../model/config.js';

export function settingNotes(config: ModelConfig): string[] {
  const notes: string[] = [];
  const topic = config.topic;
  // Kafka 3.8.0 Partition.scala: "When setting the min ISR, there is no restriction on it. Even if
  // the value does not make sense to be larger than the replication factor. In case there are such
  // setting, the effective min ISR of min(replication factor, min ISR) is returned here."
  // (effectiveMinIsr, lines 376-383; appendRecordsToLeader checks the ISR size against it.)
  if (topic.minInsyncReplicas > topic.replicationFactor) {
    notes.push(
      `min.insync.replicas=${topic.minInsyncReplicas} is more than replication.factor=${topic.replicationFactor}: Kafka accepts it and uses ` +
        `min(min.insync.replicas, replication factor) = ${effectiveMinIsr(topic)} (Partition.effectiveMinIsr), so acks=all needs ${effectiveMinIsr(topic)} in-sync replica${effectiveMinIsr(topic) === 1 ? '' : 's'}, not ${topic.minInsyncReplicas}`,
    );
  }
  return notes;
}
