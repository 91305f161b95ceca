import { describe, expect, it } from 'vitest';
import { moderator } from '../../src/rules/index.js';
import type { Finding } from '../../src/rules/types.js';
import { FILLED_REQUEST, aCard, aContext } from './world.js';

const describeWith = (moderatorText: string) => `${FILLED_REQUEST}\n\n${moderatorText}`;
const messages = (findings: Finding[]) => findings.map((f) => f.message);

describe('the Moderator rule on a scheduled card', () => {
  it.each([
    ['a valid line naming an assigned user', 'Moderator: @bob', ['alice', 'bob'], []],
    ['the key in other case', 'moderator: @bob', ['alice', 'bob'], []],
    ['trailing spaces', 'Moderator: @bob   ', ['alice', 'bob'], []],
    ['a non-ASCII display name', 'Moderator: @bob (Zoë Ångström)', ['alice', 'bob'], []],
    ['a username in another case than the assignee', 'Moderator: @BOB', ['alice', 'bob'], []],
    ['no line', 'Speaker is alice', ['alice', 'bob'], ['The description has no `Moderator: @username` line.']],
    [
      'the line twice',
      'Moderator: @bob\nModerator: @carol',
      ['alice', 'bob'],
      ['The description has 2 Moderator lines; a session has exactly one.'],
    ],
    ['no @', 'Moderator: bob', ['alice', 'bob'], ['The Moderator line names no one with an @.']],
    ['two people on the line', 'Moderator: @bob or @carol', ['alice', 'bob'], ['The Moderator line names more than one person.']],
    ['an unknown user', 'Moderator: @ghost', ['alice'], ['The Moderator line names a username that no GitLab user has.']],
    [
      'the moderator as the only assignee (moderator is the speaker)',
      'Moderator: @bob',
      ['bob'],
      ['The moderator is the only assignee, so they would also be the speaker.'],
    ],
    ['the moderator not assigned', 'Moderator: @carol', ['alice', 'bob'], ['The moderator is not assigned to the card.']],
    [
      'only a line inside a fenced code block',
      '```\nModerator: @bob\n```',
      ['alice', 'bob'],
      ['The description has no `Moderator: @username` line.'],
    ],
    ['only a line in inline code', '`Moderator: @bob`', ['alice', 'bob'], ['The description has no `Moderator: @username` line.']],
    ['only a line in a > quote', '> Moderator: @bob', ['alice', 'bob'], ['The description has no `Moderator: @username` line.']],
  ])('%s', (_case, line, assignees, expected) => {
    const card = aCard({ description: describeWith(line), assignees });
    expect(messages(moderator.check(card, aContext(), 'comment'))).toEqual(expected);
  });

  it('names the bot as moderator: a finding, never a fix that assigns the bot (issue 12, item 13)', () => {
    const card = aCard({ description: describeWith('Moderator: @rhythm-bot'), assignees: ['alice'] });
    const ctx = aContext({ botUsername: 'rhythm-bot', users: { ...aContext().users, 'rhythm-bot': { id: 1, username: 'rhythm-bot' } } });
    const findings = moderator.check(card, ctx, 'fix');
    expect(messages(findings)).toEqual(['The Moderator line names me, the bot; a person moderates the session.']);
    expect(findings[0]?.fix).toBeUndefined();
  });

  it('says nothing about a name it could not look up yet', () => {
    const card = aCard({ description: describeWith('Moderator: @dave') });
    expect(moderator.check(card, aContext(), 'comment')).toEqual([]);
  });

  it('in fix mode, assigns the moderator named in the line and says how to undo it', () => {
    const card = aCard({ description: describeWith('Moderator: @Carol'), assignees: ['alice'] });
    const [finding] = moderator.check(card, aContext(), 'fix');
    expect(finding?.fix).toEqual({ kind: 'assign', usernames: ['carol'] });
    expect(finding?.undo).toMatch(/Unassign/);
    expect(finding?.done).toMatch(/Assigned the moderator/);
  });

  it('in comment mode, only explains', () => {
    const card = aCard({ description: describeWith('Moderator: @carol'), assignees: ['alice'] });
    expect(moderator.check(card, aContext(), 'comment')[0]?.fix).toBeUndefined();
  });

  it('quotes the offending line back, except on a confidential card', () => {
    const open = aCard({ description: describeWith('Moderator: bob') });
    expect(moderator.check(open, aContext(), 'comment')[0]?.excerpt).toBe('Moderator: bob');
    const secret = aCard({ description: describeWith('Moderator: bob'), confidential: true });
    expect(moderator.check(secret, aContext(), 'comment')[0]?.excerpt).toBeUndefined();
  });

  it('applies to scheduled cards (and cards in both columns), not to plan or the backlog', () => {
    const ctx = aContext();
    expect(moderator.appliesTo(aCard({ labels: ['status:scheduled'] }), ctx)).toBe(true);
    expect(moderator.appliesTo(aCard({ labels: ['status:plan', 'status:scheduled'] }), ctx)).toBe(true);
    expect(moderator.appliesTo(aCard({ labels: ['status:plan'] }), ctx)).toBe(false);
    expect(moderator.appliesTo(aCard({ labels: [] }), ctx)).toBe(false);
  });
});
