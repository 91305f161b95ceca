import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inlineUserText, quoteUserText } from '../../src/comments/index.js';

// What GitLab's quick-action extractor would run: a `/command` at column 0 of a line (it splits on
// \n; Markdown also breaks lines at \r). Lines that start with `> ` are not commands, but the
// property asks for more: even with every quote marker stripped, no line starts with `/`.
const LINE_BREAK = /\r\n|\r|\n|\u2028|\u2029|\u0085|\v|\f/;
const commandLines = (text: string) => text.split(LINE_BREAK).filter((line) => /^\//.test(line.replace(/^[>\s]*/, '')));
const MENTION = /@[A-Za-z0-9_]/;
const REFERENCE = /[#!&]\d/;

const hostileToken = fc.constantFrom(
  '/close',
  '/label ~x',
  '/assign @bob',
  '/due tomorrow',
  '@all',
  '@group/sub',
  '@bob',
  '#12',
  '!3',
  '&7',
  '\n',
  '\r',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u000B',
  '\f',
  '\t',
  ' ',
  '    ',
  '>',
  '>>>',
  '> ',
  '```',
  '~~~',
  '`',
  '<!--',
  '-->',
  '<details>',
  '</div>',
  '\\',
  '/',
  '@',
  'x',
  'Zoë',
  '\u200B',
  '\u0000',
);
const hostile = fc.oneof(
  fc.array(hostileToken, { maxLength: 40 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

describe('quoting user text in a note', () => {
  it('neutralises a description full of commands and mentions', () => {
    const quoted = quoteUserText('/close\n/label ~x\n@all please\n  /assign @bob\n>>>\n/reopen\n>>>\n```\n/due today\n```');
    expect(commandLines(quoted)).toEqual([]);
    expect(quoted).not.toMatch(MENTION);
    expect(quoted.split('\n').every((line) => line === '>' || line.startsWith('> '))).toBe(true);
    expect(quoted).toContain('/close'); // still readable for people
    expect(quoted).toContain('@\u200Ball');
  });

  it('cannot hide the rest of the note behind an HTML comment, or open raw HTML', () => {
    expect(quoteUserText('hi <!-- and <details> -->')).toBe('> hi &lt;!-- and &lt;details> -->');
  });

  it('keeps blank lines inside the quote, so the quote does not end early', () => {
    expect(quoteUserText('one\n\ntwo')).toBe('> one\n>\n> two');
  });

  it('cuts very long text', () => {
    expect([...quoteUserText('a'.repeat(5000), 100)].length).toBeLessThan(110);
    expect(quoteUserText(`a${' '.repeat(5000)}b`, 100).endsWith('…')).toBe(true);
    expect(inlineUserText(`a${'\n'.repeat(5000)}b`, 100)).toBe('a…');
  });

  it('holds for any text: every line quoted, no command, mention, reference or HTML', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const quoted = quoteUserText(text);
        const lines = quoted.split('\n');
        expect(lines.every((line) => line === '>' || line.startsWith('> '))).toBe(true);
        expect(quoted.split(LINE_BREAK)).toHaveLength(lines.length); // no other line break survives
        expect(commandLines(quoted)).toEqual([]);
        // Nor a nested quote, a fence or a >>> block starting inside the quote.
        expect(lines.some((line) => /^> [\s]*(?:>|```|~~~)/.test(line))).toBe(false);
        expect(quoted).not.toMatch(MENTION);
        expect(quoted).not.toMatch(REFERENCE);
        expect(quoted).not.toContain('<');
      }),
      { numRuns: 400 },
    );
  });
});

describe('user text inside a sentence', () => {
  it('keeps a title on one line, readable and inert', () => {
    expect(inlineUserText('Runners\n/close @all  *now*')).toBe('Runners /close @\u200Ball \\*now\\*');
  });

  it('holds for any text: one line, no command at its start, no mention, no markup', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const inline = inlineUserText(text);
        expect(inline.split(LINE_BREAK)).toHaveLength(1);
        expect(inline.startsWith('/')).toBe(false);
        expect(inline).not.toMatch(MENTION);
        expect(inline).not.toMatch(REFERENCE);
        expect(inline).not.toContain('<');
        // Every Markdown control character that is left is escaped by a backslash.
        expect(inline.replace(/\\[\\`*_[\]|~>]/g, '')).not.toMatch(/[\\`*_[\]|~>]/);
      }),
      { numRuns: 400 },
    );
  });
});
