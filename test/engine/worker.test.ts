// The worker against a real SQLite store, on a clock the test moves by hand: retries and their
// backoff, dead jobs, lease renewal, and what stop does with the jobs it holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GitLabError, gitlabUnavailable, NoAnswerError, RateLimitedError } from '../../src/gitlab/transport.js';
import type { Logger } from '../../src/observability/log.js';
import { Worker, type JobResult, type Schedule, type WorkerOptions } from '../../src/engine/worker.js';
import type { ClaimedJob, Store } from '../../src/queue/contract.js';
import { openSqliteStore } from '../../src/queue/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'rhythm-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'issue:gitlab-com/sales-team/cs-skills-exchange#12';

/** A clock and timers that only move when the test says so. */
class FakeTime {
  private t = 1_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  readonly now = () => this.t;
  readonly schedule: Schedule = (ms, fn) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return () => this.timers.delete(id);
  };
  /** Moves the clock by `ms`, firing due timers in order and letting the store calls they make finish. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
    await settle();
  }
}

/** Lets promise chains (the store is synchronous underneath) run to their end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise((r) => setImmediate(r));
}

/** Real-time wait for something the worker does without the clock moving. */
async function waitFor(what: string, ok: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** A logger that keeps the warn and error lines, for the retry delays the worker chose. */
function recordingLog() {
  const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, ...(msg ? { msg } : {}) }),
    error: (obj, msg) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, ...(msg ? { msg } : {}) }),
    child: () => log,
  };
  return { log, lines };
}

const outage = () => new GitLabError(503, 'GET', '/projects/:id/issues/:iid', 'Service Unavailable');
const refusal = () => new GitLabError(403, 'GET', '/projects/:id/issues/:iid', '403 Forbidden');

let n = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/** A fresh store on a temp file, a fake clock, and a way to make workers on both. */
async function setup() {
  const store: Store = await openSqliteStore(join(dir, `store-${++n}`, 'rhythm.db'), { writerThread: false });
  await store.migrate();
  const time = new FakeTime();
  const results: JobResult[] = [];
  cleanups.push(() => store.close());
  const worker = (run: WorkerOptions['run'], over: Partial<WorkerOptions> = {}) => {
    const w = new Worker({
      store,
      workerId: `worker-${n}`,
      log: quiet,
      run,
      now: time.now,
      schedule: time.schedule,
      random: () => 0.5,
      onResult: (result) => results.push(result),
      ...over,
    });
    cleanups.push(async () => {
      const stopped = w.stop(0);
      await time.advance(60_000);
      await stopped;
    });
    return w;
  };
  return { store, time, results, worker };
}

/** Another replica's claim, at the fake clock's time. */
const claimAsOther = (store: Store, time: FakeTime, leaseMs = 60_000): Promise<ClaimedJob[]> =>
  store.claim('another-replica', 1, leaseMs, time.now());

