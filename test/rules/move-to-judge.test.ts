// A column move is judged from GitLab's own label history, once, when the bot first sees it:
// moveToJudge picks the move the transition rule judges now; what a delivery claims plays no part.
import { describe, expect, it } from 'vitest';
import { isNewJudgement, moveToJudge, type MoveEvidence } from '../../src/rules/index.js';
import type { LabelChange } from '../../src/rules/types.js';

const board = { labels: { plan: 'status:plan', scheduled: 'status:scheduled' } };
const planned: LabelChange = { at: '2026-11-02T10:00:00Z', by: 'alice', added: ['status:plan'], removed: [] };
const scheduled: LabelChange = { at: '2026-11-03T10:00:00Z', by: 'bob', added: ['status:scheduled'], removed: ['status:plan'] };
const reverted: LabelChange = { at: '2026-11-03T10:00:05Z', by: 'rhythm-bot', added: ['status:plan'], removed: ['status:scheduled'] };
const renamed: LabelChange = { at: '2026-11-04T10:00:00Z', by: 'carol', added: ['topic::ci'], removed: [] };

const evidence = (over: Partial<MoveEvidence>): MoveEvidence => ({
  history: [],
  judgedAt: null,
  botUsername: 'rhythm-bot',
  board,
  ...over,
});

const bobsMove = { previous: ['status:plan'], current: ['status:scheduled'], by: 'bob', at: scheduled.at };

describe('which column move is judged now', () => {
  it('with no history there is nothing to judge', () => {
    expect(moveToJudge(evidence({}))).toBeUndefined();
  });

  it('a move never judged (none recorded, or its webhook was missed) is judged', () => {
    expect(moveToJudge(evidence({ history: [planned, scheduled] }))).toEqual(bobsMove);
    expect(moveToJudge(evidence({ history: [planned, scheduled], judgedAt: '2026-11-02T12:00:00Z' }))).toEqual(bobsMove);
    expect(isNewJudgement(bobsMove, { judgedAt: '2026-11-02T12:00:00Z', botUsername: 'rhythm-bot' })).toBe(true);
  });

  it('a move recorded as judged is not judged again: a later edit or comment does not re-judge it', () => {
    expect(moveToJudge(evidence({ history: [planned, scheduled], judgedAt: scheduled.at }))).toBeUndefined();
    expect(moveToJudge(evidence({ history: [planned, scheduled, renamed], judgedAt: scheduled.at }))).toBeUndefined();
  });

  it('an unrelated label change after a missed move does not hide it (issue 12, item 9)', () => {
    // The note was written after the move (for another reason): only the recorded judgement counts.
    const move = moveToJudge(evidence({ history: [planned, scheduled, renamed], judgedAt: planned.at }));
    expect(move).toMatchObject({ by: 'bob', current: ['status:scheduled'] });
  });

  it('the bot\u2019s own revert always counts, so the note keeps explaining it', () => {
    const move = moveToJudge(evidence({ history: [planned, scheduled, reverted, renamed], judgedAt: scheduled.at }));
    expect(move).toMatchObject({ by: 'rhythm-bot', current: ['status:plan'] });
    expect(isNewJudgement(move, { judgedAt: scheduled.at, botUsername: 'rhythm-bot' })).toBe(false);
  });

  it('the last move is the newest in the history, whatever order deliveries came in', () => {
    const fromBacklog: LabelChange = { at: '2026-11-05T10:00:00Z', by: 'bob', added: ['status:scheduled'], removed: [] };
    const back: LabelChange = { at: '2026-11-05T10:00:01Z', by: 'bob', added: ['status:plan'], removed: ['status:scheduled'] };
    const again: LabelChange = { at: '2026-11-05T10:00:02Z', by: 'bob', added: ['status:scheduled'], removed: ['status:plan'] };
    expect(moveToJudge(evidence({ history: [fromBacklog, back, again] }))).toMatchObject({
      previous: ['status:plan'],
      current: ['status:scheduled'],
      at: again.at,
    });
  });
});
