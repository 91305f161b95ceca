// Moves between columns: a card is in one column at a time, reaches the scheduled column only
// from plan, and only when it is ready. The move is judged from RuleContext.lastMove (the
// webhook's label change, or the label history in a sweep); the column from the labels now.
import { mayFix, mayRevert } from './mode.js';
import { readinessProblems } from './readiness.js';
import { statusOf } from '../card/status.js';
import { lastStatusMove, moveFromChanges, type StatusMove } from '../card/status-move.js';
import type { Finding, IssueSnapshot, LabelChange, Rule, RuleContext } from './types.js';
import type { SkillsExchangeBoard } from '../config/types.js';

const label = (name: string) => `\`${name}\``;

/** The card as it was judged at the move: the date counts as it stood on the day of the move. */
function readyAtMove(issue: IssueSnapshot, ctx: RuleContext, move: StatusMove): Finding[] {
  const at = new Date(move.at);
  return readinessProblems(issue, Number.isNaN(at.getTime()) ? ctx : { ...ctx, now: at });
}

const listOf = (findings: Finding[]) => findings.map((f) => f.message).join(' ');

function bothColumns(issue: IssueSnapshot, ctx: RuleContext, mode: Parameters<Rule['check']>[2]): Finding {
  const { plan, scheduled } = ctx.board.labels;
  const finding: Finding = {
    rule: 'transition',
    severity: 'problem',
    message: `The card has both ${label(plan)} and ${label(scheduled)}; it belongs in one column.`,
    howToFix: 'Remove the label of the column it should leave.',
  };
  const move = ctx.lastMove;
  const before = move ? statusOf(move.previous, ctx.board) : null;
  let remove: string | null = null;
  let why = '';
  if (mayRevert(mode) && move && (before === 'plan' || before === 'scheduled')) {
    // Undo the move itself: take off the label that was just added.
    remove = before === 'plan' ? scheduled : plan;
    why = 'the label that was added last';
  } else if (mayFix(mode)) {
    const ready = readinessProblems(issue, ctx).length === 0;
    remove = ready ? plan : scheduled;
    why = ready ? 'the card is ready, so it stays scheduled' : 'the card is not ready to be scheduled yet';
  }
  if (remove) {
    finding.fix = { kind: 'labels', add: [], remove: [remove] };
    finding.done = `Removed ${label(remove)} (${why}).`;
    finding.undo = 'If it belongs in the other column, move it there on the board.';
  }
  return finding;
}

function backToPlan(finding: Finding, ctx: RuleContext, done: string): Finding {
  const { plan, scheduled } = ctx.board.labels;
  finding.fix = { kind: 'labels', add: [plan], remove: [scheduled] };
  finding.done = done;
  finding.undo = `Move it to ${label(scheduled)} again once its checks pass.`;
  return finding;
}

/** A label change a delivery carried: the label sets before and after, who, and GitLab's time. */
export interface DeliveredChange {
  previous: string[];
  current: string[];
  by: string;
  at: string | null;
}

export interface MoveEvidence {
  /** The label changes this job's deliveries carried, in any order. */
  delivered: readonly DeliveredChange[];
  /** GitLab's label history, oldest first, when it was read (see historyNeeded). */
  history: readonly LabelChange[] | null;
  /** When each of the bot's own notes on the card was last written (ISO instants). */
  botNotesAt: readonly string[];
  botUsername: string;
  board: Pick<SkillsExchangeBoard, 'labels'>;
}

/** The label history is read only when no delivery of the job carried a label change. */
export const historyNeeded = (delivered: readonly DeliveredChange[]): boolean => delivered.length === 0;

const instant = (at: string | null): number => {
  const t = at ? Date.parse(at) : NaN;
  return Number.isNaN(t) ? -Infinity : t;
};

