// How Rhythm's requests reach GitLab: gitbeaker builds URLs, queries, bodies and follows pagination;
// this transport sends them with the policies gitbeaker lacks (it retries only 429/502, ignores
// Retry-After and has no backoff for 5xx): Retry-After honoured for every later call, exponential
// backoff with jitter for 5xx and network errors on idempotent calls (p-retry), a concurrency cap
// (p-limit), pacing when RateLimit-Remaining runs low, and a count of calls by route.
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry, { AbortError } from 'p-retry';

export interface TransportLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface CallObserver {
  (call: { method: string; route: string; status: number; ms: number }): void;
}

export interface TransportOptions {
  log: TransportLog;
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
  onCall?: CallObserver;
  /** The clock and the sleep are injectable so tests can check Retry-After without waiting. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
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

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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

class Retryable extends Error {}

export class Transport {
  readonly counts = new Map<string, number>();
  private notBefore = 0;
  private rate: { remaining: number; limit: number; resetAt: number } | null = null;
  private readonly limit: LimitFunction;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: TransportOptions) {
    this.limit = pLimit(opts.concurrency ?? 4);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? sleepReal;
  }

  /** The earliest moment the next call may be sent (Retry-After), for tests and logs. */
  get blockedUntil(): number {
    return this.notBefore;
  }

  /** A gitbeaker requester handler; `headers` are added to every call (e.g. X-Gitlab-Event-UUID). */
  handler(extraHeaders: Record<string, string>, count: (method: string) => void) {
    return (endpoint: string, options: GitbeakerRequestOptions) => this.send(endpoint, options, extraHeaders, count);
  }

  private async send(
    endpoint: string,
    options: GitbeakerRequestOptions,
    extraHeaders: Record<string, string>,
    count: (method: string) => void,
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
        const response = await this.limit(async () => {
          await this.waitForTurn();
          const started = this.now();
          count(method);
          let res: Response;
          try {
            res = await fetch(url, {
              method,
              headers: { ...headers, ...extraHeaders },
              body: body ?? null,
              signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
            });
          } catch (err) {
            this.record(method, route, 0, started);
            if (!idempotent) throw new AbortError(err instanceof Error ? err : String(err));
            throw new Retryable(`network error on ${method} ${route}: ${(err as Error).message}`);
          }
          this.record(method, route, res.status, started);
          this.observeRate(res.headers);
          return res;
        });
        if (response.ok) return parseResponse(response);
        const description = await describe(response);
        if (response.status === 429) {
          const wait = retryAfterMs(response.headers.get('retry-after'), this.now()) ?? this.opts.minBackoffMs ?? 1000;
          this.notBefore = Math.max(this.notBefore, this.now() + wait);
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
          if (retriesLeft > 0) this.opts.log.debug({ route, attemptNumber, err: error.message }, 'retrying GitLab call');
        },
        shouldRetry: ({ error }) => error instanceof Retryable,
      },
    );
  }

  private record(method: string, route: string, status: number, started: number) {
    const key = `${method} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.opts.onCall?.({ method, route, status, ms: this.now() - started });
  }

  /** Wait out any Retry-After, then pace calls when the remaining budget runs low. */
  private async waitForTurn(): Promise<void> {
    for (;;) {
      const wait = this.notBefore - this.now();
      if (wait <= 0) break;
      await this.sleep(wait);
    }
    const rate = this.rate;
    if (!rate || rate.limit <= 0) return;
    const share = this.opts.slowBelowShare ?? 0.1;
    if (rate.remaining >= rate.limit * share) return;
    const untilReset = rate.resetAt - this.now();
    if (untilReset <= 0) return;
    // Spread what is left evenly over the time left in the window.
    await this.sleep(Math.min(10_000, untilReset / Math.max(1, rate.remaining)));
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
  const body = type === 'application/json' && text ? JSON.parse(text) : text;
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
