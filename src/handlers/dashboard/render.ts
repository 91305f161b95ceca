// The dashboard issue's description, rendered from what the cards and the sign-up issues say.
// Pure: the same board gives the same text, byte for byte, so an unchanged board costs no write
// (nothing time-stamped goes in). People's words are quoted (markdown/quote.ts); people are
// named without a mention (nobody is pinged by a refresh).
import { DateTime } from 'luxon';
import { noteMarker } from '../../comments/index.js';
import { atMost, fitToLimit } from '../../comments/limit.js';
import { parseModeratorLines } from '../../card/index.js';
import { inlineUserText } from '../../markdown/quote.js';
import { quietUsername } from '../../signups/plainText.js';
import type { SignupKind } from '../../signups/markers.js';

/** What a card waits for before it can run, and after (the recording). */
export type Wait = 'speaker' | 'moderator' | 'date' | 'recording';
export const WAITS: readonly Wait[] = ['speaker', 'moderator', 'date', 'recording'];

/** A card on the dashboard: open, in planning or scheduled. */
export interface DashboardCard {
  iid: number;
  title: string;
  webUrl: string;
  confidential: boolean;
  column: 'plan' | 'scheduled';
  dueDate: string | null;
  speakers: string[];
  moderator: string | null;
  waiting: Wait[];
}

/** Next month's sessions of one sign-up calendar, and who signed up. */
export interface Coverage {
  kind: SignupKind;
  month: string;
  /** The month's sign-up issue; null when it is not open yet. */
  issueUrl: string | null;
  sessions: Array<{ title: string; region: string; localDate: string; localTime: string; timezone: string; dri: string | null }>;
}

export interface DashboardView {
  board: string;
  timezone: string;
  /** Today in the team's zone (YYYY-MM-DD). */
  today: string;
  weeks: number;
  /** The cards of a Skills Exchange board (absent: a board without a weekly series). */
  cards?: DashboardCard[];
  /** A sign-up board's coverage of next month. */
  coverage?: Coverage[];
}

/** The hidden marker the dashboard issue is found by (and only the bot's issue counts). */
export const dashboardMarker = (board: string) => noteMarker(`dashboard:${board}`);
export const DASHBOARD_MARKER = /<!-- rhythm:dashboard:[a-z0-9-]+ -->/;

/** Lines per group at most: a board with hundreds of stuck cards still gives a readable issue. */
export const MAX_GROUP_LINES = 50;

const WAIT_HEADING: Record<Wait, string> = {
  speaker: 'Waiting for a speaker (no assignee)',
  moderator: 'Waiting for a moderator (no single `Moderator: @username` line)',
  date: 'Waiting for a date (no due date)',
  recording: 'Waiting for the recording (the date has passed, no recording link yet)',
};

/**
 * What a card waits for, read as the rules read it: an assignee other than the moderator is a
 * speaker, a single Moderator line naming one person is a moderator. Textual only (no user
 * look-ups): the card's own note says when a named moderator is no real user.
 */
export function readCard(
  issue: { iid: number; title: string; web_url: string; confidential: boolean; due_date: string | null; description?: string | null },
  assignees: readonly string[],
  column: 'plan' | 'scheduled',
  today: string,
  recordingPosted: boolean,
): DashboardCard {
  const lines = parseModeratorLines(issue.description ?? '');
  const only = lines.length === 1 ? lines[0]! : null;
  const moderator = only && only.username && only.alsoNamed.length === 0 ? only.username : null;
  const speakers = assignees.filter((a) => a.toLowerCase() !== moderator?.toLowerCase());
  const waiting: Wait[] = [];
  if (speakers.length === 0) waiting.push('speaker');
  if (!moderator) waiting.push('moderator');
  if (!issue.due_date) waiting.push('date');
  else if (column === 'scheduled' && issue.due_date < today && !recordingPosted) waiting.push('recording');
  return {
    iid: issue.iid,
    title: issue.title,
    webUrl: issue.web_url,
    confidential: issue.confidential,
    column,
    dueDate: issue.due_date,
    speakers,
    moderator,
    waiting,
  };
}

const day = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' });
const dayName = (iso: string) => day(iso).toFormat('ccc d LLL');
const fullDay = (iso: string) => day(iso).toFormat('ccc d LLL yyyy');

/**
 * The card by number and title, never as a GitLab reference or a link to it: a reference adds a
 * "mentioned in" note to the card and touches its updated_at, so every dashboard would write on
 * every card it lists (and wake the cards the onboarding baseline holds). A zero-width space after
 * `#` keeps the number readable and unresolved. A confidential card's title is never shown.
 */
function cardLink(card: DashboardCard): string {
  const ref = `#\u200B${card.iid}`;
  return card.confidential ? `${ref} (confidential)` : `${ref} ${inlineUserText(card.title)}`;
}

