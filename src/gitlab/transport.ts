// How Rhythm's requests reach GitLab: gitbeaker builds URLs, queries, bodies and follows pagination;
// this transport sends them with the policies gitbeaker lacks (it retries only 429/502, ignores
// Retry-After and has no backoff for 5xx): Retry-After honoured for every later call, exponential
// backoff with jitter for 5xx and network errors on idempotent calls (p-retry), a concurrency cap
// (p-limit), pacing when RateLimit-Remaining runs low, pacing of note and issue creation below
// GitLab's application limits, and a count of calls by route. A caller's AbortSignal ends a call
// at once, whether it is in flight, queued, or waiting (Retry-After, backoff, pacing); a
// Retry-After longer than maxRetryAfterMs fails calls instead of freezing them.
//
// GitLab's two kinds of limit, as the transport reads them:
// - Rack::Attack's per-user throttle puts RateLimit-* headers on answers: RateLimit-Remaining
//   left in a window that ends at RateLimit-Reset, a Unix time in seconds on GitLab's clock
//   (lib/gitlab/rack_attack/request_throttle_data.rb), read against the answer's Date header.
//   When little is left, calls are spread over the rest of the window; when nothing is, they wait
//   for the next one.
// - Application limits (notes_create, issues_create: per user per minute, windows aligned to the
//   minute, every attempt counted) say nothing until they refuse, with a 429 that carries no
//   RateLimit-* headers. So creations are paced below a configured count per window
//   (createLimits), and such a 429 on a create waits for GitLab's window to turn, then sends the
//   create again: GitLab refuses before it creates anything, so the retry cannot duplicate.
import type { Logger } from '../observability/log.js';
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry, { AbortError } from 'p-retry';

export interface CallObserver {
  (call: { method: string; route: string; status: number; ms: number }): void;
}

export interface TransportOptions {
  log: Logger;
  /** Requests in flight at once, across every reconcile sharing this transport. */
  concurrency?: number;
  /** Retries after the first attempt. */
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Start pacing when fewer than this share of the limit remains. */
  slowBelowShare?: number;
  /**
   * Longest Retry-After a call waits out (default 5 minutes). Past it, calls fail with a
   * RateLimitedError until GitLab's time is up, and the worker retries their jobs later.
   */
  maxRetryAfterMs?: number;
  /**
   * Notes and issues created at most per createWindowMs, per token, below GitLab's application
   * limits (GitLab.com: 60 notes, 200 issues a minute). 0 or absent: not paced.
   */
  createLimits?: CreateLimits;
  /** The window createLimits count in; default 60 000 ms, GitLab's. Tests shorten it. */
  createWindowMs?: number;
  onCall?: CallObserver;
  /** The clock and the sleep are injectable so tests can check Retry-After without waiting. */
  now?: () => number;
  /** Should end early when `signal` aborts; the transport stops waiting for it then either way. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What GitLab's application limits count: creating notes on issues, creating issues. */
export type CreateKind = 'notes' | 'issues';
export type CreateLimits = Partial<Record<CreateKind, number>>;

/** Which application limit a call counts toward, if any. */
export function createKindOf(method: string, route: string): CreateKind | null {
  if (method !== 'POST') return null;
  if (route === '/projects/:id/issues/:iid/notes') return 'notes';
  if (route === '/projects/:id/issues') return 'issues';
  return null;
}

/** A window of GitLab's request throttle as last seen, and how much of it was left then. */
interface RateWindow {
  /** RateLimit-Reset as sent: the window's end, Unix seconds on GitLab's clock. */
  resetEpoch: number;
  /** The same moment on this process's clock (ms), never earlier than it really is. */
  resetAt: number;
  /** Requests a window holds. */
  limit: number;
  /**
   * What was left when an answer was read: its RateLimit-Remaining less the calls let go and not
   * answered then (GitLab may not have counted them yet), and how many had been let go by then.
   */
  remaining: number;
  letGoBefore: number;
}

/** What the transport knows of one token's budgets (GitLab counts its limits per user). */
interface Budget {
  /**
   * Calls let go with this token so far (counted the moment the pacing lets one go, so two calls
   * never both take the last of a window), and those of them not answered yet.
   */
  letGo: number;
  unanswered: number;
  window: RateWindow | null;
  /** The next free slot when calls are spread over what is left of a window. */
  nextPacedAt: number;
  /** The creates still inside the sliding window: when each was answered (Infinity while in flight). */
  creates: Record<CreateKind, Array<{ at: number }>>;
  /** GitLab refused a create (application limit): no create of that kind before this. */
  createsBlockedUntil: Record<CreateKind, number>;
}

const AUTH_HEADERS = ['private-token', 'authorization', 'job-token'];

/** GitLab answered that the thing is not there (deleted, moved, or never was). */
export function isGone(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'status' in err && err.status === 404;
}

/** A non-2xx answer from GitLab, with what a person needs to understand it. */
export class GitLabError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly route: string,
    readonly description: string,
  ) {
    super(`GitLab answered ${status} to ${method} ${route}: ${description}`);
    this.name = 'GitLabError';
  }
}

