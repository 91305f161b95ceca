// A card on a Skills Exchange board: read what GitLab says now (and what the enabled rules ask
// for), judge it, and plan the fixes and the one note. Level-triggered: the deliveries only say
// which card to look at and which column move just happened.
import type { SkillsExchangeBoard } from '../../config/types.js';
import { columnKey, issueKey } from '../../engine/keys.js';
import type { HandlerFor, LoadContext } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import type { GNote } from '../../gitlab/types.js';
import { isGone } from '../../gitlab/transport.js';
import { checkIssue, enabledRules, isNewJudgement, moveToJudge } from '../../rules/index.js';
import { calendarToday, lastAddedAt, statusOf } from '../../card/index.js';
import type { ColumnPeer, IssueSnapshot, RuleContext } from '../../rules/types.js';
import type { StatusMove } from '../../card/status-move.js';
import type { HookEvent } from '../../webhook/event.js';
import { planFixes, planIssue, recordedJudgement, type Judgement } from './plan.js';
import { findBotNote, noteMarker } from '../../comments/index.js';
import { labelHistoryFromEvents, toSnapshot } from '../../card/snapshot.js';

export interface CardState {
  board: SkillsExchangeBoard;
  botUsername: string;
  timezone: string;
  now: Date;
  issue: IssueSnapshot;
  /** Assignee ids as GitLab has them now, by username (lower-case). */
  assigneeIds: Record<string, number>;
  notes: GNote[];
  users: RuleContext['users'];
  scheduledPeers: ColumnPeer[];
  lastMove?: StatusMove;
  /** What the status note records as judged after this job: this job's new judgement, or the old one. */
  judgement: Judgement | null;
  /** `judgement` is this job's (its outcome is decided now). */
  judgedNow: boolean;
  /** When the due date got its current value (RuleContext.dueDateSetAt). */
  dueDateSetAt?: string;
  /** When the card last entered the scheduled column (null: never), when the history was read. */
  scheduledAt?: string | null;
  events: readonly HookEvent[];
}

