/** The "How." sentence of a client report: it must name the cause the broker's trace shows. */

import { describe, expect, it } from 'vitest';
import type { ClientReport } from './client-report.js';
import { causeOf } from './client-report.js';

type Batch = ClientReport['trace'][number]['batches'][number];

function traceOf(...batches: Batch[]): ClientReport['trace'] {
  return batches.map((b, i) => ({ ordinal: i, connection: 0, fault: null, acks: -1, inFlight: 1, batches: [b], answer: 'sent' }));
}

const batch = (producerId: number, epoch: number, baseSequence: number, offset: number): Batch => ({ partition: 0, producerId, epoch, baseSequence, sends: [4], result: `appended@${offset}` });
const duplicate = { code: 'duplicate_record', partition: 0, record: 4, offsets: [2, 3], sends: [4, 4] } as const;

describe('causeOf a duplicate in a client run', () => {
  it('without idempotence says so, not that a new sequence was sent', () => {
    const cause = causeOf(traceOf(batch(-1, 0, 0, 2), batch(-1, 0, 0, 3)), duplicate);
    expect(cause).toContain('the producer ran without idempotence (no producer id)');
    expect(cause).not.toContain('new sequence');
  });

  it('names what changed between the copies', () => {
    expect(causeOf(traceOf(batch(2, 0, 2, 2), batch(2, 0, 4, 3)), duplicate)).toContain('the second copy carried a new sequence,');
    expect(causeOf(traceOf(batch(2, 0, 2, 2), batch(2, 1, 0, 3)), duplicate)).toContain('the second copy carried a new epoch and sequence,');
  });

  it('an identical copy appended twice is called what it is: a duplicate the broker missed', () => {
    expect(causeOf(traceOf(batch(2, 0, 2, 2), batch(2, 0, 2, 3)), duplicate)).toContain('which the broker should have answered as a duplicate');
  });
});
