// The sections of a request: each Markdown heading and the text under it (down to the next
// heading of the same or a higher level). Headings in code or quotes are not headings.
import { readDocument } from './document.js';

export interface Section {
  heading: string;
  level: number;
  /** The text under the heading, hidden comments removed. */
  body: string;
}

/** A heading's text compared loosely: case, emphasis, spacing and a closing ':' or '?' do not matter. */
export function headingKey(text: string): string {
  let key = text.replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
  // Trailing punctuation trimmed by hand: an end-anchored regex would backtrack over long runs.
  let end = key.length;
  while (end > 0 && ':?.! '.includes(key[end - 1]!)) end--;
  key = key.slice(0, end);
  return key;
}

export function parseSections(description: string): Section[] {
  const { lines, headings } = readDocument(description);
  const sections: (Section & { lines: string[] })[] = [];
  const open: (Section & { lines: string[] })[] = [];
  const headingAt = new Map(headings.map((h) => [h.line, h]));
  lines.forEach((line, l) => {
    const heading = headingAt.get(l);
    if (heading) {
      while (open.length > 0 && open[open.length - 1]!.level >= heading.level) open.pop();
      const section = { heading: heading.text, level: heading.level, body: '', lines: [] as string[] };
      sections.push(section);
      open.push(section);
      // A subheading and its text belong to every enclosing section too.
      for (const outer of open.slice(0, -1)) outer.lines.push(line.shown);
      return;
    }
    for (const section of open) section.lines.push(line.shown);
  });
  return sections.map(({ heading, level, lines: body }) => ({ heading, level, body: body.join('\n').trim() }));
}
