// A card on a Skills Exchange board: read what GitLab says now (and what the enabled rules ask
// for), judge it, and plan the fixes and the one note. Level-triggered: the deliveries only say
// which card to look at and which column move just happened. With the card memory (memory.ts),
// a decision reads only what changed since the last one: one GET of the card to confirm, and the
// notes, the label history, a user or the column only when the decision needs them again.
import { performance } from 'node:perf_hooks';
import type { SkillsExchangeBoard } from '../../config/types.js';
import { chatKey, columnKey, dashboardKey, issueKey, onboardingKey } from '../../engine/keys.js';
import { isDashboardIssue } from '../dashboard/index.js';
import type { HandlerFor, LoadContext } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import type { GIssue, GNote } from '../../gitlab/types.js';
import { isGone } from '../../gitlab/transport.js';
import { checkIssue, enabledRules, isNewJudgement, judgeMove } from '../../rules/index.js';
import { alikeFromAnyColumn, beforeBaseline, judgedMoveAt } from '../../rules/transition.js';
import { confirmedMove } from './delivered.js';
import { boardBaseline, isOnboardingIssue, ONBOARDING_DEBOUNCE_MS, onboardingWanted, untouchedSince } from '../onboarding/baseline.js';
import { calendarToday, hasRecordingLink, lastAddedAt, lastStatusMove, statusOf } from '../../card/index.js';
import type { ColumnPeer, IssueSnapshot, RuleContext } from '../../rules/types.js';
import type { StatusMove } from '../../card/status-move.js';
import type { HookEvent } from '../../webhook/event.js';
import { planFixes, planIssue, type Judgement } from './plan.js';
import { noteMarker } from '../../comments/index.js';
import { labelHistoryFromEvents, toSnapshot } from '../../card/snapshot.js';
import { toNotesView, type NotesView } from './notes.js';
import {
  cardFingerprint,
  dueDateSetWithin,
  readMemo,
  rememberCard,
  statusKey,
  type CardKnowledge,
  type CardMemo,
  type Recalled,
} from './memory.js';

/** The card as remembered before this job, to tell what changed: its column, date and state. */
export type PreviousCard = { labels: string[]; dueDate: string | null; state: 'opened' | 'closed' } | 'unknown';

