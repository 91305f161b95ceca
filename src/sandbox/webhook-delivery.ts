// Delivers webhook events the way GitLab's WebHookService does: asynchronously after the API
// response, one POST per hook with GitLab's headers, 10 s timeout, no retries, 2xx/3xx = success,
// GitLab's auto-disabling (hook-health.ts: temporarily disabled from the 4th failure in a row,
// 1 min doubling up to 1 day; disabled for good at the 40th), events dropped while a hook is not
// executable, and recursion detection through X-Gitlab-Event-UUID. Faults can
// hold deliveries and let them go in another order, or send one twice, as GitLab's background
// jobs may (each delivery is its own WebHookWorker job: no order between them, and a job can run
// again).

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { GITLAB_AUTO_DISABLING, HookHealth, type AlertStatus, type AutoDisabling } from './hook-health.js';
import { seededRandom } from './seeded-random.js';
import type { HookEvent } from './issue-service.js';
import type { Payload } from './hook-payloads.js';
import type { World } from './world.js';
import type { DeliveryOutcome, DeliveryRecord, HookRecord, ReleaseOrder } from './types.js';

export const GITLAB_VERSION = '18.0.0-sandbox';
const MAX_RESPONSE_BODY = 8 * 1024; // GitLab keeps at most 8 KB of a response body
const MAX_RESPONSE_HEADERS = 50;
const MAX_CHAINS = 10_000;

export type Trigger = 'issue_hooks' | 'confidential_issue_hooks' | 'note_hooks' | 'confidential_note_hooks' | 'push_hooks';

const EVENT_NAMES: Record<Trigger, string> = {
  issue_hooks: 'Issue Hook',
  confidential_issue_hooks: 'Confidential Issue Hook',
  note_hooks: 'Note Hook',
  confidential_note_hooks: 'Confidential Note Hook',
  push_hooks: 'Push Hook',
};

export function triggerOf(event: HookEvent): Trigger {
  if (event.kind === 'issue') return event.confidential ? 'confidential_issue_hooks' : 'issue_hooks';
  return event.confidential ? 'confidential_note_hooks' : 'note_hooks';
}

export function hookWants(hook: HookRecord, trigger: Trigger): boolean {
  switch (trigger) {
    case 'issue_hooks':
      return hook.issuesEvents;
    case 'confidential_issue_hooks':
      return hook.confidentialIssuesEvents;
    case 'note_hooks':
      return hook.noteEvents;
    case 'confidential_note_hooks':
      return hook.confidentialNoteEvents;
    case 'push_hooks':
      return hook.pushEvents;
  }
}

interface Job {
  hook: HookRecord;
  trigger: Trigger;
  payload: Payload;
  idempotencyKey: string;
  eventUuid: string;
  test: boolean;
  faults?: Array<'holdWebhook' | 'duplicateWebhook'>;
}

/** Which delivery faults hit one planned delivery; each is asked (and consumed) only when it matters. */
export interface DeliveryFaults {
  drop(): boolean;
  hold(): boolean;
  duplicate(): boolean;
}

export class WebhookDelivery {
  private readonly records: DeliveryRecord[] = [];
  private readonly queues = new Map<number, Job[]>();
  private readonly busy = new Set<number>();
  /** Deliveries a holdWebhook fault keeps back, in the order their events happened. */
  private held: Job[] = [];
  private pending = 0;
  private waiters: Array<() => void> = [];
  // Event UUID → hooks already fired in that chain.
  private readonly chains = new Map<string, Set<number>>();
  private nextRecordId = 1;
  private closed = false;
  private readonly health: HookHealth;

  constructor(
    private readonly world: World,
    private readonly timeoutMs: number,
    private readonly instanceUrl: () => string,
    autoDisabling: Partial<AutoDisabling> | false = {},
  ) {
    this.health = new HookHealth(autoDisabling === false ? null : { ...GITLAB_AUTO_DISABLING, ...autoDisabling });
  }

  /** The hook's `alert_status` now. */
  alertStatus(hook: HookRecord): AlertStatus {
    return this.health.status(hook, this.world.now());
  }

