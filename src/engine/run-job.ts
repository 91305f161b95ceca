// One job, the same for every entry point (serve's worker, `rhythm sweep`, `rhythm generate`,
// tests): resolve the key to its kind of work, load, decide, apply. Deliveries arrive as the
// typed events the receiver stored; one that cannot be read is set aside, never thrown on.
import { performance } from 'node:perf_hooks';
import type { RhythmConfig } from '../config/types.js';
import type { CountingDoor } from '../gitlab/door.js';
import type { GIssue } from '../gitlab/types.js';
import type { Logger } from '../observability/log.js';
import type { StoredDelivery } from '../queue/contract.js';
import { decodeHookEvent, readHookEvent, type HookEvent } from '../webhook/event.js';
import { apply, isDryRun, WriteError, type Applied, type ApplyReport } from './apply.js';
import type { CardMemory } from '../queue/card-memory.js';
import type { Baselines } from '../queue/baselines.js';
import { isGone } from '../gitlab/transport.js';
import { isWrite } from './steps.js';
import type { ColumnCache } from './column-cache.js';
import { resolveKey, type WorkKind } from './keys.js';
import { workFor } from './registry.js';
import type { ListedIssues, Outcome } from './handler.js';
import type { Step } from './steps.js';
import type { ChatLedger } from '../queue/chat-ledger.js';

export interface JobDeps {
  config: RhythmConfig;
  configDir: string;
  /** The shared door; each job gets its own child with the event's UUID and its own counts. */
  door: CountingDoor;
  log: Logger;
  /** The instant rules judge at. */
  now: Date;
  columns: ColumnCache;
  /** Listings shared by the jobs of one command run (absent: the job's own). */
  listings?: Map<string, Promise<GIssue[]>>;
  /** Wake another key (follow-up work such as the column after a card moved). */
  enqueue(key: string, delayMs: number): Promise<void>;
  /** The worker aborts it when the job must stop (shutdown past its grace): GitLab calls end. */
  signal?: AbortSignal;
  /** How long a note POST without an answer is looked for before the job fails (apply.ts). */
  unansweredWaitMs?: number;
  /** What the bot remembers of cards (the store's; absent or null: nothing is remembered). */
  memory?: CardMemory | null;
  /** When Rhythm first met each board (the store's; absent or null: no baseline protects the past). */
  baselines?: Baselines | null;
  /** Re-read everything whatever the memory says (`rhythm sweep --full`); the memory is still written. */
  fullRead?: boolean;
  /** Issues the sweep listed, by key (sweep.ts): a job with no delivery reads its card from there. */
  listed?: ListedIssues;
  /** The chat notices sent so far (the store's); absent: chat keys are skipped (serve sends them). */
  chat?: ChatLedger;
}

export interface JobOutcome {
  key: string;
  kind: WorkKind | 'skipped';
  steps: Step[];
  applied: Applied[];
  reads: number;
  writes: number;
  dryRunWrites: number;
  /** Why nothing was done, or the handler's one-line summary. */
  note?: string;
  facts?: Record<string, unknown>;
}

