// The transport against a small local server that answers what each test scripts: an abort ends
// a call at once wherever it waits, and a long Retry-After fails calls instead of freezing them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitedError, Transport } from '../../src/gitlab/transport.js';
import type { Logger } from '../../src/observability/log.js';

const log: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };

/** What the server does with the next request; the last one repeats. */
type Answer = (req: IncomingMessage, res: ServerResponse) => void;
let answers: Answer[] = [];
let requests = 0;
let closedEarly = 0;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests += 1;
    res.on('close', () => {
      if (!res.writableEnded) closedEarly += 1;
    });
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answers = [];
  requests = 0;
  closedEarly = 0;
});

const ok: Answer = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"username":"rhythm-bot"}');
};
const status =
  (code: number, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end('{"message":"scripted"}');
  };
/** Never answers: the request stays in flight until the client gives up. */
const hang: Answer = () => undefined;

const get = (transport: Transport, signal?: AbortSignal) =>
  transport.handler({}, () => undefined, signal)('user', { method: 'GET', prefixUrl: base });

/** Resolves with how the call ended and how long it took in real time. */
async function outcome(call: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

function abortAfter(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}
const isAbort = (error: unknown) => error instanceof Error && error.name === 'AbortError';

describe('aborting a GitLab call', () => {
  it('cancels the request in flight', async () => {
    answers = [hang];
    const controller = new AbortController();
    const call = outcome(get(new Transport({ log }), controller.signal));
    await waitUntil(() => requests === 1);
    controller.abort();
    const { error, ms } = await call;
    expect((error as Error).name).toBe('AbortError');
    expect(ms).toBeLessThan(1000);
    await waitUntil(() => closedEarly === 1);
    expect(requests).toBe(1);
  });

  it('ends a Retry-After pause at once, and frees its slot for the next call', async () => {
    // A minute is within the cap, so the transport would wait it out; the sleep here is real.
    answers = [status(429, { 'retry-after': '60' }), ok];
    let clock = 1_000_000;
    const transport = new Transport({ log, concurrency: 1, minBackoffMs: 1, maxBackoffMs: 2, now: () => clock });
    const { error, ms } = await outcome(get(transport, abortAfter(100)));
    expect(isAbort(error)).toBe(true);
    expect(ms).toBeLessThan(2000);
    expect(requests).toBe(1);
    clock += 60_000;
    expect((await outcome(get(transport, abortAfter(1000)))).error).toBeNull();
  });

  it('ends the wait even when the injected sleep ignores the signal', async () => {
    answers = [status(429, { 'retry-after': '60' }), ok];
    let clock = 1_000_000;
    const transport = new Transport({
      log,
      concurrency: 1,
      minBackoffMs: 1,
      maxBackoffMs: 2,
      now: () => clock,
      sleep: () => new Promise(() => {}),
    });
    const { error, ms } = await outcome(get(transport, abortAfter(100)));
    expect(isAbort(error)).toBe(true);
    expect(ms).toBeLessThan(2000);
    clock += 60_000;
    expect((await outcome(get(transport, abortAfter(1000)))).error).toBeNull();
  });

  it('ends a backoff sleep between retries at once', async () => {
    answers = [status(503)];
    const transport = new Transport({ log, minBackoffMs: 60_000, maxBackoffMs: 60_000 });
    const { error, ms } = await outcome(get(transport, abortAfter(100)));
    expect(isAbort(error)).toBe(true);
    expect(ms).toBeLessThan(2000);
    expect(requests).toBe(1);
  });

  it('ends a wait for a free slot, leaving the other calls alone', async () => {
    answers = [hang, ok];
    const transport = new Transport({ log, concurrency: 1, timeoutMs: 500, retries: 0 });
    const first = outcome(get(transport));
    await waitUntil(() => requests === 1);
    const second = await outcome(get(transport, abortAfter(50)));
    expect(isAbort(second.error)).toBe(true);
    expect(second.ms).toBeLessThan(400);
    // The first call times out on its own; the aborted second one never reached the server.
    expect(((await first).error as Error).message).toMatch(/network error|aborted|timeout/i);
    expect(requests).toBe(1);
  });

  it('is unchanged for a call without a signal', async () => {
    answers = [status(503), ok];
    const response = await get(new Transport({ log, minBackoffMs: 1, maxBackoffMs: 2 }));
    expect(response.body).toEqual({ username: 'rhythm-bot' });
    expect(requests).toBe(2);
  });
});

describe('a Retry-After longer than a call waits', () => {
  it('fails the call with what GitLab asked, instead of sleeping an hour', async () => {
    answers = [status(429, { 'retry-after': '3600' }), ok];
    let clock = 1_000_000;
    const slept: number[] = [];
    const transport = new Transport({
      log,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      // A backoff before failing would show in the time the call takes.
      minBackoffMs: 10_000,
      maxBackoffMs: 10_000,
    });
    const first = await outcome(get(transport));
    expect(first.error).toBeInstanceOf(RateLimitedError);
    expect(first.ms).toBeLessThan(1000);
    expect((first.error as Error).message).toBe(
      'GitLab asked to wait 3600 s before the next call (Retry-After); GET /user fails rather than wait more than 300 s, and its job is retried later',
    );
    expect(slept).toEqual([]);

    // GitLab's request stands: later calls fail fast without calling it, until the wait fits the cap.
    clock += 1000;
    const second = await outcome(get(transport));
    expect((second.error as Error).message).toMatch(/^GitLab asked to wait 3599 s /);
    expect(requests).toBe(1);
    clock += 3599_000 - 60_000;
    expect((await get(transport)).body).toEqual({ username: 'rhythm-bot' });
    expect(slept).toEqual([60_000]);
    expect(requests).toBe(2);
  });

  it('takes its cap from the options', async () => {
    answers = [status(429, { 'retry-after': '3' }), ok];
    let clock = 0;
    const transport = new Transport({
      log,
      maxRetryAfterMs: 2000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const { error } = await outcome(get(transport));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).waitMs).toBe(3000);
  });
});

async function waitUntil(ok: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a 429 without RateLimit-* headers on a create (an application limit)', () => {
  const post = (transport: Transport) =>
    transport.handler({ 'private-token': 't' }, () => undefined)('projects/1/issues/2/notes', {
      method: 'POST',
      prefixUrl: base,
      body: '{"body":"hi"}',
    });
  const refused =
    (headers: Record<string, string>): Answer =>
    (_req, res) => {
      // Node would add a Date of its own: an answer "told nothing" has none.
      if (!headers['date']) res.sendDate = false;
      res.writeHead(429, { 'content-type': 'application/json', ...headers });
      res.end('{"message":{"error":"This endpoint has been requested too many times. Try again later."}}');
    };

  it('waits until the minute turns on GitLab’s clock, not a whole minute, then sends the create again', async () => {
    answers = [refused({ date: 'Tue, 01 Jan 2030 12:00:50 GMT', 'retry-after': '60' }), ok];
    let clock = Date.UTC(2030, 0, 1, 12, 0, 50, 400);
    const slept: number[] = [];
    const transport = new Transport({
      log,
      minBackoffMs: 1,
      maxBackoffMs: 1,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    expect((await post(transport)).status).toBe(200);
    expect(requests).toBe(2);
    // 10 s to 12:01:00 by the answer's Date (whole seconds, cut down), a little slack; not 60.
    expect(slept).toEqual([10_250]);
  });

  it('never waits longer than a Retry-After it was given, and a whole window when told nothing', async () => {
    answers = [refused({ date: 'Tue, 01 Jan 2030 12:00:10 GMT', 'retry-after': '3' }), refused({}), ok];
    let clock = Date.UTC(2030, 0, 1, 12, 0, 10);
    const slept: number[] = [];
    const transport = new Transport({
      log,
      minBackoffMs: 1,
      maxBackoffMs: 1,
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    expect((await post(transport)).status).toBe(200);
    expect(slept).toEqual([3000, 60_000]);
    // Only the creates waited: GitLab's throttle did not ask anything of other calls.
    expect(transport.blockedUntil).toBe(0);
  });
});
