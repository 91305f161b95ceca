// The one executor: it alone carries out steps. It owns dry-run (decided here, per project, from
// the configuration), logs every write with its full content, counts writes, sends the event's
// X-Gitlab-Event-UUID (through the door it is given) and hands follow-up work to the queue.
// It also owns the order of writes (a note before the edit it explains) and makes note creation
// idempotent: a note POST without a clear answer is looked for by its marker before anyone posts
// it again, and two bot notes with one marker (two racers) are brought back to one, the oldest.
import { performance } from 'node:perf_hooks';
import type { RhythmConfig } from '../config/types.js';
import { sleepReal, writeDoubt } from '../gitlab/transport.js';
import type { Door, GHook, GIssue, GNote } from '../gitlab/types.js';
import type { Logger } from '../observability/log.js';
import { fitToLimit, TEXT_LIMIT } from '../comments/limit.js';
import { forgetChatNotices, sendChatNotice } from '../chat/send.js';
import type { ChatLedger } from '../queue/chat-ledger.js';
import { issueKey } from './keys.js';
import { isWrite, type Step } from './steps.js';

export interface ApplyContext {
  /** The door for this event (its UUID is already bound); only writes are sent through it. */
  door: Door;
  config: RhythmConfig;
  log: Logger;
  enqueue(key: string, delayMs: number): Promise<void>;
  /** Ends a wait for a write that got no answer (the job is being stopped). */
  signal?: AbortSignal;
  /**
   * After a note POST got no answer (timeout, connection lost), how long to keep looking for the
   * note before leaving it to a retry of the job. Default 30 s: GitLab.com ends a request after
   * 60 s, and the door gave up after 30 s, so by then the POST is done or never will be.
   */
  unansweredWaitMs?: number;
  /** Where chat notices are recorded as sent (absent: a chat notice step fails). */
  chat?: ChatLedger;
}

const UNANSWERED_WAIT_MS = 30_000;

/** How old the judged read of a card may be for a label fix or an assignee add to go without a re-read (ms). */
export const FRESH_READ_MS = 1000;

export type Applied =
  | { step: Step; sent: true; issue?: GIssue; note?: GNote; hook?: GHook }
  | { step: Step; sent: false; dryRun: true }
  /** Not sent: the card changed since it was judged, or already has what the edit would add. */
  | { step: Step; sent: false; skipped: string };

export interface ApplyReport {
  applied: Applied[];
  /** Writes sent to GitLab. */
  writes: number;
  /** Writes a dry-run logged instead of sending. */
  dryRunWrites: number;
}

/**
 * Dry-run for everything (global), or for one board's project. The only place that decides it.
 * A board tried in dry-run still needs its webhook, so hooks follow the global switch alone.
 */
export function isDryRun(config: RhythmConfig, step: Step): boolean {
  if (config.dryRun) return true;
  if (step.kind === 'enqueue' || step.kind === 'addHook' || step.kind === 'editHook' || step.kind === 'deleteHook') return false;
  return sameProjectBoard(config, step.project)?.dryRun ?? false;
}

/** The board configured for a project (GitLab paths are case-insensitive). */
export function sameProjectBoard(config: RhythmConfig, project: string): RhythmConfig['boards'][number] | undefined {
  const lower = project.toLowerCase();
  return config.boards.find((b) => b.project.toLowerCase() === lower);
}

/** What a step does, for people reading the log. */
function describe(step: Step): string {
  switch (step.kind) {
    case 'editIssue':
      return `edit ${step.project}#${step.iid}`;
    case 'createNote':
      return `post a note on ${step.project}#${step.iid}`;
    case 'editNote':
      return `edit note ${step.noteId} on ${step.project}#${step.iid}`;
    case 'deleteNote':
      return `delete duplicate note ${step.noteId} on ${step.project}#${step.iid}`;
    case 'createIssue':
      return `create ${step.what} in ${step.project}`;
    case 'reorderIssue':
      return `move ${step.project}#${step.iid} ${step.what}`;
    case 'addHook':
      return `add the webhook on ${step.project}`;
    case 'editHook':
      return `update webhook ${step.hookId} on ${step.project}`;
    case 'deleteHook':
      return `remove webhook ${step.hookId} on ${step.project}`;
    case 'enqueue':
      return `wake ${step.key}`;
    case 'chatNotice':
      return step.text === null ? `record chat notice ${step.notice} as known` : `send chat notice ${step.notice} for ${step.board}`;
    case 'forgetChatNotices':
      return `forget ${step.notices.length} lapsed chat notice(s) of ${step.board}`;
  }
}

/** The content of a write as it is logged: everything but secrets (a hook's token). */
function content(step: Step): object {
  if (step.kind === 'addHook' || step.kind === 'editHook') {
    return { ...step, spec: { ...step.spec, token: step.spec.token ? '[secret]' : '' } };
  }
  return step;
}