export async function runJob(key: string, deliveries: readonly StoredDelivery[], deps: JobDeps): Promise<JobOutcome> {
  const last = deliveries[deliveries.length - 1];
  const door = deps.door.forEvent({ eventUuid: last?.eventUuid ?? null, log: deps.log, ...(deps.signal ? { signal: deps.signal } : {}) });
  const result = (kind: JobOutcome['kind'], extra: Partial<JobOutcome> = {}): JobOutcome => ({
    key,
    kind,
    steps: [],
    applied: [],
    reads: door.reads,
    writes: door.writes,
    dryRunWrites: 0,
    ...extra,
  });

  const work = resolveKey(key, deps.config);
  if ('skip' in work) {
    deps.log.info({ key, result: 'skipped', reason: work.skip }, `job skipped: ${work.skip}`);
    return result('skipped', { note: work.skip });
  }
  const events: HookEvent[] = [];
  for (const delivery of deliveries) {
    const event = storedEvent(delivery);
    if (event) events.push(event);
    else
      deps.log.warn(
        { key, deliveryId: delivery.deliveryId },
        'a stored delivery could not be read; set aside (the job reads GitLab anyway)',
      );
  }

  const memory = deps.memory ?? null;
  let outcome: Outcome;
  let report: ApplyReport;
  // Twice at most: a bot note the memory knew of that a person deleted answers 404 to its edit;
  // the card is then forgotten and judged again from a full read, at once.
  for (let attempt = 1; ; attempt += 1) {
    const fullRead = deps.fullRead === true || attempt > 1;
    try {
      outcome = await workFor(work.kind).run(work, events, {
        gitlab: door,
        config: deps.config,
        configDir: deps.configDir,
        now: deps.now,
        log: deps.log,
        columns: deps.columns,
        listings: deps.listings ?? new Map<string, Promise<GIssue[]>>(),
        memory,
        ...(deps.baselines ? { baselines: deps.baselines } : {}),
        fullRead,
        ...(deps.listed ? { listed: deps.listed } : {}),
        ...(deps.chat ? { chat: deps.chat } : {}),
      });
    } catch (err) {
      // Reading failed (GitLab refused, or answered something else): say what was being read.
      throw new Error(`could not read what ${key} needs: ${(err as Error).message}`, { cause: err });
    }
    if ('skipped' in outcome) {
      if (outcome.forget && memory) await memory.forget(key);
      deps.log.info({ key, result: 'skipped', reason: outcome.skipped }, `job skipped: ${outcome.skipped}`);
      return result('skipped', { note: outcome.skipped });
    }
    const { steps } = outcome.decision;
    // Before the first write, the key's memory stops counting (a crash after the writes leaves
    // nothing older than GitLab to decide from); so does the memory of a key woken as stale.
    const writes = steps.some((step) => isWrite(step) && !isDryRun(deps.config, step));
    const remembering = memory !== null && outcome.remember !== undefined;
    if (memory) {
      if (remembering && writes) await memory.dirty(key);
      for (const step of steps) if (step.kind === 'enqueue' && step.forgetMemory) await memory.dirty(step.key);
    }
    const applyStarted = performance.now();
    try {
      report = await apply(steps, {
        door,
        config: deps.config,
        log: deps.log,
        enqueue: (nextKey, delayMs) => deps.enqueue(nextKey, delayMs),
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.unansweredWaitMs !== undefined ? { unansweredWaitMs: deps.unansweredWaitMs } : {}),
        ...(deps.chat ? { chat: deps.chat } : {}),
      });
    } catch (err) {
      const noteGone = err instanceof WriteError && err.step?.kind === 'editNote' && isGone(err.cause);
      if (remembering && noteGone && attempt === 1 && !fullRead) {
        deps.log.info({ key }, 'a bot note the memory knew is gone (a person deleted it): the card is read again in full');
        await memory.forget(key);
        continue;
      }
      throw err;
    }
    // The cards as the bot's edits left them go into the cached column listings (the card's own
    // read went in at load), so the follow-up work and the next cards need not list the column again.
    for (const done of report.applied) {
      if (done.sent && done.step.kind === 'editIssue' && done.issue) deps.columns.patch(done.step.project, done.issue, applyStarted);
    }
    if (remembering) {
      const update = outcome.remember!(report);
      if (update && 'put' in update) await memory.put(update.put);
      else if (update && 'forget' in update) await memory.forget(key);
      else if (writes) await memory.clean(key);
    }
    break;
  }
  const { steps, summary, facts } = outcome.decision;
  // A job that writes nothing says so: GitLab already holds what the bot would write.
  const idle = report.writes === 0 && report.dryRunWrites === 0;
  deps.log.info(
    {
      key,
      kind: work.kind,
      ...facts,
      steps: steps.map((s) => s.kind),
      writes: report.writes,
      dryRunWrites: report.dryRunWrites,
      ...(idle ? { reason: summary ?? 'nothing to change: GitLab already says what the bot would write' } : {}),
    },
    'job done',
  );
  return result(work.kind, {
    steps,
    applied: report.applied,
    reads: door.reads,
    writes: door.writes,
    dryRunWrites: report.dryRunWrites,
    ...(summary ? { note: summary } : {}),
    ...(facts ? { facts } : {}),
  });
}

/**
 * A stored delivery as an event. Rows stored by a Rhythm before typed events hold GitLab's raw
 * payload: they are read the way the receiver reads one now, so an upgrade loses no move.
 */
function storedEvent(delivery: StoredDelivery): HookEvent | null {
  const event = decodeHookEvent(delivery.payload);
  if (event) return event;
  try {
    const read = readHookEvent(delivery.event, JSON.parse(delivery.payload));
    return 'event' in read ? read.event : null;
  } catch {
    return null;
  }
}
