// A GitLab text read once: each source line with what a reader sees of it. Every reader of issue
// descriptions and notes (moderator lines, sections, sign-up claims) starts from here, so they all
// agree on what is code, a quote, a hidden comment or a person's own prose.
import { hideHtmlComments } from './html-comment.js';
import { countNewlines, parseMarkdown, type Token } from './parser.js';

/**
 * - `prose`: a person's own text (paragraphs, headings, list items, tables, visible HTML).
 * - `code`: fenced or indented code. `quote`: inside `>` or GitLab's `>>>` block.
 * - `html`: an HTML block line (comments hidden; what is left counts as prose).
 */
export type LineKind = 'prose' | 'code' | 'quote' | 'html';

export interface DocumentLine {
  /** The source line as written (line ends removed). */
  raw: string;
  kind: LineKind;
  /** The line's text outside code spans and HTML comments; '' for code and quotes. */
  prose: string;
  /** The line's text outside code spans and HTML comments, wherever it is (quotes too); '' for code. */
  words: string;
  /** What the line shows: code spans' content included; code lines as written; comments hidden. */
  shown: string;
}

export interface Heading {
  level: number;
  /** The heading's text, comments hidden. */
  text: string;
  /** Index of its line in `lines`. */
  line: number;
}

export interface TaskItem {
  line: number;
  checked: boolean;
  raw: string;
}

export interface GitLabDocument {
  lines: DocumentLine[];
  /** Headings outside quotes and code, in order. */
  headings: Heading[];
  /** `- [ ]` / `- [x]` list items outside code, in order. */
  taskItems: TaskItem[];
}

/** Lines of a text, cut as Markdown cuts them (CRLF and lone CR are line ends too). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n?|\n/);
}

// GitLab's multi-line quote: a line of `>>>` opens it, the next such line closes it (GitLab's own
// pre-pass requires the closing line, so an unclosed `>>>` quotes nothing beyond itself).
function isMultilineQuoteFence(line: string): boolean {
  if (!line.startsWith('>>>')) return false;
  for (let i = 3; i < line.length; i++) if (line[i] !== ' ' && line[i] !== '\t') return false;
  return true;
}

const TASK_BOX = /^\[([ xX])\](?:[ \t]|$)/;

// Several readers often read the same description in one reconcile (sign-up claims, then the
// merge): the last reading is kept, so they share one parse. Callers treat it as read-only.
let last: { text: string; doc: GitLabDocument } | null = null;

export function readDocument(text: string): GitLabDocument {
  if (last?.text === text) return last.doc;
  const doc = parseDocument(text);
  last = { text, doc };
  return doc;
}

function parseDocument(text: string): GitLabDocument {
  const raws = splitLines(text);
  const lines: DocumentLine[] = raws.map((raw) => ({ raw, kind: 'prose', prose: '', words: '', shown: '' }));
  const headings: (Heading & { quoted: boolean })[] = [];
  const taskItems: TaskItem[] = [];
  const tokens = parseMarkdown(text);
  let quoteDepth = 0;
  let itemLine: number | null = null; // a list item just opened: its first inline may hold a task box
  const mark = (map: [number, number] | null, kind: LineKind) => {
    if (!map) return;
    for (let l = map[0]; l < map[1] && l < lines.length; l++) lines[l]!.kind = kind;
  };
  let lastLine = 0; // table cells carry no line map: they sit on their row's line
  for (const token of tokens) {
    if (token.map) lastLine = token.map[0];
    switch (token.type) {
      case 'blockquote_open':
        if (quoteDepth++ === 0) mark(token.map, 'quote');
        break;
      case 'blockquote_close':
        quoteDepth--;
        break;
      case 'fence':
      case 'code_block':
        mark(token.map, 'code');
        for (let l = token.map?.[0] ?? 0; l < (token.map?.[1] ?? 0) && l < lines.length; l++) lines[l]!.shown = lines[l]!.raw;
        break;
      case 'html_block':
        if (quoteDepth === 0) mark(token.map, 'html');
        hideHtmlComments(token.content, '', true)
          .split('\n')
          .forEach((part, i) => append(lines[(token.map?.[0] ?? 0) + i], part, part));
        break;
      case 'heading_open':
        headings.push({ level: Number(token.tag.slice(1)), text: '', line: token.map?.[0] ?? 0, quoted: quoteDepth > 0 });
        break;
      case 'list_item_open':
        itemLine = token.map?.[0] ?? null;
        break;
      case 'inline':
        if (itemLine !== null && token.map?.[0] === itemLine) {
          const box = TASK_BOX.exec(token.content);
          if (box) taskItems.push({ line: itemLine, checked: box[1] !== ' ', raw: lines[itemLine]?.raw ?? '' });
        }
        itemLine = null;
        walkInline(token, lines, lastLine);
        break;
      default:
        if (token.type !== 'paragraph_open') itemLine = null;
    }
  }

  // `>>>` blocks, paired in order over the lines that are not code.
  let open: number | null = null;
  lines.forEach((line, l) => {
    if (line.kind === 'code' || !isMultilineQuoteFence(line.raw)) return;
    if (open === null) {
      open = l;
      return;
    }
    for (let q = open; q <= l; q++) if (lines[q]!.kind !== 'code') lines[q]!.kind = 'quote';
    for (const h of headings) if (h.line >= open && h.line <= l) h.quoted = true;
    open = null;
  });

  for (const line of lines) line.prose = line.kind === 'prose' || line.kind === 'html' ? line.words : '';
  return {
    lines,
    headings: headings
      .filter((h) => !h.quoted && lines[h.line]?.kind !== 'quote')
      .map(({ level, line }) => ({ level, line, text: lines[line]?.shown.trim() ?? '' })),
    taskItems: taskItems.filter((t) => lines[t.line]?.kind !== 'code'),
  };
}

function append(line: DocumentLine | undefined, words: string, shown: string): void {
  if (!line || line.kind === 'code') return;
  line.words += words;
  line.shown += shown;
}

/** Places the inline children of a paragraph, heading or table cell on their source lines. */
function walkInline(token: Token, lines: DocumentLine[], fallbackLine: number): void {
  let l = token.map?.[0] ?? fallbackLine;
  if (!token.map) append(lines[l], ' ', ' '); // cells of one row stay apart
  for (const child of token.children ?? []) {
    switch (child.type) {
      case 'text':
        append(lines[l], child.content, child.content);
        break;
      case 'code_inline':
        append(lines[l], ' ', child.content);
        l += (child.meta as { newlines?: number } | null)?.newlines ?? 0;
        break;
      case 'softbreak':
      case 'hardbreak':
        l++;
        break;
      case 'html_inline':
        // Tags and comments show no words of their own; only their line breaks matter here.
        l += countNewlines(child.content);
        break;
      default:
        break;
    }
  }
}
