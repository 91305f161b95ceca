import { describe, expect, it } from 'vitest';
import { assignees, checkIssue } from '../../src/rules/index.js';
import { aBoard, aCard, aContext } from './world.js';

describe('the speaker (assignees) rule', () => {
  it.each([
    ['plan with a speaker', ['status:plan'], ['alice'], 0],
    ['plan with no one assigned', ['status:plan'], [], 1],
    ['scheduled with no one assigned', ['status:scheduled'], [], 1],
    ['scheduled with speaker and moderator', ['status:scheduled'], ['alice', 'bob'], 0],
  ])('%s', (_case, labels, people, count) => {
    expect(assignees.check(aCard({ labels, assignees: people }), aContext(), 'comment')).toHaveLength(count);
  });

  it('asks for the speaker in plan, and for speaker and moderator once scheduled', () => {
    const inPlan = assignees.check(aCard({ labels: ['status:plan'], assignees: [] }), aContext(), 'comment');
    expect(inPlan[0]?.howToFix).toBe('Assign the speaker.');
    const scheduled = assignees.check(aCard({ assignees: [] }), aContext(), 'comment');
    expect(scheduled[0]?.howToFix).toBe('Assign the speaker and the moderator.');
  });

  it('has nothing to say about the backlog', () => {
    expect(assignees.appliesTo(aCard({ labels: [], assignees: [] }), aContext())).toBe(false);
  });

  it('in fix mode, assigns the moderator of a scheduled card that lacks them', () => {
    const card = aCard({ assignees: ['alice'], description: aCard().description.replace('@bob', '@carol') });
    const findings = checkIssue(card, aContext({ board: aBoard({ moderator: 'fix' }) }));
    expect(findings.map((f) => f.fix)).toEqual([{ kind: 'assign', usernames: ['carol'] }]);
  });
});
