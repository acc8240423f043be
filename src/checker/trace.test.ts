/** The compact event form of trace files and reports: read back, and bad arguments named. */

import { describe, expect, it } from 'vitest';
import { formatEvent } from '../model/event-text.js';
import { parseEventText } from './trace.js';

describe('parseEventText', () => {
  it('reads back what reports print', () => {
    for (const text of ['AppSend(p0)', 'ReplicaFetch(p0,b1)', 'NetworkDrop(b0,request,#1)', 'ProducerRestart']) {
      expect(formatEvent(parseEventText('e', text))).toBe(text);
    }
  });

  it('a bad argument names the forms the event takes', () => {
    expect(() => parseEventText('e', 'NetworkDrop(b0,reqest,#0)')).toThrow("cannot read argument 'reqest' of NetworkDrop (write p0, b1, #2, request or response)");
    expect(() => parseEventText('e', 'AppSend(x0)')).toThrow("cannot read argument 'x0' of AppSend (write p0, b1, #2)");
  });
});