describe('the worker', () => {
  it('holds one job at a time while it yields to more urgent work, and its full concurrency after', async () => {
    const { store, time, worker } = await setup();
    for (let i = 1; i <= 3; i += 1) await store.enqueue(`${KEY}${i}`, time.now());
    let urgent = true;
    const running = new Set<string>();
    let most = 0;
    const gate = deferred();
    const w = worker(
      async (job) => {
        running.add(job.key);
        most = Math.max(most, running.size);
        await gate.promise;
        running.delete(job.key);
      },
      { concurrency: 3, yieldTo: () => urgent },
    );
    w.start();
    await waitFor('a first job', () => running.size === 1);
    await time.advance(1000); // polls come and go: still one, while the receiver is busy
    expect(running.size).toBe(1);
    urgent = false;
    await time.advance(1000);
    await waitFor('the other two jobs', () => running.size === 3);
    gate.resolve();
    await waitFor('all three done', () => running.size === 0);
    expect(most).toBe(3);
  });

  it('retries a failing job after the backoff its random draw gives', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    const started = time.now();
    // Retry 0 with base 1000: between 500 and 1000 ms; a draw of 0.25 makes it 625.
    const w = worker(
      async () => {
        throw new Error('GitLab answered 500');
      },
      { backoffBaseMs: 1000, random: () => 0.25 },
    );
    w.start();
    await waitFor('the first run', () => results.length === 1);
    await w.stop(0);
    expect(results).toEqual(['retry']);
    expect(await store.claim('probe', 1, 60_000, started + 624)).toEqual([]);
    const [again] = await store.claim('probe', 1, 60_000, started + 625);
    expect(again?.key).toBe(KEY);
    expect(again?.attempts).toBe(1);
  });

  it('parks a job as dead after maxAttempts failures', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    const w = worker(
      async () => {
        throw new Error('GitLab answered 500');
      },
      { maxAttempts: 3, backoffBaseMs: 1000, random: () => 0 },
    );
    w.start();
    await waitFor('the first run', () => results.length === 1);
    // Retries after 500 then 1000 ms (random 0: half the ceiling); polls every 250.
    await time.advance(500);
    await waitFor('the second run', () => results.length === 2);
    await time.advance(1000);
    await waitFor('the third run', () => results.length === 3);
    expect(results).toEqual(['retry', 'retry', 'dead']);
    const dead = await store.dead();
    expect(dead.map((d) => [d.key, d.attempts, d.lastError])).toEqual([[KEY, 3, 'GitLab answered 500']]);
    await time.advance(10_000);
    expect(results).toHaveLength(3);
  });

  it('keeps retrying a job while GitLab is unavailable, the backoff capped, and never parks it as dead', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    const { log, lines } = recordingLog();
    let runs = 0;
    const w = worker(
      async () => {
        runs += 1;
        // Wrapped as the runner wraps a failed read: the cause is what counts.
        throw new Error('could not read what the card needs', { cause: outage() });
      },
      { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 4000, random: () => 0.5, unavailable: gitlabUnavailable, log },
    );
    w.start();
    // Four times maxAttempts: an outage that lasts.
    await waitFor('the first run', () => results.length === 1);
    while (results.length < 12) await time.advance(1000);
    await w.stop(0);
    expect(runs).toBe(results.length);
    expect(new Set(results)).toEqual(new Set(['unavailable']));
    expect(await store.dead()).toEqual([]);
    expect(await store.stats(time.now())).toMatchObject({ dead: 0, pending: 1, retrying: 1 });
    // Exponential (750, 1500, 3000 with a draw of 0.5), then held at the cap's 3000.
    const delays = lines.filter((l) => l.msg?.startsWith('GitLab is unavailable')).map((l) => l.obj.retryInMs);
    expect(delays.slice(0, 5)).toEqual([750, 1500, 3000, 3000, 3000]);
    expect(Math.max(...(delays as number[]))).toBeLessThanOrEqual(4000);
    expect(lines.some((l) => l.level === 'error')).toBe(false);
  });

  it('waits out a Retry-After longer than the backoff, but never longer than the cap', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    const started = time.now();
    const w = worker(
      async () => {
        throw new RateLimitedError(3_600_000, 'GET', '/projects/:id/issues/:iid', 300_000);
      },
      { backoffBaseMs: 1000, backoffMaxMs: 60_000, unavailable: gitlabUnavailable },
    );
    w.start();
    await waitFor('the first run', () => results.length === 1);
    await w.stop(0);
    expect(results).toEqual(['unavailable']);
    expect(await store.claim('probe', 1, 60_000, started + 59_999)).toEqual([]);
    const [again] = await store.claim('probe', 1, 60_000, started + 60_000);
    expect([again?.attempts, again?.strikes]).toEqual([1, 0]);
  });

  it('counts only failures other than GitLab being unavailable toward dead', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    let runs = 0;
    const w = worker(
      async () => {
        runs += 1;
        throw runs % 2 === 1 ? outage() : refusal();
      },
      { maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 1000, unavailable: gitlabUnavailable },
    );
    w.start();
    await waitFor('the first run', () => results.length === 1);
    while (!results.includes('dead')) await time.advance(100);
    await time.advance(10_000);
    expect(results).toEqual(['unavailable', 'retry', 'unavailable', 'retry', 'unavailable', 'dead']);
    const dead = await store.dead();
    expect(dead.map((d) => [d.key, d.attempts, d.lastError])).toEqual([[KEY, 6, refusal().message]]);
  });

  it('says so once when claims keep failing (its database gone), then once a minute, and when they work again', async () => {
    const { store, time, worker } = await setup();
    let gone = true;
    const flaky: Store = Object.create(store) as Store;
    flaky.claim = (...args) => (gone ? Promise.reject(new Error('the database file x is gone')) : store.claim(...args));
    const { log, lines } = recordingLog();
    const infos: string[] = [];
    log.info = (_obj, msg) => infos.push(msg ?? '');
    const w = worker(async () => undefined, { store: flaky, log, pollMs: 250 });
    w.start();
    await time.advance(59_000); // ~236 polls
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['could not claim work; will try again']);
    await time.advance(2000);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'could not claim work; will try again',
      'still cannot claim work; will keep trying',
    ]);
    gone = false;
    await time.advance(500);
    expect(infos).toContain('claiming work again');
  });

  it('renews the lease of a long job, so another replica cannot claim the key meanwhile', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    const gate = deferred();
    const w = worker(() => gate.promise, { leaseMs: 3000 });
    w.start();
    await waitFor('the job to start', () => w.busy === 1);
    // Ten leases long: without renewal the key would be free after the first 3 s.
    await time.advance(30_000);
    expect(await claimAsOther(store, time)).toEqual([]);
    gate.resolve();
    await waitFor('the job to finish', () => results.length === 1);
    expect(results).toEqual(['done']);
  });

  it('on stop, waits for a job that finishes within the grace', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    const gate = deferred();
    let aborted = false;
    const w = worker((_job, signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return gate.promise;
    });
    w.start();
    await waitFor('the job to start', () => w.busy === 1);
    let stopped = false;
    const stopping = w.stop(10_000).then(() => (stopped = true));
    await time.advance(5000);
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(results).toEqual(['done']);
    expect(aborted).toBe(false);
    expect(await store.stats(time.now())).toMatchObject({ pending: 0, running: 0, dead: 0 });
  });

  it('on stop, aborts a job that outlives the grace and gives it back at once', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    const w = worker(
      (_job, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      { leaseMs: 60_000 },
    );
    w.start();
    await waitFor('the job to start', () => w.busy === 1);
    const stopping = w.stop(1000);
    await time.advance(1000);
    await stopping;
    expect(results).toEqual(['released']);
    // One second into a sixty-second lease: only a release makes the key free already.
    const [taken] = await claimAsOther(store, time);
    expect(taken?.key).toBe(KEY);
    expect(taken?.attempts).toBe(0);
  });

  it('lets stop resolve even when a job ignores its signal', async () => {
    const { store, time, results, worker } = await setup();
    await store.enqueue(KEY, time.now());
    const w = worker(() => new Promise(() => {}), { leaseMs: 60_000, abortWaitMs: 2000 });
    w.start();
    await waitFor('the job to start', () => w.busy === 1);
    let stopped = false;
    void w.stop(1000).then(() => (stopped = true));
    await time.advance(2999);
    expect(stopped).toBe(false);
    await time.advance(1);
    await waitFor('stop to resolve', () => stopped);
    expect(results).toEqual(['released']);
    expect(w.busy).toBe(0);
    const [taken] = await claimAsOther(store, time);
    expect(taken?.key).toBe(KEY);
  });

  it('runs a newly stored job on wake(), before the next poll', async () => {
    const { store, time, results, worker } = await setup();
    const w = worker(async () => undefined, { pollMs: 60_000 });
    w.start();
    await settle();
    await store.enqueue(KEY, time.now());
    w.wake();
    // The clock never moves: only the wake can make the worker look again.
    await waitFor('the job to run', () => results.length === 1);
    expect(results).toEqual(['done']);
  });
});