function people(card: DashboardCard): string {
  const speaker = card.speakers.length > 0 ? card.speakers.map(quietUsername).join(', ') : 'no speaker yet';
  const moderator = card.moderator ? quietUsername(card.moderator) : 'no moderator yet';
  return `speaker ${speaker}, moderator ${moderator}`;
}

/** The Mondays of the weeks shown, starting with this week's (weeks as the team's calendar has them). */
export function weekStarts(today: string, weeks: number): string[] {
  const monday = day(today).startOf('week');
  return Array.from({ length: weeks }, (_, i) => monday.plus({ weeks: i }).toISODate()!);
}

function weekLines(view: DashboardView, cards: readonly DashboardCard[]): string[] {
  const lines: string[] = [];
  for (const start of weekStarts(view.today, view.weeks)) {
    const end = day(start).plus({ days: 7 }).toISODate()!;
    const sessions = cards
      .filter((c) => c.column === 'scheduled' && c.dueDate !== null && c.dueDate >= start && c.dueDate < end)
      .sort((a, b) => a.dueDate!.localeCompare(b.dueDate!) || a.iid - b.iid);
    const what =
      sessions.length === 0
        ? 'no session yet'
        : sessions
            .map((c) =>
              c.confidential ? `${dayName(c.dueDate!)}: ${cardLink(c)}` : `${dayName(c.dueDate!)}: ${cardLink(c)} (${people(c)})`,
            )
            .join('; ');
    lines.push(`- **Week of ${fullDay(start)}**: ${what}`);
  }
  return lines;
}

function waitingLines(cards: readonly DashboardCard[]): string[] {
  const out: string[] = [];
  for (const wait of WAITS) {
    const group = cards.filter((c) => c.waiting.includes(wait)).sort((a, b) => a.iid - b.iid);
    if (group.length === 0) continue;
    const lines = group.map((c) => {
      const where = c.column === 'plan' ? 'in planning' : 'scheduled';
      const when = c.dueDate ? `, ${fullDay(c.dueDate)}` : '';
      return `- ${cardLink(c)} (${where}${when})`;
    });
    out.push(`### ${WAIT_HEADING[wait]}`, '', ...atMost(lines, MAX_GROUP_LINES, (left) => `- and ${left} more`), '');
  }
  if (out.length === 0) return ['Nothing is waiting: every card in planning or scheduled has a speaker, a moderator and a date.', ''];
  return out;
}

const CALENDAR_NAME: Record<SignupKind, string> = { webinars: 'Webinars', labs: 'Hands-on labs' };

function coverageLines(coverage: readonly Coverage[]): string[] {
  const out: string[] = [];
  for (const c of coverage) {
    const month = DateTime.fromISO(`${c.month}-01`, { zone: 'UTC' }).toFormat('LLLL yyyy');
    if (!c.issueUrl) {
      out.push(`- **${CALENDAR_NAME[c.kind]}**: the sign-up issue for ${month} is not open yet (\`rhythm generate\` opens it).`);
      continue;
    }
    const open = c.sessions.filter((s) => !s.dri);
    const signed = c.sessions.length - open.length;
    const head = `- **${CALENDAR_NAME[c.kind]}** ([sign-up issue](${c.issueUrl})): ${signed} of ${c.sessions.length} sessions have a DRI`;
    if (open.length === 0) {
      out.push(`${head}.`);
      continue;
    }
    const lines = open.map(
      (s) => `  - ${inlineUserText(s.title)}, ${inlineUserText(s.region)}: ${fullDay(s.localDate)}, ${s.localTime} ${s.timezone}`,
    );
    out.push(`${head}. Without a DRI:`, ...atMost(lines, MAX_GROUP_LINES, (left) => `  - and ${left} more`));
  }
  return out;
}

/** The dashboard issue's description: its marker first, then the board at a glance. */
export function renderDashboard(view: DashboardView): string {
  const lines = [
    dashboardMarker(view.board),
    '',
    `Rhythm keeps this issue for the board \`${view.board}\` and rewrites it when a card changes. Edits here are overwritten: comment below instead.`,
    '',
  ];
  if (view.cards) {
    lines.push(
      `## The next ${view.weeks} weeks`,
      '',
      `Weeks start on Monday, dates as the team's calendar has them (${view.timezone}).`,
      '',
      ...weekLines(view, view.cards),
      '',
      '## Cards waiting on something',
      '',
      ...waitingLines(view.cards),
    );
  }
  if (view.coverage) {
    const month = view.coverage[0]?.month;
    const name = month ? DateTime.fromISO(`${month}-01`, { zone: 'UTC' }).toFormat('LLLL yyyy') : 'next month';
    lines.push(`## Sign-up coverage of ${name}`, '', ...coverageLines(view.coverage), '');
  }
  return fitToLimit(lines.join('\n').trimEnd());
}
