// Finding the bot's own sign-up issues and notes. Sign-up issues carry their calendar's first
// label; the marker, not the title, says which is which — and only the bot's own issue counts:
// a person's copy of the text (or of the marker) does not.
import type { GIssue, GitLabReader, GNote } from '../gitlab/types.js';
import type { Logger } from '../observability/log.js';
import { REMINDER_MARKERS } from './markers.js';

const isBot = (username: string | undefined, botUsername: string) => username?.toLowerCase() === botUsername.toLowerCase();

/** One list per label per run, shared by the calendars that use the same label. */
export class SignupLists {
  constructor(
    private readonly gitlab: GitLabReader,
    private readonly project: string,
    private readonly state: 'all' | 'opened',
    private readonly byQuery: Map<string, Promise<GIssue[]>> = new Map(),
  ) {}

  withLabel(label: string | undefined): Promise<GIssue[]> {
    const key = `${this.project}\u0000${this.state}\u0000${label ?? ''}`;
    let list = this.byQuery.get(key);
    if (!list) {
      list = this.gitlab.listIssues(this.project, {
        ...(label ? { labels: [label] } : {}),
        state: this.state,
        orderBy: 'created_at',
        sort: 'asc',
      });
      this.byQuery.set(key, list);
    }
    return list;
  }
}

/** The bot's own issues carrying the marker, oldest first (lowest iid; iids only grow). */
export function allByMarker(issues: GIssue[], marker: string, botUsername: string): GIssue[] {
  return issues
    .filter((i) => (i.description ?? '').includes(marker) && isBot(i.author?.username, botUsername))
    .sort((a, b) => a.iid - b.iid);
}

/** The bot's own issue carrying the marker, the oldest when there are several. */
export function findByMarker(issues: GIssue[], marker: string, botUsername: string, log: Logger): GIssue | undefined {
  const matches = allByMarker(issues, marker, botUsername);
  if (matches.length > 1) {
    log.warn({ marker, iids: matches.map((i) => i.iid) }, 'several issues carry the same sign-up marker; using the oldest');
  }
  return matches[0];
}

/** The bot's own notes (system notes and people's notes never count). */
export function botNotes(notes: GNote[], botUsername: string): GNote[] {
  return notes.filter((n) => !n.system && isBot(n.author.username, botUsername));
}

/** Reminder markers in the bot's own notes: those reminders were sent already. */
export function postedMarkers(notes: GNote[], botUsername: string): Set<string> {
  const seen = new Set<string>();
  for (const note of botNotes(notes, botUsername)) {
    for (const m of note.body.matchAll(REMINDER_MARKERS)) if (m[1]) seen.add(m[1]);
  }
  return seen;
}

export const isBotAuthor = isBot;