/** A write in one line: where it went and what kind it was, without its body. */
function summary(step: Exclude<Step, { kind: 'enqueue' }>): object {
  switch (step.kind) {
    case 'editIssue':
      return {
        project: step.project,
        iid: step.iid,
        because: step.because,
        fields: [...Object.keys(step.edit), ...(step.addAssignees?.length ? ['assignees'] : [])],
      };
    case 'createNote':
    case 'editNote':
      return { project: step.project, iid: step.iid, marker: step.marker, chars: step.body.length };
    case 'deleteNote':
      return { project: step.project, iid: step.iid, marker: step.marker, noteId: step.noteId };
    case 'createIssue':
      return { project: step.project, what: step.what };
    case 'reorderIssue':
      return { project: step.project, iid: step.iid, to: step.to };
    case 'addHook':
    case 'editHook':
      return { project: step.project, url: step.spec.url };
    case 'deleteHook':
      return { project: step.project, hookId: step.hookId, url: step.url };
    case 'chatNotice':
      return { board: step.board, notice: step.notice, sent: step.text !== null };
    case 'forgetChatNotices':
      return { board: step.board, notices: step.notices.length };
  }
}

/**
 * The backstop under every note: a body over GitLab's limit would be refused on every retry
 * until its job went dead, so it is cut (fitToLimit keeps the marker line) and the cut is logged.
 * Handlers render within the limit themselves; this only catches what one forgot.
 */
function withinLimit<S extends Extract<Step, { kind: 'createNote' | 'editNote' }>>(step: S, ctx: ApplyContext): S {
  if (step.body.length <= TEXT_LIMIT) return step;
  ctx.log.warn(
    { project: step.project, iid: step.iid, marker: step.marker, chars: step.body.length },
    "a note over GitLab's limit was cut",
  );
  return { ...step, body: fitToLimit(step.body) };
}

type EditIssue = Extract<Step, { kind: 'editIssue' }>;

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && new Set([...a, ...b]).size === new Set(a).size;

/**
 * An issue edit made against the card as it is now, not as it was read at the start of the job:
 * a label fix is skipped when the labels changed since the judgement (and the card is judged
 * again), and assignees are added to those the card has now. The job's own read of the card
 * confirms it when that read is fresh (FRESH_READ_MS); else the card is read once more.
 */
async function editIssue(step: EditIssue, ctx: ApplyContext): Promise<Applied> {
  const adding = (step.addAssignees?.length ?? 0) > 0;
  const rewriting = step.judgedDescription !== undefined;
  if (!step.judgedLabels && !adding && !rewriting) {
    return { step, sent: true, issue: await ctx.door.editIssue(step.project, step.iid, step.edit) };
  }
  // A read this fresh needs no second one: the window for a person's change is of the same order
  // as between a re-read and the PUT. Labels change by add/remove, never the whole set; assignees
  // (GitLab takes only the whole set) are added to those that read had, so the read must carry them.
  const age = step.readAt === undefined ? Infinity : performance.now() - step.readAt;
  // A description is rewritten whole, so it is always read again: no read is fresh enough.
  const fresh = !rewriting && age <= FRESH_READ_MS && (!adding || step.judgedAssignees !== undefined);
  let have: number[];
  if (fresh) {
    have = step.judgedAssignees ?? [];
  } else {
    const now = await ctx.door.getIssue(step.project, step.iid);
    if (step.judgedLabels && !sameSet(now.labels, step.judgedLabels)) {
      ctx.log.info(
        { project: step.project, iid: step.iid, judged: step.judgedLabels, now: now.labels },
        'the card changed since it was judged (a person moved it): edit skipped, the card is judged again',
      );
      await ctx.enqueue(issueKey(step.project, step.iid), 0);
      return { step, sent: false, skipped: 'the card changed since it was judged' };
    }
    have = now.assignees.map((a) => a.id);
    if (rewriting && (now.description ?? '') !== step.judgedDescription) {
      ctx.log.info(
        { project: step.project, iid: step.iid },
        'the description changed since it was judged: edit skipped, the issue is judged again',
      );
      await ctx.enqueue(issueKey(step.project, step.iid), 0);
      return { step, sent: false, skipped: 'the description changed since it was judged' };
    }
  }
  const edit = { ...step.edit };
  if (adding) {
    const missing = step.addAssignees!.filter((id) => !have.includes(id));
    if (missing.length > 0) edit.assigneeIds = [...have, ...missing];
  }
  if (Object.keys(edit).length === 0) return { step, sent: false, skipped: 'the card already has what the edit would add' };
  const issue = await ctx.door.editIssue(step.project, step.iid, edit);
  // GitLab kept fewer assignees than asked, and the door learned it keeps one per issue here
  // (GitLab Free): the note just written says otherwise, so the card is judged again, once.
  if (step.addAssignees?.some((id) => !issue.assignees.some((a) => a.id === id)) && ctx.door.singleAssignee?.(step.project)) {
    ctx.log.warn({ project: step.project, iid: step.iid }, 'GitLab keeps one assignee per issue here: the card is judged again');
    await ctx.enqueue(issueKey(step.project, step.iid), 0);
  }
  return { step, sent: true, issue };
}

