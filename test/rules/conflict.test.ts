import { describe, expect, it } from 'vitest';
import { conflict } from '../../src/rules/index.js';
import { aCard, aContext } from './world.js';

describe('the date clash rule', () => {
  const first = aCard({ iid: 12, dueDate: '2026-03-12' });
  const second = aCard({ iid: 14, dueDate: '2026-03-12', title: 'Secret customer roadmap' });
  const peer = (card: typeof first) => ({ iid: card.iid, title: card.title, dueDate: card.dueDate });

  it('warns on both sessions scheduled on the same date', () => {
    const onFirst = conflict.check(first, aContext({ scheduledPeers: [peer(second)] }), 'comment');
    const onSecond = conflict.check(second, aContext({ scheduledPeers: [peer(first)] }), 'comment');
    expect(onFirst.map((f) => f.message)).toEqual(['Another scheduled session is on the same date (2026-03-12): #14.']);
    expect(onSecond.map((f) => f.message)).toEqual(['Another scheduled session is on the same date (2026-03-12): #12.']);
    expect(onFirst[0]?.severity).toBe('warning');
  });

  it('names peers by number only, never by their title', () => {
    const [finding] = conflict.check(first, aContext({ scheduledPeers: [peer(second)] }), 'comment');
    expect(JSON.stringify(finding)).not.toContain('Secret');
  });

  it.each([
    ['another date', [{ iid: 14, title: 'x', dueDate: '2026-03-19' }]],
    ['no date on the peer', [{ iid: 14, title: 'x', dueDate: null }]],
    ['itself among the peers', [{ iid: 12, title: 'x', dueDate: '2026-03-12' }]],
  ])('is quiet for %s', (_case, scheduledPeers) => {
    expect(conflict.check(first, aContext({ scheduledPeers }), 'comment')).toEqual([]);
  });

  it('lists several clashes in number order', () => {
    const peers = [16, 14].map((iid) => ({ iid, title: 'x', dueDate: '2026-03-12' }));
    expect(conflict.check(first, aContext({ scheduledPeers: peers }), 'comment')[0]?.message).toBe(
      'Other scheduled sessions are on the same date (2026-03-12): #14, #16.',
    );
  });
});
