// Reconcile one key: re-read what GitLab says now, judge it with the rules, plan, apply. The same
// path runs for a webhook, for the sweep and in tests (level-triggered: a webhook is a trigger,
// not the truth).
import type { RhythmConfig, SkillsExchangeBoard } from '../config/types.js';
import type { CountingDoor } from '../gitlab/door.js';
import type { GIssue } from '../gitlab/types.js';
import type { StoredDelivery } from '../queue/contract.js';
import type { ColumnPeer, RuleContext } from '../rules/types.js';
import { checkIssue, lastStatusMove, moveFromChanges, statusOf, usernamesToLookUp } from '../rules/index.js';
import { orderColumn } from '../board/order.js';
import { reconcileSignupIssue, signupReminders } from '../signups/generate.js';
import { columnKey, parseKey } from './keys.js';
import { labelChangeFromPayload, labelHistoryFromEvents, toSnapshot } from './snapshot.js';
import { planIssue, type Step } from './plan.js';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: object): Logger;
}

/** Short-lived column listings, so the conflict rule does not re-read a column per issue. */
export class ColumnCache {
  private readonly entries = new Map<string, { peers: ColumnPeer[]; until: number }>();
  constructor(private readonly ttlMs = 30_000) {}
  get(key: string, now: number) {
    const hit = this.entries.get(key);
    return hit && hit.until > now ? hit.peers : undefined;
  }
  set(key: string, peers: ColumnPeer[], now: number) {
    this.entries.set(key, { peers, until: now + this.ttlMs });
  }
  forget(key: string) {
    this.entries.delete(key);
  }
}

/** One context per job: everything a reconcile needs, passed down, never global. */
export interface EngineContext {
  key: string;
  log: Logger;
  door: CountingDoor;
  config: RhythmConfig;
  configDir: string;
  now: Date;
  columns: ColumnCache;
  /** Wake another key later (column order after a card moved). */
  enqueue(key: string, delayMs: number): Promise<void>;
}

export interface JobOutcome {
  key: string;
  kind: 'issue' | 'column' | 'signup' | 'skipped';
  steps: Step[];
  reads: number;
  writes: number;
  note?: string;
}

