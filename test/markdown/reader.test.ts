import { describe, expect, it } from 'vitest';
import { parseModeratorLines } from '../../src/card/index.js';
import {
  USERNAME_PATTERN,
  defuseQuickActions,
  inlineUserText,
  isUsername,
  mentions,
  mentionsIn,
  quickActionLines,
  quoteUserText,
  readDocument,
  safeUsername,
  stripHtmlComments,
} from '../../src/markdown/index.js';
import { codeLines } from '../../src/signups/blocks.js';

const moderator = (text: string) => parseModeratorLines(text).map((l) => l.username);
const prose = (text: string) =>
  readDocument(text)
    .lines.map((l) => l.prose.trim())
    .filter(Boolean);

// Where the copies of the reader disagreed before src/markdown, each case says what is right now.
describe("usernames: GitLab's grammar", () => {
  it.each([
    ['bob', true],
    ['bob.smith', true],
    ['bob_1-x', true],
    ['bob-', true],
    ['_bob', true],
    ['.bob', true],
    ['bob.', false],
    ['-bob', false],
    ['bob.git', false],
    ['bob.atom', false],
    ['a'.repeat(255), true],
    ['a'.repeat(256), false],
    ['bo b', false],
    ['zoë', false],
    ['', false],
    ['group/sub', false],
  ])('%s is a username: %s', (name, expected) => {
    expect(isUsername(name)).toBe(expected);
    expect(new RegExp(USERNAME_PATTERN).test(name)).toBe(expected);
  });

  it.each([
    ['a full stop after the name', 'ask @bob.', ['bob']],
    ['several dots', 'ask @bob...', ['bob']],
    ['an e-mail address', 'mail bob@example.com', []],
    ['a trailing hyphen is part of the name', '@bob-', ['bob-']],
    ['a .git ending is no person', '@bob.git', []],
    ['a group path is no person', '@group/sub', []],
    ['@all, @here, @channel, @everyone are no one', '@all @here @channel @everyone @ALL', []],
  ])('mentions: %s', (_case, text, expected) => {
    expect(
      mentionsIn(text)
        .filter((m) => m.person)
        .map((m) => m.name),
    ).toEqual(expected);
  });

  it('never mentions a mass mention or a malformed name on purpose', () => {
    expect(mentions(['bob', '@all', 'here', 'channel', 'everyone', 'bob.', 'x.git', 'Bob', 'carol'])).toEqual(['@bob', '@carol']);
    expect(safeUsername('@bob')).toBe('bob');
  });
});

