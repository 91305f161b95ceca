// From findings to a plan: the writes one reconcile wants, as data. Pure — the engine applies the
// plan through the door, tests assert on it without a server. Every step is skipped when GitLab
// already says what it would write (no note edit when the text is unchanged).
import { DateTime } from 'luxon';
import type { SkillsExchangeBoard } from '../config/types.js';
import type { GNote, IssueEdit } from '../gitlab/types.js';
import type { Finding, IssueSnapshot } from '../rules/types.js';
import { calendarToday, hasRecordingLink, parseModeratorLines, statusOf } from '../rules/index.js';
import {
  findBotNote,
  noteMarker,
  renderReminder,
  renderScheduledChecklist,
  renderStatusNote,
} from '../comments/index.js';

export type Step =
  | { kind: 'editIssue'; edit: IssueEdit; because: string[] }
  | { kind: 'createNote'; marker: string; body: string }
  | { kind: 'editNote'; noteId: number; marker: string; body: string };

export interface IssuePlanInput {
  issue: IssueSnapshot;
  /** Assignee ids as GitLab has them now, by username (lower-case). */
  assigneeIds: Record<string, number>;
  findings: Finding[];
  board: SkillsExchangeBoard;
  notes: GNote[];
  botUsername: string;
  users: Record<string, { id: number; username: string } | null>;
  now: Date;
  timezone: string;
  dryRun: boolean;
  /**
   * Judge the card again as it will be once the fixes land (the rules, bound to this reconcile's
   * context). The note then reads as the next reconcile would render it, so fixing a card does
   * not cost a second note edit later.
   */
  recheck?: (after: IssueSnapshot, fixedBy: { previous: string[]; current: string[] }) => Finding[];
}

export interface IssuePlan {
  steps: Step[];
  /** Findings whose fix is in the plan. */
  applied: Finding[];
  /** Findings left for a person. */
  open: Finding[];
}

const HISTORY_LIMIT = 5;
const HISTORY_RE = /<!-- rhythm:applied ([A-Za-z0-9+/=]*) -->/;

/** What the bot fixed before, kept in its note (base64 JSON in a hidden comment, so no text can close it). */
export function appliedHistory(noteBody: string | undefined): Finding[] {
  const match = noteBody ? HISTORY_RE.exec(noteBody) : null;
  if (!match) return [];
  try {
    const parsed = JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')) as Finding[];
    return Array.isArray(parsed) ? parsed.slice(0, HISTORY_LIMIT) : [];
  } catch {
    return [];
  }
}

function withHistory(body: string, applied: Finding[]): string {
  if (applied.length === 0) return body;
  const encoded = Buffer.from(JSON.stringify(applied.slice(0, HISTORY_LIMIT)), 'utf8').toString('base64');
  return `${body.trimEnd()}\n\n<!-- rhythm:applied ${encoded} -->\n`;
}

const sameFinding = (a: Finding, b: Finding) => a.rule === b.rule && a.message === b.message;

export function planIssue(input: IssuePlanInput): IssuePlan {
  const { issue, board, findings } = input;
  const steps: Step[] = [];

  // 1. Safe fixes, merged into one edit.
  const applied = findings.filter((f) => f.fix);
  const open = findings.filter((f) => !f.fix);
  const edit: IssueEdit = {};
  const because: string[] = [];
  for (const finding of applied) {
    const fix = finding.fix!;
    because.push(finding.rule);
    if (fix.kind === 'labels') {
      edit.addLabels = unique([...(edit.addLabels ?? []), ...fix.add.filter((l) => !issue.labels.includes(l))]);
      edit.removeLabels = unique([...(edit.removeLabels ?? []), ...fix.remove.filter((l) => issue.labels.includes(l))]);
    } else {
      const ids = { ...input.assigneeIds };
      for (const name of fix.usernames) {
        const user = input.users[name.toLowerCase()];
        if (user) ids[user.username.toLowerCase()] = user.id;
      }
      const next = Object.values(ids);
      if (next.length !== Object.keys(input.assigneeIds).length) edit.assigneeIds = next;
    }
  }
  if (!edit.addLabels?.length) delete edit.addLabels;
  if (!edit.removeLabels?.length) delete edit.removeLabels;
  if (Object.keys(edit).length > 0) steps.push({ kind: 'editIssue', edit, because: unique(because) });

  // What the card will look like once the fixes land.
  const labelsAfter = issue.labels.filter((l) => !edit.removeLabels?.includes(l)).concat(edit.addLabels ?? []);
  const assigneesAfter = [...new Set([...issue.assignees, ...applied.flatMap((f) => (f.fix?.kind === 'assign' ? f.fix.usernames : []))])];
  const after: IssueSnapshot = { ...issue, labels: labelsAfter, assignees: assigneesAfter };
  const openAfter =
    applied.length > 0 && input.recheck
      ? input.recheck(after, { previous: issue.labels, current: labelsAfter }).filter((f) => !f.fix)
      : open;

  // 2. The one status note, edited in place; history of fixes carried over.
  const statusMarker = noteMarker('status');
  const existing = findBotNote(input.notes, input.botUsername, statusMarker);
  const history = [...applied, ...appliedHistory(existing?.body).filter((old) => !applied.some((a) => sameFinding(a, old)))];
  const body = withHistory(
    renderStatusNote({ issue: after, findings: openAfter, applied: history, board, dryRun: input.dryRun }),
    history,
  );
  if (existing) {
    if (existing.body.trim() !== body.trim()) steps.push({ kind: 'editNote', noteId: existing.id, marker: statusMarker, body });
  } else if (openAfter.length > 0 || applied.length > 0) {
    // Nothing to say about a card that was always fine: no note at all.
    steps.push({ kind: 'createNote', marker: statusMarker, body });
  }

  // 3. Once scheduled and ready: the checklist for speaker and moderator, posted once.
  // Judged on the labels as they will be once the fixes above land (a revert leaves the column).
  const status = statusOf(labelsAfter, board);
  const ready = status === 'scheduled' && issue.state === 'opened' && !openAfter.some((f) => f.severity === 'problem');
  const moderator = parseModeratorLines(issue.description)[0]?.username ?? null;
  if (ready) {
    const marker = noteMarker('checklist');
    if (!findBotNote(input.notes, input.botUsername, marker)) {
      const speakers = issue.assignees.filter((a) => a.toLowerCase() !== moderator?.toLowerCase());
      steps.push({
        kind: 'createNote',
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
        steps.push({ kind: 'createNote', marker, body: renderReminder('before', people) });
      }
    }
    if (board.reminders.afterUntilRecording && today > due) {
      const texts = [issue.description, ...input.notes.filter((n) => !n.system).map((n) => n.body)];
      const marker = noteMarker(`reminder:recording:${due}`);
      if (!hasRecordingLink(texts) && !findBotNote(input.notes, input.botUsername, marker)) {
        steps.push({ kind: 'createNote', marker, body: renderReminder('recording', people) });
      }
    }
  }

  return { steps, applied, open: openAfter };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
