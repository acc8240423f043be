/**
 * Reference §5: acks, ISR, HW, elections and truncation on a replicated partition.
 * Each test names the rule and the Kafka 3.8.0 source it follows.
 */

import { describe, expect, it } from 'vitest';
import { logRecords, play, replicaOf } from '../checker/fixtures.js';
import { truncateTo } from './broker.js';
import { isEnabled } from './system.js';

const rf2 = { 'replication.factor': 2 };
const sendAndAppend = ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)'];

describe('Cluster: acks (PART appendRecordsToLeader, KafkaApis handleProduceRequest, DelayedProduce)', () => {
  it('acks=0 completes at once with no offset', () => {
    const { last } = play({ acks: '0' }, ['AppSend(p0)', 'ProducerDrain(b0)']);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'ok', offset: -1 });
    expect(last.producer.requests[0]).toEqual([]);
    expect(last.network[0]?.toBroker).toHaveLength(1);
  });

  it('acks=0: a broker that fails a request closes the connection, losing what follows it', () => {
    const { last } = play({ acks: '0', ...rf2 }, [
      'AppSend(p0)',
      'ProducerDrain(b0)',
      'AppSend(p0)',
      'ProducerDrain(b0)',
      'ControllerMoveLeader(p0,b1)',
      'BrokerReceive(b0)',
    ]);
    expect(last.network[0]?.toBroker).toEqual([]);
    expect(last.ghost.stats).toMatchObject({ notLeader: 1, lostRequests: 1 });
    expect(last.ghost.sends.map((s) => s.outcome)).toEqual(['ok', 'ok']);
  });

  it('acks=1 answers as soon as the leader appended, with no min.insync.replicas check', () => {
    const { last } = play({ acks: '1', ...rf2, 'min.insync.replicas': 2 }, ['BrokerCrash(b1)', ...sendAndAppend, 'ProducerReceive(b0)']);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'ok', offset: 0 });
    // Since 3.7 the HW does not move below min ISR: the record is acknowledged but not readable.
    expect(replicaOf(last, 0, 0).hw).toBe(0);
  });

  it('acks=all below min.insync.replicas is NOT_ENOUGH_REPLICAS and appends nothing', () => {
    const { last } = play({ ...rf2, 'min.insync.replicas': 2 }, ['BrokerCrash(b1)', ...sendAndAppend]);
    expect(logRecords(last, 0, 0)).toEqual([]);
    expect(last.network[0]?.toClient[0]?.partitions[0]?.error).toBe('NOT_ENOUGH_REPLICAS');
  });

  it('acks=all answers when the HW passes the batch, which takes two follower fetches', () => {
    const { states, setup } = play(rf2, [...sendAndAppend, 'ReplicaFetch(p0,b1)', 'ReplicaFetch(p0,b1)', 'BrokerCompleteProduce(b0)']);
    const afterOneFetch = states[4];
    if (afterOneFetch === undefined) throw new Error('missing state');
    expect(replicaOf(afterOneFetch, 0, 1).log).toHaveLength(1);
    expect(replicaOf(afterOneFetch, 0, 0).hw).toBe(0);
    expect(isEnabled(setup, afterOneFetch, { kind: 'BrokerCompleteProduce', broker: 0 })).toBe(false);
    const last = states[states.length - 1];
    expect(last?.network[0]?.toClient[0]?.partitions[0]).toEqual({ partition: 0, error: 'NONE', baseOffset: 0 });
  });

  it('acks=all with the leader alone in the ISR answers at once', () => {
    const { last } = play({}, sendAndAppend);
    expect(last.network[0]?.pending).toBeNull();
    expect(last.network[0]?.toClient).toHaveLength(1);
  });

  it('a duplicate with acks=all waits until the original batch is replicated (RM requiredOffset)', () => {
    const { states } = play(rf2, [...sendAndAppend, 'NetworkDisconnect(b0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ReplicaFetch(p0,b1)', 'ReplicaFetch(p0,b1)', 'BrokerCompleteProduce(b0)']);
    const parked = states[6];
    expect(parked?.network[0]?.pending?.partitions[0]).toMatchObject({ baseOffset: 0, requiredOffset: 1 });
    expect(states[states.length - 1]?.network[0]?.toClient[0]?.partitions[0]).toEqual({ partition: 0, error: 'NONE', baseOffset: 0 });
  });

  it('NOT_ENOUGH_REPLICAS_AFTER_APPEND: the HW passed the batch but the ISR shrank below min ISR before the answer (PART checkEnoughReplicasReachOffset)', () => {
    const { last } = play({ ...rf2, 'min.insync.replicas': 2 }, [...sendAndAppend, 'ReplicaFetch(p0,b1)', 'ReplicaFetch(p0,b1)', 'BrokerCrash(b1)', 'BrokerCompleteProduce(b0)', 'ProducerReceive(b0)']);
    expect(last.ghost.stats.notEnoughReplicasAfterAppend).toBe(1);
    expect(logRecords(last, 0, 0)).toEqual([0]);
    // The record is written and committed, but the producer retries it: the retry is deduplicated later.
    expect(last.ghost.sends[0]?.outcome).toBe('pending');
  });

  it('a parked request is answered NOT_LEADER_OR_FOLLOWER as soon as its leader becomes a follower (RM completeDelayedFetchOrProduceRequests)', () => {
    const { last, setup } = play(rf2, [...sendAndAppend, 'ControllerMoveLeader(p0,b1)']);
    expect(last.network[0]?.pending).toBeNull();
    expect(last.network[0]?.toClient[0]?.partitions[0]?.error).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(isEnabled(setup, last, { kind: 'BrokerCompleteProduce', broker: 0 })).toBe(false);
  });

  it('so leadership moving away and back cannot acknowledge a truncated batch at an offset that now holds another', () => {
    // X is parked on b0; leadership moves to b1, which appends Y at offset 0; b0 truncates X and copies
    // Y; leadership returns to b0. X was answered NOT_LEADER_OR_FOLLOWER when b0 lost leadership.
    const { last } = play({ 'replication.factor': 3, 'min.insync.replicas': 2 }, [
      ...sendAndAppend,
      'ControllerMoveLeader(p0,b1)',
      'AppSend(p0)',
      'ProducerDrain(b1)',
      'BrokerReceive(b1)',
      'ReplicaFetch(p0,b0)',
      'ReplicaFetch(p0,b2)',
      'ReplicaFetch(p0,b0)',
      'ReplicaFetch(p0,b2)',
      'ControllerMoveLeader(p0,b0)',
      'ProducerReceive(b0)',
    ]);
    expect(last.ghost.sends[0]?.outcome).toBe('pending');
    // Both moves answered the old leader's parked request (X on b0, then Y on b1).
    expect(last.ghost.stats.notLeader).toBe(2);
  });

  it('a parked request decides each partition once: an answer fixed while it led stays fixed (DelayedProduce acksPending)', () => {
    const config = { ...rf2, partitions: 2 };
    // p0 is led by b0 and p1 by b1; move p1 to b0 so one request carries both partitions.
    const { last } = play(config, [
      'ControllerMoveLeader(p1,b0)',
      'AppSend(p0)',
      'AppSend(p1)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ReplicaFetch(p0,b1)',
      'ReplicaFetch(p0,b1)',
      'BrokerCompleteProduce(b0)',
      'ControllerMoveLeader(p0,b1)',
    ]);
    // p0 was decided NONE before its leadership moved; p1 still waits.
    expect(last.network[0]?.pending?.partitions.map((p) => [p.partition, p.error, p.requiredOffset])).toEqual([
      [0, 'NONE', -1],
      [1, 'NONE', 1],
    ]);
  });

  it('the broker\'s purgatory timeout answers REQUEST_TIMED_OUT', () => {
    const { last } = play(rf2, [...sendAndAppend, 'BrokerProduceTimeout(b0)']);
    expect(last.network[0]?.toClient[0]?.partitions[0]?.error).toBe('REQUEST_TIMED_OUT');
  });

  it('the broker reads the next request on a connection only after answering the parked one (SocketServer mute)', () => {
    const { last, setup } = play(rf2, [...sendAndAppend, 'AppSend(p0)', 'ProducerDrain(b0)']);
    expect(isEnabled(setup, last, { kind: 'BrokerReceive', broker: 0, nth: 0 })).toBe(false);
  });
});

