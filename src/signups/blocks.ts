// A sign-up description cut into its parts: bot text, one block per session (between its begin
// and end markers), and the end-of-list marker. Lines inside code fences are never markers.
import { SESSION_BEGIN, SESSION_END, SESSIONS_END } from './markers.js';

type TextPart = { type: 'text'; lines: string[] };
type SessionPart = { type: 'session'; id: string; lines: string[] };
export type Part = TextPart | SessionPart | { type: 'sessions-end'; line: string };

const FENCE = /^\s{0,3}(```|~~~)/;

/** Lines of a description, tolerant of the CRLF line ends browsers send. */
export function linesOf(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

/** Which lines sit inside a fenced code block (quoted examples, not live markers). */
export function fencedLines(lines: string[]): boolean[] {
  let open: string | null = null;
  return lines.map((line) => {
    const m = FENCE.exec(line);
    if (open === null) {
      if (m) open = m[1] ?? null;
      return m !== null;
    }
    if (m && m[1] === open) open = null;
    return true;
  });
}

export function splitParts(text: string): Part[] {
  const lines = linesOf(text);
  const fenced = fencedLines(lines);
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
