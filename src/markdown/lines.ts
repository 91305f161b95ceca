// The lines of a description labelled the way the rules first read them (prose, code, quote),
// kept for callers of that shape; new readers use readDocument directly.
import { readDocument } from './document.js';

export type MarkdownLineKind = 'prose' | 'code' | 'quote';

export interface MarkdownLine {
  /** For prose: the line's words (code spans and comments left out); otherwise the line as written. */
  text: string;
  kind: MarkdownLineKind;
}

/** Splits text into lines and labels each one. */
export function classifyLines(text: string): MarkdownLine[] {
  return readDocument(text).lines.map((line) =>
    line.kind === 'prose' || line.kind === 'html' ? { text: line.prose, kind: 'prose' } : { text: line.raw, kind: line.kind },
  );
}
