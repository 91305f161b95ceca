// A card on a Skills Exchange board: read what GitLab says now (and what the enabled rules ask
// for), judge it, and plan the fixes and the one note. Level-triggered: the deliveries only say
// which card to look at and which column move just happened.
import type { SkillsExchangeBoard } from '../../config/types.js';
import { columnKey } from '../../engine/keys.js';
import type { HandlerFor, LoadContext } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import type { GNote } from '../../gitlab/types.js';
import { isGone } from '../../gitlab/transport.js';
import { checkIssue, enabledRules, historyNeeded, moveToJudge, type DeliveredChange } from '../../rules/index.js';
import { statusOf } from '../../card/index.js';
import type { ColumnPeer, IssueSnapshot, RuleContext } from '../../rules/types.js';
import type { StatusMove } from '../../card/status-move.js';
import type { HookEvent } from '../../webhook/event.js';
import { planFixes, planIssue } from './plan.js';
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
  events: readonly HookEvent[];
}

export function boardFor(ctx: Pick<LoadContext, 'config'>, project: string): SkillsExchangeBoard | undefined {
  const lower = project.toLowerCase();
  return ctx.config.boards.find((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange' && b.project.toLowerCase() === lower);
}

/** The label changes the job's deliveries carried (GitLab's `changes.labels`). */
function deliveredChanges(events: readonly HookEvent[]): DeliveredChange[] {
  return events.flatMap((e) => (e.labelChange ? [{ ...e.labelChange, by: e.actor, at: e.at }] : []));
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
    let lastMove: StatusMove | undefined;
    if (rules.some((r) => r.needs?.labelHistory?.(issue, board))) {
      const delivered = deliveredChanges(events);
      const history = historyNeeded(delivered) ? labelHistoryFromEvents(await gitlab.labelEvents(key.project, key.iid)) : null;
      const botNotesAt = notes.filter((n) => !n.system && n.author.username.toLowerCase() === bot).map((n) => n.updated_at);
      lastMove = moveToJudge({ delivered, history, botNotesAt, botUsername: config.gitlab.botUsername, board });
    }
    const users: RuleContext['users'] = {};
    const names = new Set(rules.flatMap((r) => r.needs?.users?.(issue) ?? []).map((n) => n.toLowerCase()));
    for (const name of names) users[name] = await gitlab.findUser(name);
    const scheduledPeers = rules.some((r) => r.needs?.columnPeers?.(issue, board))
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
    });
    const steps = [...plan.steps];
    if (board.order.enabled && touchesColumn(state.events, steps, board)) {
      steps.push({ kind: 'enqueue', key: columnKey(issue.project, board.labels.scheduled), delayMs: board.order.debounceMs });
    }
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
