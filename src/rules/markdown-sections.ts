// The sections of a request: each Markdown heading and the text under it (down to the next
// heading of the same or a higher level). Headings inside code blocks are not headings.
import { classifyLines } from './markdown-lines.js';

export interface Section {
  heading: string;
  level: number;
  /** The text under the heading, hidden comments removed. */
  body: string;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;

/** A heading's text compared loosely: case, emphasis, spacing and a closing ':' or '?' do not matter. */
export function headingKey(text: string): string {
  return text
    .replace(/[*_`]/g, '')
    .replace(/[:?.!\s]+$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export function parseSections(description: string): Section[] {
  const sections: (Section & { lines: string[] })[] = [];
  const open: (Section & { lines: string[] })[] = [];
  for (const line of classifyLines(description)) {
    const heading = line.kind === 'prose' ? HEADING.exec(line.text) : null;
    if (heading?.[1]) {
      const level = heading[1].length;
      while (open.length > 0 && open[open.length - 1]!.level >= level) open.pop();
      const section = { heading: heading[2] ?? '', level, body: '', lines: [] as string[] };
      sections.push(section);
      open.push(section);
      // A subheading and its text belong to every enclosing section too.
      for (const outer of open.slice(0, -1)) outer.lines.push(line.text);
      continue;
    }
    for (const section of open) section.lines.push(line.text);
  }
  return sections.map(({ heading, level, lines }) => ({ heading, level, body: lines.join('\n').trim() }));
}
