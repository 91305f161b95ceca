// The calendar feed of a board, as a kind of work: `load` reads the board's cards (or the sign-up
// calendars' sessions with their DRIs), `decide` turns them into events. It writes nothing, so
// its decision has no steps; `rhythm serve` (route.ts) and `rhythm calendar` render the events
// (ics.ts) instead of handing steps to the executor.
import type { BoardConfig, RhythmConfig } from '../../config/types.js';
import type { HandlerFor, LoadContext } from '../../engine/handler.js';
import type { GIssue, GitLabReader } from '../../gitlab/types.js';
import { monthOf, sessionsIn } from '../../signups/calendar.js';
import { parseClaims } from '../../signups/claims.js';
import { findByMarker, SignupLists } from '../../signups/find.js';
import { issueMarker } from '../../signups/markers.js';
import { KINDS, SESSION_KIND } from '../signup-month/index.js';
import { feedEvents, type CardSeen, type FeedEvent, type SessionSeen } from './events.js';
import { renderIcs } from './ics.js';

export interface CalendarState {
  board: BoardConfig;
  timezone: string;
  host: string;
  cards: CardSeen[];
  sessions: SessionSeen[];
}

/** A board's id in feed URLs: its `id`, or its name (unique already, and URL-safe by pattern). */
export const boardId = (board: BoardConfig): string => board.id ?? board.name;

export function boardById(config: RhythmConfig, id: string): BoardConfig | undefined {
  return config.boards.find((b) => boardId(b) === id);
}

const DAY_MS = 24 * 3600_000;

/** Did the card ever carry the label? Its label history says (one call). */
async function wasLabelled(gitlab: GitLabReader, project: string, iid: number, label: string): Promise<boolean> {
  const events = await gitlab.labelEvents(project, iid);
  return events.some((e) => e.action === 'add' && e.label?.name === label);
}

async function loadCards(board: Extract<BoardConfig, { kind: 'skills-exchange' }>, ctx: LoadContext): Promise<CardSeen[]> {
  const { gitlab } = ctx;
  const label = board.labels.scheduled;
  const scheduled = await gitlab.listIssues(board.project, { labels: [label], state: 'opened' });
  const seen = new Map<number, CardSeen>(scheduled.map((issue) => [issue.id, { issue, scheduled: true }]));
  // Cards that changed lately and are not scheduled now: those that were scheduled once are
  // cancelled events, so a subscribed calendar drops them.
  const since = new Date(ctx.now.getTime() - board.calendar.cancelledDays * DAY_MS).toISOString();
  const recent: GIssue[] =
    board.calendar.cancelledDays > 0 ? await gitlab.listIssues(board.project, { state: 'all', updatedAfter: since }) : [];
  for (const issue of recent) {
    if (seen.has(issue.id) || issue.confidential || !issue.due_date) continue;
    const left = issue.labels.includes(label) || (await wasLabelled(gitlab, board.project, issue.iid, label));
    if (left) seen.set(issue.id, { issue, scheduled: false });
  }
  return [...seen.values()];
}

async function loadSessions(ctx: LoadContext): Promise<SessionSeen[]> {
  const { config } = ctx;
  const signups = config.signups;
  if (!signups) return [];
  // Last month, this month and next (next month's issue opens before it starts).
  const months = [-1, 0, 1].map((offset) => monthOf(ctx.now, config.timezone, offset));
  const lists = new SignupLists(ctx.gitlab, signups.project, 'all', ctx.listings);
  const found: SessionSeen[] = [];
  for (const kind of KINDS.filter((k) => signups[k].enabled)) {
    const issues = await lists.withLabel(signups[kind].labels[0]);
    for (const month of months) {
      const sessions = sessionsIn(signups[kind], SESSION_KIND[kind], month);
      const issue = findByMarker(issues, issueMarker(kind, month), config.gitlab.botUsername, ctx.log);
      // A confidential sign-up issue lends the feed neither its link nor its names.
      const open = issue && !issue.confidential ? issue : undefined;
      const claims = open ? parseClaims(open.description ?? '', sessions).sessions : [];
      const dri = new Map(claims.map((c) => [c.sessionId, c.dri]));
      for (const session of sessions) {
        found.push({
          session,
          dri: dri.get(session.id) ?? null,
          issue: open ? { url: open.web_url, updatedAt: open.updated_at } : null,
        });
      }
    }
  }
  return found;
}

export const calendar: HandlerFor<'calendar', CalendarState> = {
  kind: 'calendar',

  async load(key, _events, ctx) {
    const board = boardById(ctx.config, key.board);
    if (!board) return { skip: `no board with id "${key.board}"` };
    if (!board.calendar.enabled) return { skip: `the calendar of board "${key.board}" is turned off` };
    const host = new URL(ctx.config.gitlab.url).host;
    const cards = board.kind === 'skills-exchange' ? await loadCards(board, ctx) : [];
    const sessions = board.kind === 'signups' ? await loadSessions(ctx) : [];
    return { state: { board, timezone: ctx.config.timezone, host, cards, sessions } };
  },

  decide(state) {
    const events = eventsOf(state);
    const cancelled = events.filter((e) => e.cancelled).length;
    return {
      steps: [],
      summary: `${events.length} events (${cancelled} cancelled)`,
      facts: { events: events.length, cancelled },
    };
  },
};

export function eventsOf(state: CalendarState): FeedEvent[] {
  return feedEvents(state);
}

/** The board's feed as iCalendar text (state from `calendar.load`). */
export function feedIcs(state: CalendarState): string {
  return renderIcs(`${boardId(state.board)} (Rhythm)`, eventsOf(state));
}
