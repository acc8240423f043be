import { describe, expect, it } from 'vitest';
import type { Bounds } from '../model/events.js';
import { describeBounds } from './report.js';

const BOUNDS: Bounds = { recordsMax: 3, resendsMax: 2, eventsMax: 40, lostMessagesMax: 2, restartsMax: 1, crashesMax: 1, clusterChangesMax: 1, powerLossesMax: 1 };

describe('describeBounds', () => {
  it('names apart the bounds no injected fault (or no resending application) uses', () => {
    const text = describeBounds({ bounds: BOUNDS, faults: ['disconnect', 'delivery-timeout'], config: { application: 'fire-and-forget' } });
    expect(text).toBe('recordsMax=3 eventsMax=40 lostMessagesMax=2 (unused, no fault or application takes them: resendsMax, restartsMax, crashesMax, clusterChangesMax, powerLossesMax)');
  });

  it('lists every bound when each is in use', () => {
    const text = describeBounds({ bounds: BOUNDS, faults: ['request-timeout', 'producer-restart', 'broker-clean-shutdown', 'producer-state-loss', 'power-loss'], config: { application: 'at-least-once' } });
    expect(text).toBe('recordsMax=3 resendsMax=2 eventsMax=40 lostMessagesMax=2 restartsMax=1 crashesMax=1 clusterChangesMax=1 powerLossesMax=1');
  });
});