describe('fences, comments, quotes: one reading', () => {
  it.each([
    ['a four-backtick fence is not closed by three', '````\nModerator: @bob\n```\nModerator: @carol\n````\nModerator: @dave', ['dave']],
    ['a tilde fence', '~~~\nModerator: @bob\n~~~\nModerator: @carol', ['carol']],
    ['an unclosed fence runs to the end', '```\nModerator: @bob', []],
    ['a username inside inline code', 'Moderator: `@bob`', ['']],
    ['a multi-line code span', 'x `a\nModerator: @bob` y\nModerator: @carol', ['carol']],
    ['an unclosed <!-- at the start of a line hides the rest', 'Moderator: @carol\n<!--\nModerator: @bob', ['carol']],
    ['an unclosed <!-- inside a line is shown as text', 'Moderator: @carol <!-- oops', ['carol']],
    ['text after a comment on its line is shown', '<!-- hint --> Moderator: @carol', ['carol']],
    ['a >>> block', '>>>\nModerator: @bob\n>>>\nModerator: @carol', ['carol']],
    ['an unclosed >>> quotes only itself (GitLab needs the closing line)', '>>>\nModerator: @carol', ['carol']],
    ['>>> inside a fence is code', '```\n>>>\n```\nModerator: @carol\n>>>', ['carol']],
    ['lazy continuation of a quote', '> quoted\nModerator: @bob', []],
    ['Moderator: @all names no one', 'Moderator: @all', ['']],
    ['Moderator: @bob.git names no one', 'Moderator: @bob.git', ['']],
  ])('%s', (_case, text, expected) => {
    expect(moderator(text)).toEqual(expected);
  });

  it('gives each prose line with its raw source line', () => {
    const doc = readDocument('# Topic\n- **Moderator:** @bob <!-- x -->\n| a | `b` |\n|---|---|\n| c | d |');
    expect(doc.headings).toEqual([{ level: 1, line: 0, text: 'Topic' }]);
    expect(doc.lines[1]).toMatchObject({ raw: '- **Moderator:** @bob <!-- x -->', kind: 'prose' });
    expect(doc.lines[1]?.prose.trim()).toBe('**Moderator:** @bob');
    expect(prose('| a | `b` |\n|---|---|\n| c | d |')).toEqual(['a', 'c d']);
  });

  it('finds task items with their raw lines, never in code', () => {
    const doc = readDocument('- [x] done\n- [ ] open\n```\n- [x] code\n```\n> - [X] quoted');
    expect(doc.taskItems.map((t) => [t.line, t.checked, t.raw])).toEqual([
      [0, true, '- [x] done'],
      [1, false, '- [ ] open'],
      [5, true, '> - [X] quoted'],
    ]);
  });

  it('marks the sign-up lines in code as the other readers do (a 4-backtick fence included)', () => {
    expect(codeLines('````\n<!-- m -->\n```\nstill\n````\nlive')).toEqual([true, true, true, true, true, false]);
  });

  it('strips comments linearly, an unclosed one hiding the rest', () => {
    expect(stripHtmlComments('a<!--x\ny-->b<!--z\nw')).toBe('a\nb\n');
  });
});

describe('quick actions: one guard', () => {
  it.each([
    ['/close', [1]],
    ['  /close', [1]],
    ['\u200B/close', [1]],
    ['a\n/close\nb', [2]],
    ['a /close', []],
    ['a\u2028/close', [1]],
  ])('%j starts a quick action on lines %j', (text, lines) => {
    expect(quickActionLines(text)).toEqual(lines);
  });

  it('defuses every command start and nothing else', () => {
    expect(defuseQuickActions('/close\n  /label ~x\nkeep /this\r\n/reopen')).toBe('\\/close\n  \\/label ~x\nkeep /this\r\n\\/reopen');
    expect(quickActionLines(defuseQuickActions('/a\n\u2029/b\n\t/c'))).toEqual([]);
  });
});

describe("quoting people's words", () => {
  it.each([
    ['a Markdown link', '[Verify your account](https://evil.example)', '> \u200B\\[Verify your account\\](https:\u200B//evil.example)'],
    ['an image', '![x](https://evil.example/a.png)', '> !\\[x\\](https:\u200B//evil.example/a.png)'],
    ['a full issue URL', 'see https://gitlab.com/g/p/-/issues/12', '> see https:\u200B//gitlab.com/g/p/-/issues/12'],
    ['a www link', 'www.evil.example', '> www\u200B.evil.example'],
    ['bidi controls', 'a\u202Eb\u2066c\u200Fd\u200Ee', '> abcde'],
    ['a reference', '#12 !3 &4', '> #\u200B12 !\u200B3 &\u200B4'],
    ['@all', '@all', '> @\u200Ball'],
    ['a hidden @ behind a bidi control', '@\u202Eall', '> @\u200Ball'],
    ['a backslash cannot undo the escape', '\\[x](y)', '> \u200B\\\\\\[x\\](y)'],
    ['a >>> block', '>>>\n/close\n>>>', '> \u200B>>>\n> \u200B/close\n> \u200B>>>'],
    ['a comment', '<!-- hide', '> &lt;!-- hide'],
  ])('%s', (_case, text, expected) => {
    expect(quoteUserText(text)).toBe(expected);
  });

  it('keeps inline text inert too', () => {
    expect(inlineUserText('[Verify](https://evil.example) @all\u202E #1')).toBe(
      '\\[Verify\\](https:\u200B//evil.example) @\u200Ball #\u200B1',
    );
  });
});