export interface CardState {
  board: SkillsExchangeBoard;
  botUsername: string;
  timezone: string;
  now: Date;
  issue: IssueSnapshot;
  /** Assignee ids as GitLab has them now, by username (lower-case). */
  assigneeIds: Record<string, number>;
  /** The notes as GitLab answered them, or their view (read once, or remembered). */
  notes: readonly GNote[] | NotesView;
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
  /**
   * The card as the memory had it ('unknown': the memory is in use and had nothing): a change the
   * deliveries do not tell (the bot was down) still wakes the column and the clashing cards.
   */
  previous?: PreviousCard;
  /** performance.now() of the read the labels come from (apply.ts may take it as its re-read). */
  readAt?: number;
  /** What the memory keeps of this job (absent: no memory in this run). */
  knowledge?: CardKnowledge;
  /** GitLab keeps one assignee per issue in this project (GitLab Free), as the door learned. */
  singleAssignee?: boolean;
  /** Nobody has changed the card since the board's baseline: nothing is written on it (onboarding/). */
  held?: boolean;
  /** The last move, made before the baseline, that would have been judged without one (never is). */
  pastMove?: StatusMove;
  /** The card is from before the baseline: it is (or was) on the onboarding issue, which hears of its jobs. */
  onboardingKey?: string;
  /** The history read lags the card (historyLags): the card is read again shortly. */
  wakeAgain?: true;
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
 * written before notes recorded it counts from its last edit, as it always did. `exact` gives the
 * instant of the move a record names (an approximate record's, read against the label history).
 */
function judgedSoFar(
  notes: NotesView,
  exact: (recorded: Judgement) => string,
): { recorded: Judgement | null; judgedAt: string | null; judgedRevert: boolean } {
  const status = notes.bot[noteMarker('status')];
  const checklist = notes.bot[noteMarker('checklist')];
  const recorded = status?.judged ?? null;
  const at = recorded ? exact(recorded) : null;
  const judgedAt = latest(at ?? (status ? status.updatedAt : null), checklist?.createdAt);
  return { recorded, judgedAt, judgedRevert: !!recorded && at === judgedAt && recorded.revert };
}

/** A scheduled card whose day has passed may be owed a recording reminder: that needs the history. */
function recordingMayBeDue(issue: IssueSnapshot, board: SkillsExchangeBoard, ctx: LoadContext): boolean {
  if (!board.reminders.afterUntilRecording || !issue.dueDate || statusOf(issue.labels, board) !== 'scheduled') return false;
  return issue.dueDate < calendarToday(ctx.now, ctx.config.timezone);
}

/**
 * Whether the recording reminder is still a question people's notes answer: the day has passed
 * on a card in (or, once fixed, left in) the scheduled column, and neither the bot's asking nor
 * a link in the description settles it.
 */
function recordingQuestion(issue: IssueSnapshot, board: SkillsExchangeBoard, ctx: LoadContext, memo: CardMemo): boolean {
  if (!board.reminders.afterUntilRecording || !issue.dueDate || issue.state !== 'opened') return false;
  const status = statusOf(issue.labels, board);
  if (status !== 'scheduled' && status !== 'both') return false;
  if (!(issue.dueDate < calendarToday(ctx.now, ctx.config.timezone))) return false;
  if (memo.notes?.askedForRecording) return false;
  return !hasRecordingLink([issue.description]);
}

/** The open cards of a column as the date-clash rule compares them, by iid. */
export function columnPeersOf(issues: readonly GIssue[], label: string): ColumnPeer[] {
  return issues
    .filter((i) => i.state === 'opened' && i.labels.includes(label))
    .map((i) => ({ iid: i.iid, title: i.title, dueDate: i.due_date }))
    .sort((a, b) => a.iid - b.iid);
}

async function columnPeers(ctx: LoadContext, project: string, label: string): Promise<ColumnPeer[]> {
  const key = columnKey(project, label);
  const now = ctx.now.getTime();
  const cached = ctx.columns.get(key, now);
  if (cached) return cached;
  const issues = await ctx.gitlab.listIssues(project, { labels: [label], state: 'opened' });
  const peers = columnPeersOf(issues, label);
  ctx.columns.set(key, peers, now, undefined, issues);
  return peers;
}

const inColumn = (card: { labels: readonly string[]; state: string }, label: string) =>
  card.state === 'opened' && card.labels.includes(label);

/**
 * Did a card enter or leave the scheduled column, or change its date? Then the column needs a
 * pass. Told by the deliveries, by the bot's own steps, and by what the memory had of the card.
 */
function touchesColumn(
  card: { events: readonly HookEvent[]; issue: IssueSnapshot; previous?: PreviousCard | undefined },
  steps: readonly Step[],
  board: SkillsExchangeBoard,
): boolean {
  const label = board.labels.scheduled;
  for (const event of card.events) {
    if (event.kind !== 'issue') continue;
    const inColumnNow = event.labels.includes(label);
    if (inColumnNow && event.changed.includes('due_date')) return true;
    const change = event.labelChange;
    if (change && change.previous.includes(label) !== change.current.includes(label)) return true;
    if (inColumnNow && (event.action === 'open' || event.action === 'reopen' || event.action === 'close')) return true;
  }
  const { previous, issue } = card;
  if (previous === 'unknown') {
    if (inColumn(issue, label)) return true;
  } else if (previous) {
    const before = inColumn(previous, label);
    const now = inColumn(issue, label);
    if (before !== now || ((before || now) && previous.dueDate !== issue.dueDate)) return true;
  }
  return steps.some((s) => s.kind === 'editIssue' && (s.edit.addLabels?.includes(label) || s.edit.removeLabels?.includes(label)));
}

/**
 * The dates on which this change may start or end a clash: the card's date while it is in the
 * column now, and the dates it had while it was in the column before (as the memory had it, and
 * as each delivery tells). A card that was never in the column on a date changes no clash there.
 */
function clashDates(
  card: { events: readonly HookEvent[]; issue: IssueSnapshot; previous?: PreviousCard | undefined },
  label: string,
): Set<string> {
  const dates = new Set<string>();
  const { issue, previous } = card;
  if (issue.dueDate && inColumn(issue, label)) dates.add(issue.dueDate);
  if (previous && previous !== 'unknown' && previous.dueDate && inColumn(previous, label)) dates.add(previous.dueDate);
  for (const event of card.events) {
    if (event.kind !== 'issue') continue;
    const wasIn = event.labelChange ? event.labelChange.previous.includes(label) : event.labels.includes(label);
    const before = event.previousDueDate !== undefined ? event.previousDueDate : issue.dueDate;
    if (wasIn && before) dates.add(before);
  }
  return dates;
}

/**
 * The cards this one shared a date with before this change, or shares one with now: each judges
 * its own note again (a clash is shown on both cards, and leaves both when it ends). Only for
 * a change a person made to this card; a card woken this way wakes no one (no ping-pong). What
 * the memory had of a woken card's column no longer holds: it reads the column again.
 */
function clashPeersToWake(state: CardState, steps: readonly Step[]): Step[] {
  const { board, issue } = state;
  if (!board.rules.conflict.enabled || !touchesColumn(state, steps, board)) return [];
  const dates = clashDates(state, board.labels.scheduled);
  return state.scheduledPeers
    .filter((peer) => peer.dueDate !== null && dates.has(peer.dueDate))
    .map((peer) => ({
      kind: 'enqueue' as const,
      key: issueKey(issue.project, peer.iid),
      delayMs: 0,
      ...(state.knowledge ? { forgetMemory: true } : {}),
    }));
}

/**
 * A status label added or removed by a delivered change the remembered history may not have. A
 * change in the history's last second may be in it or not: it is known only when the history,
 * read or kept as of the card's updated_at now, ends with this very move or with the bot's own
 * answer to it (knownMove). The card's updated_at alone says nothing of it: GitLab writes a
 * move's label events just after it saves the card, and a job that read the card in between
 * kept a history without the move.
 */
function deliveredMove(
  events: readonly HookEvent[],
  board: SkillsExchangeBoard,
  history: NonNullable<CardMemo['history']>,
  card: { updatedAt: string; labels: readonly string[] },
  botUsername: string,
): boolean {
  const known = Date.parse(history.at);
  return events.some((e) => {
    if (e.kind !== 'issue' || !e.labelChange) return false;
    if (statusKey(e.labelChange.previous, board) === statusKey(e.labelChange.current, board)) return false;
    // A hook's time has whole seconds: a change is known only when its whole second is.
    const at = e.at ? Date.parse(e.at) : NaN;
    if (!(Number.isNaN(at) || Number.isNaN(known) || at + 1000 > known)) return false;
    return !(history.at === card.updatedAt && knownMove(history.move, e.labelChange, at, card.labels, board, botUsername));
  });
}

/** How recent a card's updated_at must be for a history that does not lead to its column to be a lagging one. */
const HISTORY_LAG_WINDOW_MS = 60_000;
/** How long after a lagging history read the card is read again (GitLab's gap is far shorter). */
const HISTORY_LAG_RECHECK_MS = 5_000;

/**
 * The history just read ends with a move that does not lead to the card's column, and the card
 * changed just now: GitLab saved the card and has not yet written that change's label events.
 * Such a history is not complete as of the card's updated_at, so it is not remembered. A card
 * imported with labels and no label events looks the same forever: only a recent change counts.
 */
function historyLags(
  move: StatusMove | null,
  labels: readonly string[],
  updatedAt: string,
  now: Date,
  board: SkillsExchangeBoard,
): boolean {
  if (!move || statusKey(move.current, board) === statusKey(labels, board)) return false;
  const age = now.getTime() - Date.parse(updatedAt);
  return Number.isFinite(age) && Math.abs(age) <= HISTORY_LAG_WINDOW_MS;
}

/**
 * The remembered last move is the delivered one (the same columns, in the delivery's second: as
 * confirmedMove, the bot's own write or a read after it left it), or the bot's own move out of
 * the column it brought the card to, no earlier: the bot's fix of it, while the card is still
 * where that fix left it (a person's move back in the same second is not known).
 */
function knownMove(
  move: StatusMove | null,
  change: { previous: readonly string[]; current: readonly string[] },
  at: number,
  labels: readonly string[],
  board: SkillsExchangeBoard,
  botUsername: string,
): boolean {
  if (!move || Number.isNaN(at)) return false;
  const second = Math.floor(at / 1000);
  const moved = Math.floor(Date.parse(move.at) / 1000);
  const to = statusKey(change.current, board);
  if (statusKey(move.previous, board) === statusKey(change.previous, board) && statusKey(move.current, board) === to) {
    return moved === second;
  }
  return (
    move.by.toLowerCase() === botUsername.toLowerCase() &&
    statusKey(move.previous, board) === to &&
    statusKey(move.current, board) === statusKey(labels, board) &&
    moved >= second
  );
}

/** How many notes the deliveries tell were written (each note once; an edit writes none). */
function newNotesTold(events: readonly HookEvent[]): number {
  const told = new Set<string>();
  events.forEach((e, i) => {
    if (e.kind === 'note' && e.action !== 'update') told.add(e.noteId !== undefined ? `#${e.noteId}` : `?${i}`);
  });
  return told.size;
}

/**
 * A step with what the executor needs to skip its own reads (apply.ts). A racer's twin note is
 * left to the next job only when this run has the memory: that job's note count is what finds it.
 * Without one (a sweep with no database) nothing remembers the count, so the executor looks now.
 */
function withReadFacts(step: Step, state: CardState): Step {
  if (step.kind === 'createNote') return state.knowledge ? { ...step, twinsFoundLater: true } : step;
  if (step.kind !== 'editIssue' || (!step.judgedLabels && !step.addAssignees?.length) || state.readAt === undefined) return step;
  return { ...step, readAt: state.readAt, judgedAssignees: Object.values(state.assigneeIds) };
}

/** How long a sweep's listing of a card stands in for a GET of it (a long sweep's last jobs re-read). */
const LISTING_KEEPS_MS = 10 * 60_000;

/** The memory of this card, when the run has one and may use it. */
async function recall(ctx: LoadContext, key: string): Promise<Recalled | null> {
  if (!ctx.memory || ctx.fullRead) return null;
  const row = await ctx.memory.get(key);
  return row ? readMemo(row) : null;
}

/** What the rules judge a loaded card with (decide's, and what `rhythm explain` shows). */
export function ruleContextOf(state: CardState): RuleContext {
  return {
    board: state.board,
    now: state.now,
    timezone: state.timezone,
    botUsername: state.botUsername,
    users: state.users,
    scheduledPeers: state.scheduledPeers,
    ...(state.lastMove ? { lastMove: state.lastMove } : {}),
    ...(state.dueDateSetAt ? { dueDateSetAt: state.dueDateSetAt } : {}),
    ...(state.singleAssignee ? { singleAssignee: true } : {}),
  };
}

export const card: HandlerFor<'card', CardState> = {
  kind: 'card',

  async load(key, events, ctx) {
    const board = boardFor(ctx, key.project);
    if (!board) return { skip: 'project is not configured' };
    const { gitlab, config } = ctx;
    const keyName = issueKey(key.project, key.iid);
    const recalled = await recall(ctx, keyName);
    const memo = recalled?.memo ?? null;

    // The card: the sweep's listing when no delivery came since it and it is at least as new as
    // the memory; else one GET.
    let found: GIssue;
    let readAt: number;
    // Found changed by an incremental sweep (not one listing every card).
    let fromListing = false;
    const listed = ctx.listed?.get(keyName);
    ctx.listed?.delete(keyName);
    const usable =
      listed !== undefined &&
      events.length === 0 &&
      performance.now() - listed.at <= LISTING_KEEPS_MS &&
      (!recalled || Date.parse(listed.issue.updated_at) >= Date.parse(recalled.row.updatedAt));
    if (listed && usable) {
      found = listed.issue;
      readAt = listed.at;
      fromListing = listed.incremental === true;
    } else {
      try {
        readAt = performance.now();
        found = await gitlab.getIssue(key.project, key.iid);
      } catch (err) {
        if (isGone(err)) return { skip: 'issue is gone', forget: true };
        throw err;
      }
    }
    // A task is a work item GitLab lists with issues (its hooks say work_item): not a card.
    if (found.issue_type === 'task') return { skip: 'a task, not a card' };
    if (isDashboardIssue(found, config.gitlab.botUsername)) return { skip: "the board's dashboard issue, not a card", forget: true };
    // The card as read goes into the cached column listings (a move, a new date since the listing).
    ctx.columns.patch(key.project, found, readAt);
    const issue = toSnapshot(key.project, found);
    const rules = enabledRules(board);
    const bot = config.gitlab.botUsername.toLowerCase();
    if (isOnboardingIssue(found, bot)) return { skip: 'the board’s onboarding issue' };
    const baseline = await boardBaseline(ctx, board.project);

    // Is GitLab's copy the one remembered? The same updated_at and fields, or the card as the
    // bot's own writes left it (GitLab moved updated_at; nothing else changed).
    const row = recalled?.row;
    const same = !!row && row.fingerprint === cardFingerprint(found) && (row.updatedAt === found.updated_at || row.selfWritten === true);
    const changed = !!memo && !same;

    // The notes: read unless the memory holds what the plan needs of them. A note count lower than
    // the bot expects means a note was deleted (maybe the bot's): read. A comment alone does not
    // need reading, unless the recording reminder is the question its words may answer.
    const count = found.user_notes_count;
    const noteLost = changed && (count === undefined || memo.notesCount === null || count < memo.notesCount);
    const noteDelivered = events.some((e) => e.kind === 'note');
    // More notes than the bot expects and the deliveries tell of: a note no delivery announced (a
    // twin another process posted beside the bot's own, which the executor leaves to this read).
    const noteUntold = changed && count !== undefined && memo.notesCount !== null && count > memo.notesCount + newNotesTold(events);
    // Someone else edited (or wrote over) one of the bot's own notes: read what it says now.
    const botNoteEdited =
      !!memo?.notes &&
      events.some(
        (e) =>
          e.kind === 'note' &&
          e.noteId !== undefined &&
          e.actor.toLowerCase() !== bot &&
          Object.values(memo.notes!.bot).some((n) => n.id === e.noteId),
      );
    const dueChanged = !!memo && memo.dueDateSetAt?.dueDate !== issue.dueDate;
    const dueSetAt =
      memo && dueChanged ? dueDateSetWithin(issue.dueDate, recalled!.row.updatedAt, found.updated_at, config.timezone) : undefined;
    // With no delivery to say how the card changed (the sweep catching what GitLab never
    // delivered), the notes are read too: a bot note edited by someone leaves the count as it was.
    const readNotes =
      !memo ||
      !memo.notes ||
      noteLost ||
      noteUntold ||
      botNoteEdited ||
      (events.length === 0 && changed) ||
      (dueChanged && dueSetAt === undefined) ||
      (recordingQuestion(issue, board, ctx, memo) && (changed || noteDelivered));
    const notes = readNotes ? toNotesView(await gitlab.listNotes(key.project, key.iid), bot) : { ...memo.notes!, duplicates: [] };
    const dueDateSetAt = readNotes
      ? (latest(found.created_at, notes.dueDateChangedAt) ?? undefined)
      : dueChanged
        ? dueSetAt
        : (memo.dueDateSetAt?.at ?? undefined);

    // Users: the remembered answer for a name the memory knows, else GitLab's (looked up when
    // the readiness of a delivered move asks first, or after the history).
    const users: RuleContext['users'] = {};
    const names = new Set(rules.flatMap((r) => r.needs?.users?.(issue) ?? []).map((n) => n.toLowerCase()));
    const lookUpUsers = async () => {
      for (const name of names) {
        if (!(name in users)) users[name] = memo && name in memo.users ? memo.users[name]! : await gitlab.findUser(name);
      }
    };
    // What the enabled rules ask for, for this card, and nothing else.
    // Moves are judged from GitLab's own label history. The history is read again when the card's
    // column differs from the one remembered, when a delivery tells of a column move the
    // remembered history does not have, or when the card changed with no delivery telling how (the
    // sweep, catching what GitLab never delivered); but not for a delivery's move that this GET and
    // the memory confirm (delivered.ts) and whose fix is the same from whichever column the card
    // came (transition.ts): that move is the history's last one as far as any outcome can tell.
    let lastMove: StatusMove | undefined;
    let pastMove: StatusMove | undefined;
    let history: CardKnowledge['history'] = memo?.history ?? null;
    // A history read before GitLab wrote the card's last change into it (historyLags).
    let lagging = false;
    // An approximate record names the first person's move from its instant on: as this history
    // read finds it, or as the remembered history found it.
    const exactAt = (recorded: Judgement) =>
      recorded.approx && history?.resolved?.record === recorded.at ? history.resolved.at : recorded.at;
    let judged = judgedSoFar(notes, exactAt);
    let judgement = judged.recorded;
    let judgedNow = false;
    let confirmed = false;
    let scheduledAt: string | null | undefined;
    if (rules.some((r) => r.needs?.labelHistory?.(issue, board)) || recordingMayBeDue(issue, board, ctx)) {
      const readHistory =
        !memo ||
        !memo.history ||
        statusKey(memo.labels, board) !== statusKey(issue.labels, board) ||
        deliveredMove(events, board, memo.history, { updatedAt: found.updated_at, labels: issue.labels }, config.gitlab.botUsername) ||
        (events.length === 0 && changed);
      const told = readHistory ? confirmedMove(events, found, recalled, board, config.gitlab.botUsername) : null;
      const alike = async (move: StatusMove) => {
        if (!board.rules.transition.enabled) return true;
        await lookUpUsers();
        const judging: RuleContext = {
          board,
          now: ctx.now,
          timezone: config.timezone,
          botUsername: config.gitlab.botUsername,
          users,
          scheduledPeers: [], // readiness never looks at the column
          ...(dueDateSetAt ? { dueDateSetAt } : {}),
          ...(gitlab.singleAssignee?.(key.project) ? { singleAssignee: true } : {}),
        };
        return alikeFromAnyColumn(issue, judging, board.rules.transition.mode, move);
      };
      // When the card last entered the scheduled column: this move, or the remembered history's
      // answer. Without that history, a card in the column that did not just enter it (it only
      // left plan) needs the history read; out of the column, it matters again only once the card
      // enters, which that move or a history read then tells.
      const before = memo?.history ?? null;
      const entered = (move: StatusMove) =>
        !move.previous.includes(board.labels.scheduled) && move.current.includes(board.labels.scheduled);
      const scheduledAtKnown = (move: StatusMove) => !!before || entered(move) || !move.current.includes(board.labels.scheduled);
      if (told && scheduledAtKnown(told) && (await alike(told))) {
        confirmed = true;
        history = {
          move: told,
          scheduledAt: entered(told) ? told.at : (before?.scheduledAt ?? null),
          at: found.updated_at,
          ...(before?.resolved ? { resolved: before.resolved } : {}),
        };
      } else if (readHistory) {
        const changes = labelHistoryFromEvents(await gitlab.labelEvents(key.project, key.iid));
        const recorded = judged.recorded;
        const resolvedAt = recorded?.approx ? judgedMoveAt(changes, recorded, { botUsername: config.gitlab.botUsername, board }) : null;
        history = {
          move: lastStatusMove(changes, board),
          scheduledAt: lastAddedAt(changes, board.labels.scheduled),
          at: found.updated_at,
          ...(recorded?.approx && resolvedAt ? { resolved: { record: recorded.at, at: resolvedAt } } : {}),
        };
        lagging = historyLags(history.move, issue.labels, found.updated_at, ctx.now, board);
        judged = judgedSoFar(notes, exactAt);
      }
      const evidence = {
        judgedAt: judged.judgedAt,
        judgedRevert: judged.judgedRevert,
        botUsername: config.gitlab.botUsername,
        baseline,
      };
      lastMove = judgeMove(history!.move, evidence);
      if (!lastMove && history!.move && beforeBaseline(history!.move, evidence)) {
        pastMove = judgeMove(history!.move, { ...evidence, baseline: null });
      }
      if (isNewJudgement(lastMove, evidence)) {
        judgement = { at: lastMove!.at, revert: false, ...(confirmed ? { approx: true } : {}) };
        judgedNow = true;
      }
      scheduledAt = history!.scheduledAt;
    }

    await lookUpUsers();

    // A clash is told on both cards: a card that comes to, or leaves, a date in the column needs
    // the column's other cards, to wake those it shared (or now shares) the date with. The
    // remembered cards on its date serve while its date and column are as remembered and a
    // delivery (not a wake: a peer that changed wakes it) brought the job. A card an incremental
    // sweep found changed and the memory never had (made while the bot was down) may have come
    // to the column: its peers are woken, as its deliveries would have.
    const previous: PreviousCard | undefined = memo
      ? { labels: memo.labels, dueDate: memo.dueDate, state: memo.state }
      : fromListing && ctx.memory && !ctx.fullRead
        ? 'unknown'
        : undefined;
    const dates = clashDates({ events, issue, previous }, board.labels.scheduled);
    const clashMayMove = board.rules.conflict.enabled && touchesColumn({ events, issue, previous }, [], board) && dates.size > 0;
    // A card that left the column wakes the cards it shared its one date with: the memory has them
    // (a card that came to that date since woke this one, and this one's memory was dropped).
    const remembered = memo?.peers ?? null;
    const leftFromRemembered =
      clashMayMove && remembered !== null && !inColumn(issue, board.labels.scheduled) && [...dates].every((d) => d === remembered.dueDate);
    let scheduledPeers: ColumnPeer[] = [];
    let peers: CardKnowledge['peers'] = null;
    if (rules.some((r) => r.needs?.columnPeers?.(issue, board)) || clashMayMove) {
      if (leftFromRemembered || (!clashMayMove && events.length > 0 && remembered && remembered.dueDate === issue.dueDate)) {
        peers = remembered;
        scheduledPeers = remembered.peers;
      } else {
        scheduledPeers = (await columnPeers(ctx, key.project, board.labels.scheduled)).filter((p) => p.iid !== key.iid);
        if (issue.dueDate) peers = { dueDate: issue.dueDate, peers: scheduledPeers.filter((p) => p.dueDate === issue.dueDate) };
      }
    }

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
        ...(previous ? { previous } : {}),
        readAt,
        ...(gitlab.singleAssignee?.(key.project) ? { singleAssignee: true } : {}),
        ...(untouchedSince(found.updated_at, baseline) ? { held: true } : {}),
        ...(pastMove ? { pastMove } : {}),
        ...(baseline && onboardingWanted(config, board) && untouchedSince(found.created_at, baseline)
          ? { onboardingKey: onboardingKey(board.project) }
          : {}),
        ...(ctx.memory
          ? {
              knowledge: {
                key: keyName,
                found,
                notes,
                // A lagging history is not complete as of updated_at: the next job reads it again.
                history: lagging ? null : history,
                peers,
                dueDateSetAt,
                recalled: ctx.fullRead ? null : recalled,
              },
            }
          : {}),
        // Once per change of the card: a wake that still finds the history lagging (the memory
        // already lacks it for this updated_at) leaves it to the next delivery or sweep.
        ...(ctx.memory && lagging && !(recalled && memo?.history === null && recalled.row.updatedAt === found.updated_at)
          ? { wakeAgain: true as const }
          : {}),
      },
    };
  },