describe('Cluster: ISR (PART maybeShrinkIsr, isFollowerInSync)', () => {
  it('only a follower behind the leader\'s LEO can be dropped from the ISR', () => {
    const { last, setup } = play(rf2, []);
    expect(isEnabled(setup, last, { kind: 'LeaderShrinkIsr', partition: 0, replica: 1 })).toBe(false);
    const behind = play(rf2, sendAndAppend);
    expect(isEnabled(behind.setup, behind.last, { kind: 'LeaderShrinkIsr', partition: 0, replica: 1 })).toBe(true);
  });

  it('a follower rejoins the ISR when its fetch offset reaches the HW', () => {
    const { last } = play(rf2, ['BrokerCrash(b1)', 'BrokerRestart(b1)', 'ReplicaFetch(p0,b1)']);
    expect(last.cluster.partitions[0]?.isr).toEqual([0, 1]);
  });

  it('fencing a crashed follower removes it from the ISR, which lets the HW advance', () => {
    const { last } = play({ 'replication.factor': 3 }, [...sendAndAppend, 'ReplicaFetch(p0,b1)', 'ReplicaFetch(p0,b1)', 'BrokerCrash(b2)']);
    expect(last.cluster.partitions[0]?.isr).toEqual([0, 1]);
    expect(replicaOf(last, 0, 0).hw).toBe(1);
  });
});

