// How Rhythm's requests reach GitLab: gitbeaker builds URLs, queries, bodies and follows pagination;
// this transport sends them with the policies gitbeaker lacks (it retries only 429/502, ignores
// Retry-After and has no backoff for 5xx): Retry-After honoured for every later call, exponential
// backoff with jitter for 5xx and network errors on idempotent calls (p-retry), a concurrency cap
// (p-limit), pacing when RateLimit-Remaining runs low, and a count of calls by route. A caller's
// AbortSignal ends a call at once, whether it is in flight, queued, or waiting (Retry-After,
// backoff, pacing); a Retry-After longer than maxRetryAfterMs fails calls instead of freezing them.
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
  onCall?: CallObserver;
  /** The clock and the sleep are injectable so tests can check Retry-After without waiting. */
  now?: () => number;
  /** Should end early when `signal` aborts; the transport stops waiting for it then either way. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

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
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      sent
        ? `no answer to ${method} ${route} (${reason}); GitLab may have carried it out`
        : `could not reach GitLab for ${method} ${route} (${reason}); nothing was sent`,
      { cause },
    );
    this.name = 'NoAnswerError';
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
    if (e instanceof NoAnswerError) return { waitMs: 0 };
    if (e.name === 'TimeoutError' || (e instanceof TypeError && e.message === 'fetch failed')) return { waitMs: 0 };
  }
  return null;
}

export class Transport {
  readonly counts = new Map<string, number>();
  private notBefore = 0;
  private rate: { remaining: number; limit: number; resetAt: number } | null = null;
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

    return pRetry(
      async () => {
        const queued = this.limit(async () => {
          signal?.throwIfAborted();
          await this.waitForTurn(method, route, signal);
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
            this.record(method, route, 0, started);
            if (signal?.aborted) throw new AbortError(abortReason(signal));
            // A write is never resent blind: the caller decides, knowing it may have been done.
            if (!idempotent) throw new AbortError(new NoAnswerError(method, route, !neverSent(err), err));
            throw new Retryable(`network error on ${method} ${route}: ${(err as Error).message}`);
          }
          this.record(method, route, res.status, started);
          this.observeRate(res.headers);
          return res;
        });
        // Waiting for a free slot is waiting too: an abort ends it.
        const response = await abortable(queued, signal);
        if (response.ok) return parseResponse(response);
        const description = await describe(response);
        if (response.status === 429) {
          const wait = retryAfterMs(response.headers.get('retry-after'), this.now()) ?? this.opts.minBackoffMs ?? 1000;
          this.notBefore = Math.max(this.notBefore, this.now() + wait);
          if (wait > this.maxRetryAfterMs) {
            const error = new RateLimitedError(wait, method, route, this.maxRetryAfterMs);
            this.opts.log.warn({ method, route, retryAfterMs: wait }, error.message);
            throw new AbortError(error);
          }
          this.opts.log.warn({ method, route, retryAfterMs: wait }, 'GitLab rate limit: waiting as Retry-After asks');
          throw new Retryable(`429 on ${method} ${route}`);
        }
        if (response.status >= 500 && idempotent) {
          throw new Retryable(`${response.status} on ${method} ${route}: ${description}`);
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
          if (retriesLeft > 0 && error instanceof Retryable)
            this.opts.log.debug({ route, attemptNumber, err: error.message }, 'retrying GitLab call');
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

  /**
   * Wait out any Retry-After (or fail when it is longer than a call waits), then pace calls when
   * the remaining budget runs low.
   */
  private async waitForTurn(method: string, route: string, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const wait = this.notBefore - this.now();
      if (wait <= 0) break;
      if (wait > this.maxRetryAfterMs) throw new AbortError(new RateLimitedError(wait, method, route, this.maxRetryAfterMs));
      await this.pause(wait, signal);
    }
    const rate = this.rate;
    if (!rate || rate.limit <= 0) return;
    const share = this.opts.slowBelowShare ?? 0.1;
    if (rate.remaining >= rate.limit * share) return;
    const untilReset = rate.resetAt - this.now();
    if (untilReset <= 0) return;
    // Spread what is left evenly over the time left in the window.
    await this.pause(Math.min(10_000, untilReset / Math.max(1, rate.remaining)), signal);
  }

  /** The injected sleep, cut short by an abort even if that sleep ignores the signal. */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    await abortable(this.sleep(ms, signal), signal);
  }

  private observeRate(headers: Headers) {
    const remaining = Number(headers.get('ratelimit-remaining'));
    const limit = Number(headers.get('ratelimit-limit'));
    const reset = Number(headers.get('ratelimit-reset'));
    if (!headers.has('ratelimit-remaining') || !Number.isFinite(remaining) || !Number.isFinite(limit)) return;
    this.rate = { remaining, limit, resetAt: Number.isFinite(reset) ? reset * 1000 : this.now() + 60_000 };
  }
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
