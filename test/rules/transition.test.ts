import { describe, expect, it } from 'vitest';
import { checkIssue, transition } from '../../src/rules/index.js';
import { lastStatusMove, moveFromChanges, statusOf } from '../../src/card/index.js';
import type { RuleMode } from '../../src/config/types.js';
import type { IssueSnapshot, LabelChange, RuleContext } from '../../src/rules/types.js';
import { aBoard, aCard, aContext } from './world.js';

const board = aBoard();
const AT = '2026-03-10T17:00:00Z';
const move = (previous: string[], current: string[], by = 'alice', at = AT): RuleContext['lastMove'] => ({ previous, current, by, at });
const NOT_READY = aCard({ description: 'Topic only', dueDate: null });

describe('which column a card is in', () => {
  it.each([
    [[], 'backlog'],
    [['status:plan', 'team::cs'], 'plan'],
    [['status:scheduled'], 'scheduled'],
    [['status:scheduled', 'status:plan'], 'both'],
  ] as const)('%j → %s', (labels, status) => {
    expect(statusOf(labels, board)).toBe(status);
  });
});

describe('the column-move rule', () => {
  it.each([
    ['plan → scheduled when ready', aCard(), move(['status:plan'], ['status:scheduled']), []],
    ['backlog → scheduled directly', aCard(), move(['x'], ['x', 'status:scheduled']), ['skipped']],
    ['both status labels at once', aCard({ labels: ['status:plan', 'status:scheduled'] }), undefined, ['both']],
    ['plan → scheduled before the ready checks pass', { ...NOT_READY }, move(['status:plan'], ['status:scheduled']), ['not ready']],
    ['scheduled label removed: back to plan', aCard({ labels: ['status:plan'] }), move(['status:scheduled'], ['status:plan']), []],
    ['plan label removed: back to the backlog', aCard({ labels: [] }), move(['status:plan'], []), []],
    ['another label changed', aCard(), move(['status:scheduled'], ['status:scheduled', 'x']), []],
    ['no known move, scheduled and not ready (the other rules explain)', { ...NOT_READY }, undefined, []],
  ])('%s', (_case, card, lastMove, expected) => {
    const found = transition.check(card, aContext(lastMove ? { lastMove } : {}), 'comment').map((f) => f.message);
    const kinds = found.map((m) =>
      m.includes('straight to') ? 'skipped' : m.includes('both') ? 'both' : m.includes('before it was ready') ? 'not ready' : m,
    );
    expect(kinds).toEqual(expected);
  });

  it('in revert mode, puts a card that skipped planning back in plan', () => {
    const [finding] = transition.check(aCard(), aContext({ lastMove: move([], ['status:scheduled']) }), 'revert');
    expect(finding?.fix).toEqual({ kind: 'labels', add: ['status:plan'], remove: ['status:scheduled'] });
    expect(finding?.undo).toMatch(/again once its checks pass/);
  });

  it('in revert mode, puts a card scheduled before it was ready back in plan and says what was missing', () => {
    const [finding] = transition.check(NOT_READY, aContext({ lastMove: move(['status:plan'], ['status:scheduled']) }), 'revert');
    expect(finding?.fix).toEqual({ kind: 'labels', add: ['status:plan'], remove: ['status:scheduled'] });
    expect(finding?.done).toContain('The card has no due date.');
    expect(finding?.done).toContain('no `Moderator: @username` line');
  });

  it('in fix mode, does not revert a move (that is what revert mode is for)', () => {
    const [finding] = transition.check(aCard(), aContext({ lastMove: move([], ['status:scheduled']) }), 'fix');
    expect(finding?.fix).toBeUndefined();
  });

  it('judges the date as it stood on the day of the move: a session that has passed is not reverted', () => {
    const later = aContext({ now: new Date('2026-03-20T18:00:00Z'), lastMove: move(['status:plan'], ['status:scheduled']) });
    expect(transition.check(aCard({ dueDate: '2026-03-12' }), later, 'revert')).toEqual([]);
  });

  it('does not count a finding the bot fixes itself as "not ready"', () => {
    const board = aBoard({ moderator: 'fix', transition: 'revert' });
    const card = aCard({ assignees: ['alice'] }); // moderator bob named but not assigned: fix mode assigns
    const findings = checkIssue(card, aContext({ board, lastMove: move(['status:plan'], ['status:scheduled']) }));
    expect(findings.map((f) => f.rule)).toEqual(['moderator']);
  });

  it.each([
    ['fix, ready: keeps it scheduled', 'fix', aCard({ labels: ['status:plan', 'status:scheduled'] }), undefined, 'status:plan'],
    [
      'fix, not ready: keeps it in plan',
      'fix',
      aCard({ ...NOT_READY, labels: ['status:plan', 'status:scheduled'] }),
      undefined,
      'status:scheduled',
    ],
    [
      'revert: takes off the label just added',
      'revert',
      aCard({ labels: ['status:plan', 'status:scheduled'] }),
      move(['status:scheduled'], ['status:scheduled', 'status:plan']),
      'status:plan',
    ],
    [
      'revert: the scheduled label added to a planned card comes off',
      'revert',
      aCard({ labels: ['status:plan', 'status:scheduled'] }),
      move(['status:plan'], ['status:plan', 'status:scheduled']),
      'status:scheduled',
    ],
  ] as [string, RuleMode, IssueSnapshot, RuleContext['lastMove'], string][])('both labels, %s', (_case, mode, card, lastMove, removed) => {
    const [finding] = transition.check(card, aContext(lastMove ? { lastMove } : {}), mode);
    expect(finding?.fix).toEqual({ kind: 'labels', add: [], remove: [removed] });
  });

  it("after the bot's own revert, keeps saying what is missing while the card waits in plan", () => {
    const ctx = aContext({ botUsername: 'rhythm-bot', lastMove: move(['status:scheduled'], ['status:plan'], 'rhythm-bot') });
    const card = { ...NOT_READY, labels: ['status:plan'], assignees: ['alice'] };
    const [finding] = transition.check(card, ctx, 'revert');
    expect(finding?.severity).toBe('warning');
    expect(finding?.howToFix).toContain('Set the due date');
    expect(transition.check(aCard({ labels: ['status:plan'] }), ctx, 'revert')).toEqual([]);
  });
});

