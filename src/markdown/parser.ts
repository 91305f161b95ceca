// The one Markdown parser of GitLab text. markdown-it, because it stays linear on the shapes people
// (or attackers) can paste into a 1 MB description: runs of backticks, `*a`, `[a](`, nested `>`,
// `<!--` runs, brackets, tables. micromark/mdast went quadratic or overflowed its stack on several
// of them. Its default maxNesting is kept: it bounds nesting depth, and so recursion.
import MarkdownIt from 'markdown-it';
import backticks from 'markdown-it/lib/rules_inline/backticks.mjs';
import type Token from 'markdown-it/lib/token.mjs';

// CommonMark with GitLab's tables and strikethrough, raw HTML on (GitLab renders it, and HTML
// comments hide text). Links, images and emphasis are off: no reader needs them, code spans and
// raw HTML bind tighter than link brackets anyway, and on runs of `[` or `![` link parsing cost
// seconds per megabyte (measured). Entities and linkify are off for the same reason: unused.
const md = new MarkdownIt({ html: true }).disable(['link', 'image', 'emphasis', 'entity', 'linkify']);

// markdown-it turns the newlines inside a code span into spaces, which would lose the line count.
// The wrapped rule counts them on the token, so every inline token can be placed on its line.
md.inline.ruler.at('backticks', (state, silent) => {
  const start = state.pos;
  if (!backticks(state, silent)) return false;
  const token = state.tokens[state.tokens.length - 1];
  if (!silent && token?.type === 'code_inline') token.meta = { newlines: countNewlines(state.src, start, state.pos) };
  return true;
});

/** Newlines in text[from, to). A plain loop: indexOf would search past `to`, once per span. */
export function countNewlines(text: string, from = 0, to = text.length): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Block tokens of a text, with inline children. */
export function parseMarkdown(text: string): Token[] {
  return md.parse(text, {});
}

export type { Token };
