// How the rules read a description: which lines are a person's own prose and which are code,
// quotes or hidden comments. A `Moderator:` line only counts in prose, so an example in a code
// block, a quoted older description, or the template's hidden hint never names a moderator.

export type LineKind = 'prose' | 'code' | 'quote';

export interface MarkdownLine {
  text: string;
  kind: LineKind;
}

/**
 * Removes HTML comments (they render as nothing). An unclosed `<!--` hides the rest of the text,
 * as it does on GitLab. Newlines inside a comment are kept so the lines around it stay apart.
 */
export function stripHtmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, (comment) => '\n'.repeat(comment.split('\n').length - 1));
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const QUOTE = /^ {0,3}>/;
const MULTILINE_QUOTE = /^>>>/;
// Lines that start a new block and so end a quote's lazy continuation.
const BLOCK_START = /^ {0,3}(?:#{1,6}(?:\s|$)|[-*+]\s|\d{1,9}[.)]\s|`{3,}|~{3,}|<|(?:[-*_]\s*){3,}$)/;

/** Splits text into lines (any newline convention) and labels each one. */
export function classifyLines(text: string): MarkdownLine[] {
  const lines = stripHtmlComments(text).split(/\r\n|\r|\n|\u2028|\u2029/);
  const out: MarkdownLine[] = [];
  let fence: { char: string; length: number } | null = null;
  let inMultilineQuote = false;
  let quoteParagraph = false; // the previous line was quoted paragraph text (lazy continuation)
  for (const line of lines) {
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close?.[1] && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
      out.push({ text: line, kind: 'code' });
      continue;
    }
    if (inMultilineQuote) {
      if (/^>>>\s*$/.test(line)) inMultilineQuote = false;
      out.push({ text: line, kind: 'quote' });
      continue;
    }
    if (MULTILINE_QUOTE.test(line)) {
      inMultilineQuote = true;
      quoteParagraph = false;
      out.push({ text: line, kind: 'quote' });
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open?.[1] && !(open[1][0] === '`' && open[2]?.includes('`'))) {
      fence = { char: open[1][0]!, length: open[1].length };
      quoteParagraph = false;
      out.push({ text: line, kind: 'code' });
      continue;
    }
    if (QUOTE.test(line)) {
      quoteParagraph = line.replace(/^ {0,3}>\s?/, '').trim() !== '';
      out.push({ text: line, kind: 'quote' });
      continue;
    }
    if (line.trim() === '') {
      quoteParagraph = false;
      out.push({ text: line, kind: 'prose' });
      continue;
    }
    if (quoteParagraph && !BLOCK_START.test(line)) {
      // Markdown continues a quoted paragraph onto the next unmarked line ("lazy continuation").
      out.push({ text: line, kind: 'quote' });
      continue;
    }
    quoteParagraph = false;
    out.push({ text: line, kind: 'prose' });
  }
  return out;
}

/** Removes inline code spans (`…`, ``…``) from one line. */
export function stripInlineCode(line: string): string {
  return line.replace(/(`+)(?:(?!\1)[\s\S])+?\1/g, '');
}
