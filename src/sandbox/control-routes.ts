// The sandbox's own controls over HTTP, for child processes and the demo, under /-/sandbox/.
// No auth: it is a loopback development tool, like the rest of the sandbox.

import type { FaultList } from './faults.js';
import type { IssueService } from './issue-service.js';
import { issueEntity } from './rest-entities.js';
import { Router } from './router.js';
import { seedIssues, type SeedIssue } from './seed-issues.js';
import type { WebhookDelivery } from './webhook-delivery.js';
import type { World } from './world.js';
import { ACCESS_LEVELS } from './types.js';
import type { CallRecord, Fault, ReleaseOrder } from './types.js';

export interface ControlDeps {
  world: World;
  service: IssueService;
  faults: FaultList;
  delivery: WebhookDelivery;
  calls: () => CallRecord[];
  resetCalls: () => void;
}

export interface ControlReply {
  status: number;
  body: unknown;
}

export type ControlHandler = (deps: ControlDeps, path: Record<string, string>, body: unknown) => ControlReply | Promise<ControlReply>;

/** JSON form of a Fault: `path` is a string, read as a regular expression when `regex: true`. */
export function faultFromJson(json: unknown): Fault {
  if (!json || typeof json !== 'object') throw new Error('fault must be a JSON object');
  const f = { ...(json as Record<string, unknown>) };
  if (typeof f['path'] !== 'string') throw new Error('fault needs a string path');
  if (f['regex'] === true) f['path'] = new RegExp(f['path']);
  delete f['regex'];
  return f as unknown as Fault;
}

function faultToJson(f: Fault): Record<string, unknown> {
  return f.path instanceof RegExp ? { ...f, path: f.path.source, regex: true } : { ...f };
}

const RELEASE_ORDERS: readonly ReleaseOrder[] = ['oldest-first', 'newest-first', 'random'];

export function controlRoutes(): Router<ControlHandler> {
  const r = new Router<ControlHandler>();
  r.add('GET', '/calls', (d) => ({ status: 200, body: d.calls() }));
  r.add('POST', '/calls/reset', (d) => {
    d.resetCalls();
    return { status: 204, body: null };
  });
  r.add('GET', '/deliveries', (d) => ({ status: 200, body: d.delivery.deliveries() }));
  r.add('GET', '/deliveries/held', (d) => ({ status: 200, body: { held: d.delivery.heldCount() } }));
  // Body: { "order": "oldest-first" | "newest-first" | "random", "seed": 7 } (both optional).
  r.add('POST', '/deliveries/release', (d, _p, body) => {
    const { order, seed } = (body ?? {}) as { order?: unknown; seed?: unknown };
    if (order !== undefined && !RELEASE_ORDERS.includes(order as ReleaseOrder))
      return { status: 400, body: { error: `order must be one of ${RELEASE_ORDERS.join(', ')}` } };
    if (seed !== undefined && !Number.isInteger(seed)) return { status: 400, body: { error: 'seed must be an integer' } };
    return { status: 200, body: { released: d.delivery.release(order as ReleaseOrder | undefined, seed as number | undefined) } };
  });
  r.add('GET', '/hooks/:id/deliveries', (d, p) => ({ status: 200, body: d.delivery.deliveries(Number(p['id'])) }));
  r.add('GET', '/faults', (d) => ({ status: 200, body: d.faults.list().map((a) => ({ ...a, fault: faultToJson(a.fault) })) }));
  r.add('POST', '/faults', (d, _p, body) => {
    try {
      return { status: 201, body: { id: d.faults.add(faultFromJson(body)) } };
    } catch (e) {
      return { status: 400, body: { error: (e as Error).message } };
    }
  });
  r.add('DELETE', '/faults', (d) => {
    d.faults.clear();
    return { status: 204, body: null };
  });
  r.add('DELETE', '/faults/:fault_id', (d, p) => {
    d.faults.remove(p['fault_id'] ?? '');
    return { status: 204, body: null };
  });
  r.add('GET', '/idle', async (d) => {
    await d.delivery.idle();
    return { status: 200, body: { idle: true } };
  });
  // Body: { "issues": [{ "title": "…", "labels": ["status:plan"], "assignees": ["alice"], … }] }.
  r.add('POST', '/projects/:id/issues', (d, p, body) => {
    const project = d.world.projectByRef(p['id'] ?? '');
    if (!project) return { status: 404, body: { message: '404 Project Not Found' } };
    const issues = (body as { issues?: unknown } | undefined)?.issues;
    if (!Array.isArray(issues) || issues.some((i) => typeof (i as { title?: unknown }).title !== 'string'))
      return { status: 400, body: { error: 'issues must be a list of objects with a title' } };
    try {
      return { status: 201, body: { iids: seedIssues(d.world, d.service, project, issues as SeedIssue[]) } };
    } catch (e) {
      return { status: 400, body: { error: (e as Error).message } };
    }
  });
  // Body: { "username": "rhythm-bot", "access_level": 30 } (or a role name: "developer"; 0 removes).
  r.add('POST', '/projects/:id/members', (d, p, body) => {
    const project = d.world.projectByRef(p['id'] ?? '');
    if (!project) return { status: 404, body: { message: '404 Project Not Found' } };
    const { username, access_level: level } = (body ?? {}) as { username?: unknown; access_level?: unknown };
    const user = typeof username === 'string' ? d.world.userByUsername(username) : undefined;
    if (!user) return { status: 400, body: { error: 'username must name a sandbox user' } };
    const value = typeof level === 'string' ? ACCESS_LEVELS[level as keyof typeof ACCESS_LEVELS] : level;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      return { status: 400, body: { error: 'access_level must be 0, 10, 20, 30, 40, 50 or a role name' } };
    d.world.setAccessLevel(project, user.id, value);
    return { status: 200, body: { username: user.username, access_level: value } };
  });
  // Body: { "username": "rhythm-bot", "scopes": ["read_api"], "expires_at": "2027-01-01" } → { "token": "…" }.
  r.add('POST', '/tokens', (d, _p, body) => {
    const { username, scopes, expires_at: expiresAt } = (body ?? {}) as { username?: unknown; scopes?: unknown; expires_at?: unknown };
    const user = typeof username === 'string' ? d.world.userByUsername(username) : undefined;
    if (!user) return { status: 400, body: { error: 'username must name a sandbox user' } };
    if (scopes !== undefined && (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')))
      return { status: 400, body: { error: 'scopes must be a list of strings' } };
    if (expiresAt !== undefined && expiresAt !== null && (typeof expiresAt !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(expiresAt)))
      return { status: 400, body: { error: 'expires_at must be YYYY-MM-DD or null' } };
    const t = d.world.addToken(user.id, {
      ...(scopes ? { scopes } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    });
    return { status: 201, body: { token: t.token, id: t.id } };
  });
  r.add('GET', '/projects/:id/issues/:iid', (d, p) => {
    const project = d.world.projectByRef(p['id'] ?? '');
    const issue = project ? d.world.issueByIid(project.id, Number(p['iid'])) : undefined;
    if (!issue) return { status: 404, body: { message: '404 Issue Not Found' } };
    return { status: 200, body: { ...issueEntity(d.world, issue), relative_position: issue.relativePosition } };
  });
  return r;
}
