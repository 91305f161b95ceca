// Injected faults: which requests they hit, how often, and how many times before they retire.

import type { Fault } from './types.js';

interface ActiveFault {
  id: string;
  fault: Fault;
  remaining: number; // Infinity when `times` is absent
}

export interface RequestKey {
  method: string;
  /** Route pattern, e.g. '/projects/:id/issues' (null when no route matched). */
  route: string | null;
  /** Concrete path after /api/v4 as sent (still URL-encoded), no query string. */
  path: string;
  /** Username of the caller, when its token is known. */
  user?: string;
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export class FaultList {
  private readonly active: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number) {}

  add(fault: Fault): string {
    validate(fault);
    const id = `fault-${this.nextId++}`;
    this.active.push({ id, fault, remaining: fault.times ?? Infinity });
    return id;
  }

  remove(id: string): void {
    const i = this.active.findIndex((a) => a.id === id);
    if (i >= 0) this.active.splice(i, 1);
  }

  clear(): void {
    this.active.length = 0;
  }

  list(): Array<{ id: string; fault: Fault; remaining: number | null }> {
    return this.active.map((a) => ({ id: a.id, fault: a.fault, remaining: Number.isFinite(a.remaining) ? a.remaining : null }));
  }

  /**
   * The first fault of the given kinds that hits this request, consuming one of its `times`.
   * A fault whose dice roll misses does not consume anything.
   */
  take(req: RequestKey, kinds: ReadonlyArray<Fault['kind']>): Fault | undefined {
    for (const a of this.active) {
      if (!kinds.includes(a.fault.kind) || !matches(a.fault, req)) continue;
      if (this.random() >= (a.fault.probability ?? 1)) continue;
      a.remaining -= 1;
      if (a.remaining <= 0) this.remove(a.id);
      return a.fault;
    }
    return undefined;
  }
}

export function matches(fault: Fault, req: RequestKey): boolean {
  if (fault.method && fault.method.toUpperCase() !== req.method.toUpperCase()) return false;
  if (fault.user !== undefined && fault.user.toLowerCase() !== req.user?.toLowerCase()) return false;
  const p = fault.path;
  // Prefixes and regexes may be written against the path as sent or decoded (%2F as /).
  const paths = [req.path, decoded(req.path)];
  if (p instanceof RegExp) {
    return paths.some((x) => {
      p.lastIndex = 0;
      return p.test(x);
    });
  }
  const space = p.indexOf(' ');
  if (space > 0) {
    return p.slice(0, space).toUpperCase() === req.method.toUpperCase() && p.slice(space + 1) === req.route;
  }
  if (p.includes(':')) return p === req.route;
  return paths.some((x) => x.startsWith(p));
}

function validate(f: Fault): void {
  if (f.probability !== undefined && !(f.probability >= 0 && f.probability <= 1))
    throw new Error('fault probability must be between 0 and 1');
  if (f.times !== undefined && !(Number.isInteger(f.times) && f.times > 0)) throw new Error('fault times must be a positive integer');
  if (f.kind === 'status' && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599))
    throw new Error('status fault needs a 4xx or 5xx status');
  if (f.kind === 'rateLimit' && !(f.retryAfterSec >= 0)) throw new Error('rateLimit fault needs retryAfterSec >= 0');
  if (f.kind === 'latency' && !(f.ms >= 0)) throw new Error('latency fault needs ms >= 0');
  if (f.kind === 'lateAnswer' && !(f.ms >= 0)) throw new Error('lateAnswer fault needs ms >= 0');
  if (f.kind === 'lateAnswer' && f.drop !== undefined && typeof f.drop !== 'boolean')
    throw new Error('lateAnswer drop must be true or false');
  if (f.kind === 'labelEventsLag' && !(Number.isFinite(f.ms) && f.ms >= 0)) throw new Error('labelEventsLag fault needs ms >= 0');
  const kinds = [
    'status',
    'rateLimit',
    'latency',
    'lateAnswer',
    'drop',
    'dropWebhook',
    'holdWebhook',
    'duplicateWebhook',
    'labelEventsLag',
    'holdLabelEvents',
  ];
  if (!kinds.includes(f.kind)) throw new Error(`unknown fault kind ${String((f as { kind: unknown }).kind)}`);
}