describe('the last status move', () => {
  const history: LabelChange[] = [
    { at: '2026-03-01T10:00:00Z', by: 'alice', added: ['team::cs'], removed: [] },
    { at: '2026-03-02T10:00:00Z', by: 'alice', added: ['status:plan'], removed: [] },
    { at: '2026-03-05T10:00:00Z', by: 'bob', added: ['status:scheduled'], removed: ['status:plan'] },
    { at: '2026-03-06T10:00:00Z', by: 'bob', added: ['video'], removed: [] },
  ];

  it('is the newest change that touched a status label, with the label sets around it', () => {
    expect(lastStatusMove(history, board)).toEqual({
      previous: ['team::cs', 'status:plan'],
      current: ['team::cs', 'status:scheduled'],
      by: 'bob',
      at: '2026-03-05T10:00:00Z',
    });
  });

  it('is nothing when no status label ever moved', () => {
    expect(lastStatusMove(history.slice(0, 1), board)).toBeNull();
  });

  it('is judged the same whether it comes from a webhook or from the history', () => {
    const fromHook = moveFromChanges(['team::cs', 'status:plan'], ['team::cs', 'status:scheduled'], 'bob', '2026-03-05T10:00:00Z');
    const fromHistory = lastStatusMove(history, board);
    const judge = (lastMove: RuleContext['lastMove']) => transition.check(aCard(), aContext(lastMove ? { lastMove } : {}), 'revert');
    expect(fromHook).toEqual(fromHistory);
    expect(judge(fromHook ?? undefined)).toEqual(judge(fromHistory ?? undefined));

    const skipHook = moveFromChanges([], ['status:scheduled'], 'bob', AT);
    const skipHistory = lastStatusMove([{ at: AT, by: 'bob', added: ['status:scheduled'], removed: [] }], board);
    expect(judge(skipHook ?? undefined)).toEqual(judge(skipHistory ?? undefined));
    expect(judge(skipHook ?? undefined)).toHaveLength(1);
  });

  it('from a webhook, is nothing when no label changed, or (given the board) when no status label did', () => {
    expect(moveFromChanges(['a'], ['a'], 'bob', AT)).toBeNull();
    expect(moveFromChanges(['a'], ['a', 'b'], 'bob', AT, board)).toBeNull();
    expect(moveFromChanges(['a'], ['a', 'status:plan'], 'bob', AT, board)).not.toBeNull();
  });
});
