// POST /webhooks/gitlab, and an Express app for health, readiness and metrics.
//
// GitLab never retries a failed delivery and auto-disables a hook after 4 failures in a row,
// 4xx and 5xx alike, within a 10 s budget. So the webhook path is a plain node:http handler in
// front of Express (less work per request), stores durably before it answers 2xx, refuses bad
// requests with the right 4xx and nothing stored, and answers 5xx only when nothing was stored.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import express from 'express';
import type { Store } from '../queue/contract.js';
import type { Logger } from '../observability/log.js';
import type { DeliveryResult, Metrics } from '../observability/metrics.js';
import { describeErrors, validatorFor } from './hook-schemas.js';
import { nestsDeeperThan } from './nesting.js';
import { routeDelivery } from './route.js';
import { secretCheck } from './secret.js';

export const WEBHOOK_PATH = '/webhooks/gitlab';
/** GitLab's own cap on a webhook request body (REQUEST_BODY_SIZE_LIMIT = 25.megabytes). */
export const BODY_LIMIT = 25 * 1024 * 1024;
/** Bodies up to this size are drained after an early refusal so the connection can be reused. */
const DRAIN_LIMIT = 1024 * 1024;
/** Header ids we store and echo: GitLab sends UUIDs; anything longer is not GitLab. */
const headerId = /^[\x21-\x7e]{1,200}$/;
/** GitLab payloads nest about six levels; far deeper is an attack on the parser, not an event. */
export const MAX_NESTING = 64;
/** This many webhook requests in flight at once is a burst (see Receiver.lastBurstAt). */
export const BURST_IN_FLIGHT = 8;

export interface ReadyReport {
  ok: boolean;
  checks: Record<string, boolean>;
  /** Why each failed check failed, in words a person can act on (only for those that failed). */
  reasons?: Record<string, string>;
}

/** /readyz answers by then, even if the readiness check itself hangs. */
const READY_ANSWER_MS = 5000;

export interface ReceiverOptions {
  store: Store;
  /** The hook's secret token (RHYTHM_WEBHOOK_SECRET). Required. */
  secret: string;
  /** During a rotation, the old secret (RHYTHM_WEBHOOK_SECRET_PREVIOUS), accepted too. */
  previousSecret?: string;
  /** Configured project paths (path_with_namespace). */
  projects: Set<string>;
  botUsername: string;
  log: Logger;
  metrics: Metrics;
  /** Database writable and GitLab reachable, for /readyz. */
  ready: () => Promise<ReadyReport>;
  /** Called once a delivery is durably stored (not for duplicates), e.g. to wake a worker. */
  onStored?: (key: string | null) => void;
}

export interface Receiver {
  /** The whole HTTP surface: the webhook fast path, everything else handed to `app`. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  app: express.Express;
  /** Webhook requests being handled right now (read, validated, stored), for yielding to them. */
  inFlight(): number;
  /** When `BURST_IN_FLIGHT` or more webhook requests were last in flight at once (epoch ms; 0: never). */
  lastBurstAt(): number;
}

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  if (contentType === 'application/json') return true; // what GitLab sends
  const [type, ...params] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return false;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}

const plainId = (value: string | undefined): string | null => (value !== undefined && headerId.test(value) ? value : null);

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type BodyRead = { kind: 'body'; body: Buffer } | { kind: 'too_large' } | { kind: 'gone' };

/**
 * Reads one request's body, keeping at most `limit` bytes, and stops as soon as it is over. A class
 * with bound methods rather than closures: it runs for every delivery, and under tsx each named
 * closure is also given its name at run time (Object.defineProperty), which showed in profiles.
 */
class BodyReader {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly onData = this.data.bind(this);
  private readonly onEnd = this.end.bind(this);
  private readonly onGone = this.gone.bind(this);
  private readonly onClose = this.close.bind(this);

  constructor(
    private readonly req: IncomingMessage,
    private readonly limit: number,
    private readonly resolve: (r: BodyRead) => void,
  ) {
    req.on('data', this.onData);
    req.on('end', this.onEnd);
    req.on('error', this.onGone);
    req.on('close', this.onClose);
  }

  private finish(r: BodyRead): void {
    const { req } = this;
    req.off('data', this.onData);
    req.off('end', this.onEnd);
    req.off('error', this.onGone);
    req.off('close', this.onClose);
    if (r.kind === 'too_large') {
      this.chunks.length = 0;
      req.pause();
    }
    this.resolve(r);
  }

  private data(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limit) this.finish({ kind: 'too_large' });
    else this.chunks.push(chunk);
  }

  private end(): void {
    const { chunks } = this;
    this.finish({ kind: 'body', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size) });
  }

  private gone(): void {
    this.finish({ kind: 'gone' });
  }

  private close(): void {
    if (!this.req.complete) this.gone();
  }
}

