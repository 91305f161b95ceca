// The `Moderator: @username` line in a card's description, as the handbook asks for it. Read from
// the prose of the description (src/markdown): an example in code, a quoted older description or
// the template's hidden hint never names a moderator.
import { mentionsIn, readDocument } from '../markdown/index.js';
import type { IssueSnapshot } from './types.js';

export interface ModeratorLine {
  /** The username after the first @, as written (no @); '' when the line names no one with an @. */
  username: string;
  /** Further @usernames on the same line (a line must name exactly one person). */
  alsoNamed: string[];
  /** The line as written, for quoting back to the person. */
  raw: string;
}

// Optional list bullet and bold/italic around the key: "- **Moderator:** @bob" counts too.
// Anchored, bounded repetitions: one attempt per line.
const KEY = /^ {0,3}(?:[-*+][ \t]+)?[*_]{0,2}moderator[*_]{0,2}[ \t]*:[*_]{0,2}(.*)$/is;

/** Every Moderator line in the prose of a description (code, quotes and hidden comments ignored). */
export function parseModeratorLines(description: string): ModeratorLine[] {
  const found: ModeratorLine[] = [];
  for (const line of readDocument(description).lines) {
    const match = line.prose === '' ? null : KEY.exec(line.prose.trimStart());
    if (!match) continue;
    const rest = (match[1] ?? '').trimStart();
    const named = mentionsIn(rest);
    const first = named[0]?.at === 0 ? named[0] : undefined;
    const username = first?.person ? first.name : '';
    const alsoNamed = named.filter((m) => m !== first && m.person && m.name.toLowerCase() !== username.toLowerCase()).map((m) => m.name);
    found.push({ username, alsoNamed, raw: line.raw.trimEnd() });
  }
  return found;
}

/** At most this many names are looked up per issue, so a long description cannot fan out API calls. */
export const LOOKUP_LIMIT = 5;

/** The usernames the engine must look up (lower-case, distinct) before the moderator rule can judge. */
export function usernamesToLookUp(issue: Pick<IssueSnapshot, 'description'>): string[] {
  const names = new Set<string>();
  for (const line of parseModeratorLines(issue.description)) {
    if (line.username) names.add(line.username.toLowerCase());
  }
  return [...names].slice(0, LOOKUP_LIMIT);
}
