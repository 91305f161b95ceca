// A column move is judged once, when it happens: moveToJudge picks the move the transition rule
// judges now from what the job knows — the deliveries, GitLab's label history, the bot's notes.
import { describe, expect, it } from 'vitest';
import { historyNeeded, moveToJudge, type MoveEvidence } from '../../src/rules/index.js';
import type { LabelChange } from '../../src/rules/types.js';

const board = { labels: { plan: 'status:plan', scheduled: 'status:scheduled' } };
const planned: LabelChange = { at: '2026-11-02T10:00:00Z', by: 'alice', added: ['status:plan'], removed: [] };
const scheduled: LabelChange = { at: '2026-11-03T10:00:00Z', by: 'bob', added: ['status:scheduled'], removed: ['status:plan'] };
const reverted: LabelChange = { at: '2026-11-03T10:00:05Z', by: 'rhythm-bot', added: ['status:plan'], removed: ['status:scheduled'] };
const renamed: LabelChange = { at: '2026-11-04T10:00:00Z', by: 'carol', added: ['topic::ci'], removed: [] };

const evidence = (over: Partial<MoveEvidence>): MoveEvidence => ({
  delivered: [],
  history: null,
  botNotesAt: [],
  botUsername: 'rhythm-bot',
  board,
  ...over,
});

const bobsMove = { previous: ['status:plan'], current: ['status:scheduled'], by: 'bob', at: scheduled.at };

describe('which column move is judged now', () => {
  it('the move a delivery carries is the move happening, whatever the notes say', () => {
    const delivered = [{ ...bobsMove, at: '2026-11-05T00:00:00Z' }];
    expect(moveToJudge(evidence({ delivered, botNotesAt: ['2026-11-06T00:00:00Z'] }))).toEqual(delivered[0]);
  });

  it('of several deliveries, the newest by GitLab\u2019s time is judged, whatever order they arrived in', () => {
    const toScheduled = { previous: ['status:plan'], current: ['status:scheduled'], by: 'bob', at: '2026-11-05T10:00:02Z' };
    const backToPlan = { previous: ['status:scheduled'], current: ['status:plan'], by: 'bob', at: '2026-11-05T10:00:01Z' };
    const fromBacklog = { previous: [], current: ['status:scheduled'], by: 'bob', at: '2026-11-05T10:00:00Z' };
    expect(moveToJudge(evidence({ delivered: [toScheduled, fromBacklog, backToPlan] }))).toEqual(toScheduled);
    expect(moveToJudge(evidence({ delivered: [backToPlan, fromBacklog] }))).toEqual(backToPlan);
  });

  it('a delivered label change that moves no column judges no move, and needs no history', () => {
    const topic = { previous: ['status:scheduled'], current: ['status:scheduled', 'topic::ci'], by: 'carol', at: '2026-11-05T00:00:00Z' };
    expect(historyNeeded([topic])).toBe(false);
    expect(moveToJudge(evidence({ delivered: [topic], history: [planned, scheduled], botNotesAt: [] }))).toBeUndefined();
    expect(historyNeeded([])).toBe(true);
  });

  it('without a delivery or a history, there is nothing to judge', () => {
    expect(moveToJudge(evidence({}))).toBeUndefined();
  });

  it('a move in the history newer than every bot note was never judged (its webhook was missed)', () => {
    expect(moveToJudge(evidence({ history: [planned, scheduled], botNotesAt: ['2026-11-02T12:00:00Z'] }))).toEqual(bobsMove);
  });

  it('a move older than the bot\u2019s newest note was judged already: a later edit does not re-judge it', () => {
    expect(moveToJudge(evidence({ history: [planned, scheduled], botNotesAt: ['2026-11-03T10:00:01Z'] }))).toBeUndefined();
  });

  it('the bot\u2019s own revert always counts, so the note keeps explaining it', () => {
    const move = moveToJudge(evidence({ history: [planned, scheduled, reverted], botNotesAt: ['2026-11-09T00:00:00Z'] }));
    expect(move).toMatchObject({ by: 'rhythm-bot', current: ['status:plan'] });
  });

  it('a label change that moves no column is not a move: the last real move is judged', () => {
    const move = moveToJudge(evidence({ history: [planned, scheduled, renamed], botNotesAt: ['2026-11-02T12:00:00Z'] }));
    expect(move).toMatchObject({ by: 'bob', current: ['status:scheduled'] });
  });
});
