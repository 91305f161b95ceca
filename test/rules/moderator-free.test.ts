// The moderator rule where GitLab keeps one assignee per issue (GitLab Free): it names the
// moderator from the line and never offers to assign them.
import { describe, expect, it } from 'vitest';
import { moderator } from '../../src/rules/index.js';
import { FILLED_REQUEST, aCard, aContext } from './world.js';

const card = (line: string, assignees: string[]) => aCard({ description: `${FILLED_REQUEST}\n\n${line}`, assignees });

describe('the Moderator rule when only one assignee is possible', () => {
  it.each(['comment', 'fix', 'revert'] as const)('in %s mode names the moderator and offers no fix', (mode) => {
    const findings = moderator.check(card('Moderator: @Carol', ['alice']), aContext({ singleAssignee: true }), mode);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'moderator', severity: 'warning' });
    expect(findings[0]?.message).toBe(
      'The Moderator line names `@carol`; only one assignee is possible here (GitLab keeps one per issue), so they are not assigned beside the speaker.',
    );
    expect(findings[0]?.fix).toBeUndefined();
    expect(findings[0]?.done).toBeUndefined();
  });

  it('asks for the speaker instead when the moderator holds the one assignee', () => {
    const [finding] = moderator.check(card('Moderator: @bob', ['bob']), aContext({ singleAssignee: true }), 'fix');
    expect(finding?.howToFix).toMatch(/^Assign the speaker instead: only one assignee is possible here/);
  });

  it('with several assignees possible, still assigns in fix mode', () => {
    expect(moderator.check(card('Moderator: @carol', ['alice']), aContext(), 'fix')[0]?.fix).toEqual({
      kind: 'assign',
      usernames: ['carol'],
    });
  });
});