export function boardFor(config: RhythmConfig, project: string): SkillsExchangeBoard | undefined {
  const lower = project.toLowerCase();
  return config.boards.find((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange' && b.project.toLowerCase() === lower);
}

export function isSignupProject(config: RhythmConfig, project: string): boolean {
  const lower = project.toLowerCase();
  return (
    config.signups?.project.toLowerCase() === lower ||
    config.boards.some((b) => b.kind === 'signups' && b.project.toLowerCase() === lower)
  );
}

export async function runJob(ctx: EngineContext, deliveries: StoredDelivery[]): Promise<JobOutcome> {
  const parsed = parseKey(ctx.key);
  // A board in dry-run under a live configuration: everything for it goes through a dry door.
  const dryBoard = parsed && parsed.kind !== 'signupReminders' && ctx.config.boards.some(
    (b) => b.dryRun && b.project.toLowerCase() === parsed.project.toLowerCase(),
  );
  if (dryBoard && !ctx.door.dryRun) {
    const door = ctx.door.forEvent({ log: ctx.log, dryRun: true });
    return runJob({ ...ctx, door, config: { ...ctx.config, dryRun: true } }, deliveries);
  }
  const key = parsed;
  const outcome = (kind: JobOutcome['kind'], steps: Step[] = [], note?: string): JobOutcome => ({
    key: ctx.key,
    kind,
    steps,
    reads: ctx.door.reads,
    writes: ctx.door.writes,
    ...(note ? { note } : {}),
  });
  if (!key) return outcome('skipped', [], 'unknown key');

  if (key.kind === 'signupReminders') {
    if (!ctx.config.signups) return outcome('skipped', [], 'no sign-up calendars configured');
    const dryRun = ctx.config.dryRun || ctx.config.boards.some((b) => b.kind === 'signups' && b.dryRun);
    const { posted } = await signupReminders(ctx.door, ctx.config, ctx.now, { dryRun, log: ctx.log });
    return outcome('signup', [], `${posted} reminders posted`);
  }

  if (key.kind === 'column') {
    const board = boardFor(ctx.config, key.project);
    if (!board || !board.order.enabled) return outcome('skipped', [], 'column ordering is off');
    ctx.columns.forget(ctx.key);
    const result = await orderColumn(ctx.door, key.project, key.label, {
      dryRun: ctx.config.dryRun || board.dryRun,
      log: ctx.log,
    });
    return outcome('column', [], `${result.moves} moves for ${result.cards} cards`);
  }

  const board = boardFor(ctx.config, key.project);
  if (board) return reconcileSkillsIssue(ctx, board, key.iid, deliveries, outcome);
  if (isSignupProject(ctx.config, key.project)) {
    await reconcileSignupIssue(ctx.door, ctx.config, key.project, key.iid, {
      dryRun: ctx.config.dryRun,
      log: ctx.log,
      now: ctx.now,
    });
    return outcome('signup');
  }
  return outcome('skipped', [], 'project is not configured');
}

async function reconcileSkillsIssue(
  ctx: EngineContext,
  board: SkillsExchangeBoard,
  iid: number,
  deliveries: StoredDelivery[],
  outcome: (kind: JobOutcome['kind'], steps?: Step[], note?: string) => JobOutcome,
): Promise<JobOutcome> {
  const { door, config } = ctx;
  const project = board.project;
  const dryRun = config.dryRun || board.dryRun;

  let issue: GIssue;
  try {
    issue = await door.getIssue(project, iid);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return outcome('skipped', [], 'issue is gone');
    throw err;
  }
  const notes = await door.listNotes(project, iid);
  const payloads = deliveries.map((d) => safeParse(d.payload));

  // The last status move: from the newest webhook that carried label changes, else (for a card
  // in the scheduled column) from GitLab's label history — so a sweep judges the same move.
  let snapshot = toSnapshot(project, issue);
  let lastMove: RuleContext['lastMove'];
  const fromHook = payloads.map(labelChangeFromPayload).filter((c) => c !== null).pop();
  if (fromHook) {
    lastMove = moveFromChanges(fromHook.previous, fromHook.current, fromHook.by, fromHook.at, board) ?? undefined;
  } else if (statusOf(issue.labels, board) !== 'backlog' && board.rules.transition.enabled) {
    const history = labelHistoryFromEvents(await door.labelEvents(project, iid));
    snapshot = toSnapshot(project, issue, history);
    // A move is judged once, when it happens: a later edit must not re-judge last week's move
    // with today's description. Every judgement leaves a bot note (the status note, or the
    // checklist of a ready card), so a move newer than the bot's newest note was never judged —
    // its webhook was missed and the sweep is catching up. The bot's own moves keep their
    // explanation in the note, so they always count.
    const move = lastStatusMove(history, board);
    const bot = config.gitlab.botUsername.toLowerCase();
    const judgedAt = Math.max(
      -Infinity,
      ...notes.filter((n) => !n.system && n.author.username.toLowerCase() === bot).map((n) => Date.parse(n.updated_at)),
    );
    if (move && (move.by.toLowerCase() === bot || Date.parse(move.at) > judgedAt)) lastMove = move;
  }

  const users: RuleContext['users'] = {};
  for (const username of usernamesToLookUp(snapshot)) {
    users[username.toLowerCase()] = await door.findUser(username);
  }

  let scheduledPeers: ColumnPeer[] = [];
  if (board.rules.conflict.enabled && statusOf(issue.labels, board) === 'scheduled' && issue.due_date) {
    scheduledPeers = await columnPeers(ctx, project, board.labels.scheduled);
  }

  const ruleCtx: RuleContext = {
    board,
    now: ctx.now,
    timezone: config.timezone,
    botUsername: config.gitlab.botUsername,
    users,
    scheduledPeers: scheduledPeers.filter((p) => p.iid !== iid),
    ...(lastMove ? { lastMove } : {}),
  };
  const findings = checkIssue(snapshot, ruleCtx);
  const assigneeIds = Object.fromEntries(issue.assignees.map((a) => [a.username.toLowerCase(), a.id]));
  const plan = planIssue({
    issue: snapshot,
    assigneeIds,
    findings,
    board,
    notes,
    botUsername: config.gitlab.botUsername,
    users,
    now: ctx.now,
    timezone: config.timezone,
    dryRun,
    recheck: (after, move) =>
      checkIssue(after, {
        ...ruleCtx,
        lastMove: { ...move, by: config.gitlab.botUsername, at: ctx.now.toISOString() },
      }),
  });

  for (const step of plan.steps) {
    if (step.kind === 'editIssue') await door.editIssue(project, iid, step.edit);
    else if (step.kind === 'createNote') await door.createNote(project, iid, step.body);
    else await door.editNote(project, iid, step.noteId, step.body);
  }
  ctx.log.info(
    { iid, findings: findings.map((f) => f.rule), applied: plan.applied.map((f) => f.rule), steps: plan.steps.map((s) => s.kind), dryRun },
    'reconciled',
  );

  if (board.order.enabled && touchesColumn(payloads, plan.steps, board)) {
    const key = columnKey(project, board.labels.scheduled);
    ctx.columns.forget(key);
    await ctx.enqueue(key, board.order.debounceMs);
  }
  return outcome('issue', plan.steps);
}

async function columnPeers(ctx: EngineContext, project: string, label: string): Promise<ColumnPeer[]> {
  const key = columnKey(project, label);
  const now = ctx.now.getTime();
  const cached = ctx.columns.get(key, now);
  if (cached) return cached;
  const issues = await ctx.door.listIssues(project, { labels: [label], state: 'opened' });
  const peers = issues.map((i) => ({ iid: i.iid, title: i.title, dueDate: i.due_date }));
  ctx.columns.set(key, peers, now);
  return peers;
}

/** Did a card enter or leave the scheduled column, or change its date? Then the column needs a pass. */
function touchesColumn(payloads: unknown[], steps: Step[], board: SkillsExchangeBoard): boolean {
  const label = board.labels.scheduled;
  for (const payload of payloads) {
    const p = payload as {
      object_kind?: string;
      changes?: Record<string, unknown>;
      object_attributes?: { action?: string; labels?: { title?: string }[] };
      labels?: { title?: string }[];
    };
    if (p?.object_kind !== 'issue') continue;
    const labels = (p.labels ?? p.object_attributes?.labels ?? []).map((l) => l.title);
    const inColumn = labels.includes(label);
    if (p.changes && 'due_date' in p.changes && inColumn) return true;
    const move = labelChangeFromPayload(payload);
    if (move && move.previous.includes(label) !== move.current.includes(label)) return true;
    const action = p.object_attributes?.action;
    if (inColumn && (action === 'open' || action === 'reopen' || action === 'close')) return true;
  }
  return steps.some(
    (s) => s.kind === 'editIssue' && (s.edit.addLabels?.includes(label) || s.edit.removeLabels?.includes(label)),
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
