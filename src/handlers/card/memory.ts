// What the bot remembers of a card between two decisions (queue/card-memory.ts keeps it): the
// state its last decision was made on, so the next one needs GitLab only for what changed. The
// loader decides from it when GitLab's copy of the card is the one remembered (same updated_at and
// fingerprint, or the card as the bot's own writes left it); anything else is read again, and
// only the part a decision needs. Every write stays safe without it: the bot edits only its own
// notes (a note gone answers 404, and the card is read afresh), label fixes are add/remove, and
// the executor re-reads a card before a guarded label or assignee write.
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { SkillsExchangeBoard } from '../../config/types.js';
import type { ApplyReport } from '../../engine/apply.js';
import type { GIssue } from '../../gitlab/types.js';
import type { CardMemoryRow } from '../../queue/card-memory.js';
import { calendarToday } from '../../card/index.js';
import type { ColumnPeer, IssueSnapshot, StatusMove } from '../../rules/types.js';
import { botNoteOf, type BotNote, type NotesView } from './notes.js';
import { readFindings } from './record.js';

/** The record kept per card (JSON in the memory row). */
export interface CardMemo {
  v: 1;
  labels: string[];
  dueDate: string | null;
  state: 'opened' | 'closed';
  /** user_notes_count as the bot expects it after its own writes (null: GitLab did not say). */
  notesCount: number | null;
  /** What the notes said (the bot's own, by marker; recording asked or linked); null: read them. */
  notes: Omit<NotesView, 'duplicates'> | null;
  /**
   * From GitLab's label history: the last column move and when the card last entered the
   * scheduled column, complete as of the card's updated_at `at`; null: read the history.
   */
  history: {
    move: StatusMove | null;
    scheduledAt: string | null;
    at: string;
    /**
     * The status note's approximate judgement (record.ts) read against this history: the record's
     * instant, and the instant of the move it names (rules/transition.ts, judgedMoveAt).
     */
    resolved?: { record: string; at: string };
  } | null;
  /** Users looked up by name (lower-case): who GitLab said they are, or null for no one. */
  users: Record<string, { id: number; username: string } | null>;
  /** The other scheduled cards on this card's date, when it was last listed with its column. */
  peers: { dueDate: string; peers: ColumnPeer[] } | null;
  /** When the due date got its value (RuleContext.dueDateSetAt), for the date it was told for. */
  dueDateSetAt: { dueDate: string | null; at: string | null } | null;
}

/** A card's memory as read back: its row and its record. */
export interface Recalled {
  row: CardMemoryRow;
  memo: CardMemo;
}

/** What a finished job leaves in the memory: a new row, forgetting the card, or nothing to change. */
export type MemoryUpdate = { put: CardMemoryRow } | { forget: true } | null;

const move = z.object({ previous: z.array(z.string()), current: z.array(z.string()), by: z.string(), at: z.string() });
const botNote = z.object({
  id: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  fingerprint: z.string(),
  applied: z.unknown(),
  judged: z.object({ at: z.string(), revert: z.boolean(), approx: z.literal(true).optional() }).nullable(),
});
const memoSchema = z.object({
  v: z.literal(1),
  labels: z.array(z.string()),
  dueDate: z.string().nullable(),
  state: z.enum(['opened', 'closed']),
  notesCount: z.number().int().nullable(),
  notes: z
    .object({
      bot: z.record(z.string(), botNote),
      askedForRecording: z.boolean(),
      linkInNotes: z.boolean(),
      dueDateChangedAt: z.string().nullable(),
    })
    .nullable(),
  history: z
    .object({
      move: move.nullable(),
      scheduledAt: z.string().nullable(),
      at: z.string(),
      resolved: z.object({ record: z.string(), at: z.string() }).optional(),
    })
    .nullable(),
  users: z.record(z.string(), z.object({ id: z.number().int(), username: z.string() }).nullable()),
  peers: z
    .object({
      dueDate: z.string(),
      peers: z.array(z.object({ iid: z.number().int(), title: z.string(), dueDate: z.string().nullable() })),
    })
    .nullable(),
  dueDateSetAt: z.object({ dueDate: z.string().nullable(), at: z.string().nullable() }).nullable(),
});

