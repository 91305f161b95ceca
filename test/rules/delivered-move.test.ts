// A delivery's column move, confirmed by one GET and the card memory, is judged without the label
// history (issue 13) only when where the card came from cannot change the fix: a second (a hook's
// time) can hide two more moves that end in the same labels from another column. And the
// judgement it records (the card's updated_at, not the label event's own instant) names the
// first person's move from then on when the history is read later, so no move is judged twice.
import { describe, expect, it } from 'vitest';
import { recordedJudgement, withJudged } from '../../src/handlers/card/record.js';
import { alikeFromAnyColumn, isNewJudgement, judgedMoveAt } from '../../src/rules/transition.js';
import type { LabelChange, StatusMove } from '../../src/rules/types.js';
import { aBoard, aCard, aContext } from './world.js';

const board = { labels: { plan: 'status:plan', scheduled: 'status:scheduled' } };
const into = (current: string[], previous: string[] = []): StatusMove => ({ previous, current, by: 'bob', at: '2026-03-10T17:00:00.120Z' });
const NOT_READY = aCard({ dueDate: null });

describe('a delivered move is taken without the history only when its origin cannot change the fix', () => {
  it('into plan: nothing to fix, whatever column it left', () => {
    const card = aCard({ labels: ['status:plan'] });
    expect(alikeFromAnyColumn(card, aContext(), 'revert', into(['status:plan'], ['status:scheduled']))).toBe(true);
  });

  it('into scheduled, not ready: back to plan from the backlog and from plan alike', () => {
    expect(alikeFromAnyColumn(NOT_READY, aContext(), 'revert', into(['status:scheduled'], ['status:plan']))).toBe(true);
    expect(alikeFromAnyColumn(NOT_READY, aContext(), 'revert', into(['status:scheduled']))).toBe(true);
    // Reported, not fixed: no fix either way.
    expect(alikeFromAnyColumn(NOT_READY, aContext(), 'comment', into(['status:scheduled']))).toBe(true);
  });

  it('into scheduled, ready: reverted only from the backlog, so the history decides', () => {
    expect(alikeFromAnyColumn(aCard(), aContext(), 'revert', into(['status:scheduled'], ['status:plan']))).toBe(false);
    expect(alikeFromAnyColumn(aCard(), aContext(), 'revert', into(['status:scheduled']))).toBe(false);
  });

  it('into both columns: the fix takes off the label added last, so the history decides', () => {
    const both = aCard({ labels: ['status:plan', 'status:scheduled'] });
    expect(alikeFromAnyColumn(both, aContext(), 'revert', into(['status:plan', 'status:scheduled'], ['status:plan']))).toBe(false);
  });

  it('other labels on the card are kept as they are in every origin', () => {
    const card = aCard({ dueDate: null, labels: ['status:scheduled', 'topic::ci'] });
    const ctx = aContext({ board: aBoard() });
    expect(alikeFromAnyColumn(card, ctx, 'revert', into(['status:scheduled', 'topic::ci'], ['status:plan', 'topic::ci']))).toBe(true);
  });
});

describe('an approximate judgement (the card’s updated_at) names the first person’s move from then on', () => {
  // GitLab writes a move's label event a moment after the updated_at; the sandbox may
  // write it a millisecond before (updated_at steps past writes within one millisecond).
  const planned: LabelChange = { at: '2026-03-10T16:00:00.000Z', by: 'alice', added: ['status:plan'], removed: [] };
  const moved: LabelChange = { at: '2026-03-10T17:00:00.134Z', by: 'bob', added: ['status:scheduled'], removed: ['status:plan'] };
  const reverted: LabelChange = { at: '2026-03-10T17:00:00.300Z', by: 'rhythm-bot', added: ['status:plan'], removed: ['status:scheduled'] };
  const again: LabelChange = { at: '2026-03-10T17:00:00.650Z', by: 'bob', added: ['status:scheduled'], removed: ['status:plan'] };
  const judged = { at: '2026-03-10T17:00:00.120Z', revert: true, approx: true };
  const evidence = { botUsername: 'rhythm-bot', board };

  it('is the move it was judged from, read later: not judged again (its revert still to land, judged again)', () => {
    const at = judgedMoveAt([planned, moved], judged, evidence);
    expect(at).toBe(moved.at);
    const last = { previous: ['status:plan'], current: ['status:scheduled'], by: 'bob', at: moved.at };
    expect(isNewJudgement(last, { judgedAt: at, judgedRevert: false, botUsername: 'rhythm-bot' })).toBe(false);
    expect(isNewJudgement(last, { judgedAt: at, judgedRevert: true, botUsername: 'rhythm-bot' })).toBe(true);
    // Without the resolution the label event's later instant would look like a new move.
    expect(isNewJudgement(last, { judgedAt: judged.at, judgedRevert: false, botUsername: 'rhythm-bot' })).toBe(true);
  });

  it('an event written just before the updated_at it was read with is still that move', () => {
    expect(judgedMoveAt([planned, { ...moved, at: '2026-03-10T17:00:00.119Z' }], judged, evidence)).toBe('2026-03-10T17:00:00.119Z');
  });

  it('a person’s move after the bot’s revert, within the same second, is new', () => {
    const at = judgedMoveAt([planned, moved, reverted, again], judged, evidence);
    expect(at).toBe(moved.at);
    const last = { previous: ['status:plan'], current: ['status:scheduled'], by: 'bob', at: again.at };
    expect(isNewJudgement(last, { judgedAt: at, judgedRevert: true, botUsername: 'rhythm-bot' })).toBe(true);
  });

  it('skips the bot’s own moves, and an exact record names its own instant', () => {
    const bots: LabelChange = { at: '2026-03-10T18:00:00.000Z', by: 'rhythm-bot', added: ['status:scheduled'], removed: ['status:plan'] };
    const carols: LabelChange = { at: '2026-03-10T18:00:00.400Z', by: 'carol', added: ['status:plan'], removed: ['status:scheduled'] };
    const record = { ...judged, at: '2026-03-10T17:59:59.990Z' };
    expect(judgedMoveAt([planned, moved, reverted, bots, carols], record, evidence)).toBe(carols.at);
    expect(judgedMoveAt([planned, moved], { at: planned.at }, evidence)).toBe(planned.at);
    expect(judgedMoveAt([planned], { ...judged, at: '2026-03-11T00:00:00.000Z' }, evidence)).toBeNull();
  });
});

describe('the status note records an approximate judgement as such', () => {
  it('writes and reads back `approx`, and an exact record stays as it was', () => {
    const approx = { at: '2026-03-10T17:00:00.120Z', revert: true, approx: true };
    const body = withJudged('<!-- rhythm:status -->\nHello.', approx);
    expect(body).toContain('<!-- rhythm:judged 2026-03-10T17:00:00.120Z revert approx -->');
    expect(recordedJudgement(body)).toEqual(approx);
    const exact = withJudged('<!-- rhythm:status -->\nHello.', { at: '2026-03-10T17:00:00.134Z', revert: false });
    expect(exact).toContain('<!-- rhythm:judged 2026-03-10T17:00:00.134Z -->');
    expect(recordedJudgement(exact)).toEqual({ at: '2026-03-10T17:00:00.134Z', revert: false });
    expect(recordedJudgement('<!-- rhythm:judged 2026-03-10T17:00:00Z approx revert -->')).toBeNull();
  });
});
