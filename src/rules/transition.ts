// Moves between columns: a card is in one column at a time, reaches the scheduled column only
// from plan, and only when it is ready. The move is judged from RuleContext.lastMove (the
// label history GitLab keeps, never a payload's claim); the column from the labels now.
import { mayFix, mayRevert } from './mode.js';
import { readinessProblems } from './readiness.js';
import { statusOf, type Status } from '../card/status.js';
import { lastStatusMove, statusMoves, type StatusMove } from '../card/status-move.js';
import type { Finding, IssueSnapshot, LabelChange, Rule, RuleContext } from './types.js';
import type { RuleMode, SkillsExchangeBoard } from '../config/types.js';

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

export interface MoveEvidence {
  /** GitLab's label history, oldest first: the only evidence of a move (a payload can claim anything). */
  history: readonly LabelChange[];
  /**
   * The newest person's move the bot has judged already, as it recorded it (ISO instant), or null
   * when it has judged none. Kept explicitly, so no note edit or comment can make a move look new or old.
   */
  judgedAt: string | null;
  /**
   * The judgement of that move was a revert. While the move is still the last one (the revert
   * never landed: its note was written first, then the label edit failed), it is judged again.
   */
  judgedRevert?: boolean;
  /**
   * When Rhythm first met the board (ISO instant; queue/baselines.ts), or null/absent when it has no
   * baseline. A move made at or before it is the board's past: never judged, whoever made it.
   */
  baseline?: string | null;
  botUsername: string;
  board: Pick<SkillsExchangeBoard, 'labels'>;
}

const instant = (at: string | null): number => {
  const t = at ? Date.parse(at) : NaN;
  return Number.isNaN(t) ? -Infinity : t;
};

/**
 * A move made at or before the board's baseline: the past Rhythm found, not a move to judge. A move
 * whose time cannot be read counts as the past too when there is a baseline (nothing proves it new).
 */
export function beforeBaseline(move: StatusMove, evidence: Pick<MoveEvidence, 'baseline'>): boolean {
  if (!evidence.baseline) return false;
  const baseline = instant(evidence.baseline);
  return baseline !== -Infinity && instant(move.at) <= baseline;
}

/**
 * The column move to judge now, if any: the last move in GitLab's own label history. A person's
 * move is judged once, when the bot first sees it (a later edit must not re-judge last week's move
 * with today's description): it counts while it is newer than the move the bot last recorded as
 * judged. The bot's own moves always count, so their explanation stays on the note whatever else
 * changes (an unrelated label, a comment). Whatever the deliveries claimed plays no part.
 */
export function moveToJudge(evidence: MoveEvidence): StatusMove | undefined {
  return judgeMove(lastStatusMove(evidence.history, evidence.board), evidence);
}

/** moveToJudge for a last move already taken from the history (or remembered from a reading of it). */
export function judgeMove(
  move: StatusMove | null | undefined,
  evidence: Pick<MoveEvidence, 'judgedAt' | 'judgedRevert' | 'botUsername' | 'baseline'>,
): StatusMove | undefined {
  if (!move || beforeBaseline(move, evidence)) return undefined;
  if (move.by.toLowerCase() === evidence.botUsername.toLowerCase()) return move;
  return isNewJudgement(move, evidence) ? move : undefined;
}

/** Is this a person's move the bot must judge now (never judged, or its revert never landed)? */
export function isNewJudgement(
  move: StatusMove | undefined,
  evidence: Pick<MoveEvidence, 'judgedAt' | 'judgedRevert' | 'botUsername' | 'baseline'>,
): boolean {
  if (!move || move.by.toLowerCase() === evidence.botUsername.toLowerCase()) return false;
  if (beforeBaseline(move, evidence)) return false;
  const at = instant(move.at);
  const judged = instant(evidence.judgedAt);
  return at > judged || (at === judged && evidence.judgedRevert === true);
}

/**
 * How long before an approximate judgement's instant its move's label event may lie. GitLab writes
 * the event just after the issue (ResourceEvents::ChangeLabelsService, at Time.current after the
 * save); the sandbox steps updated_at past writes within one millisecond. Erring early only means
 * the same move is judged once more, with the same outcome (see alikeFromAnyColumn).
 */
const APPROX_SLACK_MS = 1000;

/**
 * The instant of the move a recorded judgement names, read against GitLab's label history: its
 * own `at`, or for an approximate one (judged from a confirmed delivery, at the card's updated_at)
 * the first person's column move from that instant on. Null when the history has no such move
 * (the record's own instant then stands).
 */
export function judgedMoveAt(
  history: readonly LabelChange[],
  judged: { at: string; approx?: boolean },
  evidence: Pick<MoveEvidence, 'botUsername' | 'board'>,
): string | null {
  if (!judged.approx) return judged.at;
  const from = instant(judged.at) - APPROX_SLACK_MS;
  const bot = evidence.botUsername.toLowerCase();
  const move = statusMoves(history, evidence.board).find((m) => m.by.toLowerCase() !== bot && instant(m.at) >= from);
  return move ? move.at : null;
}

const STATUS_LABELS: Record<Status, Array<'plan' | 'scheduled'>> = {
  backlog: [],
  plan: ['plan'],
  scheduled: ['scheduled'],
  both: ['plan', 'scheduled'],
};

/**
 * Whether a person's move into the card's column gets the same fix (or none) whichever column
 * it came from. A move a delivery tells, confirmed by one GET, is judged without the label history
 * only then: two more moves within the delivery's second (its time has whole seconds) could end
 * in the same labels from another column, and must not change what the bot does. Into plan
 * nothing is ever fixed; into scheduled an unready card goes back to plan from anywhere, a ready
 * one only when it skipped plan; into both columns the fix depends on the label added last.
 */
export function alikeFromAnyColumn(issue: IssueSnapshot, ctx: RuleContext, mode: RuleMode, move: StatusMove): boolean {
  const to = statusOf(move.current, ctx.board);
  const { plan, scheduled } = ctx.board.labels;
  const others = move.current.filter((l) => l !== plan && l !== scheduled);
  const fixes = (Object.keys(STATUS_LABELS) as Status[])
    .filter((from) => from !== to)
    .map((from) => {
      const previous = [...others, ...STATUS_LABELS[from].map((k) => ctx.board.labels[k])];
      const findings = transition.check(issue, { ...ctx, lastMove: { ...move, previous } }, mode);
      return JSON.stringify(findings.map((f) => f.fix ?? null));
    });
  return fixes.every((f) => f === fixes[0]);
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

    // After the bot's own revert: everything the next move needs, in one place, while any of it is
    // missing. The revert itself is told once, under what the bot fixed (never twice).
    const bot = ctx.botUsername?.toLowerCase();
    if (now === 'plan' && to === 'plan' && from === 'scheduled' && bot && move.by.toLowerCase() === bot) {
      const missing = readinessProblems(issue, ctx);
      if (missing.length === 0) return [];
      return [
        {
          rule: 'transition',
          severity: 'warning',
          message: `Before the card goes to ${label(scheduled)} again, it needs all of this:`,
          howToFix: missing.map((f) => f.howToFix).join(' '),
        },
      ];
    }
    // Any other move (e.g. back from scheduled to plan): nothing to say about the move itself.
    return [];
  },
};
