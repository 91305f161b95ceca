// From findings to a card's steps, as data. Pure and rule-free: the handler judges the card (and
// judges it again as it will be once the bot's fixes land) and passes both judgements in. Every
// step is skipped when GitLab already says what it would write (no note edit when unchanged).
import { DateTime } from 'luxon';
import type { SkillsExchangeBoard } from '../../config/types.js';
import type { GNote, IssueEdit } from '../../gitlab/types.js';
import type { Step } from '../../engine/steps.js';
import { fitToLimit, TEXT_LIMIT } from '../../comments/limit.js';
import { setAfterTheDay } from '../../rules/due-date.js';
import type { Finding, IssueSnapshot } from '../../rules/types.js';
import { calendarToday, hasRecordingLink, parseModeratorLines, statusOf } from '../../card/index.js';
import { noteMarker, renderReminder, renderScheduledChecklist, renderStatusNote } from '../../comments/index.js';
import { withHistory, withJudged, type Judgement } from './record.js';
import { bodyFingerprint, isNotesView, toNotesView, type NotesView } from './notes.js';

export { appliedHistory, recordedJudgement, type Judgement } from './record.js';

export interface IssuePlanInput {
  issue: IssueSnapshot;
  /** Assignee ids as GitLab has them now, by username (lower-case). */
  assigneeIds: Record<string, number>;
  findings: Finding[];
  /**
   * The card judged again as it will be once this plan's fixes land (absent: nothing is fixed).
   * The note then reads as the next reconcile would render it, so a fix costs no second edit.
   */
  findingsAfter?: Finding[];
  board: SkillsExchangeBoard;
  /** The card's notes as GitLab answered them, or their view (read once, or remembered). */
  notes: readonly GNote[] | NotesView;
  botUsername: string;
  users: Record<string, { id: number; username: string } | null>;
  now: Date;
  timezone: string;
  /** The newest person's move judged so far (this job's included), recorded in the status note. */
  judged?: Judgement | null;
  /** `judged` is this job's own judgement (its outcome is recorded with it). */
  judgedNow?: boolean;
  /** The last column move in GitLab's history is the bot's own (its column fix stands). */
  botMovedLast?: boolean;
  /** When the due date got its current value (see RuleContext.dueDateSetAt). */
  dueDateSetAt?: string;
  /** When the card last entered the scheduled column, from GitLab's label history (when read). */
  scheduledAt?: string | null;
}

export interface IssuePlan {
  steps: Step[];
  /** Findings whose fix is in the plan. */
  applied: Finding[];
  /** Findings left for a person. */
  open: Finding[];
}

/** Room for the hidden record (five fixes of at most ~6 kB each, base64, and the judged move). */
const RECORD_ROOM = 64_000;

const sameFinding = (a: Finding, b: Finding) => a.rule === b.rule && a.message === b.message;

/** The bot's safe fixes, merged into one issue edit (or none), and the card as it will be after. */
export function planFixes(
  issue: IssueSnapshot,
  findings: readonly Finding[],
  users: IssuePlanInput['users'],
  assigneeIds: Record<string, number>,
): { edit: IssueEdit | null; addAssignees: number[]; because: string[]; applied: Finding[]; after: IssueSnapshot } {
  const applied = findings.filter((f) => f.fix);
  const edit: IssueEdit = {};
  const addAssignees: number[] = [];
  const because: string[] = [];
  for (const finding of applied) {
    const fix = finding.fix!;
    because.push(finding.rule);
    if (fix.kind === 'labels') {
      edit.addLabels = unique([...(edit.addLabels ?? []), ...fix.add.filter((l) => !issue.labels.includes(l))]);
      edit.removeLabels = unique([...(edit.removeLabels ?? []), ...fix.remove.filter((l) => issue.labels.includes(l))]);
    } else {
      for (const name of fix.usernames) {
        const user = users[name.toLowerCase()];
        if (user && assigneeIds[user.username.toLowerCase()] === undefined && !addAssignees.includes(user.id)) addAssignees.push(user.id);
      }
    }
  }
  if (!edit.addLabels?.length) delete edit.addLabels;
  if (!edit.removeLabels?.length) delete edit.removeLabels;
  const labelsAfter = issue.labels.filter((l) => !edit.removeLabels?.includes(l)).concat(edit.addLabels ?? []);
  const assigneesAfter = [...new Set([...issue.assignees, ...applied.flatMap((f) => (f.fix?.kind === 'assign' ? f.fix.usernames : []))])];
  return {
    edit: Object.keys(edit).length > 0 || addAssignees.length > 0 ? edit : null,
    addAssignees,
    because: unique(because),
    applied,
    after: { ...issue, labels: labelsAfter, assignees: assigneesAfter },
  };
}