/**
 * The column move to judge now, if any. A move is judged once, when it happens: a later edit must
 * not re-judge last week's move with today's description. A delivery that carries a label change
 * is the change happening: the newest of them by GitLab's own timestamps (not arrival order) is
 * judged if it moved a column, and nothing is if none did. Without such a delivery (a comment, an
 * edit, the sweep) the label history is asked, and its last move counts only when it is newer
 * than the bot's newest note — every judgement leaves a note (the status note, or the checklist
 * of a ready card), so a newer move was never judged (its webhook was missed). The bot's own moves
 * keep their explanation, so they count.
 */
export function moveToJudge(evidence: MoveEvidence): StatusMove | undefined {
  const { board } = evidence;
  if (!historyNeeded(evidence.delivered)) {
    let newest: StatusMove | undefined;
    for (const change of evidence.delivered) {
      const move = moveFromChanges(change.previous, change.current, change.by, change.at ?? '', board);
      if (move && (!newest || instant(move.at) >= instant(newest.at))) newest = move;
    }
    return newest;
  }
  if (!evidence.history) return undefined;
  const move = lastStatusMove(evidence.history, board);
  if (!move) return undefined;
  const bot = evidence.botUsername.toLowerCase();
  const judgedAt = Math.max(-Infinity, ...evidence.botNotesAt.map((at) => Date.parse(at)));
  return move.by.toLowerCase() === bot || Date.parse(move.at) > judgedAt ? move : undefined;
}

export const transition: Rule = {
  id: 'transition',
  title: 'Column move',
  anchor: '#scheduling-trainings',
  needs: { labelHistory: (issue, board) => statusOf(issue.labels, board) !== 'backlog' },
  appliesTo: (issue, ctx) => statusOf(issue.labels, ctx.board) !== 'backlog',
  check(issue, ctx, mode): Finding[] {
    const now = statusOf(issue.labels, ctx.board);
    if (now === 'both') return [bothColumns(issue, ctx, mode)];
    const move = ctx.lastMove;
    if (!move) return [];
    const from = statusOf(move.previous, ctx.board);
    const to = statusOf(move.current, ctx.board);
    if (from === to) return []; // another label changed; no move between columns
    const { plan, scheduled } = ctx.board.labels;

    if (now === 'scheduled' && to === 'scheduled' && from === 'backlog') {
      const finding: Finding = {
        rule: 'transition',
        severity: 'problem',
        message: `The card went from the backlog straight to ${label(scheduled)}; a card is scheduled only from ${label(plan)}.`,
        howToFix: `Move it to ${label(plan)} first, and to ${label(scheduled)} when the speaker is ready.`,
      };
      return [mayRevert(mode) ? backToPlan(finding, ctx, `Moved the card back to ${label(plan)}: it skipped planning.`) : finding];
    }

    if (now === 'scheduled' && to === 'scheduled') {
      const missing = readyAtMove(issue, ctx, move);
      if (missing.length === 0) return [];
      const finding: Finding = {
        rule: 'transition',
        severity: 'problem',
        message: `The card was moved to ${label(scheduled)} before it was ready.`,
        howToFix: `Fix the points below, or move it back to ${label(plan)} until they are done.`,
      };
      return [
        mayRevert(mode)
          ? backToPlan(finding, ctx, `Moved the card back to ${label(plan)} because it was not ready: ${listOf(missing)}`)
          : finding,
      ];
    }

    // The bot's own revert: keep saying why, while the card is still not ready.
    const bot = ctx.botUsername?.toLowerCase();
    if (now === 'plan' && to === 'plan' && from === 'scheduled' && bot && move.by.toLowerCase() === bot) {
      const missing = readinessProblems(issue, ctx);
      if (missing.length === 0) return [];
      return [
        {
          rule: 'transition',
          severity: 'warning',
          message: `I moved the card back to ${label(plan)} because it was not ready to be scheduled.`,
          howToFix: `Before moving it to ${label(scheduled)} again: ${missing.map((f) => f.howToFix).join(' ')}`,
        },
      ];
    }
    // Any other move (e.g. back from scheduled to plan): nothing to say about the move itself.
    return [];
  },
};
