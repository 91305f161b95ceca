// A GitLab-compatible server for tests and the demo: REST API v4 under /api/v4 with token auth,
// GitLab's pagination and rate-limit headers, its application limits on creating notes and
// issues, project webhooks delivered the way GitLab delivers them (in any order, now and then
// twice, when a fault says so), fault injection, a read-only board page, and controls under
// /-/sandbox/.

import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiRoutes, type ApiContext } from './api-routes.js';
import { boardHtml, boardOf, indexHtml, type Board } from './board-page.js';
import { controlRoutes } from './control-routes.js';
import { FaultList, type RequestKey } from './faults.js';
import { IssueService, type HookEvent } from './issue-service.js';
import { ApiError, Params, parseForm } from './params.js';
import { FORBIDDEN, insufficientScope, leastRole, missingScope } from './roles.js';
import { APPLICATION_LIMIT_MESSAGE, ApplicationLimit, rateHeaders, RateLimit } from './rate-limit.js';
import { issueEntity } from './rest-entities.js';
import { seededRandom } from './seeded-random.js';
import { seedIssues, type SeedIssue } from './seed-issues.js';
import { WebhookDelivery } from './webhook-delivery.js';
import { World } from './world.js';
import { ACCESS_LEVELS } from './types.js';
import type {
  LabelEventTiming,
  AccessLevelName,
  CallRecord,
  DeliveryRecord,
  Fault,
  ReleaseOrder,
  SandboxOptions,
  SandboxTier,
  TokenRecord,
  UserRecord,
} from './types.js';

export type {
  AccessLevelName,
  CallRecord,
  DeliveryOutcome,
  DeliveryRecord,
  Fault,
  ReleaseOrder,
  SandboxOptions,
  SandboxTier,
} from './types.js';
export { ACCESS_LEVELS, PLACEMENT_DELAY_MS } from './types.js';
export type { Board, BoardCard, BoardColumn } from './board-page.js';
export { sandboxToken, SEED_LABELS, SEED_PROJECTS, SEED_USERS } from './world.js';
export type { SeedIssue } from './seed-issues.js';

/**
 * GitLab.com's limits (doc/user/gitlab_com/_index.md): 2,000 authenticated API requests a minute
 * per user, 60 notes and 200 issues created a minute. `rhythm sandbox` starts with them; tests
 * start without the application limits unless they ask for them.
 */
export const GITLAB_COM_LIMITS = {
  rateLimitPerMinute: 2000,
  rateLimitPeriodSec: 60,
  notesCreateLimit: 60,
  issuesCreateLimit: 200,
  applicationLimitPeriodSec: 60,
} as const satisfies SandboxOptions;

/** An issue as REST shows it, plus the relative_position REST hides. */
export type SandboxIssue = Record<string, unknown> & { id: number; iid: number; relative_position: number | null };

export interface Sandbox {
  /** http://127.0.0.1:PORT (API at url + '/api/v4'). */
  url: string;
  close(): Promise<void>;
  faults: { add(f: Fault): string; remove(id: string): void; clear(): void };
  /** Every API request, oldest first. */
  calls(): CallRecord[];
  resetCalls(): void;
  /** Per-hook delivery log (all hooks when no id), oldest first. */
  deliveries(hookId?: number): DeliveryRecord[];
  /** Resolves when no webhook delivery is queued or in flight (held ones wait for releaseWebhooks). */
  idle(): Promise<void>;
  /** Deliveries a holdWebhook fault keeps back. */
  heldWebhooks(): number;
  /**
   * Writes the label events holdLabelEvents faults kept back, then sends the deliveries of the
   * calls that wrote them (as GitLab's hook job runs after them); returns how many events.
   */
  releaseLabelEvents(): number;
  /** Lets the held deliveries go in `order` ('random' is shuffled by `seed`); returns how many. */
  releaseWebhooks(order?: ReleaseOrder, seed?: number): number;
  /** Puts cards straight into a project (no webhooks, no limits); returns their iids. */
  seedIssues(project: string | number, issues: SeedIssue[]): number[];
  issue(project: string | number, iid: number): SandboxIssue | undefined;
  issues(project: string | number): SandboxIssue[];
  board(project: string | number, lists?: string[]): Board | undefined;
  addUser(username: string, name?: string): { id: number; username: string; token: string };
  addProject(pathWithNamespace: string): { id: number; path_with_namespace: string };
  /** The subscription the sandbox plays ('free': one assignee per issue). */
  readonly tier: SandboxTier;
  /** Sets a user's role on a project (a name or GitLab's access level; 0 removes the member). */
  setRole(project: string | number, username: string, role: AccessLevelName | number): void;
  /** A new personal access token for the user (default: scope `api`, no expiry); returns it. */
  addToken(username: string, opts?: { scopes?: string[]; expiresAt?: string | null; name?: string }): string;
  /** Revokes every token that the user has (the seeded one too). */
  revokeTokens(username: string): void;
}

