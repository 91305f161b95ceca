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
}

export type Loaded<S> = { state: S } | { skip: string };

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
}

/** A handler for one kind, its key type narrowed. */
export type HandlerFor<T extends WorkKind, S> = Handler<Extract<WorkKey, { kind: T }>, S>;

/** What one run of a handler produced: its decision, or why it had nothing to do. */
export type Outcome = { skipped: string } | { decision: Decision };

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
      if ('skip' in loaded) return { skipped: loaded.skip };
      return { decision: handler.decide(loaded.state) };
    },
  };
}
