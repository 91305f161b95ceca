// Per-user request throttle like GitLab's Rack::Attack "throttle_authenticated_api":
// a fixed one-minute window, RateLimit-* headers on every API response, 429 when over.

const WINDOW_MS = 60_000;

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** Count one request for `key` (a user, or an address when anonymous). */
  hit(key: string, name: string): RateDecision {
    const now = this.now();
    const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    const allowed = w.count <= this.limit;
    return { allowed, headers: rateHeaders(this.limit, name, w.count, start + WINDOW_MS, now, !allowed) };
  }
}

export function rateHeaders(
  limit: number,
  name: string,
  observed: number,
  resetAt: number,
  now: number,
  limited: boolean,
): Record<string, string> {
  const resetIn = Math.max(0, Math.ceil((resetAt - now) / 1000));
  const h: Record<string, string> = {
    'RateLimit-Limit': String(limit),
    'RateLimit-Name': name,
    'RateLimit-Observed': String(observed),
    'RateLimit-Remaining': String(Math.max(0, limit - observed)),
    'RateLimit-Reset': String(resetIn),
  };
  if (limited) {
    h['RateLimit-ResetTime'] = new Date(resetAt).toUTCString();
    h['Retry-After'] = String(resetIn);
  }
  return h;
}