const MAX_BODY = 26 * 1024 * 1024; // GitLab accepts 1 MiB descriptions and 25 MB hook payloads
const API_PREFIX = '/api/v4';

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const now = opts.now ?? Date.now;
  const world = new World(now, 'http://127.0.0.1');
  if (opts.seed ?? true) world.seed();
  if (opts.labels) world.seedLabels(opts.labels);
  const faults = new FaultList(opts.random ?? seededRandom());
  // The deliveries of calls whose label events a holdLabelEvents fault keeps back.
  const awaitingLabelEvents: Array<Parameters<WebhookDelivery['start']>[0]> = [];
  const throttle = { limit: opts.rateLimitPerMinute ?? 2000, periodSec: opts.rateLimitPeriodSec ?? 60 };
  const rateLimit = new RateLimit(throttle.limit, throttle.periodSec, now);
  const appPeriod = opts.applicationLimitPeriodSec ?? 60;
  const notesCreate = new ApplicationLimit(opts.notesCreateLimit ?? 0, appPeriod, now);
  const issuesCreate = new ApplicationLimit(opts.issuesCreateLimit ?? 0, appPeriod, now);
  const tier: SandboxTier = opts.tier ?? 'premium';
  world.tier = tier;
  const service = new IssueService(world, { tier, placementDelayMs: opts.placementDelayMs ?? 0 });
  let instanceUrl = opts.instanceUrl ?? '';
  const delivery = new WebhookDelivery(world, opts.webhookTimeoutMs ?? 10_000, () => instanceUrl, opts.webhookAutoDisabling);
  const api = apiRoutes();
  const control = controlRoutes();
  let callLog: CallRecord[] = [];

  const findToken = (token: string): TokenRecord | undefined => {
    const given = Buffer.from(token);
    let found: TokenRecord | undefined;
    // Compare against every token in constant time so timing says nothing about near misses.
    for (const t of world.tokens.values()) {
      const known = Buffer.from(t.token);
      if (known.length === given.length && timingSafeEqual(known, given)) found = t;
    }
    // A revoked or expired token is no token: 401, as GitLab answers.
    return found && world.isActive(found) ? found : undefined;
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (status === 204 || body === null || body === undefined) {
      res.writeHead(status, { Date: new Date(now()).toUTCString(), ...headers }).end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      // The sandbox's own clock, which its RateLimit-Reset is read against.
      Date: new Date(now()).toUTCString(),
      ...headers,
    });
    res.end(text);
  };

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: Buffer): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const apiPath = url.pathname.slice(API_PREFIX.length) || '/';
    const route = api.match(method, apiPath);
    const key: RequestKey = { method, route: route?.pattern ?? null, path: apiPath };
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const bearer = /^Bearer\s+(.+)$/i.exec(header('authorization') ?? '')?.[1];
    const token = header('private-token') ?? bearer;
    const tokenRecord = token ? findToken(token.trim()) : undefined;
    const user: UserRecord | undefined = tokenRecord ? world.users.get(tokenRecord.userId) : undefined;
    // Issues::PlacementWorker has run for every issue whose placement came due.
    world.placeDue();
    if (user) key.user = user.username;
    // A call is logged at its arrival, so added latency does not blur when it was made.
    const arrivedAt = now();
    const record = (status: number, fault?: Fault['kind'], limit?: string): void => {
      callLog.push({
        method,
        route: `${method} ${route?.pattern ?? '(unknown)'}`,
        path: key.path,
        query: url.search.replace(/^\?/, ''),
        status,
        user: user?.username ?? null,
        at: new Date(arrivedAt).toISOString(),
        answeredAt: new Date(now()).toISOString(),
        ...(fault ? { fault } : {}),
        ...(limit ? { limit } : {}),
      });
    };

    const rate = rateLimit.hit(
      user ? `user:${user.id}` : `ip:${req.socket.remoteAddress ?? ''}`,
      user ? 'throttle_authenticated_api' : 'throttle_unauthenticated_api',
    );

    const latency = faults.take(key, ['latency']);
    if (latency?.kind === 'latency') await new Promise((r) => setTimeout(r, latency.ms));
    const fault = faults.take(key, ['drop', 'status', 'rateLimit']);
    if (fault?.kind === 'drop') {
      record(0, 'drop');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      record(fault.status, 'status');
      const message = fault.message ?? `${fault.status} ${http.STATUS_CODES[fault.status] ?? 'Error'}`;
      send(res, fault.status, { message }, rate.headers);
      return;
    }
    if (fault?.kind === 'rateLimit') {
      record(429, 'rateLimit');
      const at = now();
      send(res, 429, 'Retry later\n', {
        ...rateHeaders({
          ...throttle,
          name: 'throttle_authenticated_api',
          observed: throttle.limit + 1,
          resetAt: at + fault.retryAfterSec * 1000,
          now: at,
          limited: true,
        }),
        'Retry-After': String(fault.retryAfterSec),
      });
      return;
    }
    if (!route) {
      record(404);
      send(res, 404, { error: '404 Not Found' }, rate.headers);
      return;
    }
    if (!user || !tokenRecord) {
      record(401);
      send(res, 401, { message: '401 Unauthorized' }, rate.headers);
      return;
    }
    tokenRecord.lastUsedAt = arrivedAt;
    const scope = missingScope(tokenRecord.scopes, method, route.pattern);
    if (scope) {
      record(403);
      send(res, 403, insufficientScope(scope), rate.headers);
      return;
    }
    // A member whose role is below what the route needs: GitLab's 403. (Non-members get the
    // route's own 404, as for a project that does not exist.)
    const routeProject = route.params['id'] !== undefined ? world.projectByRef(route.params['id']) : undefined;
    if (routeProject && routeProject.memberIds.includes(user.id)) {
      if (world.accessLevel(routeProject, user.id) < leastRole(method, route.pattern)) {
        record(403);
        send(res, 403, FORBIDDEN, rate.headers);
        return;
      }
    }
    if (!rate.allowed) {
      record(429, undefined, rate.headers['RateLimit-Name']);
      send(res, 429, 'Retry later\n', rate.headers);
      return;
    }
    // Application limits answer from inside the app, after Rack::Attack let the request through:
    // no RateLimit-* headers. A note's refusal says Retry-After (the whole interval, as
    // API::Helpers::RateLimiter#check_rate_limit! does); an issue's says nothing
    // (RateLimitedService::RateLimitedError#headers is empty).
    const appLimit = applicationLimitOf(method, route.pattern, route.params, user);
    if (appLimit && !appLimit.limit.hit(appLimit.key)) {
      record(429, undefined, appLimit.name);
      const retryAfter: Record<string, string> = appLimit.name === 'notes_create' ? { 'Retry-After': String(appPeriod) } : {};
      send(res, 429, { message: { error: APPLICATION_LIMIT_MESSAGE } }, retryAfter);
      return;
    }

    const events: HookEvent[] = [];
    let reply: { status: number; body: unknown; headers?: Record<string, string> };
    // The label events this call writes may come late: the fault is taken when it writes its
    // first one. Every route that writes them is synchronous, so no other request runs meanwhile.
    let timing: LabelEventTiming | undefined;
    world.labelEventTiming = () => {
      if (timing === undefined) {
        const f = faults.take(key, ['labelEventsLag', 'holdLabelEvents']);
        timing = f?.kind === 'labelEventsLag' ? { lagMs: f.ms } : f?.kind === 'holdLabelEvents' ? 'hold' : null;
      }
      return timing;
    };
    try {
      const ctx: ApiContext = {
        world,
        service,
        delivery,
        user,
        token: tokenRecord,
        tier,
        params: Params.merge(url.searchParams, parseBody(req, raw)),
        path: route.params,
        url,
        emit: (e) => events.push(e),
      };
      reply = await route.handler(ctx);
    } catch (e) {
      if (e instanceof ApiError) reply = { status: e.status, body: e.body };
      else {
        process.stderr.write(`sandbox: ${method} ${apiPath} failed: ${(e as Error).stack ?? String(e)}\n`);
        reply = { status: 500, body: { message: '500 Internal Server Error' } };
      }
    } finally {
      world.labelEventTiming = undefined;
    }
    // Which hooks get what is decided now (a snapshot); sending starts after the response is out.
    const jobs = delivery.plan(events, header('x-gitlab-event-uuid'), {
      drop: () => faults.take(key, ['dropWebhook']) !== undefined,
      hold: () => faults.take(key, ['holdWebhook']) !== undefined,
      duplicate: () => faults.take(key, ['duplicateWebhook']) !== undefined,
    });
    let started = false;
    const startDeliveries = (): void => {
      if (started) return;
      started = true;
      // GitLab's hook job runs after the update, label events included: not before they are written.
      if (timing === 'hold') {
        delivery.defer(jobs);
        awaitingLabelEvents.push(jobs);
      } else if (timing && timing.lagMs > 0) setTimeout(() => delivery.start(jobs), timing.lagMs).unref();
      else delivery.start(jobs);
    };
    res.once('finish', startDeliveries);
    res.once('close', startDeliveries);
    // The work is done; a late answer holds only the reply (its webhooks go out now, as GitLab's
    // would from Sidekiq), until `ms` pass or the client gives up and closes the connection.
    const late = faults.take(key, ['lateAnswer']);
    if (late?.kind === 'lateAnswer') {
      startDeliveries();
      const gone = await hold(late.ms, res);
      if (late.drop || gone) {
        record(0, 'lateAnswer');
        req.socket.destroy();
        return;
      }
      record(reply.status, 'lateAnswer');
    } else record(reply.status);
    send(res, reply.status, reply.body, { ...rate.headers, ...(reply.headers ?? {}) });
  }

  /** The application limit a request counts toward (GitLab's scope for it in the key), if any. */
  function applicationLimitOf(
    method: string,
    pattern: string,
    params: Record<string, string>,
    user: UserRecord,
  ): { limit: ApplicationLimit; key: string; name: string } | null {
    if (method !== 'POST') return null;
    // notes_create is scoped to the user alone (lib/api/notes.rb), checked before anything else.
    if (pattern === '/projects/:id/issues/:issue_iid/notes') return { limit: notesCreate, key: `user:${user.id}`, name: 'notes_create' };
    // issues_create is scoped to project and user (Issues::CreateService), for a project that exists.
    if (pattern === '/projects/:id/issues') {
      const project = world.projectByRef(params['id'] ?? '');
      return project ? { limit: issuesCreate, key: `project:${project.id}:user:${user.id}`, name: 'issues_create' } : null;
    }
    return null;
  }

  /**
   * Waits `ms`, less when the client closes the connection first or the sandbox closes; true
   * when there is no one left to answer.
   */
  const holds = new Set<() => void>();
  function hold(ms: number, res: http.ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const end = (gone: boolean) => {
        clearTimeout(timer);
        res.off('close', onClose);
        holds.delete(onClose);
        resolve(gone);
      };
      const onClose = () => end(true);
      const timer = setTimeout(() => end(false), ms);
      res.once('close', onClose);
      holds.add(onClose);
    });
  }

  async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: Buffer): Promise<void> {
    world.placeDue();
    const match = control.match(req.method ?? 'GET', url.pathname.slice('/-/sandbox'.length) || '/');
    if (!match) {
      send(res, 404, { error: '404 Not Found' });
      return;
    }
    let body: unknown;
    try {
      body = parseBody(req, raw);
    } catch (e) {
      send(res, 400, { error: (e as ApiError).message });
      return;
    }
    const reply = await match.handler(
      { world, service, faults, delivery, calls: () => [...callLog], resetCalls: () => (callLog = []) },
      match.params,
      body,
    );
    send(res, reply.status, reply.body);
  }

  function handleBoard(res: http.ServerResponse, url: URL): void {
    world.placeDue();
    if (url.pathname === '/') {
      send(res, 200, indexHtml(world), { 'Content-Type': 'text/html; charset=utf-8' });
      return;
    }
    const path = safeDecode(url.pathname.slice('/-/boards/'.length)).replace(/\/+$/, '');
    const project = world.projectByPath(path);
    if (!project) {
      send(res, 404, 'Not Found\n');
      return;
    }
    const lists = url.searchParams.get('lists');
    const board = boardOf(
      world,
      project,
      lists === null
        ? undefined
        : lists
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
    );
    if (url.searchParams.get('format') === 'json') send(res, 200, board);
    else send(res, 200, boardHtml(board), { 'Content-Type': 'text/html; charset=utf-8' });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', sandboxUrl);
    readBody(req)
      .then(async (raw) => {
        if (url.pathname === API_PREFIX || url.pathname.startsWith(API_PREFIX + '/')) await handleApi(req, res, url, raw);
        else if (url.pathname.startsWith('/-/sandbox/')) await handleControl(req, res, url, raw);
        else if (req.method === 'GET' && (url.pathname === '/' || url.pathname.startsWith('/-/boards/'))) handleBoard(res, url);
        else send(res, 404, 'Not Found\n');
      })
      .catch((e: unknown) => {
        if (res.headersSent) return;
        if (e instanceof ApiError) send(res, e.status, e.body);
        else send(res, 500, { message: '500 Internal Server Error' });
      });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const sandboxUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  world.baseUrl = opts.instanceUrl ?? sandboxUrl;
  instanceUrl = world.baseUrl;

  const projectOf = (ref: string | number) => {
    world.placeDue();
    return world.projectByRef(String(ref));
  };
  const userNamed = (username: string): UserRecord => {
    const u = world.userByUsername(username);
    if (!u) throw new Error(`no user ${username}`);
    return u;
  };
  const view = (i: Parameters<typeof issueEntity>[1]): SandboxIssue =>
    ({ ...issueEntity(world, i), relative_position: i.relativePosition }) as SandboxIssue;

  return {
    url: sandboxUrl,
    async close() {
      for (const release of [...holds]) release();
      delivery.close();
      await delivery.idle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    faults: { add: (f) => faults.add(f), remove: (id) => faults.remove(id), clear: () => faults.clear() },
    calls: () => [...callLog],
    resetCalls: () => {
      callLog = [];
    },
    deliveries: (hookId) => delivery.deliveries(hookId),
    idle: () => delivery.idle(),
    heldWebhooks: () => delivery.heldCount(),
    releaseWebhooks: (order, seed) => delivery.release(order, seed),
    releaseLabelEvents() {
      const written = world.releaseLabelEvents();
      for (const jobs of awaitingLabelEvents.splice(0)) delivery.resume(jobs);
      return written;
    },
    seedIssues(project, issues) {
      const p = projectOf(project);
      if (!p) throw new Error(`no project ${project}`);
      return seedIssues(world, service, p, issues);
    },
    issue(project, iid) {
      const p = projectOf(project);
      const i = p ? world.issueByIid(p.id, iid) : undefined;
      return i ? view(i) : undefined;
    },
    issues(project) {
      const p = projectOf(project);
      return p
        ? world
            .projectIssues(p.id)
            .sort((a, b) => a.iid - b.iid)
            .map(view)
        : [];
    },
    board(project, lists) {
      const p = projectOf(project);
      return p ? boardOf(world, p, lists) : undefined;
    },
    addUser(username, name) {
      const u = world.addUser(username, name);
      return { id: u.id, username: u.username, token: u.token };
    },
    addProject(path) {
      const p = world.addProject(path);
      return { id: p.id, path_with_namespace: p.pathWithNamespace };
    },
    tier,
    setRole(project, username, role) {
      const p = projectOf(project);
      if (!p) throw new Error(`no project ${project}`);
      world.setAccessLevel(p, userNamed(username).id, typeof role === 'number' ? role : ACCESS_LEVELS[role]);
    },
    addToken(username, o = {}) {
      return world.addToken(userNamed(username).id, o).token;
    },
    revokeTokens(username) {
      const id = userNamed(username).id;
      for (const t of world.tokens.values()) if (t.userId === id) t.revoked = true;
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, { message: '413 Request Entity Too Large' }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(req: http.IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) return parseForm(new URLSearchParams(raw.toString('utf8')));
  if (type.includes('json') || type === '') {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ApiError(400, { error: 'The provided content-type is JSON but the body is not valid JSON' });
    }
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