  decide(state) {
    const { board, issue } = state;
    const ruleCtx = ruleContextOf(state);
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
    // A guarded fix carries when the card was read and the assignees it had: a read that fresh
    // serves as the executor's own re-read (apply.ts). With the memory, a racer's twin note is left
    // to the next read of this card, which reads the notes when their count is not the one remembered.
    const steps = plan.steps.map((step) => withReadFacts(step, state));
    if (board.order.enabled && touchesColumn(state, steps, board)) {
      steps.push({ kind: 'enqueue', key: columnKey(issue.project, board.labels.scheduled), delayMs: board.order.debounceMs });
    }
    steps.push(...clashPeersToWake(state, plan.steps));
    // A person changed the card: the dashboard shows it after the burst (the key coalesces).
    if (board.dashboard?.enabled && state.events.length > 0) {
      steps.push({ kind: 'enqueue', key: dashboardKey(board.name), delayMs: board.dashboard.debounceMs });
    }
    // And its chat notices (a card scheduled, a recording posted), once the burst is over too.
    if (board.chat?.webhookUrl && state.events.length > 0) {
      steps.push({ kind: 'enqueue', key: chatKey(board.name), delayMs: board.dashboard?.debounceMs ?? 10_000 });
    }
    if (state.onboardingKey) steps.push({ kind: 'enqueue', key: state.onboardingKey, delayMs: ONBOARDING_DEBOUNCE_MS });
    // The history read lagged the card: read it again once GitLab has written the change into it.
    if (state.wakeAgain) steps.push({ kind: 'enqueue', key: issueKey(issue.project, issue.iid), delayMs: HISTORY_LAG_RECHECK_MS });
    // The board's past: what the bot would say goes on the onboarding issue, not on the card.
    if (state.held) {
      return {
        steps: steps.filter((s) => s.kind === 'enqueue'),
        summary: 'unchanged since the board’s baseline: nothing written (the onboarding issue lists it)',
        facts: { iid: issue.iid, held: true, findings: findings.map((f) => f.rule), column: statusOf(issue.labels, board) },
      };
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

  remember(state, report) {
    if (!state.knowledge) return null;
    return rememberCard(
      state.knowledge,
      { board: state.board, botUsername: state.botUsername, timezone: state.timezone, now: state.now, users: state.users },
      report,
    );
  },
};
