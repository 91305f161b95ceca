// The shape every kind of work shares. A handler has two parts: `load` reads (only reads) what its
// decision needs, and `decide` is pure — state in, steps out. The one executor (apply.ts) carries
// the steps out. The runner (run-job.ts) strings them together for every entry point alike.
import type { RhythmConfig } from '../config/types.js';
import type { GIssue, GitLabReader } from '../gitlab/types.js';
import type { Logger } from '../observability/log.js';
import type { HookEvent } from '../webhook/event.js';
import type { ColumnCache } from './column-cache.js';
import type { WorkKey, WorkKind } from './keys.js';
import type { Step } from './steps.js';
import type { CardMemory } from '../queue/card-memory.js';
import type { Baselines } from '../queue/baselines.js';
import type { ApplyReport } from './apply.js';
import type { MemoryUpdate } from '../handlers/card/memory.js';
import type { ChatLedger } from '../queue/chat-ledger.js';

/** What `load` may use: GitLab for reading, the configuration, the clock, shared caches. */
export interface LoadContext {
  /** Reads only: a write is a step, which the executor carries out. */
  gitlab: GitLabReader;
  config: RhythmConfig;
  configDir: string;
  now: Date;
  log: Logger;
  columns: ColumnCache;
  /**
   * Issue listings made during this run, by query: a command's keys (the month's two sign-up
   * issues) share one listing, as one run of it would. A job of `rhythm serve` has its own.
   */
  listings: Map<string, Promise<GIssue[]>>;
  /** What the bot remembers of cards (a cache: queue/card-memory.ts); absent: nothing is remembered. */
  memory?: CardMemory | null;
  /** When Rhythm first met each board (queue/baselines.ts); absent: no baseline, the past is judged too. */
  baselines?: Baselines | null;
  /** Re-read everything, whatever the memory says (`rhythm sweep --full`); the memory is still written. */
  fullRead?: boolean;
  /** Issues the sweep listed, by key: read as good as a GET when no delivery came since (sweep.ts). */
  listed?: ListedIssues;
  /** The chat notices sent so far (`rhythm serve`'s store); absent: no chat notices in this run. */
  chat?: ChatLedger;
}

/**
 * Issues a sweep's listing carried, by work key, with when they were listed (performance.now())
 * and whether the listing was of changes only (an incremental sweep), not of every open card.
 */
export type ListedIssues = Map<string, { issue: GIssue; at: number; incremental?: boolean }>;

export type Loaded<S> = { state: S } | { skip: string; forget?: boolean };

export interface Decision {
  steps: Step[];
  /** One line for people (the sweep's report, the job log). */
  summary?: string;
  /** Extra fields for the job's log line. */
  facts?: Record<string, unknown>;
}

export interface Handler<K extends WorkKey, S> {
  kind: K['kind'];
  load(key: K, events: readonly HookEvent[], ctx: LoadContext): Promise<Loaded<S>>;
  decide(state: S): Decision;
  /** What the memory keeps once the steps are carried out (handlers that remember; pure). */
  remember?(state: S, report: ApplyReport): MemoryUpdate;
}

/** A handler for one kind, its key type narrowed. */
export type HandlerFor<T extends WorkKind, S> = Handler<Extract<WorkKey, { kind: T }>, S>;

/**
 * What one run of a handler produced: its decision (and, for a handler that remembers, what to
 * remember once it is carried out), or why it had nothing to do (and whether to forget the key).
 */
export type Outcome = { skipped: string; forget?: boolean } | { decision: Decision; remember?: (report: ApplyReport) => MemoryUpdate };

/** A handler with its state type sealed in: load then decide, as one call. */
export interface Work<K extends WorkKey> {
  kind: K['kind'];
  run(key: K, events: readonly HookEvent[], ctx: LoadContext): Promise<Outcome>;
}

export function work<K extends WorkKey, S>(handler: Handler<K, S>): Work<K> {
  return {
    kind: handler.kind,
    async run(key, events, ctx) {
      const loaded = await handler.load(key, events, ctx);
      if ('skip' in loaded) return { skipped: loaded.skip, ...(loaded.forget ? { forget: true } : {}) };
      const { state } = loaded;
      const decision = handler.decide(state);
      return handler.remember ? { decision, remember: (report) => handler.remember!(state, report) } : { decision };
    },
  };
}