describe('which failures are GitLab being unavailable (retried for as long as it lasts, never dead)', () => {
  const call = ['GET', '/projects/:id/issues/:iid'] as const;
  it.each([
    ['a 500', new GitLabError(500, ...call, 'Internal Server Error'), { waitMs: 0 }],
    ['a 502', new GitLabError(502, ...call, 'Bad Gateway'), { waitMs: 0 }],
    ['a 503', new GitLabError(503, ...call, 'Service Unavailable'), { waitMs: 0 }],
    ['a 429', new GitLabError(429, ...call, 'Retry later'), { waitMs: 0 }],
    ['a Retry-After longer than a call waits', new RateLimitedError(3_600_000, ...call, 300_000), { waitMs: 3_600_000 }],
    [
      'a write that got no answer',
      new NoAnswerError('POST', '/projects/:id/issues/:iid/notes', true, new Error('socket hang up')),
      { waitMs: 0 },
    ],
    ['a network error', new TypeError('fetch failed'), { waitMs: 0 }],
    [
      'a 503 inside the error a job wraps it in',
      new Error('could not read the card', { cause: new GitLabError(503, ...call, 'x') }),
      { waitMs: 0 },
    ],
    ['a 401', new GitLabError(401, ...call, '401 Unauthorized'), null],
    ['a 403', new GitLabError(403, ...call, '403 Forbidden'), null],
    ['a 404', new GitLabError(404, ...call, '404 Not found'), null],
    ['a 422', new GitLabError(422, ...call, 'is invalid'), null],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'labels')"), null],
    ['a thrown string', 'boom', null],
  ])('%s', (_name, err, expected) => {
    expect(gitlabUnavailable(err)).toEqual(expected);
  });
});