/** A row's record, or null when it is not one this Rhythm wrote (an older version, damage). */
export function readMemo(row: CardMemoryRow): Recalled | null {
  let data: unknown;
  try {
    data = JSON.parse(row.record);
  } catch {
    return null;
  }
  const parsed = memoSchema.safeParse(data);
  if (!parsed.success) return null;
  const { notes, ...rest } = parsed.data;
  const bot: Record<string, BotNote> = {};
  for (const [marker, note] of Object.entries(notes?.bot ?? {})) bot[marker] = { ...note, applied: readFindings(note.applied) };
  return { row, memo: { ...rest, notes: notes ? { ...notes, bot } : null } };
}

/**
 * The card's fields a decision reads, as one short hash: two copies with the same updated_at and
 * fingerprint are the same card. The note count is in it, so a note added or deleted shows.
 */
export function cardFingerprint(issue: GIssue): string {
  const fields = [
    issue.state,
    issue.title,
    issue.description ?? '',
    [...issue.labels].sort(),
    issue.assignees.map((a) => a.username.toLowerCase()).sort(),
    issue.due_date,
    issue.confidential,
    issue.user_notes_count ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url').slice(0, 24);
}

/** Which of the two status labels a card carries: a move changes it. */
export function statusKey(labels: readonly string[], board: Pick<SkillsExchangeBoard, 'labels'>): string {
  return `${labels.includes(board.labels.plan) ? 'p' : '-'}${labels.includes(board.labels.scheduled) ? 's' : '-'}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The next instant at which time alone may change what the card needs (the reminder window
 * opens; the day passes: the date rule, the recording reminder), or null when none is coming.
 * Days are the team's (timezone); the sweep wakes the card once that instant has come.
 */
export function recheckAt(
  issue: Pick<IssueSnapshot, 'state' | 'dueDate'>,
  board: SkillsExchangeBoard,
  timezone: string,
  now: Date,
): number | null {
  if (issue.state !== 'opened' || !issue.dueDate || !ISO_DATE.test(issue.dueDate)) return null;
  const due = DateTime.fromISO(issue.dueDate, { zone: timezone });
  if (!due.isValid) return null;
  const today = calendarToday(now, timezone);
  const days = [due.plus({ days: 1 })];
  if (board.reminders.beforeDays > 0) days.push(due.minus({ days: board.reminders.beforeDays }));
  const next = days
    .filter((d) => (d.toISODate() ?? '') > today)
    .map((d) => d.startOf('day').toMillis())
    .sort((a, b) => a - b)[0];
  return next ?? null;
}

/**
 * When the due date got the value it has now, without reading the notes, when that can be told:
 * it changed after the bot last saw the card (`since`, GitLab's updated_at then) and no later
 * than `until` (updated_at now). A rule only asks whether that day was after the due date; when
 * both ends agree, either will do. Undefined: they disagree, and the notes must be read.
 */
export function dueDateSetWithin(dueDate: string | null, since: string, until: string, timezone: string): string | undefined {
  if (!dueDate || !ISO_DATE.test(dueDate)) return until;
  const first = calendarToday(new Date(since), timezone);
  const last = calendarToday(new Date(until), timezone);
  if (first > dueDate || last <= dueDate) return until;
  return undefined;
}

/** What the loader knew of the card, beyond its state for rules: what the memory keeps after the job. */
export interface CardKnowledge {
  key: string;
  /** The card as GitLab answered it (the GET, or the sweep's listing). */
  found: GIssue;
  notes: NotesView;
  history: CardMemo['history'];
  peers: CardMemo['peers'];
  dueDateSetAt: string | undefined;
  /** The memory the job started from (null: none). */
  recalled: Recalled | null;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The memory a job leaves: the card as it was read, with the bot's own writes that GitLab took
 * (dry-run writes are not taken). A closed card is forgotten; so is a card whose label fix was
 * skipped because a person moved it meanwhile (the next job reads it afresh).
 */
export function rememberCard(
  k: CardKnowledge,
  ctx: { board: SkillsExchangeBoard; botUsername: string; timezone: string; now: Date; users: CardMemo['users'] },
  report: ApplyReport,
): MemoryUpdate {
  if (k.found.state !== 'opened') return k.recalled ? { forget: true } : null;
  const { board } = ctx;
  const bot: Record<string, BotNote> = { ...k.notes.bot };
  let asked = k.notes.askedForRecording;
  let history = k.history;
  let wroteNotes = false;
  let delta = 0;
  let answer: GIssue | undefined;
  let expected = [...k.found.labels];
  for (const done of report.applied) {
    const step = done.step;
    if (!done.sent) {
      if ('skipped' in done && step.kind === 'editIssue' && step.judgedLabels && done.skipped.startsWith('the card changed')) {
        return { forget: true };
      }
      continue;
    }
    if (step.kind === 'createNote' || step.kind === 'editNote') {
      if (done.note) bot[step.marker] = botNoteOf(done.note, step.marker);
      if (step.kind === 'createNote') delta += 1;
      if (step.marker.startsWith('<!-- rhythm:reminder:recording')) asked = true;
      wroteNotes = true;
    } else if (step.kind === 'deleteNote') {
      delta -= 1;
      wroteNotes = true;
    } else if (step.kind === 'editIssue' && done.issue) {
      answer = done.issue;
      const remove = step.edit.removeLabels ?? [];
      expected = expected.filter((l) => !remove.includes(l)).concat((step.edit.addLabels ?? []).filter((l) => !expected.includes(l)));
    }
  }
  const loadedCount = k.found.user_notes_count ?? null;
  let count = loadedCount === null ? null : loadedCount + delta;
  let notesKnown = true;
  let base = k.found;
  let selfWritten = wroteNotes;
  if (answer) {
    // The issue edit is the card's last write (its notes go first): GitLab's answer is the card now.
    const answered = answer.user_notes_count ?? null;
    if (answered !== count) notesKnown = false; // someone else's note came in between
    if (!sameSet(answer.labels, expected))
      history = null; // someone else's labels came in between
    else if (history && statusKey(k.found.labels, board) !== statusKey(answer.labels, board)) {
      const entered = !k.found.labels.includes(board.labels.scheduled) && answer.labels.includes(board.labels.scheduled);
      history = {
        move: { previous: [...k.found.labels], current: [...answer.labels], by: ctx.botUsername, at: answer.updated_at },
        scheduledAt: entered ? answer.updated_at : history.scheduledAt,
        at: answer.updated_at,
        ...(history.resolved ? { resolved: history.resolved } : {}),
      };
    }
    base = answer;
    count = answered;
    selfWritten = false;
  }
  const inColumn = base.labels.includes(board.labels.scheduled) && base.due_date !== null;
  const memo: CardMemo = {
    v: 1,
    labels: [...base.labels],
    dueDate: base.due_date,
    state: base.state,
    notesCount: count,
    notes: notesKnown
      ? { bot, askedForRecording: asked, linkInNotes: k.notes.linkInNotes, dueDateChangedAt: k.notes.dueDateChangedAt }
      : null,
    history,
    users: ctx.users,
    peers: inColumn && k.peers && k.peers.dueDate === base.due_date ? k.peers : null,
    dueDateSetAt: { dueDate: base.due_date, at: k.dueDateSetAt ?? null },
  };
  const row: CardMemoryRow = {
    key: k.key,
    project: board.project,
    updatedAt: base.updated_at,
    fingerprint: cardFingerprint({ ...base, ...(count === null ? {} : { user_notes_count: count }) }),
    selfWritten,
    recheckAt: recheckAt({ state: base.state, dueDate: base.due_date }, board, ctx.timezone, ctx.now),
    record: JSON.stringify(memo),
  };
  const before = k.recalled?.row;
  if (
    before &&
    before.updatedAt === row.updatedAt &&
    before.fingerprint === row.fingerprint &&
    before.selfWritten === row.selfWritten &&
    before.recheckAt === row.recheckAt &&
    before.record === row.record &&
    before.project === row.project
  ) {
    return null;
  }
  return { put: row };
}