describe('Cluster: elections (ReplicationControlManager, PartitionChangeBuilder)', () => {
  it('a crashed leader is replaced by the first live ISR member in assignment order, with a new leader epoch', () => {
    const { last } = play({ 'replication.factor': 3 }, ['BrokerCrash(b0)']);
    expect(last.cluster.partitions[0]).toMatchObject({ leader: 1, leaderEpoch: 1, isr: [1, 2] });
  });

  it('the last ISR member stays in the ISR when it stops, and the partition is offline until it returns', () => {
    const { last, states } = play(rf2, [...sendAndAppend, 'LeaderShrinkIsr(p0,b1)', 'BrokerCrash(b0)', 'BrokerRestart(b0)']);
    expect(states[states.length - 2]?.cluster.partitions[0]).toMatchObject({ leader: -1, isr: [0] });
    expect(last.cluster.partitions[0]).toMatchObject({ leader: 0, isr: [0] });
  });

  it('with unclean election allowed, losing the last in-sync replica elects a live out-of-sync one, which lacks what was acknowledged', () => {
    const config = { ...rf2, acks: '1', 'unclean.leader.election.enable': true };
    const events = [...sendAndAppend, 'ProducerReceive(b0)', 'LeaderShrinkIsr(p0,b1)', 'BrokerCrash(b0)'];
    const { last } = play(config, events);
    expect(last.cluster.partitions[0]).toMatchObject({ leader: 1, isr: [1] });
    expect(logRecords(last, 0, 1)).toEqual([]);
    expect(last.ghost.stats.uncleanElections).toBe(1);
    const clean = play({ ...config, 'unclean.leader.election.enable': false }, events);
    expect(clean.last.cluster.partitions[0]).toMatchObject({ leader: -1, isr: [0] });
  });

  it('with unclean election allowed, an out-of-sync replica that restarts while the partition is offline is elected', () => {
    const config = { ...rf2, acks: '1', 'unclean.leader.election.enable': true };
    const { last } = play(config, [...sendAndAppend, 'LeaderShrinkIsr(p0,b1)', 'BrokerCrash(b1)', 'BrokerCrash(b0)', 'BrokerRestart(b1)']);
    expect(last.cluster.partitions[0]).toMatchObject({ leader: 1, isr: [1] });
  });

  it('an old leader that returns truncates its unreplicated suffix and rebuilds producer state (KIP-279, UL truncateTo)', () => {
    const { last } = play({ ...rf2, acks: '1' }, [...sendAndAppend, 'BrokerCrash(b0)', 'BrokerRestart(b0)', 'ReplicaFetch(p0,b0)']);
    expect(last.cluster.partitions[0]?.leader).toBe(1);
    expect(logRecords(last, 0, 0)).toEqual([]);
    expect(replicaOf(last, 0, 0).producers).toEqual([]);
    expect(last.ghost.stats.truncations).toBe(1);
  });

  it('a new leader inherits the dedup cache built by replication, so a retry after failover is deduplicated', () => {
    const { last } = play(rf2, [
      ...sendAndAppend,
      'ReplicaFetch(p0,b1)',
      'BrokerCrash(b0)',
      'ProducerDrain(b1)',
      'BrokerReceive(b1)',
      'ProducerReceive(b1)',
    ]);
    expect(logRecords(last, 0, 1)).toEqual([0]);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'ok', offset: 0 });
    expect(last.ghost.stats.dedupHits).toBe(1);
  });
});

describe('Power loss (flush.messages = Long.MAX_VALUE: durability rests on replication)', () => {
  const rf1 = { 'replication.factor': 1 };
  const acked = ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)'];

  it('a power loss drops what the broker had not flushed; the restart loads the shorter log (LogLoader recovery)', () => {
    const { last } = play(rf1, [...acked, 'BrokerPowerLoss(b0)', 'BrokerRestart(b0)']);
    expect(last.ghost.sends[0]?.outcome).toBe('ok');
    expect(logRecords(last, 0, 0)).toEqual([]);
    expect(last.cluster.partitions[0]?.replicas[0]).toMatchObject({ hw: 0, flushed: 0, producers: [] });
    expect(last.ghost.stats).toMatchObject({ powerLosses: 1, unflushedBatchesLost: 1 });
  });

  it('what was flushed survives, and a clean shutdown flushes (LogManager.shutdown: log.flush)', () => {
    const flushed = play(rf1, [...acked, 'BrokerFlush(b0)', 'AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'BrokerPowerLoss(b0)', 'BrokerRestart(b0)']).last;
    expect(logRecords(flushed, 0, 0)).toEqual([0]);
    expect(flushed.ghost.stats.unflushedBatchesLost).toBe(1);
    const shutdown = play(rf1, [...acked, 'BrokerShutdown(b0)']).last;
    expect(shutdown.cluster.partitions[0]?.replicas[0]?.flushed).toBe(1);
  });

  it('a truncation lowers the flushed offset with the log end: records written after it are unflushed', () => {
    const { last } = play(rf1, [...acked, 'BrokerFlush(b0)']);
    const replica = last.cluster.partitions[0]?.replicas[0];
    if (replica === undefined) throw new Error('no replica');
    expect(truncateTo(replica, 0, 5).flushed).toBe(0);
  });
});
