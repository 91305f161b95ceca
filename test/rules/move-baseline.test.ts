// The board's baseline (when Rhythm first met it) is the line between its past and what Rhythm
// judges: a move made at or before it is never judged, whoever made it; a move after it is judged
// as it always was (issue 14, item 2).
import { describe, expect, it } from 'vitest';
import { isNewJudgement, moveToJudge, type MoveEvidence } from '../../src/rules/index.js';
import { beforeBaseline } from '../../src/rules/transition.js';
import type { LabelChange } from '../../src/rules/types.js';

const board = { labels: { plan: 'status:plan', scheduled: 'status:scheduled' } };
const skipped: LabelChange = { at: '2026-11-03T10:00:00.000Z', by: 'bob', added: ['status:scheduled'], removed: [] };
const reverted: LabelChange = { at: '2026-11-03T10:00:05.000Z', by: 'rhythm-bot', added: ['status:plan'], removed: ['status:scheduled'] };

const evidence = (over: Partial<MoveEvidence>): MoveEvidence => ({
  history: [skipped],
  judgedAt: null,
  botUsername: 'rhythm-bot',
  board,
  ...over,
});

describe('the baseline and the moves judged', () => {
  const cases: Array<[string, Partial<MoveEvidence>, 'judged' | 'not judged']> = [
    ['no baseline (a run without a store): the move is judged, as before', {}, 'judged'],
    ['a baseline after the move: the past, not judged', { baseline: '2026-12-01T00:00:00.000Z' }, 'not judged'],
    ['a baseline at the very instant of the move: still the past', { baseline: skipped.at }, 'not judged'],
    ['a baseline before the move: judged as usual', { baseline: '2026-11-01T00:00:00.000Z' }, 'judged'],
    ['a baseline that cannot be read is no baseline', { baseline: 'yesterday' }, 'judged'],
  ];
  for (const [name, over, outcome] of cases) {
    it(name, () => {
      const move = moveToJudge(evidence(over));
      expect(move === undefined ? 'not judged' : 'judged').toBe(outcome);
      const last = { previous: [], current: ['status:scheduled'], by: 'bob', at: skipped.at };
      expect(isNewJudgement(last, { judgedAt: null, botUsername: 'rhythm-bot', ...over })).toBe(outcome === 'judged');
    });
  }

  it('the bot’s own move before the baseline (an earlier install) is the past too', () => {
    expect(moveToJudge(evidence({ history: [skipped, reverted] }))).toMatchObject({ by: 'rhythm-bot' });
    expect(moveToJudge(evidence({ history: [skipped, reverted], baseline: '2026-12-01T00:00:00.000Z' }))).toBeUndefined();
  });

  it('a move whose time cannot be read counts as the past when there is a baseline', () => {
    const odd = { previous: [], current: ['status:scheduled'], by: 'bob', at: 'not a time' };
    expect(beforeBaseline(odd, { baseline: '2026-12-01T00:00:00.000Z' })).toBe(true);
    expect(beforeBaseline(odd, {})).toBe(false);
  });
});
