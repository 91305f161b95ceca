import { describe, expect, it } from 'vitest';
import { parseModeratorLines, usernamesToLookUp } from '../../src/card/index.js';

const names = (description: string) => parseModeratorLines(description).map((l) => l.username);

describe('reading the Moderator line', () => {
  it.each([
    ['a plain line', 'Moderator: @bob', ['bob']],
    ['the key in another case', 'moderator: @bob', ['bob']],
    ['the key in capitals', 'MODERATOR:@bob', ['bob']],
    ['trailing spaces', 'Moderator: @bob   ', ['bob']],
    ['Windows line ends', 'Topic\r\nModerator: @bob\r\nmore', ['bob']],
    ['a non-ASCII display name after the username', 'Moderator: @bob (Zoë Ångström-Nuñez)', ['bob']],
    ['a display name without brackets', 'Moderator: @bob.smith Björk', ['bob.smith']],
    ['a full stop after the username', 'Moderator: @bob.', ['bob']],
    ['a list item in bold', '- **Moderator:** @bob', ['bob']],
    ['no @', 'Moderator: bob', ['']],
    ['nothing after the key', 'Moderator:', ['']],
    ['two lines', 'Moderator: @bob\nModerator: @carol', ['bob', 'carol']],
    ['a fenced code block', '```\nModerator: @bob\n```', []],
    ['a tilde fence', '~~~md\nModerator: @bob\n~~~', []],
    ['a fence with a longer closing fence', '````\nModerator: @bob\n```\nstill code\n`````\nModerator: @carol', ['carol']],
    ['inline code', 'Write `Moderator: @bob` when one is chosen', []],
    ['inline code as the whole line', '`Moderator: @bob`', []],
    ['a > quote', '> Moderator: @bob', []],
    ['a nested quote', '> > Moderator: @bob', []],
    ['the lazy continuation of a quote', '> as said before\nModerator: @bob', []],
    ['a line after a quote and a blank line', '> quoted\n\nModerator: @carol', ['carol']],
    ['a >>> block', '>>>\nModerator: @bob\n>>>\nModerator: @carol', ['carol']],
    ['an HTML comment (the template hint)', '<!-- Moderator: @username -->', []],
    ['a multi-line HTML comment', '<!--\nModerator: @bob\n-->\nModerator: @carol', ['carol']],
    ['an unclosed HTML comment', 'Moderator: @carol\n<!--\nModerator: @bob', ['carol']],
    ['a sentence that merely mentions moderators', 'The moderator: someone we trust', []],
    ['indented as code', '    Moderator: @bob', []],
  ])('%s', (_case, description, expected) => {
    expect(names(description)).toEqual(expected);
  });

  it('keeps the raw line for quoting back, and notes further names on it', () => {
    expect(parseModeratorLines('x\nModerator: @bob and @carol  \ny')).toEqual([
      { username: 'bob', alsoNamed: ['carol'], raw: 'Moderator: @bob and @carol' },
    ]);
  });

  it('looks up each named moderator once, lower-case, and never more than a handful', () => {
    expect(usernamesToLookUp({ description: 'Moderator: @Bob\nModerator: @bob\nModerator: nobody' })).toEqual(['bob']);
    const many = Array.from({ length: 50 }, (_, i) => `Moderator: @user${i}`).join('\n');
    expect(usernamesToLookUp({ description: many })).toHaveLength(5);
  });
});