/** Read the body, keeping at most `limit` bytes; stop as soon as it is over. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => void new BodyReader(req, limit, resolve));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createReceiver(opts: ReceiverOptions): Receiver {
  if (typeof opts.secret !== 'string' || opts.secret.length === 0) {
    throw new Error('the webhook secret is empty: set RHYTHM_WEBHOOK_SECRET; Rhythm will not accept unauthenticated webhooks');
  }
  const tokenMatches = secretCheck(opts.secret, opts.previousSecret);
  let saidPrevious = false;
  const { store, metrics, log } = opts;
  const routeOpts = { projects: opts.projects, botUsername: opts.botUsername };
  // Compile the schemas now, so a broken schema stops the service at start, not on an event.
  validatorFor('Issue Hook');

  function send(res: ServerResponse, status: number, body: object, close = false): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    };
    if (close) headers.connection = 'close';
    if (status === 405) headers.allow = 'POST';
    res.writeHead(status, headers);
    res.end(text);
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    result: DeliveryResult,
    body: object,
    how: { bodyUnread?: boolean; close?: boolean } = {},
  ): void {
    metrics.deliveries.inc({ result });
    // A refused request whose body we did not read: drain a small one (keep-alive), but close
    // the connection rather than swallow a large or unsized one.
    let close = how.close ?? false;
    if (how.bodyUnread && !req.complete) {
      const declared = Number(header(req, 'content-length') ?? NaN);
      if (!(declared <= DRAIN_LIMIT) || req.headers['transfer-encoding'] !== undefined) close = true;
    }
    send(res, status, body, close);
  }

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      send(res, 405, { error: 'method not allowed: use POST' }, !req.complete);
      return;
    }
    const idempotencyKey = header(req, 'idempotency-key');
    const headerKey = idempotencyKey !== undefined && headerId.test(idempotencyKey) ? idempotencyKey : null;
    // Capped: it is echoed in logs and answers, and unauthenticated callers choose it.
    const event = (header(req, 'x-gitlab-event') ?? '').slice(0, 100);

    const token = header(req, 'x-gitlab-token');
    const matched = tokenMatches(token);
    if (matched === 'previous' && !saidPrevious) {
      saidPrevious = true;
      log.info({ deliveryId: headerKey, event }, 'a hook still sends the previous secret: run `rhythm hooks install --rotate-secret`');
    }
    if (matched === null) {
      log.warn(
        { deliveryId: headerKey, event, result: 'unauthorized' },
        token === undefined ? 'webhook without X-Gitlab-Token' : 'webhook with a wrong X-Gitlab-Token',
      );
      answer(req, res, 401, 'unauthorized', { error: 'unauthorized' }, { bodyUnread: true });
      return;
    }
    if (!isJsonMediaType(header(req, 'content-type'))) {
      log.warn({ deliveryId: headerKey, event, result: 'unsupported_media' }, 'webhook body is not application/json');
      answer(req, res, 415, 'unsupported_media', { error: 'Content-Type must be application/json' }, { bodyUnread: true });
      return;
    }
    if (idempotencyKey !== undefined && headerKey === null) {
      log.warn({ deliveryId: null, event, result: 'invalid' }, 'Idempotency-Key is not a plain id');
      answer(req, res, 422, 'invalid', { error: 'Idempotency-Key must be 1-200 visible ASCII characters' }, { bodyUnread: true });
      return;
    }
    const validate = validatorFor(event);
    if (!validate) {
      const reason = `event not handled: ${event || '(none)'}`;
      log.info({ deliveryId: headerKey, event, result: 'ignored', reason }, 'webhook ignored');
      answer(req, res, 200, 'ignored', { status: 'ignored', reason }, { bodyUnread: true });
      return;
    }
    const declared = Number(header(req, 'content-length') ?? 0);
    if (declared > BODY_LIMIT) {
      log.warn({ deliveryId: headerKey, event, result: 'too_large', bytes: declared }, 'webhook body over the limit');
      answer(req, res, 413, 'too_large', { error: `body over ${BODY_LIMIT} bytes` }, { close: true });
      return;
    }

    const read = await readBody(req, BODY_LIMIT);
    if (read.kind === 'gone') {
      log.info(
        { deliveryId: headerKey, event, result: 'gone', reason: 'the sender went away before the body was complete' },
        'webhook dropped: nothing was stored',
      );
      return;
    }
    if (read.kind === 'too_large') {
      log.warn({ deliveryId: headerKey, event, result: 'too_large' }, 'webhook body over the limit');
      answer(req, res, 413, 'too_large', { error: `body over ${BODY_LIMIT} bytes` }, { close: true });
      return;
    }

    const deliveryId = headerKey ?? `sha256:${sha256(read.body).toString('hex')}`;
    if (nestsDeeperThan(read.body, MAX_NESTING)) {
      log.warn({ deliveryId, event, result: 'invalid' }, 'webhook body nests too deeply');
      answer(req, res, 422, 'invalid', { error: `JSON nested deeper than ${MAX_NESTING} levels` });
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(utf8.decode(read.body));
    } catch {
      log.warn({ deliveryId, event, result: 'bad_json' }, 'webhook body is not valid UTF-8 JSON');
      answer(req, res, 400, 'bad_json', { error: 'body is not valid JSON' });
      return;
    }
    if (!validate(payload)) {
      const problems = describeErrors(validate.errors);
      log.warn({ deliveryId, event, result: 'invalid', problems }, 'webhook payload does not match its schema');
      answer(req, res, 422, 'invalid', { error: 'payload does not match the hook schema', problems });
      return;
    }

    const route = routeDelivery(event, payload, routeOpts);
    if (route.action === 'ignore') {
      log.info({ deliveryId, event, result: 'ignored', reason: route.reason }, 'webhook ignored');
      answer(req, res, 200, 'ignored', { status: 'ignored', reason: route.reason });
      return;
    }

    let outcome: 'stored' | 'duplicate';
    try {
      outcome = await store.accept({
        deliveryId,
        eventUuid: plainId(header(req, 'x-gitlab-event-uuid')),
        event,
        key: route.key,
        // The event as read once here, typed; handlers never re-read GitLab's raw payload.
        payload: JSON.stringify(route.event),
        receivedAt: Date.now(),
      });
    } catch (err) {
      // Nothing was stored, so a 5xx is honest; GitLab shows it in the hook's log.
      log.error({ deliveryId, event, result: 'error', err }, 'could not store the webhook delivery');
      answer(req, res, 503, 'error', { error: 'could not store the delivery; nothing was stored' });
      return;
    }

    if (outcome === 'duplicate') {
      log.info({ deliveryId, event, result: 'duplicate' }, 'webhook redelivery, already stored');
      answer(req, res, 200, 'duplicate', { status: 'duplicate', deliveryId });
      return;
    }
    // A delivery that wakes no work says why (the bot's own write, a drag within a column). One
    // that wakes its key is said at debug level: at thousands a second, a line each (~5 µs, and a
    // write) is a fair share of the event loop, and the job it wakes logs what it does.
    if (route.key === null) {
      log.info({ deliveryId, event, key: null, result: 'stored', wakes: 'nothing', reason: route.reason ?? 'no key' }, 'webhook stored');
    } else {
      log.debug({ deliveryId, event, key: route.key, result: 'stored' }, 'webhook stored');
    }
    answer(req, res, 202, 'stored', { status: 'stored', deliveryId });
    if (opts.onStored) {
      try {
        opts.onStored(route.key);
      } catch (err) {
        log.error({ deliveryId, err }, 'onStored callback failed');
      }
    }
  }

  let inFlight = 0;
  let lastBurstAt = 0;
  function receiveSafely(req: IncomingMessage, res: ServerResponse): void {
    inFlight += 1;
    if (inFlight >= BURST_IN_FLIGHT) lastBurstAt = Date.now();
    receive(req, res)
      .finally(() => void (inFlight -= 1))
      .catch((err: unknown) => {
        // Only reachable before anything is stored (storing is the last step that can throw).
        log.error({ err }, 'webhook handler failed');
        if (!res.headersSent) answer(req, res, 503, 'error', { error: 'internal error; nothing was stored' }, { close: true });
      });
  }

  const app = express();
  app.disable('x-powered-by');
  // Also reachable through `app` alone (e.g. mounted elsewhere); the same code path either way.
  app.all(WEBHOOK_PATH, (req, res) => receiveSafely(req, res));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    let report: ReadyReport;
    let timer: NodeJS.Timeout | undefined;
    try {
      report = await Promise.race([
        opts.ready(),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the readiness check did not finish within ${READY_ANSWER_MS / 1000} s`)),
            READY_ANSWER_MS,
          );
        }),
      ]);
    } catch (err) {
      log.error({ err }, 'readiness check failed');
      report = { ok: false, checks: {}, reasons: { readiness: err instanceof Error ? err.message : String(err) } };
    } finally {
      clearTimeout(timer);
    }
    const reasons = report.reasons && Object.keys(report.reasons).length > 0 ? { reasons: report.reasons } : {};
    res.status(report.ok ? 200 : 503).json({ status: report.ok ? 'ready' : 'not ready', checks: report.checks, ...reasons });
  });
  app.get('/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(text);
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    log.error({ err }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
  });

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = pathOf(req.url);
    if (path === WEBHOOK_PATH || path === `${WEBHOOK_PATH}/`) receiveSafely(req, res);
    else app(req, res);
  };
  return { handler, app, inFlight: () => inFlight, lastBurstAt: () => lastBurstAt };
}

/** Serve `handler` on `port` (0 = any free port); resolves once listening. */
export function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host: '0.0.0.0' | '127.0.0.1' | (string & {}) = '0.0.0.0',
): Promise<Server> {
  const server = createServer(handler);
  // GitLab gives up after 10 s; a request still arriving after 30 s is not GitLab's.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