  /**
   * Decide, at the moment of the change, which hooks get each event (GitLab's async_execute).
   * Returns the jobs to start once the API response has gone out; held ones wait for `release`.
   * `faults` says whether a dropWebhook, holdWebhook or duplicateWebhook fault hits a delivery.
   */
  plan(events: HookEvent[], incomingUuid: string | undefined, faults: DeliveryFaults): Job[] {
    const jobs: Job[] = [];
    for (const event of events) {
      const trigger = triggerOf(event);
      for (const hook of this.world.hooks.values()) {
        if (hook.projectId !== event.projectId || !hookWants(hook, trigger)) continue;
        const base = { hook, trigger, payload: event.payload, idempotencyKey: randomUUID(), test: false };
        if (this.alertStatus(hook) !== 'executable') {
          this.log({ ...base, eventUuid: incomingUuid ?? '' }, 'disabled', { error: 'hook is disabled' });
          continue;
        }
        let eventUuid: string;
        if (incomingUuid) {
          const chain = this.chain(incomingUuid);
          if (chain.has(hook.id)) {
            this.log({ ...base, eventUuid: incomingUuid }, 'blocked', { error: 'Recursive webhook blocked' });
            continue;
          }
          chain.add(hook.id);
          eventUuid = incomingUuid;
        } else {
          eventUuid = randomUUID();
          this.chain(eventUuid).add(hook.id);
        }
        if (faults.drop()) {
          this.log({ ...base, eventUuid }, 'dropped', { error: 'dropped by a dropWebhook fault' });
          continue;
        }
        const hold = faults.hold();
        const twice = faults.duplicate();
        const shaped: Job['faults'] = [...(hold ? ['holdWebhook' as const] : []), ...(twice ? ['duplicateWebhook' as const] : [])];
        const job: Job = { ...base, eventUuid, ...(shaped.length ? { faults: shaped } : {}) };
        // The copy is the same job run again: same Idempotency-Key and event UUID.
        const copies = twice ? [job, { ...job }] : [job];
        if (hold) this.held.push(...copies);
        else {
          jobs.push(...copies);
          this.pending += copies.length;
        }
      }
    }
    return jobs;
  }

  /** How many deliveries are held. */
  heldCount(): number {
    return this.held.length;
  }

  /**
   * Lets every held delivery go, in `order` ('random' shuffles with `seed`, so a run repeats).
   * Returns how many were let go.
   */
  release(order: ReleaseOrder = 'oldest-first', seed = 1): number {
    const jobs = this.held;
    this.held = [];
    if (order === 'newest-first') jobs.reverse();
    else if (order === 'random') {
      const random = seededRandom(seed);
      for (let i = jobs.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
      }
    }
    this.pending += jobs.length;
    this.start(jobs);
    return jobs.length;
  }

  /**
   * Keeps planned jobs back until `resume` (their call's label events are held): like held
   * deliveries, they do not count as pending, so idle() does not wait for them.
   */
  defer(jobs: Job[]): void {
    for (const _ of jobs) this.settle();
  }

  /** Sends jobs `defer` kept back. */
  resume(jobs: Job[]): void {
    this.pending += jobs.length;
    this.start(jobs);
  }

  start(jobs: Job[]): void {
    for (const job of jobs) {
      const queue = this.queues.get(job.hook.id) ?? [];
      queue.push(job);
      this.queues.set(job.hook.id, queue);
      void this.drain(job.hook.id);
    }
  }

  /** Re-send a logged delivery with the same Idempotency-Key (GitLab's "Resend request"). */
  resend(record: DeliveryRecord): void {
    const hook = this.world.hooks.get(record.hookId);
    if (!hook) return;
    const job: Job = {
      hook,
      trigger: record.trigger as Trigger,
      payload: record.body as Payload,
      idempotencyKey: record.requestHeaders['Idempotency-Key'] ?? randomUUID(),
      eventUuid: randomUUID(),
      test: false,
    };
    if (this.alertStatus(hook) !== 'executable') {
      this.log(job, 'disabled', { error: 'hook is disabled' });
      return;
    }
    this.pending += 1;
    this.start([job]);
  }

  /** A test delivery: sent now, even to a disabled hook; a 2xx re-enables the hook. */
  async test(hook: HookRecord, trigger: Trigger, payload: Payload): Promise<DeliveryRecord> {
    const job: Job = { hook, trigger, payload, idempotencyKey: randomUUID(), eventUuid: randomUUID(), test: true };
    this.pending += 1;
    try {
      return await this.send(job);
    } finally {
      this.settle();
    }
  }

  deliveries(hookId?: number): DeliveryRecord[] {
    return this.records.filter((r) => hookId === undefined || r.hookId === hookId);
  }

