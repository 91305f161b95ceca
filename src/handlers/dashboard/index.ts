// A board's dashboard issue (Renovate's Dependency Dashboard is the model): one issue the bot
// owns, found again by its hidden marker, edited in place, and left alone when the board says what
// it already says. Reads: one listing of the project's open issues (the cards, the dashboard and,
// on a sign-up board, the sign-up issues), the notes of each card whose date has passed without a
// recording link in its description, and, only while no open dashboard exists, one search of the
// closed issues (a person closed it: it is reopened, the bot owns it).
import type { BoardConfig, DashboardSettings, RhythmConfig, SkillsExchangeBoard } from '../../config/types.js';
import type { HandlerFor, LoadContext } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import type { GIssue } from '../../gitlab/types.js';
import { calendarToday, hasRecordingLink, statusOf } from '../../card/index.js';
import { nextMonth, sessionsIn } from '../../signups/calendar.js';
import { parseClaims } from '../../signups/claims.js';
import { allByMarker, findByMarker, isBotAuthor, SignupLists } from '../../signups/find.js';
import { issueMarker } from '../../signups/markers.js';
import { KINDS, SESSION_KIND } from '../signup-month/index.js';
import {
  DASHBOARD_MARKER,
  dashboardMarker,
  readCard,
  renderDashboard,
  type Coverage,
  type DashboardCard,
  type DashboardView,
} from './render.js';

export { dashboardMarker, renderDashboard } from './render.js';

type Dashboard = DashboardSettings;

export interface DashboardState {
  project: string;
  board: string;
  settings: Dashboard;
  view: DashboardView;
  /** The bot's dashboard issue as GitLab has it now (the oldest, when several), or none yet. */
  found: Pick<GIssue, 'iid' | 'title' | 'description' | 'state'> | null;
  /** Newer open issues carrying the same marker (two racers both created one): closed. */
  duplicates: number[];
}

/** The board a dashboard key names, when it keeps a dashboard. */
export function dashboardBoard(config: RhythmConfig, name: string): (BoardConfig & { dashboard: Dashboard }) | undefined {
  const board = config.boards.find((b) => b.name === name);
  return board?.dashboard?.enabled ? (board as BoardConfig & { dashboard: Dashboard }) : undefined;
}

/** The bot's own dashboard issue: the card handler leaves it alone (it is no card). */
export function isDashboardIssue(issue: Pick<GIssue, 'description' | 'author'>, botUsername: string): boolean {
  return DASHBOARD_MARKER.test(issue.description ?? '') && isBotAuthor(issue.author?.username, botUsername);
}

/**
 * The open cards of a board in planning or scheduled, as the dashboard (and the chat digest) show
 * them. Reads the notes of each card whose date has passed without a recording link in its
 * description: a recording is usually posted as a comment.
 */
export async function readBoardCards(
  ctx: Pick<LoadContext, 'gitlab' | 'config'>,
  board: SkillsExchangeBoard,
  open: readonly GIssue[],
  today: string,
): Promise<DashboardCard[]> {
  const cards: DashboardCard[] = [];
  for (const issue of open) {
    if (isDashboardIssue(issue, ctx.config.gitlab.botUsername)) continue;
    const status = statusOf(issue.labels, board);
    if (status === 'backlog') continue;
    const column = status === 'plan' ? 'plan' : 'scheduled';
    let recording = hasRecordingLink([issue.description ?? '']);
    if (!recording && column === 'scheduled' && issue.due_date && issue.due_date < today) {
      const notes = await ctx.gitlab.listNotes(board.project, issue.iid);
      recording = hasRecordingLink(notes.filter((n) => !n.system).map((n) => n.body));
    }
    cards.push(
      readCard(
        issue,
        issue.assignees.map((a) => a.username),
        column,
        today,
        recording,
      ),
    );
  }
  return cards;
}

export const dashboard: HandlerFor<'dashboard', DashboardState> = {
  kind: 'dashboard',

  async load(key, _events, ctx) {
    const { config } = ctx;
    const board = dashboardBoard(config, key.board);
    if (!board) return { skip: 'no dashboard for this board' };
    const bot = config.gitlab.botUsername;
    const marker = dashboardMarker(board.name);
    const lists = new SignupLists(ctx.gitlab, board.project, 'opened', ctx.listings);
    const open = await lists.withLabel(undefined);
    let mine = allByMarker(open, marker, bot);
    if (mine.length === 0) {
      const closed = await ctx.gitlab.listIssues(board.project, {
        state: 'closed',
        search: 'Dashboard',
        orderBy: 'created_at',
        sort: 'asc',
      });
      mine = allByMarker(closed, marker, bot).slice(0, 1);
    }
    const today = calendarToday(ctx.now, config.timezone);
    const view: DashboardView = { board: board.name, timezone: config.timezone, today, weeks: board.dashboard.weeks };

    if (board.kind === 'skills-exchange') view.cards = await readBoardCards(ctx, board, open, today);

    const signups = config.signups;
    if (board.kind === 'signups' && signups) {
      const month = nextMonth(ctx.now, config.timezone);
      const coverage: Coverage[] = [];
      for (const kind of KINDS.filter((k) => signups[k].enabled)) {
        const sessions = sessionsIn(signups[kind], SESSION_KIND[kind], month);
        const issue = findByMarker(open, issueMarker(kind, month), bot, ctx.log);
        const claims = issue ? parseClaims(issue.description ?? '', sessions) : null;
        coverage.push({
          kind,
          month,
          issueUrl: issue?.web_url ?? null,
          sessions: sessions.map((s) => ({
            title: s.title,
            region: s.region,
            localDate: s.localDate,
            localTime: s.localTime,
            timezone: s.timezone,
            dri: claims?.sessions.find((c) => c.sessionId === s.id)?.dri ?? null,
          })),
        });
      }
      view.coverage = coverage;
    }

    const [found, ...newer] = mine;
    return {
      state: {
        project: board.project,
        board: board.name,
        settings: board.dashboard,
        view,
        found: found ? { iid: found.iid, title: found.title, description: found.description, state: found.state } : null,
        duplicates: newer.filter((i) => i.state === 'opened').map((i) => i.iid),
      },
    };
  },

  decide(state) {
    const body = renderDashboard(state.view);
    const { project, found, settings } = state;
    const steps: Step[] = state.duplicates.map((iid) => ({
      kind: 'editIssue',
      project,
      iid,
      edit: { stateEvent: 'close' },
      because: ['a second dashboard issue of the board (the oldest is kept)'],
    }));
    if (!found) {
      steps.unshift({
        kind: 'createIssue',
        project,
        issue: { title: settings.title, description: body },
        what: `the dashboard issue of ${state.board}`,
      });
      return { steps, summary: 'created', facts: { board: state.board } };
    }
    const edit: Extract<Step, { kind: 'editIssue' }>['edit'] = {};
    if ((found.description ?? '').trimEnd() !== body) edit.description = body;
    if (found.title !== settings.title) edit.title = settings.title;
    if (found.state === 'closed') edit.stateEvent = 'reopen';
    if (Object.keys(edit).length > 0) {
      steps.unshift({ kind: 'editIssue', project, iid: found.iid, edit, because: ['the board changed since the dashboard was written'] });
    }
    const summary = Object.keys(edit).length > 0 ? 'updated' : 'unchanged';
    return { steps, summary, facts: { board: state.board, iid: found.iid } };
  },
};