export function boardFor(ctx: Pick<LoadContext, 'config'>, project: string): SkillsExchangeBoard | undefined {
  const lower = project.toLowerCase();
  return ctx.config.boards.find((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange' && b.project.toLowerCase() === lower);
}

const latest = (...instants: Array<string | null | undefined>): string | null =>
  instants.reduce<string | null>((best, at) => (at && (!best || Date.parse(at) > Date.parse(best)) ? at : best), null);

/**
 * The newest person's move the bot has judged on this card: what its status note records; a ready
 * card's checklist (posted right after its move was judged) counts as a judgement too; a status note
 * written before notes recorded it counts from its last edit, as it always did.
 */
function judgedSoFar(notes: readonly GNote[], bot: string): { recorded: Judgement | null; judgedAt: string | null } {
  const status = findBotNote(notes, bot, noteMarker('status'));
  const checklist = findBotNote(notes, bot, noteMarker('checklist'));
  const recorded = recordedJudgement(status?.body);
  return { recorded, judgedAt: latest(recorded?.at ?? (status ? status.updated_at : null), checklist?.created_at) };
}

// GitLab's system notes for a due date change ("changed due date to …", "removed due date").
const DUE_DATE_NOTE = /^(?:changed|removed) due date\b/;

/** When the due date got its value: the last system note that changed it, or the issue's creation. */
function dueDateSetAtOf(createdAt: string | undefined, notes: readonly GNote[]): string | undefined {
  let at = createdAt;
  for (const note of notes) {
    if (note.system && DUE_DATE_NOTE.test(note.body) && (!at || Date.parse(note.created_at) > Date.parse(at))) at = note.created_at;
  }
  return at;
}

/** A scheduled card whose day has passed may be owed a recording reminder: that needs the history. */
function recordingMayBeDue(issue: IssueSnapshot, board: SkillsExchangeBoard, ctx: LoadContext): boolean {
  if (!board.reminders.afterUntilRecording || !issue.dueDate || statusOf(issue.labels, board) !== 'scheduled') return false;
  return issue.dueDate < calendarToday(ctx.now, ctx.config.timezone);
}

async function columnPeers(ctx: LoadContext, project: string, label: string): Promise<ColumnPeer[]> {
  const key = columnKey(project, label);
  const now = ctx.now.getTime();
  const cached = ctx.columns.get(key, now);
  if (cached) return cached;
  const issues = await ctx.gitlab.listIssues(project, { labels: [label], state: 'opened' });
  const peers = issues.map((i) => ({ iid: i.iid, title: i.title, dueDate: i.due_date }));
  ctx.columns.set(key, peers, now);
  return peers;
}

/** Did a card enter or leave the scheduled column, or change its date? Then the column needs a pass. */
function touchesColumn(events: readonly HookEvent[], steps: readonly Step[], board: SkillsExchangeBoard): boolean {
  const label = board.labels.scheduled;
  for (const event of events) {
    if (event.kind !== 'issue') continue;
    const inColumn = event.labels.includes(label);
    if (inColumn && event.changed.includes('due_date')) return true;
    const change = event.labelChange;
    if (change && change.previous.includes(label) !== change.current.includes(label)) return true;
    if (inColumn && (event.action === 'open' || event.action === 'reopen' || event.action === 'close')) return true;
  }
  return steps.some((s) => s.kind === 'editIssue' && (s.edit.addLabels?.includes(label) || s.edit.removeLabels?.includes(label)));
}

/**
 * The cards this one shared a date with before this change, or shares one with now: each judges
 * its own note again (a clash is shown on both cards, and leaves both when it ends). Only for
 * a change a person made to this card; a card woken this way wakes no one (no ping-pong).
 */
function clashPeersToWake(state: CardState, steps: readonly Step[]): Step[] {
  const { board, issue, events } = state;
  if (!board.rules.conflict.enabled || !touchesColumn(events, steps, board)) return [];
  const dates = new Set<string>();
  if (issue.dueDate) dates.add(issue.dueDate);
  for (const event of events) if (event.previousDueDate) dates.add(event.previousDueDate);
  return state.scheduledPeers
    .filter((peer) => peer.dueDate !== null && dates.has(peer.dueDate))
    .map((peer) => ({ kind: 'enqueue' as const, key: issueKey(issue.project, peer.iid), delayMs: 0 }));
}

export const card: HandlerFor<'card', CardState> = {
  kind: 'card',

  async load(key, events, ctx) {
    const board = boardFor(ctx, key.project);
    if (!board) return { skip: 'project is not configured' };
    const { gitlab, config } = ctx;
    let found;
    try {
      found = await gitlab.getIssue(key.project, key.iid);
    } catch (err) {
      if (isGone(err)) return { skip: 'issue is gone' };
      throw err;
    }
    const notes = await gitlab.listNotes(key.project, key.iid);
    const issue = toSnapshot(key.project, found);
    const rules = enabledRules(board);
    const bot = config.gitlab.botUsername.toLowerCase();

    // What the enabled rules ask for, for this card, and nothing else.
    // Moves are judged from GitLab's own label history: a delivery only says where to look.
    let lastMove: StatusMove | undefined;
    const judged = judgedSoFar(notes, bot);
    let judgement = judged.recorded;
    let judgedNow = false;
    let scheduledAt: string | null | undefined;
    const dueDateSetAt = dueDateSetAtOf(found.created_at, notes);
    if (rules.some((r) => r.needs?.labelHistory?.(issue, board)) || recordingMayBeDue(issue, board, ctx)) {
      const history = labelHistoryFromEvents(await gitlab.labelEvents(key.project, key.iid));
      const evidence = {
        history,
        judgedAt: judged.judgedAt,
        judgedRevert: judged.recorded?.at === judged.judgedAt && judged.recorded.revert,
        botUsername: config.gitlab.botUsername,
        board,
      };
      lastMove = moveToJudge(evidence);
      if (isNewJudgement(lastMove, evidence)) {
        judgement = { at: lastMove!.at, revert: false };
        judgedNow = true;
      }
      scheduledAt = lastAddedAt(history, board.labels.scheduled);
    }
    const users: RuleContext['users'] = {};
    const names = new Set(rules.flatMap((r) => r.needs?.users?.(issue) ?? []).map((n) => n.toLowerCase()));
    for (const name of names) users[name] = await gitlab.findUser(name);
    // A clash is told on both cards: a card that comes to, or leaves, a date in the column needs
    // the column's other cards, to wake those it shared (or now shares) the date with.
    const clashMayMove = board.rules.conflict.enabled && touchesColumn(events, [], board);
    const scheduledPeers =
      rules.some((r) => r.needs?.columnPeers?.(issue, board)) || clashMayMove
        ? (await columnPeers(ctx, key.project, board.labels.scheduled)).filter((p) => p.iid !== key.iid)
        : [];

    return {
      state: {
        board,
        botUsername: config.gitlab.botUsername,
        timezone: config.timezone,
        now: ctx.now,
        issue,
        assigneeIds: Object.fromEntries(found.assignees.map((a) => [a.username.toLowerCase(), a.id])),
        notes,
        users,
        scheduledPeers,
        ...(lastMove ? { lastMove } : {}),
        judgement,
        judgedNow,
        ...(dueDateSetAt ? { dueDateSetAt } : {}),
        ...(scheduledAt !== undefined ? { scheduledAt } : {}),
        events,
      },
    };
  },

  decide(state) {
    const { board, issue } = state;
    const ruleCtx: RuleContext = {
      board,
      now: state.now,
      timezone: state.timezone,
      botUsername: state.botUsername,
      users: state.users,
      scheduledPeers: state.scheduledPeers,
      ...(state.lastMove ? { lastMove: state.lastMove } : {}),
      ...(state.dueDateSetAt ? { dueDateSetAt: state.dueDateSetAt } : {}),
    };
    const findings = checkIssue(issue, ruleCtx);
    // Judge the card again as it will be once the bot's own fixes land, as the bot's own move:
    // the note then explains the card as the next reconcile will see it (no second edit).
    const { applied, after } = planFixes(issue, findings, state.users, state.assigneeIds);
    const botMove = { previous: issue.labels, current: after.labels, by: state.botUsername, at: state.now.toISOString() };
    const findingsAfter = applied.length === 0 ? findings : checkIssue(after, { ...ruleCtx, lastMove: botMove });
    const plan = planIssue({
      issue,
      assigneeIds: state.assigneeIds,
      findings,
      findingsAfter,
      board,
      notes: state.notes,
      botUsername: state.botUsername,
      users: state.users,
      now: state.now,
      timezone: state.timezone,
      judged: state.judgement,
      judgedNow: state.judgedNow,
      botMovedLast: state.lastMove?.by.toLowerCase() === state.botUsername.toLowerCase(),
      ...(state.dueDateSetAt ? { dueDateSetAt: state.dueDateSetAt } : {}),
      ...(state.scheduledAt !== undefined ? { scheduledAt: state.scheduledAt } : {}),
    });
    const steps = [...plan.steps];
    if (board.order.enabled && touchesColumn(state.events, steps, board)) {
      steps.push({ kind: 'enqueue', key: columnKey(issue.project, board.labels.scheduled), delayMs: board.order.debounceMs });
    }
    steps.push(...clashPeersToWake(state, plan.steps));
    return {
      steps,
      facts: {
        iid: issue.iid,
        findings: findings.map((f) => f.rule),
        applied: plan.applied.map((f) => f.rule),
        column: statusOf(issue.labels, board),
      },
    };
  },
};