/**
 * A write that got no answer: the connection failed or the call timed out. Unless the connection
 * was never made (`sent: false`), GitLab may have carried it out, or may still be carrying it out.
 */
export class NoAnswerError extends Error {
  constructor(
    readonly method: string,
    readonly route: string,
    readonly sent: boolean,
    cause: unknown,
    /** The GitLab the call went to (its origin), named in the message. */
    host?: string,
  ) {
    const reason = networkCause(cause);
    const gitlab = host ? `GitLab at ${host}` : 'GitLab';
    super(
      sent
        ? `no answer from ${gitlab} to ${method} ${route} (${reason}); GitLab may have carried it out`
        : `${gitlab} is unreachable: ${reason}; ${method} ${route} was not sent`,
      { cause },
    );
    this.name = 'NoAnswerError';
  }
}

/**
 * Why a request got no answer, in a person's words, from what fetch hides under `fetch failed`:
 * the system error's code and address (`ECONNREFUSED 127.0.0.1:4000`), a TLS problem, a name
 * that does not resolve, or a timeout. Both addresses of a dual-stack name are named.
 */
export function networkCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timeout: no answer in time';
  if (err.name === 'AbortError') return 'the call was aborted';
  const cause = err.cause ?? (err instanceof TypeError && err.message === 'fetch failed' ? undefined : err);
  if (cause === undefined) return err.message;
  return describeSystemError(cause);
}