export function planIssue(input: IssuePlanInput): IssuePlan {
  const { issue: before, board, findings } = input;
  const { project, iid } = before;
  const steps: Step[] = [];

  // 0. One note per marker: a bot note that repeats an older one's marker goes (a race left it).
  const notes = isNotesView(input.notes) ? input.notes : toNotesView(input.notes, input.botUsername);
  for (const { noteId, marker } of notes.duplicates) {
    steps.push({ kind: 'deleteNote', project, iid, noteId, marker });
  }

  // 1. Safe fixes, merged into one edit.
  const fixes = planFixes(before, findings, input.users, input.assigneeIds);
  const { applied, after } = fixes;
  if (fixes.edit) {
    const labels = fixes.edit.addLabels !== undefined || fixes.edit.removeLabels !== undefined;
    steps.push({
      kind: 'editIssue',
      project,
      iid,
      edit: fixes.edit,
      because: fixes.because,
      // A label fix undoes or completes a person's move: made only if the card is still as judged.
      ...(labels ? { judgedLabels: [...before.labels] } : {}),
      ...(fixes.addAssignees.length > 0 ? { addAssignees: fixes.addAssignees } : {}),
    });
  }
  const issue = before;
  const labelsAfter = after.labels;
  const openAfter = (applied.length > 0 && input.findingsAfter ? input.findingsAfter : findings).filter((f) => !f.fix);

  // 2. The one status note, edited in place; history of fixes carried over.
  const statusMarker = noteMarker('status');
  const existing = notes.bot[statusMarker];
  // A column fix is told while it stands: once a person has moved the card since (or the bot's
  // edit was skipped because they had), "I moved it back" is no longer what happened last.
  // Any earlier fix is told while what it did still stands on the card (a person changed it since:
  // it no longer matters). Each carries when it was made, so the list reads as history.
  const carried = (existing?.applied ?? []).filter(
    (old) =>
      !applied.some((a) => sameFinding(a, old)) && (old.rule !== 'transition' || input.botMovedLast === true) && stillStands(old, after),
  );
  // The day, in the team's zone: what the note tells, and the same whichever process decided it.
  const madeAt = (f: Finding) => existing?.applied.find((old) => sameFinding(old, f))?.at ?? calendarToday(input.now, input.timezone);
  const history = [...applied.map((f) => ({ ...f, at: madeAt(f) })), ...carried];
  // A move judged now is recorded with its outcome: a revert still to land is judged again.
  const judged =
    input.judged && input.judgedNow
      ? { ...input.judged, revert: applied.some((f) => f.rule === 'transition' && f.fix?.kind === 'labels') }
      : input.judged;
  // Under GitLab's limit, with room left for the hidden record below it (the cut never takes it).
  const rendered = fitToLimit(renderStatusNote({ issue: after, findings: openAfter, applied: history, board, timezone: input.timezone }), {
    limit: TEXT_LIMIT - RECORD_ROOM,
  });
  const body = withJudged(withHistory(rendered, history), judged);
  if (existing) {
    if (existing.fingerprint !== bodyFingerprint(body))
      steps.push({ kind: 'editNote', project, iid, noteId: existing.id, marker: statusMarker, body });
  } else if (openAfter.length > 0 || applied.length > 0) {
    // Nothing to say about a card that was always fine: no note at all.
    steps.push({ kind: 'createNote', project, iid, marker: statusMarker, body });
  }

  // 3. Once scheduled and ready: the checklist for speaker and moderator, posted once.
  // Judged on the labels as they will be once the fixes above land (a revert leaves the column).
  const status = statusOf(labelsAfter, board);
  const ready = status === 'scheduled' && issue.state === 'opened' && !openAfter.some((f) => f.severity === 'problem');
  // Mentioned only as the user GitLab answered for the name: never a group (every member would be
  // notified), never a name no one has, never the bot itself.
  const named = parseModeratorLines(issue.description)[0]?.username ?? null;
  const known = named ? input.users[named.toLowerCase()] : null;
  const moderator = known && known.username.toLowerCase() !== input.botUsername.toLowerCase() ? known.username : null;
  if (ready) {
    const marker = noteMarker('checklist');
    if (!notes.bot[marker]) {
      const speakers = issue.assignees.filter((a) => a.toLowerCase() !== moderator?.toLowerCase());
      steps.push({
        kind: 'createNote',
        project,
        iid,
        marker,
        body: renderScheduledChecklist({ speakers, moderator, dueDate: issue.dueDate }),
      });
    }
  }

  // 4. Reminders around the session date, each once (its marker names the date).
  if (status === 'scheduled' && issue.state === 'opened' && issue.dueDate) {
    const today = calendarToday(input.now, input.timezone);
    const due = issue.dueDate;
    const speakers = issue.assignees.filter((a) => a.toLowerCase() !== moderator?.toLowerCase());
    const people = { speakers, moderator, dueDate: due, today };
    const remindFrom = DateTime.fromISO(due).minus({ days: board.reminders.beforeDays }).toISODate()!;
    if (board.reminders.beforeDays > 0 && today >= remindFrom && today <= due) {
      const marker = noteMarker(`reminder:before:${due}`);
      if (!notes.bot[marker]) {
        steps.push({ kind: 'createNote', project, iid, marker, body: renderReminder('before', people) });
      }
    }
    if (board.reminders.afterUntilRecording && today > due && wasRealSession(due, input)) {
      if (!notes.linkInNotes && !hasRecordingLink([issue.description]) && !notes.askedForRecording) {
        const marker = noteMarker(`reminder:recording:${due}`);
        steps.push({ kind: 'createNote', project, iid, marker, body: renderReminder('recording', people) });
      }
    }
  }

  return { steps, applied, open: openAfter };
}

/**
 * A date the card was actually scheduled for: it had that date, and was in the scheduled column,
 * before the day ended. A date typed into the past (or a card scheduled after its day) is a
 * finding of the date rule, never a "thank you for the session".
 */
function wasRealSession(due: string, input: IssuePlanInput): boolean {
  const day = (at: string) => calendarToday(new Date(at), input.timezone);
  if (setAfterTheDay(due, { timezone: input.timezone, ...(input.dueDateSetAt ? { dueDateSetAt: input.dueDateSetAt } : {}) })) return false;
  return !input.scheduledAt || day(input.scheduledAt) <= due;
}

/** What an earlier fix did is still so on the card as it will be: its labels, its assignees. */
function stillStands(fix: Finding, card: IssueSnapshot): boolean {
  if (!fix.fix) return true;
  if (fix.fix.kind === 'labels') {
    const { add, remove } = fix.fix;
    return add.every((l) => card.labels.includes(l)) && remove.every((l) => !card.labels.includes(l));
  }
  const assigned = new Set(card.assignees.map((a) => a.toLowerCase()));
  return fix.fix.usernames.every((u) => assigned.has(u.toLowerCase()));
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
