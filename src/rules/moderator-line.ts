// The `Moderator: @username` line in a card's description, as the handbook asks for it.
import { classifyLines, stripInlineCode } from './markdown-lines.js';
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
const KEY = /^ {0,3}(?:[-*+][ \t]+)?[*_]{0,2}moderator[*_]{0,2}[ \t]*:[*_]{0,2}[ \t]*(.*)$/i;
// GitLab usernames: letters, digits, _ . - ; they never end with a dot, so a full stop is not part of it.
const MENTION = /(?<![A-Za-z0-9_.-])@([A-Za-z0-9_][A-Za-z0-9_.-]*)/g;

function cleanUsername(name: string): string {
  return name.replace(/\.+$/, '');
}

/** Every Moderator line in the prose of a description (code, quotes and hidden comments ignored). */
export function parseModeratorLines(description: string): ModeratorLine[] {
  const found: ModeratorLine[] = [];
  for (const line of classifyLines(description)) {
    if (line.kind !== 'prose') continue;
    const match = KEY.exec(stripInlineCode(line.text));
    if (!match) continue;
    const rest = match[1] ?? '';
    const first = /^@([A-Za-z0-9_][A-Za-z0-9_.-]*)/.exec(rest.trim());
    const username = first?.[1] ? cleanUsername(first[1]) : '';
    const after = first ? rest.trim().slice(first[0].length) : rest;
    const alsoNamed = [...after.matchAll(MENTION)]
      .map((m) => cleanUsername(m[1] ?? ''))
      .filter((name) => name !== '' && name.toLowerCase() !== username.toLowerCase());
    found.push({ username, alsoNamed, raw: line.text.trimEnd() });
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
