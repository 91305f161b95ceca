// Reads what people wrote in a sign-up issue: who claimed which session, which boxes they ticked,
// and the claims the bot cannot make sense of. Pure.
import { hideHtmlComments, mentionsIn, readDocument } from '../markdown/index.js';
import type { Session } from './calendar.js';
import { splitParts } from './blocks.js';
import { CHECK_MARKER, DRI_MARKER, REMOVED_MARKER, TASK_ITEM } from './markers.js';

export interface SessionClaim {
  sessionId: string;
  /** The DRI's username (without @), or null when the slot is open or unclear. */
  dri: string | null;
  /** Box key → ticked, for the boxes found in the session's lines. */
  checks: Record<string, boolean>;
  /** The session is not in the calendar any more; its block was kept because someone claimed it. */
  removed: boolean;
}

export type ClaimProblem =
  | { kind: 'unknown-session'; sessionId: string; text: string }
  | { kind: 'missing-username'; sessionId: string; text: string }
  | { kind: 'several-dris'; sessionId: string; usernames: string[] };

export interface SignupClaims {
  /** Calendar sessions first, in calendar order, then kept blocks of removed sessions. */
  sessions: SessionClaim[];
  problems: ClaimProblem[];
}

export function parseClaims(description: string, sessions: Session[]): SignupClaims {
  const doc = readDocument(description);
  const lines = doc.lines.map((line) => line.raw);
  const ticks = new Map(doc.taskItems.map((item) => [item.line, item.checked]));
  const removedIds = new Set<string>();
  for (const part of splitParts(description)) {
    if (part.type === 'session' && part.lines.some((l) => REMOVED_MARKER.exec(l)?.[1] === part.id)) {
      removedIds.add(part.id);
    }
  }
  const known = new Set(sessions.map((s) => s.id));
  const claims = new Map<string, SessionClaim>();
  const claimFor = (id: string): SessionClaim => {
    let c = claims.get(id);
    if (!c) {
      c = { sessionId: id, dri: null, checks: {}, removed: !known.has(id) };
      claims.set(id, c);
    }
    return c;
  };
  for (const s of sessions) claimFor(s.id);

  // Session id → usernames, in order, deduplicated (a Set: a line may name thousands).
  const named = new Map<string, { names: string[]; seen: Set<string> }>();
  const problems: ClaimProblem[] = [];
  lines.forEach((line, i) => {
    const read = doc.lines[i];
    if (!read || read.kind === 'code') return;
    const dri = DRI_MARKER.exec(line);
    if (dri?.[1]) {
      const id = dri[1];
      const text = driText(line);
      if (!known.has(id) && !removedIds.has(id)) {
        problems.push({ kind: 'unknown-session', sessionId: id, text });
        return;
      }
      claimFor(id);
      // People named outside code spans and comments; mass mentions and groups are no one.
      const usernames = mentionsIn(read.words)
        .filter((m) => m.person)
        .map((m) => m.name);
      const list = named.get(id) ?? { names: [], seen: new Set<string>() };
      for (const u of usernames) {
        if (list.seen.has(u.toLowerCase())) continue;
        list.seen.add(u.toLowerCase());
        list.names.push(u);
      }
      named.set(id, list);
      const ticked = ticks.get(i) ?? false;
      if (usernames.length === 0 && (text !== '' || ticked)) {
        problems.push({ kind: 'missing-username', sessionId: id, text });
      }
      return;
    }
    const check = CHECK_MARKER.exec(line);
    if (check?.[1] && check[2] && (known.has(check[2]) || removedIds.has(check[2]))) {
      const ticked = ticks.get(i);
      if (ticked !== undefined) claimFor(check[2]).checks[check[1]] = ticked;
    }
  });

  for (const [id, { names: usernames }] of named) {
    const claim = claimFor(id);
    if (usernames.length === 1) claim.dri = usernames[0] ?? null;
    if (usernames.length > 1) problems.push({ kind: 'several-dris', sessionId: id, usernames });
  }
  return { sessions: [...claims.values()], problems };
}

/** What a person wrote on a DRI line, without the box, the "DRI:" key and the bot's comments. */
export function driText(line: string): string {
  const content = TASK_ITEM.exec(line)?.[4] ?? line.replace(/^\s*[-*+]\s+/, '');
  return hideHtmlComments(content, ' ')
    .replace(/^\s*(\*\*)?DRI(\*\*)?\s*:?\s*(\*\*)?/i, '')
    .replace(/\s+/g, ' ')
    .trim();
}