function describeSystemError(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return [...new Set(cause.errors.map(describeSystemError))].join(', ');
  }
  if (!(cause instanceof Error)) return String(cause);
  const e = cause as Error & { code?: unknown; address?: unknown; port?: unknown; hostname?: unknown };
  const code = typeof e.code === 'string' ? e.code : null;
  if (code && typeof e.address === 'string') return `${code} ${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `${code}: the name ${typeof e.hostname === 'string' ? e.hostname : ''} does not resolve`.replace('  ', ' ');
  }
  if (code && !e.message.includes(code)) return `${code}: ${e.message}`;
  return e.message || code || e.name;
}

/**
 * Failures a retry within seconds cannot mend: the name does not resolve, or TLS refuses the
 * certificate (a wrong URL, a missing CA). The call fails at once and says why.
 */
function permanentNetworkFailure(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  return (
    code === 'ENOTFOUND' ||
    code.startsWith('CERT_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('SELF_SIGNED') ||
    code.startsWith('UNABLE_TO_') ||
    // fetch's own refusal of a port browsers block (1, 25, 6000…): the URL is wrong.
    (cause instanceof Error && cause.message === 'bad port')
  );
}

/** GitLab could not be reached for a call (after its retries, or at once when retrying cannot help). */
export class UnreachableError extends Error {
  constructor(
    readonly host: string,
    readonly method: string,
    readonly route: string,
    readonly reason: string,
    cause: unknown,
  ) {
    super(
      cause instanceof Error && cause.name === 'TimeoutError'
        ? `GitLab at ${host} did not answer ${method} ${route} in time (timeout)`
        : `GitLab at ${host} is unreachable: ${reason} (${method} ${route})`,
      { cause },
    );
    this.name = 'UnreachableError';
  }
}

/** Connection errors that mean the request never left: no connection was made. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function neverSent(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' && NOT_SENT.has(cause.code);
}

/**
 * Whether a failed write may have happened on GitLab all the same: 'answered' (GitLab answered
 * 5xx: it is done with the request, whichever way it went), 'unanswered' (no answer came: it may
 * have been done, or still be under way), or null (it was not done: refused with a 4xx or 429,
 * never sent, or stopped by the caller before it was).
 */
export function writeDoubt(err: unknown): 'answered' | 'unanswered' | null {
  if (err instanceof GitLabError) return err.status >= 500 ? 'answered' : null;
  if (err instanceof NoAnswerError) return err.sent ? 'unanswered' : null;
  return null;
}

/** GitLab asked for a pause longer than a call waits: the call fails, its job is retried later. */
export class RateLimitedError extends Error {
  constructor(
    readonly waitMs: number,
    readonly method: string,
    readonly route: string,
    readonly maxWaitMs: number,
  ) {
    super(
      `GitLab asked to wait ${Math.ceil(waitMs / 1000)} s before the next call (Retry-After); ` +
        `${method} ${route} fails rather than wait more than ${Math.round(maxWaitMs / 1000)} s, and its job is retried later`,
    );
    this.name = 'RateLimitedError';
  }
}

interface GitbeakerRequestOptions {
  method: string;
  prefixUrl?: string;
  searchParams?: string;
  headers?: Record<string, string>;
  body?: string;
  asStream?: boolean;
  signal?: AbortSignal;
  [other: string]: unknown;
}

export interface ResponseShape {
  body: unknown;
  headers: Record<string, string>;
  status: number;
}

/** Sleeps `ms`; an abort clears the timer, so nothing is left running after an aborted call. */
export const sleepReal = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The error an aborted call ends with: the signal's reason when it is an error, else an AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The GitLab call was aborted', 'AbortError');
}

/** `work`, or an abort error as soon as `signal` aborts (the work itself goes on, unobserved). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own rejection, passed on as it came
        reject(err);
      },
    );
  });
}

/** `/api/v4/projects/gitlab-com%2Fx/issues/12/notes/5` → `/projects/:id/issues/:iid/notes/:id`. */
export function routeOf(pathname: string): string {
  const path = pathname.replace(/^.*?\/api\/v4/, '');
  return path
    .split('/')
    .map((seg, i, all) => {
      const prev = all[i - 1];
      if (prev === 'projects') return ':id';
      if (/^\d+$/.test(seg)) return prev === 'issues' ? ':iid' : ':id';
      return seg;
    })
    .join('/');
}

export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** A 5xx, a network error or a 429 that the transport retried; thrown once its retries ran out. */
class Retryable extends Error {}

/**
 * Whether `err` (or an error it was caused by) means GitLab was unavailable rather than that
 * anything was wrong with the request: a 5xx, a network error or timeout, a 429 or a Retry-After
 * longer than a call waits. `waitMs` is how long GitLab asked to wait (0 when it did not say).
 * The worker retries such failures for as long as they last instead of counting them toward dead.
 */
export function gitlabUnavailable(err: unknown): { waitMs: number } | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth += 1) {
    if (e instanceof RateLimitedError) return { waitMs: e.waitMs };
    if (e instanceof Retryable) return { waitMs: 0 };
    if (e instanceof GitLabError && (e.status >= 500 || e.status === 429)) return { waitMs: 0 };
    // A POST is not resent after a network failure: it fails as a write without an answer.
    if (e instanceof NoAnswerError || e instanceof UnreachableError) return { waitMs: 0 };
    if (e.name === 'TimeoutError' || (e instanceof TypeError && e.message === 'fetch failed')) return { waitMs: 0 };
  }
  return null;
}

export class Transport {
  readonly counts = new Map<string, number>();
  private notBefore = 0;
  private readonly budgets = new Map<string, Budget>();
  private readonly limit: LimitFunction;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly opts: TransportOptions) {
    this.limit = pLimit(opts.concurrency ?? 4);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? sleepReal;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 5 * 60_000;
  }

  /** The earliest moment the next call may be sent (Retry-After), for tests and logs. */
  get blockedUntil(): number {
    return this.notBefore;
  }

  /**
   * A gitbeaker requester handler; `headers` are added to every call (e.g. X-Gitlab-Event-UUID).
   * When `signal` aborts, every call through this handler ends at once with an abort error.
   */
  handler(extraHeaders: Record<string, string>, count: (method: string) => void, signal?: AbortSignal) {
    return (endpoint: string, options: GitbeakerRequestOptions) => this.send(endpoint, options, extraHeaders, count, signal);
  }

  private async send(
    endpoint: string,
    options: GitbeakerRequestOptions,
    extraHeaders: Record<string, string>,
    count: (method: string) => void,
    signal: AbortSignal | undefined,
  ): Promise<ResponseShape> {
    try {
      return await this.sendWithRetries(endpoint, options, extraHeaders, count, signal);
    } catch (err) {
      // p-retry and fetch each word an abort their own way; the caller sees one.
      if (signal?.aborted) throw abortReason(signal);
      throw err;
    }
  }

  private async sendWithRetries(
    endpoint: string,
    options: GitbeakerRequestOptions,
    extraHeaders: Record<string, string>,
    count: (method: string) => void,
    signal: AbortSignal | undefined,
  ): Promise<ResponseShape> {
    const { prefixUrl, searchParams, method, headers, body } = options;
    const base = prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl ?? ''}/`;
    const url = new URL(endpoint, base);
    url.search = searchParams ?? '';
    const route = routeOf(url.pathname);
    // POST creates things: resending after a 5xx could create them twice, so only 429 (which
    // GitLab answers before doing anything) is retried for it.
    const idempotent = method !== 'POST';
    const budget = this.budgetOf({ ...headers, ...extraHeaders });
    const kind = createKindOf(method, route);

    return pRetry(
      async () => {
        // A create waits for its turn outside the concurrency cap: a minute's wait for GitLab's
        // application limit must not hold a slot that reads (and /readyz) need.
        let slot: { at: number } | null = null;
        if (kind) {
          signal?.throwIfAborted();
          slot = await this.paceCreate(method, route, budget, kind, signal);
        }
        const queued = this.limit(async () => {
          signal?.throwIfAborted();
          // Counts the call as let go (budget.letGo, budget.unanswered) when it returns.
          await this.waitForTurn(method, route, budget, signal);
          const started = this.now();
          count(method);
          const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 30_000);
          let res: Response;
          try {
            res = await fetch(url, {
              method,
              headers: { ...headers, ...extraHeaders },
              body: body ?? null,
              signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
            });
          } catch (err) {
            budget.unanswered -= 1;
            this.record(method, route, 0, started);
            if (signal?.aborted) throw new AbortError(abortReason(signal));
            // A write is never resent blind: the caller decides, knowing it may have been done.
            if (!idempotent) throw new AbortError(new NoAnswerError(method, route, !neverSent(err), err, url.origin));
            const unreachable = new UnreachableError(url.origin, method, route, networkCause(err), err);
            if (permanentNetworkFailure(err)) throw new AbortError(unreachable);
            throw new Retryable(unreachable.message, { cause: unreachable });
          }
          budget.unanswered -= 1;
          this.record(method, route, res.status, started);
          this.observeRate(budget, res.headers);
          // A refusal holds back the calls after it before this slot frees: the next call queued
          // must not slip out while the answer's body is still being read.
          if (res.status === 429) this.holdBack(res.headers, budget, kind);
          return res;
        });
        // Waiting for a free slot is waiting too: an abort ends it.
        const response = await abortable(queued, signal).finally(() => {
          // GitLab counted the create somewhere between its sending and its answer: the window
          // runs from the answer, so no later send can share a window of GitLab's with it.
          if (slot) slot.at = this.now();
        });
        if (response.ok) return parseResponse(response);
        const description = await describe(response);
        if (response.status === 429 && kind && !hasRateHeaders(response.headers)) {
          // An application limit (notes_create, issues_create): nothing was created. Creates of
          // this kind wait for GitLab's window to turn (holdBack); other calls go on.
          const wait = Math.max(0, budget.createsBlockedUntil[kind] - this.now());
          this.opts.log.warn(
            { method, route, waitMs: wait },
            `GitLab's limit on creating ${kind} refused the call (nothing was created): waiting for its window to turn, then sending it again`,
          );
          throw new Retryable(`429 (application limit) on ${method} ${route}`);
        }
        if (response.status === 429) {
          const wait = this.retryAfterOf(response.headers);
          if (wait > this.maxRetryAfterMs) {
            const error = new RateLimitedError(wait, method, route, this.maxRetryAfterMs);
            this.opts.log.warn({ method, route, retryAfterMs: wait }, error.message);
            throw new AbortError(error);
          }
          this.opts.log.warn({ method, route, retryAfterMs: wait }, 'GitLab rate limit: waiting as Retry-After asks');
          throw new Retryable(`429 on ${method} ${route}`);
        }
        if (response.status >= 500 && idempotent) {
          throw new Retryable(`GitLab at ${url.origin} answered ${response.status} to ${method} ${route}: ${description}`, {
            cause: new GitLabError(response.status, method, route, description),
          });
        }
        throw new AbortError(new GitLabError(response.status, method, route, description));
      },
      {
        retries: this.opts.retries ?? 5,
        minTimeout: this.opts.minBackoffMs ?? 250,
        maxTimeout: this.opts.maxBackoffMs ?? 8000,
        factor: 2,
        randomize: true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0 && error instanceof Retryable) {
            // Said each time, with the host and the cause: a GitLab that is down is no silent wait.
            // A 429 was said already, with the wait it asked for.
            const level = error.message.startsWith('429') ? 'debug' : 'warn';
            this.opts.log[level](
              { host: url.origin, method, route, attempt: attemptNumber, of: attemptNumber + retriesLeft, err: error.message },
              `${error.message}; trying again (${retriesLeft} ${retriesLeft === 1 ? 'try' : 'tries'} left)`,
            );
          }
        },
        shouldRetry: ({ error }) => error instanceof Retryable,
        // Ends a backoff sleep at once.
        ...(signal ? { signal } : {}),
      },
    );
  }

  private record(method: string, route: string, status: number, started: number) {
    const key = `${method} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.opts.onCall?.({ method, route, status, ms: this.now() - started });
  }

  /** The budget of the token a call is sent with (GitLab counts per user). */
  private budgetOf(headers: Record<string, string> | undefined): Budget {
    let id = '';
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (AUTH_HEADERS.includes(name.toLowerCase())) id = `${name.toLowerCase()}:${value}`;
    }
    let budget = this.budgets.get(id);
    if (!budget) {
      budget = {
        letGo: 0,
        unanswered: 0,
        window: null,
        nextPacedAt: 0,
        creates: { notes: [], issues: [] },
        createsBlockedUntil: { notes: 0, issues: 0 },
      };
      this.budgets.set(id, budget);
    }
    return budget;
  }

  /**
   * Wait out any Retry-After (or fail when it is longer than a call waits) and pace calls on
   * Rack::Attack's window; then count the call as let go, in the same step as the last look, so no
   * other call can take what this one was given.
   *
   * The window: while plenty is left, calls go at once. Below `slowBelowShare` of it, what is left
   * is spread evenly over the time left; with nothing left, calls wait for the next window. Calls
   * let go but not answered count as spent.
   */
  private async waitForTurn(method: string, route: string, budget: Budget, signal: AbortSignal | undefined): Promise<void> {
    // Set once this call has its place in the spread: it then goes as soon as anything is left.
    let placed = false;
    for (;;) {
      const now = this.now();
      const wait = this.notBefore - now;
      if (wait > 0) {
        if (wait > this.maxRetryAfterMs) throw new AbortError(new RateLimitedError(wait, method, route, this.maxRetryAfterMs));
        await this.pause(wait, signal);
        continue;
      }
      const w = budget.window;
      // No window known, or it is over (the next answer tells what the new one holds).
      if (!w || w.limit <= 0 || now >= w.resetAt) break;
      const left = w.remaining - (budget.letGo - w.letGoBefore);
      if (left >= w.limit * (this.opts.slowBelowShare ?? 0.1)) break;
      const untilReset = w.resetAt - now;
      if (left <= 0) {
        if (untilReset > this.maxRetryAfterMs) throw new AbortError(new RateLimitedError(untilReset, method, route, this.maxRetryAfterMs));
        this.opts.log.debug({ method, route, waitMs: untilReset }, 'GitLab rate limit used up: waiting for its window to turn');
        placed = false;
        await this.pause(untilReset, signal);
        continue;
      }
      if (placed) break;
      const at = Math.max(now, budget.nextPacedAt);
      budget.nextPacedAt = at + untilReset / left;
      placed = true;
      if (at <= now) break;
      await this.pause(at - now, signal);
    }
    budget.letGo += 1;
    budget.unanswered += 1;
  }

  /**
   * At most createLimits[kind] creates in any createWindowMs, each counted from its answer: then no
   * fixed window of that length (GitLab's are aligned to the minute) ever holds more, however long
   * a create waited in the queue or on the way. A create GitLab refused waits longer. Returns the
   * create's place in the window, for its answer to be written in.
   */
  private async paceCreate(
    method: string,
    route: string,
    budget: Budget,
    kind: CreateKind,
    signal: AbortSignal | undefined,
  ): Promise<{ at: number } | null> {
    const limit = this.opts.createLimits?.[kind] ?? 0;
    const windowMs = this.opts.createWindowMs ?? 60_000;
    for (;;) {
      const now = this.now();
      const blocked = budget.createsBlockedUntil[kind] - now;
      if (blocked > 0) {
        if (blocked > this.maxRetryAfterMs) throw new AbortError(new RateLimitedError(blocked, method, route, this.maxRetryAfterMs));
        await this.pause(blocked, signal);
        continue;
      }
      if (limit <= 0) return null;
      const inWindow = budget.creates[kind].filter((c) => c.at > now - windowMs);
      budget.creates[kind] = inWindow;
      if (inWindow.length < limit) {
        const slot = { at: Infinity };
        inWindow.push(slot);
        return slot;
      }
      // The first to leave the window; while every one is still in flight, look again shortly.
      const leaves = Math.min(...inWindow.map((c) => c.at)) + windowMs - now;
      await this.pause(Number.isFinite(leaves) ? leaves : 20, signal);
    }
  }

  /**
   * What a 429 holds back: every call until its Retry-After (Rack::Attack's throttle, or any other
   * refusal); only the creates of its kind until GitLab's window turns, when it is a create refused
   * without RateLimit-* headers (an application limit).
   */
  private holdBack(headers: Headers, budget: Budget, kind: CreateKind | null): void {
    if (kind && !hasRateHeaders(headers)) {
      const until = this.now() + this.untilCreateWindowTurns(headers);
      budget.createsBlockedUntil[kind] = Math.max(budget.createsBlockedUntil[kind], until);
      return;
    }
    this.notBefore = Math.max(this.notBefore, this.now() + this.retryAfterOf(headers));
  }

  private retryAfterOf(headers: Headers): number {
    return retryAfterMs(headers.get('retry-after'), this.now()) ?? this.opts.minBackoffMs ?? 1000;
  }

  /**
   * How long until the application limit's window turns after GitLab refused a create: to the next
   * multiple of the window on GitLab's clock (the answer's Date, which is never later than GitLab's
   * time), never longer than a Retry-After it sent; the whole window when the answer says neither.
   */
  private untilCreateWindowTurns(headers: Headers): number {
    const windowMs = this.opts.createWindowMs ?? 60_000;
    const retryAfter = retryAfterMs(headers.get('retry-after'), this.now());
    const date = Date.parse(headers.get('date') ?? '');
    // A little slack for the answer's way here and the clocks' rounding.
    const toTurn = Number.isNaN(date) ? windowMs : (Math.floor(date / windowMs) + 1) * windowMs - date + 250;
    return Math.min(toTurn, retryAfter ?? Infinity);
  }

  /** The injected sleep, cut short by an abort even if that sleep ignores the signal. */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    await abortable(this.sleep(ms, signal), signal);
  }

  /**
   * Reads the throttle's headers of an answer. Answers come back in any order, and calls sent
   * earlier may reach GitLab later: what is left counts every call still unanswered as spent;
   * within one window the answer that leaves the least is kept; a later window replaces an earlier.
   */
  private observeRate(budget: Budget, headers: Headers) {
    const remaining = Number(headers.get('ratelimit-remaining'));
    const resetEpoch = Number(headers.get('ratelimit-reset'));
    if (!headers.has('ratelimit-remaining') || !Number.isFinite(remaining) || !Number.isFinite(resetEpoch)) return;
    // RateLimit-Limit is the quota per 60 s (GitLab normalises it); observed + remaining is what
    // this window really holds, whatever its length.
    const observed = Number(headers.get('ratelimit-observed'));
    const limit =
      headers.has('ratelimit-observed') && Number.isFinite(observed) && remaining > 0
        ? observed + remaining
        : Number(headers.get('ratelimit-limit'));
    if (!Number.isFinite(limit)) return;
    // GitLab's clock against ours. Its Date is whole seconds, cut down, and was written before the
    // answer travelled: the estimate puts GitLab's time at most behind, so the reset is never early.
    const now = this.now();
    const date = Date.parse(headers.get('date') ?? '');
    const behind = Number.isNaN(date) ? 0 : now - date;
    const seen: RateWindow = {
      resetEpoch,
      resetAt: resetEpoch * 1000 + behind,
      limit,
      remaining: remaining - budget.unanswered,
      letGoBefore: budget.letGo,
    };
    const known = budget.window;
    if (!known || resetEpoch > known.resetEpoch) {
      budget.window = seen;
      return;
    }
    if (resetEpoch < known.resetEpoch) return;
    const leftSeen = seen.remaining - (budget.letGo - seen.letGoBefore);
    const leftKnown = known.remaining - (budget.letGo - known.letGoBefore);
    budget.window = {
      ...(leftSeen < leftKnown ? seen : known),
      // Each estimate of the reset is late, if anything: the earliest is the closest.
      resetAt: Math.min(seen.resetAt, known.resetAt),
    };
  }
}

/** Whether an answer carries Rack::Attack's RateLimit-* headers (application limits send none). */
function hasRateHeaders(headers: Headers): boolean {
  return headers.has('ratelimit-remaining') || headers.has('ratelimit-limit') || headers.has('ratelimit-reset');
}

async function parseResponse(response: Response): Promise<ResponseShape> {
  const headers = Object.fromEntries(response.headers.entries());
  if (response.status === 204) return { body: null, headers, status: response.status };
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const text = await response.text();
  const body: unknown = type === 'application/json' && text ? JSON.parse(text) : text;
  return { body: body ?? {}, headers, status: response.status };
}

async function describe(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const found = parsed.error ?? parsed.message ?? text;
    return typeof found === 'string' ? found : JSON.stringify(found);
  } catch {
    return text.slice(0, 500);
  }
}
