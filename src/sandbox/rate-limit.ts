// GitLab's two kinds of rate limit, as the sandbox plays them.
//
// - The per-user request throttle of Rack::Attack ("throttle_authenticated_api"): a fixed window
//   of `periodSec` aligned to the epoch, RateLimit-* headers on every API response, 429 with
//   Retry-After and RateLimit-ResetTime when over (lib/gitlab/rack_attack/request_throttle_data.rb:
//   RateLimit-Reset is the Unix time the window ends, `now + period - now % period`; RateLimit-Limit
//   is the quota normalised to 60 seconds, `ceil(limit * 60 / period)`).
// - Application rate limits (Gitlab::ApplicationRateLimiter, e.g. notes_create, issues_create):
//   fixed windows of `interval` aligned to the epoch (`Time.now.to_i.divmod(interval)`), every
//   attempt counted, refused ones too; a refusal is a 429 without RateLimit-* headers.

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly periodMs: number;

  constructor(
    private readonly limit: number,
    periodSec: number,
    private readonly now: () => number,
  ) {
    this.periodMs = periodSec * 1000;
  }

  /** Count one request for `key` (a user, or an address when anonymous). */
  hit(key: string, name: string): RateDecision {
    const now = this.now();
    const start = Math.floor(now / this.periodMs) * this.periodMs;
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    const allowed = w.count <= this.limit;
    return {
      allowed,
      headers: rateHeaders({
        limit: this.limit,
        periodSec: this.periodMs / 1000,
        name,
        observed: w.count,
        resetAt: start + this.periodMs,
        now,
        limited: !allowed,
      }),
    };
  }
}

export function rateHeaders(r: {
  limit: number;
  periodSec: number;
  name: string;
  observed: number;
  /** When the window ends, epoch ms. */
  resetAt: number;
  now: number;
  limited: boolean;
}): Record<string, string> {
  const h: Record<string, string> = {
    'RateLimit-Name': r.name,
    'RateLimit-Limit': String(Math.ceil((r.limit * 60) / r.periodSec)),
    'RateLimit-Observed': String(r.observed),
    'RateLimit-Remaining': String(Math.max(0, r.limit - r.observed)),
    // A Unix timestamp in seconds, as GitLab sends it (not seconds from now).
    'RateLimit-Reset': String(Math.ceil(r.resetAt / 1000)),
  };
  if (r.limited) {
    h['RateLimit-ResetTime'] = new Date(Math.ceil(r.resetAt / 1000) * 1000).toUTCString();
    h['Retry-After'] = String(Math.max(1, Math.ceil((r.resetAt - r.now) / 1000)));
  }
  return h;
}

/** GitLab's answer when an application rate limit refuses a request (API::Helpers::RateLimiter). */
export const APPLICATION_LIMIT_MESSAGE = 'This endpoint has been requested too many times. Try again later.';

/** Gitlab::ApplicationRateLimiter's counting: one fixed window per key and period, every attempt counted. */
export class ApplicationLimit {
  private readonly windows = new Map<string, { period: number; count: number }>();

  constructor(
    /** Attempts allowed per window; 0 turns the limit off (GitLab's "0 disables"). */
    private readonly threshold: number,
    readonly intervalSec: number,
    private readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return this.threshold > 0 && this.intervalSec > 0;
  }

  /** Counts one attempt for `key`; false when it is over the threshold (and so refused). */
  hit(key: string): boolean {
    if (!this.enabled) return true;
    const period = Math.floor(this.now() / 1000 / this.intervalSec);
    let w = this.windows.get(key);
    if (!w || w.period !== period) {
      w = { period, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    return w.count <= this.threshold;
  }
}
