// From findings to a card's steps, as data. Pure and rule-free: the handler judges the card (and
// judges it again as it will be once the bot's fixes land) and passes both judgements in. Every
// step is skipped when GitLab already says what it would write (no note edit when unchanged).
import { z } from 'zod';
import { DateTime } from 'luxon';
import type { SkillsExchangeBoard } from '../../config/types.js';
import type { GNote, IssueEdit } from '../../gitlab/types.js';
import type { Step } from '../../engine/steps.js';
import { isRuleId } from '../../rules/index.js';
import { fitToLimit, TEXT_LIMIT } from '../../comments/limit.js';
import { setAfterTheDay } from '../../rules/due-date.js';
import type { Finding, IssueSnapshot } from '../../rules/types.js';
import { calendarToday, hasRecordingLink, parseModeratorLines, statusOf } from '../../card/index.js';
import {
  duplicateBotNotes,
  findBotNote,
  noteMarker,
  renderReminder,
  renderScheduledChecklist,
  renderStatusNote,
} from '../../comments/index.js';

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
  notes: GNote[];
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

const HISTORY_LIMIT = 5;
/** Room for the hidden record (five fixes of at most ~6 kB each, base64, and the judged move). */
const RECORD_ROOM = 64_000;
const HISTORY_RE = /<!-- rhythm:applied ([A-Za-z0-9+/=]*) -->/;

const text = z.string().max(2000);
const appliedSchema = z.array(
  z.object({
    rule: z.string(),
    severity: z.enum(['problem', 'warning']),
    message: text,
    howToFix: text,
    fix: z
      .union([
        z.object({ kind: z.literal('assign'), usernames: z.array(z.string()) }),
        z.object({ kind: z.literal('labels'), add: z.array(z.string()), remove: z.array(z.string()) }),
      ])
      .optional(),
    undo: text.optional(),
    done: text.optional(),
    excerpt: text.optional(),
  }),
);

/** What the bot fixed before, kept in its note (base64 JSON in a hidden comment, so no text can close it). */
export function appliedHistory(noteBody: string | undefined): Finding[] {
  const match = noteBody ? HISTORY_RE.exec(noteBody) : null;
  if (!match) return [];
  try {
    const parsed = appliedSchema.safeParse(JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')));
    // The note is the bot's, but anyone can edit it: only well-formed findings of known rules count.
    if (!parsed.success) return [];
    return parsed.data.flatMap(({ rule, ...rest }) => (isRuleId(rule) ? [{ rule, ...rest }] : [])).slice(0, HISTORY_LIMIT);
  } catch {
    return [];
  }
}

function withHistory(body: string, applied: Finding[]): string {
  if (applied.length === 0) return body;
  // In the schema's key order, the order a read gives back: the same history encodes the same
  // bytes whether it was just decided or read from the note, so an unrelated change edits nothing.
  const kept = applied.slice(0, HISTORY_LIMIT);
  const canonical = appliedSchema.safeParse(kept);
  const encoded = Buffer.from(JSON.stringify(canonical.success ? canonical.data : kept), 'utf8').toString('base64');
  return `${body.trimEnd()}\n\n<!-- rhythm:applied ${encoded} -->\n`;
}

// An ISO instant as GitLab writes them; nothing else is read back (anyone may edit the note).
const JUDGED_RE = /<!-- rhythm:judged (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))( revert)? -->/;

/** A judged move as the status note records it: when it was made, and whether it was reverted. */
export interface Judgement {
  at: string;
  revert: boolean;
}

/** The move the bot last recorded as judged, from its status note (null when none is recorded). */
export function recordedJudgement(noteBody: string | undefined): Judgement | null {
  const match = noteBody ? JUDGED_RE.exec(noteBody) : null;
  return match && !Number.isNaN(Date.parse(match[1]!)) ? { at: match[1]!, revert: match[2] !== undefined } : null;
}

function withJudged(body: string, judged: Judgement | null | undefined): string {
  return judged ? `${body.trimEnd()}\n<!-- rhythm:judged ${judged.at}${judged.revert ? ' revert' : ''} -->\n` : body;
}

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
  for (const { note, marker } of duplicateBotNotes(input.notes, input.botUsername)) {
    steps.push({ kind: 'deleteNote', project, iid, noteId: note.id, marker });
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
  const existing = findBotNote(input.notes, input.botUsername, statusMarker);
  // A column fix is told while it stands: once a person has moved the card since (or the bot's
  // edit was skipped because they had), "I moved it back" is no longer what happened last.
  const carried = appliedHistory(existing?.body).filter(
    (old) => !applied.some((a) => sameFinding(a, old)) && (old.rule !== 'transition' || input.botMovedLast === true),
  );
  const history = [...applied, ...carried];
  // A move judged now is recorded with its outcome: a revert still to land is judged again.
  const judged =
    input.judged && input.judgedNow
      ? { at: input.judged.at, revert: applied.some((f) => f.rule === 'transition' && f.fix?.kind === 'labels') }
      : input.judged;
  // Under GitLab's limit, with room left for the hidden record below it (the cut never takes it).
  const rendered = fitToLimit(renderStatusNote({ issue: after, findings: openAfter, applied: history, board }), {
    limit: TEXT_LIMIT - RECORD_ROOM,
  });
  const body = withJudged(withHistory(rendered, history), judged);
  if (existing) {
    if (existing.body.trim() !== body.trim())
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
    if (!findBotNote(input.notes, input.botUsername, marker)) {
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
      if (!findBotNote(input.notes, input.botUsername, marker)) {
        steps.push({ kind: 'createNote', project, iid, marker, body: renderReminder('before', people) });
      }
    }
    if (board.reminders.afterUntilRecording && today > due && wasRealSession(due, input)) {
      const texts = [issue.description, ...input.notes.filter((n) => !n.system).map((n) => n.body)];
      if (!hasRecordingLink(texts) && !askedForRecording(input.notes, input.botUsername)) {
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

/** The recording is asked for once per card, whatever date it was for (old markers named the date). */
function askedForRecording(notes: readonly GNote[], botUsername: string): boolean {
  const bot = botUsername.toLowerCase();
  const prefix = '<!-- rhythm:reminder:recording';
  return notes.some((n) => !n.system && n.author?.username?.toLowerCase() === bot && n.body.trimStart().startsWith(prefix));
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
