// A board's chat notices: read the board as the dashboard reads it, ask the ledger what was sent,
// and send what is owed, each once. The first time a board's chat is on, what is already true
// (cards scheduled long ago, recordings posted) is recorded as known without a message, so turning
// chat on does not flood the channel; the week's digest goes out.
import type { BoardConfig, ChatSettings, RhythmConfig } from '../../config/types.js';
import type { HandlerFor } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import { calendarToday } from '../../card/index.js';
import { monthOf, nextMonth, sessionsIn } from '../../signups/calendar.js';
import { parseClaims } from '../../signups/claims.js';
import { findByMarker, SignupLists } from '../../signups/find.js';
import { issueMarker } from '../../signups/markers.js';
import { KINDS, SESSION_KIND } from '../signup-month/index.js';
import { isDashboardIssue, readBoardCards } from '../dashboard/index.js';
import type { DashboardCard } from '../dashboard/render.js';
import { dueNotices, lapsedNotices, type Notice, type NoticeInput } from './notices.js';

export interface ChatState {
  project: string;
  board: string;
  notices: Notice[];
  /** What the ledger recorded as sent, with when. */
  sent: Map<string, number>;
  /** The team's day and the bot's clock (ms): what has lapsed is judged against them. */
  today: string;
  now: number;
}

/** The board a chat key names, when its chat is on (a webhook URL is set). */
export function chatBoard(config: RhythmConfig, name: string): (BoardConfig & { chat: ChatSettings }) | undefined {
  const board = config.boards.find((b) => b.name === name);
  return board?.chat?.webhookUrl ? (board as BoardConfig & { chat: ChatSettings }) : undefined;
}

export const chat: HandlerFor<'chat', ChatState> = {
  kind: 'chat',

  async load(key, _events, ctx) {
    const { config } = ctx;
    const board = chatBoard(config, key.board);
    if (!board) return { skip: 'no chat webhook for this board' };
    if (!ctx.chat) return { skip: 'chat notices are sent by rhythm serve (its database remembers them)' };
    const today = calendarToday(ctx.now, config.timezone);
    const lists = new SignupLists(ctx.gitlab, board.project, 'opened', ctx.listings);
    const open = await lists.withLabel(undefined);
    const bot = config.gitlab.botUsername;
    let cards: DashboardCard[] = [];
    if (board.kind === 'skills-exchange') cards = await readBoardCards(ctx, board, open, today);
    const input: NoticeInput = {
      board: board.name,
      today,
      soonDays: board.chat.soonDays,
      cards,
      dashboardUrl: open.find((i) => isDashboardIssue(i, bot))?.web_url ?? null,
    };
    const signups = config.signups;
    if (board.kind === 'signups' && signups) {
      const sessions: NonNullable<NoticeInput['sessions']> = [];
      for (const month of [monthOf(ctx.now, config.timezone), nextMonth(ctx.now, config.timezone)]) {
        for (const kind of KINDS.filter((k) => signups[k].enabled)) {
          const issue = findByMarker(open, issueMarker(kind, month), bot, ctx.log);
          const inMonth = sessionsIn(signups[kind], SESSION_KIND[kind], month);
          const claims = issue ? parseClaims(issue.description ?? '', inMonth) : null;
          for (const s of inMonth) {
            const dri = claims?.sessions.find((c) => c.sessionId === s.id)?.dri ?? null;
            sessions.push({ ...s, dri, issueUrl: issue?.web_url ?? null });
          }
        }
      }
      input.sessions = sessions;
    }
    const sent = await ctx.chat.sent(board.name);
    return { state: { project: board.project, board: board.name, notices: dueNotices(input), sent, today, now: ctx.now.getTime() } };
  },

  decide(state) {
    const { project, board } = state;
    const owed = state.notices.filter((n) => !state.sent.has(n.id));
    // Never anything sent for this board: what is already true is recorded, not announced.
    const first = state.sent.size === 0;
    const steps: Step[] = owed.map((n) => ({
      kind: 'chatNotice',
      project,
      board,
      notice: n.id,
      text: first && !n.id.startsWith('digest:') ? null : n.text,
    }));
    const sent = steps.filter((s) => s.kind === 'chatNotice' && s.text !== null).length;
    const known = steps.length - sent;
    // What can never be owed again leaves the ledger (the chat job runs on every sweep).
    const lapsed = lapsedNotices(state.sent, new Set(state.notices.map((n) => n.id)), state.today, state.now);
    if (lapsed.length > 0) steps.push({ kind: 'forgetChatNotices', project, board, notices: lapsed });
    return { steps, summary: `${sent} chat notices`, facts: { board, notices: sent, known, forgotten: lapsed.length } };
  },
};
