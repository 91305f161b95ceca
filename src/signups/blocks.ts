// A sign-up description cut into its parts: bot text, one block per session (between its begin
// and end markers), and the end-of-list marker. Lines inside code (src/markdown's reading) are
// never markers.
import { readDocument, splitLines } from '../markdown/index.js';
import { SESSION_BEGIN, SESSION_END, SESSIONS_END } from './markers.js';

type TextPart = { type: 'text'; lines: string[] };
type SessionPart = { type: 'session'; id: string; lines: string[] };
export type Part = TextPart | SessionPart | { type: 'sessions-end'; line: string };

/** Lines of a description, tolerant of the CRLF line ends browsers send. */
export function linesOf(text: string): string[] {
  return splitLines(text);
}

/** Which lines of `text` sit inside code, fenced or indented (examples, not live markers). */
export function codeLines(text: string): boolean[] {
  return readDocument(text).lines.map((line) => line.kind === 'code');
}

export function splitParts(text: string): Part[] {
  const lines = linesOf(text);
  const fenced = codeLines(text);
  const parts: Part[] = [];
  let current: TextPart | SessionPart = { type: 'text', lines: [] };
  lines.forEach((line, i) => {
    const live = !fenced[i];
    const begin = live ? SESSION_BEGIN.exec(line) : null;
    const end = live ? SESSION_END.exec(line) : null;
    if (begin?.[1] && current.type === 'text') {
      parts.push(current);
      current = { type: 'session', id: begin[1], lines: [line] };
      return;
    }
    if (current.type === 'session' && end?.[1] === current.id) {
      current.lines.push(line);
      parts.push(current);
      current = { type: 'text', lines: [] };
      return;
    }
    if (live && current.type === 'text' && line.trim() === SESSIONS_END) {
      parts.push(current, { type: 'sessions-end', line });
      current = { type: 'text', lines: [] };
      return;
    }
    current.lines.push(line);
  });
  // A block whose end marker a person deleted runs to the end of the text; keep it as a block so
  // its sign-up still counts.
  parts.push(current);
  return parts.filter((p) => p.type !== 'text' || p.lines.length > 0);
}

export function joinParts(parts: Part[]): string {
  return parts.map((p) => (p.type === 'sessions-end' ? p.line : p.lines.join('\n'))).join('\n');
}