async function send(step: Exclude<Step, { kind: 'enqueue' }>, ctx: ApplyContext): Promise<Applied> {
  const { door } = ctx;
  switch (step.kind) {
    case 'editIssue':
      return editIssue(step, ctx);
    case 'createNote':
      return { step, sent: true, note: await createNote(withinLimit(step, ctx), ctx) };
    case 'deleteNote':
      await door.deleteNote(step.project, step.iid, step.noteId);
      return { step, sent: true };
    case 'editNote': {
      const { body } = withinLimit(step, ctx);
      return { step, sent: true, note: await door.editNote(step.project, step.iid, step.noteId, body) };
    }
    case 'createIssue':
      return { step, sent: true, issue: await door.createIssue(step.project, step.issue) };
    case 'reorderIssue':
      await door.reorderIssue(step.project, step.iid, step.to);
      return { step, sent: true };
    case 'addHook':
      return { step, sent: true, hook: await door.addHook(step.project, step.spec) };
    case 'editHook':
      return { step, sent: true, hook: await door.editHook(step.project, step.hookId, step.spec) };
    case 'deleteHook':
      await door.deleteHook(step.project, step.hookId);
      return { step, sent: true };
    case 'chatNotice':
      await sendChatNotice(step, ctx.config, ctx.chat, ctx.signal);
      return { step, sent: true };
    case 'forgetChatNotices':
      await forgetChatNotices(step, ctx.chat);
      return { step, sent: true };
  }
}

type CreateNote = Extract<Step, { kind: 'createNote' }>;

/**
 * The marker a note is known by: the first line of its body, when that is a Rhythm marker
 * (`<!-- rhythm:… -->`, as comments/marker.ts writes them and findBotNote reads them).
 */
function markerLine(body: string): string | null {
  const first = body.trimStart().split('\n', 1)[0]?.trim() ?? '';
  return /^<!-- rhythm:\S+ -->$/.test(first) ? first : null;
}

/** The bot's own notes carrying `marker` on their first line, oldest first (findBotNote's reading). */
function botNotesWith(notes: readonly GNote[], bot: string, marker: string): GNote[] {
  const me = bot.toLowerCase();
  return notes
    .filter((n) => !n.system && n.author?.username?.toLowerCase() === me && markerLine(n.body) === marker)
    .sort((a, b) => a.id - b.id);
}

/**
 * Posts a note once. Without a clear answer, the note is looked for by its marker (GitLab may
 * have saved it): found, it is taken as posted; not found, the step fails and the job's retry
 * decides again. After a note is made, the issue's notes are read once more: if another process
 * posted the same marker meanwhile, the oldest note stays and the newer ones go, so racers end on
 * one note whichever of them looks last. A step whose handler reads the notes again when their
 * count is not the one it expects (`twinsFoundLater`: the card's) leaves the twin to that read.
 */
async function createNote(step: CreateNote, ctx: ApplyContext): Promise<GNote> {
  const marker = markerLine(step.body);
  let posted: GNote;
  try {
    posted = await ctx.door.createNote(step.project, step.iid, step.body);
  } catch (err) {
    const doubt = writeDoubt(err);
    if (!doubt || !marker) throw err;
    const waitMs = doubt === 'answered' ? 0 : (ctx.unansweredWaitMs ?? UNANSWERED_WAIT_MS);
    const seen = await lookForNote(step, marker, waitMs, ctx);
    if (!seen) {
      const waited = waitMs > 0 ? ` within ${Math.round(waitMs / 100) / 10} s` : '';
      throw new Error(`${(err as Error).message}; no note with ${marker} appeared${waited}, so the job's retry decides again`, {
        cause: err,
      });
    }
    ctx.log.warn(
      { project: step.project, iid: step.iid, marker, noteId: seen.note.id, err: (err as Error).message },
      'the note POST got no clear answer, but GitLab has the note: taken as posted',
    );
    return keepOne(step, marker, seen.notes, seen.note, ctx);
  }
  if (!marker || step.twinsFoundLater) return posted;
  return keepOne(step, marker, await ctx.door.listNotes(step.project, step.iid), posted, ctx);
}

