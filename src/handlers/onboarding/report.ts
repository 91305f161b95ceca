// What the onboarding issue says of one card the baseline holds back: what Rhythm found (the move
// made before the baseline it leaves alone, the card's problems) and what it would write (its
// status note, the checklist, reminders, its fixes). Pure: the card's own state in, data out.
import { checkIssue, transition } from '../../rules/index.js';
import type { Finding, RuleContext } from '../../rules/types.js';
import { statusOf } from '../../card/index.js';
import type { StatusMove } from '../../card/status-move.js';
import type { Step } from '../../engine/steps.js';
import { noteMarker } from '../../comments/index.js';
import { card, ruleContextOf, type CardState } from '../card/index.js';

export interface CardReport {
  iid: number;
  /** Raw: the renderer quotes it. Absent for a confidential card (its words stay on it). */
  title?: string;
  column: 'backlog' | 'plan' | 'scheduled' | 'both';
  /** The move made before the baseline that Rhythm would have judged, and what it found in it. */
  pastMove?: { move: StatusMove; findings: Array<Pick<Finding, 'message' | 'done'>> };
  /** The status note as Rhythm would write it now, hidden records left out. */
  note?: string;
  /** What its fixes would do (the findings' own words). */
  fixes: string[];
  checklist: boolean;
  reminders: number;
}

const HIDDEN = /<!-- rhythm:[^]*?-->/g;

/** The visible text of a note body: its hidden markers and records left out. */
export function visibleText(body: string): string {
  return body.replace(HIDDEN, '').trim();
}

/** The move the baseline protects, judged as Rhythm would have judged it had it been there. */
function pastFindings(state: CardState, move: StatusMove): Finding[] {
  const setting = state.board.rules.transition;
  if (!setting.enabled || state.issue.state !== 'opened') return [];
  const ctx: RuleContext = { ...ruleContextOf(state), lastMove: move };
  if (!transition.appliesTo(state.issue, ctx)) return [];
  return transition.check(state.issue, ctx, setting.mode);
}

/** The card's report, or null when Rhythm has nothing to say about it. */
export function reportCard(state: CardState): CardReport | null {
  // What the card handler would do if the card were not the board's past.
  const { steps } = card.decide({ ...state, held: false });
  const writes = steps.filter((s): s is Exclude<Step, { kind: 'enqueue' }> => s.kind !== 'enqueue');
  const status = noteMarker('status');
  const checklist = noteMarker('checklist');
  let note: string | undefined;
  let reminders = 0;
  let hasChecklist = false;
  for (const step of writes) {
    if (step.kind !== 'createNote' && step.kind !== 'editNote') continue;
    if (step.marker === status) note = visibleText(step.body);
    else if (step.marker === checklist) hasChecklist = true;
    else if (step.marker.startsWith('<!-- rhythm:reminder:')) reminders += 1;
  }
  const fixes = writes.some((s) => s.kind === 'editIssue') ? fixesOf(state) : [];
  const past = state.pastMove ? pastFindings(state, state.pastMove) : [];
  if (!note && !hasChecklist && reminders === 0 && fixes.length === 0 && past.length === 0) return null;
  return {
    iid: state.issue.iid,
    ...(state.issue.confidential ? {} : { title: state.issue.title }),
    column: statusOf(state.issue.labels, state.board),
    ...(state.pastMove && past.length > 0
      ? { pastMove: { move: state.pastMove, findings: past.map((f) => ({ message: f.message, ...(f.done ? { done: f.done } : {}) })) } }
      : {}),
    ...(note ? { note } : {}),
    fixes,
    checklist: hasChecklist,
    reminders,
  };
}

/** What the bot's fixes on the card would do, in their own words (the status note says them too). */
function fixesOf(state: CardState): string[] {
  return checkIssue(state.issue, ruleContextOf(state))
    .filter((f) => f.fix)
    .map((f) => f.done ?? f.message);
}
