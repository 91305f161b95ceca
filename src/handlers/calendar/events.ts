// What a board's calendar holds: one event per scheduled card, or per webinar and lab of the
// sign-up calendars. Pure: the cards and sessions read, the board's settings and the clock in,
// events out. Rendering them as iCalendar is ics.ts's.
import { DateTime } from 'luxon';
import { parseModeratorLines } from '../../card/moderator-line.js';
import type { BoardConfig } from '../../config/types.js';
import type { GIssue } from '../../gitlab/types.js';
import type { Session } from '../../signups/calendar.js';

export interface FeedEvent {
  uid: string;
  summary: string;
  /** Timed: UTC instants. All-day: the local date (YYYY-MM-DD). */
  when: { start: string; end: string } | { date: string };
  description: string;
  url: string | null;
  sequence: number;
  cancelled: boolean;
  /** When the event last changed (DTSTAMP): the issue's updated_at, so a rebuilt feed is identical. */
  stamp: string;
}

/** A card as the feed reads it: the issue, and whether it is (still) in the scheduled column. */
export interface CardSeen {
  issue: GIssue;
  /** Open and labelled scheduled; otherwise it was scheduled once and left the column or closed. */
  scheduled: boolean;
}

/**
 * A card closed on or after its date is a session that took place (done), not a cancelled one;
 * closed before it, or moved out of the column while open, it is cancelled.
 */
export function isCancelled(card: CardSeen, timezone: string): boolean {
  if (card.scheduled) return false;
  const { issue } = card;
  if (issue.state !== 'closed' || !issue.closed_at || !issue.due_date) return true;
  const closedOn = DateTime.fromISO(issue.closed_at, { zone: timezone }).toISODate();
  return closedOn === null || closedOn < issue.due_date;
}

/** A sign-up session with what its sign-up issue says about it. */
export interface SessionSeen {
  session: Session;
  dri: string | null;
  /** The month's sign-up issue, when it was opened. */
  issue: { url: string; updatedAt: string } | null;
}

// SEQUENCE must only grow and be the same on every replica and after a restart without a store:
// seconds since this epoch of the issue's updated_at, which GitLab moves on every change (fits a
// 32-bit integer until 2088).
const SEQUENCE_EPOCH = Date.UTC(2020, 0, 1);
export function sequenceOf(updatedAt: string | null): number {
  if (!updatedAt) return 0;
  const ms = Date.parse(updatedAt);
  return Number.isNaN(ms) ? 0 : Math.max(0, Math.floor((ms - SEQUENCE_EPOCH) / 1000));
}

/** UIDs name the GitLab instance and the issue's global id: stable, unique across boards. */
export const cardUid = (host: string, issue: GIssue) => `gitlab-issue-${issue.id}@${host}`;
export const sessionUid = (host: string, session: Session) => `signup-${session.id}@${host}`;

const at = (who: string | null) => (who ? `@${who}` : 'nobody yet');

export function cardEvent(card: CardSeen, board: BoardConfig, timezone: string, host: string): FeedEvent | null {
  const { issue } = card;
  // Confidential cards never appear, not even as cancelled.
  if (issue.confidential || !issue.due_date) return null;
  const moderator = parseModeratorLines(issue.description ?? '')[0]?.username || null;
  const speakers = issue.assignees.map((a) => a.username).filter((u) => u.toLowerCase() !== moderator?.toLowerCase());
  const { sessionTime, durationMinutes } = board.calendar;
  let when: FeedEvent['when'] = { date: issue.due_date };
  if (sessionTime) {
    const start = DateTime.fromISO(`${issue.due_date}T${sessionTime}`, { zone: timezone });
    if (start.isValid) {
      when = { start: start.toUTC().toISO(), end: start.plus({ minutes: durationMinutes }).toUTC().toISO() };
    }
  }
  return {
    uid: cardUid(host, issue),
    summary: issue.title,
    when,
    description: [
      `Speaker: ${speakers.length ? speakers.map((s) => `@${s}`).join(', ') : 'nobody yet'}`,
      `Moderator: ${at(moderator)}`,
      `Issue: ${issue.web_url}`,
    ].join('\n'),
    url: issue.web_url,
    sequence: sequenceOf(issue.updated_at),
    cancelled: isCancelled(card, timezone),
    stamp: issue.updated_at,
  };
}

export function sessionEvent(seen: SessionSeen, host: string): FeedEvent {
  const { session } = seen;
  const start = DateTime.fromISO(session.start, { zone: 'utc' });
  const lines = [`Region: ${session.region}`, `DRI: ${at(seen.dri)}`];
  if (seen.issue) lines.push(`Sign-up issue: ${seen.issue.url}`);
  if (session.registrationUrl) lines.push(`Registration: ${session.registrationUrl}`);
  return {
    uid: sessionUid(host, session),
    summary: `${session.title} (${session.region})`,
    when: { start: start.toISO()!, end: start.plus({ minutes: session.durationMinutes }).toISO()! },
    description: lines.join('\n'),
    url: seen.issue?.url ?? null,
    sequence: sequenceOf(seen.issue?.updatedAt ?? null),
    cancelled: false,
    // A session without its issue yet has nothing that changes; its start is a stable stamp.
    stamp: seen.issue?.updatedAt ?? session.start,
  };
}

export function feedEvents(input: {
  board: BoardConfig;
  timezone: string;
  host: string;
  cards: CardSeen[];
  sessions: SessionSeen[];
}): FeedEvent[] {
  const events: FeedEvent[] = [];
  for (const card of input.cards) {
    const event = cardEvent(card, input.board, input.timezone, input.host);
    if (event) events.push(event);
  }
  for (const session of input.sessions) events.push(sessionEvent(session, input.host));
  // A stable order: the same state gives the same bytes.
  return events.sort((a, b) => startOf(a).localeCompare(startOf(b)) || a.uid.localeCompare(b.uid));
}

const startOf = (e: FeedEvent) => ('date' in e.when ? e.when.date : e.when.start);