/** Reads the notes until a bot note with `marker` is there or `waitMs` is over (at least once). */
async function lookForNote(
  step: CreateNote,
  marker: string,
  waitMs: number,
  ctx: ApplyContext,
): Promise<{ notes: GNote[]; note: GNote } | null> {
  const deadline = Date.now() + waitMs;
  let pause = 250;
  for (;;) {
    const notes = await ctx.door.listNotes(step.project, step.iid);
    const [note] = botNotesWith(notes, ctx.config.gitlab.botUsername, marker);
    if (note) return { notes, note };
    const left = deadline - Date.now();
    if (left <= 0) return null;
    await sleepReal(Math.min(pause, left), ctx.signal);
    pause *= 2;
  }
}

/**
 * One bot note per marker: the oldest stays, every newer one the bot wrote with that marker goes
 * (nobody else's note is ever touched). When the note this step posted is not the one kept, the
 * kept one is brought to this step's body, which is the newest judgement of the card.
 */
async function keepOne(step: CreateNote, marker: string, notes: readonly GNote[], mine: GNote, ctx: ApplyContext): Promise<GNote> {
  const bot = ctx.config.gitlab.botUsername;
  const carrying = botNotesWith(notes, bot, marker);
  if (!carrying.some((n) => n.id === mine.id) && botNotesWith([mine], bot, marker).length === 1) {
    carrying.push(mine);
    carrying.sort((a, b) => a.id - b.id);
  }
  const [kept, ...newer] = carrying;
  if (!kept || newer.length === 0) return mine;
  for (const extra of newer) {
    const where = { project: step.project, iid: step.iid, marker, kept: kept.id, duplicate: extra.id };
    try {
      await ctx.door.deleteNote(step.project, step.iid, extra.id);
    } catch (err) {
      // The note this step wanted is there; a retry would not delete better (DELETE was retried).
      ctx.log.error({ ...where, err: (err as Error).message }, 'could not delete a duplicate bot note; a person may delete it');
      continue;
    }
    ctx.log.warn(where, 'two bot notes carried one marker (another process posted it too): kept the oldest, deleted the newer');
  }
  if (kept.id === mine.id || kept.body.trim() === step.body.trim()) return kept;
  return ctx.door.editNote(step.project, step.iid, kept.id, step.body);
}

/**
 * The order writes are made in: the handler's, except that a note on an issue goes before that
 * issue's edits. A note explains a fix (a card moved back to plan, a moderator assigned); made
 * first, the fix is never there without its explanation. If the note fails, nothing changed and
 * the retry judges the same move again; if the edit fails (after the transport's own retries,
 * a PUT being safe to resend), the retry finds the note and makes the edit.
 */
export function inWriteOrder(steps: readonly Step[]): Step[] {
  const ordered: Step[] = [];
  for (const step of steps) {
    const edit =
      step.kind === 'createNote' || step.kind === 'editNote'
        ? ordered.findIndex((s) => s.kind === 'editIssue' && s.project === step.project && s.iid === step.iid)
        : -1;
    if (edit >= 0) ordered.splice(edit, 0, step);
    else ordered.push(step);
  }
  return ordered;
}

/** A write GitLab refused, with what Rhythm was doing: people read this in the job's error. */
export class WriteError extends Error {
  override name = 'WriteError';
  /** The step GitLab refused. */
  step?: Step;
}

/**
 * Carries out steps in write order (inWriteOrder); stops at the first write GitLab refuses (the
 * job is retried whole, and decides again from what GitLab then says).
 */
export async function apply(steps: readonly Step[], ctx: ApplyContext): Promise<ApplyReport> {
  const report: ApplyReport = { applied: [], writes: 0, dryRunWrites: 0 };
  for (const step of inWriteOrder(steps)) {
    if (step.kind === 'enqueue') {
      await ctx.enqueue(step.key, step.delayMs);
      continue;
    }
    const what = describe(step);
    if (isDryRun(ctx.config, step)) {
      ctx.log.info({ dryRun: true, write: step.kind, ...content(step) }, `dry-run: would ${what}`);
      report.applied.push({ step, sent: false, dryRun: true });
      report.dryRunWrites += 1;
      continue;
    }
    let done: Applied;
    try {
      done = await send(step, ctx);
    } catch (err) {
      const refused = new WriteError(`could not ${what}: ${(err as Error).message}`, { cause: err });
      refused.step = step;
      throw refused;
    }
    report.applied.push(done);
    if (!done.sent) continue;
    // What was sent, in full at debug (a note body is kilobytes); what was done, at info.
    ctx.log.debug({ write: step.kind, ...content(step) }, what);
    ctx.log.info({ write: step.kind, ...summary(step) }, what);
    if (isWrite(step)) report.writes += 1;
  }
  return report;
}