  record(id: number): DeliveryRecord | undefined {
    return this.records.find((r) => r.id === id);
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const job of this.held) this.log(job, 'dropped', { error: 'sandbox closed while the delivery was held' });
    this.held = [];
  }

  private chain(uuid: string): Set<number> {
    let chain = this.chains.get(uuid);
    if (!chain) {
      if (this.chains.size >= MAX_CHAINS) {
        const oldest = this.chains.keys().next().value;
        if (oldest !== undefined) this.chains.delete(oldest);
      }
      chain = new Set();
      this.chains.set(uuid, chain);
    }
    return chain;
  }

  private async drain(hookId: number): Promise<void> {
    if (this.busy.has(hookId)) return;
    this.busy.add(hookId);
    try {
      // One delivery at a time per hook, in order: makes runs repeatable (GitLab promises no order).
      for (let job = this.queues.get(hookId)?.shift(); job; job = this.queues.get(hookId)?.shift()) {
        try {
          if (this.closed) this.log(job, 'dropped', { error: 'sandbox closed' });
          else if (this.alertStatus(job.hook) !== 'executable') this.log(job, 'disabled', { error: 'hook is disabled' });
          else await this.send(job);
        } finally {
          this.settle();
        }
      }
    } finally {
      this.busy.delete(hookId);
    }
  }

  private settle(): void {
    this.pending -= 1;
    if (this.pending === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  private headers(job: Job): Record<string, string> {
    const h: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': `GitLab/${GITLAB_VERSION}`,
      'Idempotency-Key': job.idempotencyKey,
      'X-Gitlab-Event': EVENT_NAMES[job.trigger],
      'X-Gitlab-Webhook-UUID': randomUUID(),
      'X-Gitlab-Instance': this.instanceUrl(),
      'X-Gitlab-Event-UUID': job.eventUuid,
    };
    if (job.hook.token) h['X-Gitlab-Token'] = job.hook.token.replace(/[\r\n]/g, '');
    return h;
  }

  private async send(job: Job): Promise<DeliveryRecord> {
    const headers = this.headers(job);
    let url: URL;
    try {
      url = new URL(job.hook.url);
    } catch {
      return this.log(job, 'failed', { error: 'invalid URL', headers });
    }
    if (!isLoopback(url.hostname)) {
      // A sandbox never sends traffic off the machine.
      return this.log(job, 'dropped', { error: 'the sandbox only delivers to loopback addresses', headers });
    }
    if (url.username || url.password) {
      headers['Authorization'] =
        'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
      url.username = '';
      url.password = '';
    }
    const body = JSON.stringify(job.payload);
    const started = performance.now();
    const result = await post(url, headers, body, this.timeoutMs);
    const durationMs = performance.now() - started;
    const ok = result.status !== null && result.status >= 200 && result.status < 400;
    this.health.afterDelivery(job.hook, ok, this.world.now());
    return this.log(job, ok ? 'delivered' : 'failed', { headers, durationMs, ...result });
  }

  private log(
    job: Job,
    outcome: DeliveryOutcome,
    r: {
      headers?: Record<string, string>;
      status?: number | null;
      responseHeaders?: Record<string, string>;
      responseBody?: string;
      error?: string | null;
      durationMs?: number;
    },
  ): DeliveryRecord {
    const headers = { ...(r.headers ?? this.headers(job)) };
    // GitLab's hook logs never show the secret token.
    if (headers['X-Gitlab-Token'] !== undefined) headers['X-Gitlab-Token'] = '[REDACTED]';
    if (headers['Authorization'] !== undefined) headers['Authorization'] = '[REDACTED]';
    const record: DeliveryRecord = {
      id: this.nextRecordId++,
      hookId: job.hook.id,
      event: EVENT_NAMES[job.trigger],
      trigger: job.trigger,
      url: job.hook.url,
      outcome,
      test: job.test,
      ...(job.faults ? { faults: [...job.faults] } : {}),
      requestHeaders: headers,
      body: job.payload,
      responseStatus: r.status ?? null,
      responseHeaders: r.responseHeaders ?? {},
      responseBody: r.responseBody ?? '',
      error: r.error ?? null,
      durationMs: Math.round((r.durationMs ?? 0) * 1000) / 1000,
      at: new Date(this.world.now()).toISOString(),
    };
    this.records.push(record);
    return record;
  }
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number | null; responseHeaders: Record<string, string>; responseBody: string; error: string | null }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: {
      status: number | null;
      responseHeaders: Record<string, string>;
      responseBody: string;
      error: string | null;
    }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = http.request(
      url,
      { method: 'POST', agent: false, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_RESPONSE_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const responseHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers).slice(0, MAX_RESPONSE_HEADERS)) {
            if (v !== undefined) responseHeaders[k] = (Array.isArray(v) ? v.join(', ') : v).slice(0, 1024);
          }
          finish({
            status: res.statusCode ?? null,
            responseHeaders,
            responseBody: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BODY).toString('utf8'),
            error: null,
          });
        });
        res.on('error', (e) => finish({ status: res.statusCode ?? null, responseHeaders: {}, responseBody: '', error: e.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: null, responseHeaders: {}, responseBody: '', error: `execution expired (timeout after ${timeoutMs} ms)` });
    }, timeoutMs);
    req.on('error', (e) => finish({ status: null, responseHeaders: {}, responseBody: '', error: e.message }));
    req.end(body);
  });
}
