// GitLab variants the sandbox plays: the current user's full entity, token introspection and
// scopes, members' roles enforced with GitLab's 403, the Free tier's one assignee, the late
// relative_position of a new issue, and tasks' work_item Issue Hooks. All over loopback HTTP.

import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { startReceiver, type Receiver } from './receiver.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const P = encodeURIComponent(SKILLS);

let sandbox: Sandbox | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await sandbox?.close();
  await receiver?.close();
  sandbox = undefined;
  receiver = undefined;
});

async function start(opts: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox(opts);
  return sandbox;
}

async function api(
  method: string,
  path: string,
  token: string,
  body?: Record<string, unknown>,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sandbox!.url}/api/v4${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

const bot = 'sandbox-rhythm-bot-token';
const alice = 'sandbox-alice-token';
const bob = 'sandbox-bob-token';

async function idOf(username: string): Promise<number> {
  const res = await api('GET', `/users?username=${username}`, bot);
  return (res.body as Array<{ id: number }>)[0]!.id;
}

describe('GET /user', () => {
  it("answers every field of GitLab's own user entity for the token's user", async () => {
    await start();
    const me = (await api('GET', '/user', bot)).body as Record<string, unknown>;
    for (const field of [
      'id',
      'username',
      'name',
      'state',
      'locked',
      'avatar_url',
      'web_url',
      'created_at',
      'bio',
      'location',
      'public_email',
      'linkedin',
      'twitter',
      'discord',
      'website_url',
      'organization',
      'job_title',
      'pronouns',
      'bot',
      'work_information',
      'followers',
      'following',
      'local_time',
      'last_sign_in_at',
      'confirmed_at',
      'last_activity_on',
      'email',
      'theme_id',
      'color_scheme_id',
      'projects_limit',
      'current_sign_in_at',
      'identities',
      'can_create_group',
      'can_create_project',
      'two_factor_enabled',
      'external',
      'private_profile',
      'commit_email',
    ]) {
      expect(me, field).toHaveProperty(field);
    }
    expect(me).toMatchObject({ username: 'rhythm-bot', state: 'active', bot: true });
    expect((await api('GET', '/user', alice)).body).toMatchObject({ username: 'alice', bot: false });
  });
});

describe('personal access tokens', () => {
  it('tells the calling token its scopes and expiry', async () => {
    const s = await start();
    const self = (await api('GET', '/personal_access_tokens/self', bot)).body as Record<string, unknown>;
    expect(self).toMatchObject({ scopes: ['api'], active: true, revoked: false, expires_at: null, user_id: await idOf('rhythm-bot') });
    const dated = s.addToken('rhythm-bot', { scopes: ['api'], expiresAt: '2099-01-31' });
    expect((await api('GET', '/personal_access_tokens/self', dated)).body).toMatchObject({ expires_at: '2099-01-31', active: true });
  });

  it('lets a read_api token read and refuses its writes with insufficient_scope; an expired or revoked token is 401', async () => {
    const s = await start();
    const reader = s.addToken('rhythm-bot', { scopes: ['read_api'] });
    expect((await api('GET', `/projects/${P}/issues`, reader)).status).toBe(200);
    const write = await api('POST', `/projects/${P}/issues`, reader, { title: 'x' });
    expect(write).toEqual({
      status: 403,
      body: {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      },
    });
    const expired = s.addToken('rhythm-bot', { expiresAt: '2020-01-01' });
    expect((await api('GET', '/user', expired)).status).toBe(401);
    s.revokeTokens('bob');
    expect((await api('GET', '/user', bob)).status).toBe(401);
  });
});

describe('roles', () => {
  it('lists members with their roles: the bot is a Maintainer, alice the Owner, people Developers', async () => {
    await start();
    const one = await api('GET', `/projects/${P}/members/all/${await idOf('rhythm-bot')}`, bob);
    expect(one.body).toMatchObject({ username: 'rhythm-bot', access_level: 40 });
    const all = (await api('GET', `/projects/${P}/members/all`, bob)).body as Array<{ username: string; access_level: number }>;
    expect(Object.fromEntries(all.map((m) => [m.username, m.access_level]))).toEqual({
      'rhythm-bot': 40,
      alice: 50,
      bob: 30,
      carol: 30,
      dave: 30,
    });
    expect((await api('GET', `/projects/${P}/members/all/9999`, bob)).body).toEqual({ message: '404 Member Not Found' });
  });

  it("refuses project hooks below Maintainer with GitLab's 403", async () => {
    const s = await start();
    const hook = { url: 'http://127.0.0.1:9/hook', issues_events: true };
    expect((await api('POST', `/projects/${P}/hooks`, bob, hook)).body).toEqual({ message: '403 Forbidden' });
    expect((await api('GET', `/projects/${P}/hooks`, bob)).status).toBe(403);
    s.setRole(SKILLS, 'rhythm-bot', 'developer');
    expect(await api('POST', `/projects/${P}/hooks`, bot, hook)).toEqual({ status: 403, body: { message: '403 Forbidden' } });
    s.setRole(SKILLS, 'rhythm-bot', 'maintainer');
    expect((await api('POST', `/projects/${P}/hooks`, bot, hook)).status).toBe(201);
  });

  it('lets a Guest comment and open issues but not label or move others’ cards; a Reporter may', async () => {
    const s = await start();
    const [iid] = s.seedIssues(SKILLS, [
      { title: 'alice’s card', author: 'alice' },
      { title: 'another', author: 'alice' },
    ]);
    s.setRole(SKILLS, 'bob', 'guest');
    expect((await api('POST', `/projects/${P}/issues/${iid}/notes`, bob, { body: 'hello' })).status).toBe(201);
    expect((await api('POST', `/projects/${P}/issues`, bob, { title: 'bob’s own' })).status).toBe(201);
    expect(await api('PUT', `/projects/${P}/issues/${iid}`, bob, { add_labels: 'status:plan' })).toEqual({
      status: 403,
      body: { message: '403 Forbidden' },
    });
    const other = s.issues(SKILLS)[1]!;
    expect((await api('PUT', `/projects/${P}/issues/${iid}/reorder`, bob, { move_after_id: other.id })).status).toBe(403);
    expect(s.issue(SKILLS, iid!)!.labels).toEqual([]);
    s.setRole(SKILLS, 'bob', 'reporter');
    expect((await api('PUT', `/projects/${P}/issues/${iid}`, bob, { add_labels: 'status:plan' })).status).toBe(200);
    // Another user's description needs Developer (or being its author).
    expect((await api('PUT', `/projects/${P}/issues/${iid}`, bob, { description: 'mine now' })).status).toBe(403);
    expect((await api('PUT', `/projects/${P}/issues/${iid}/reorder`, bob, { move_after_id: other.id })).status).toBe(200);
  });

  it('drops a Guest author’s labels quietly but lets them edit their own text', async () => {
    const s = await start();
    s.setRole(SKILLS, 'bob', 'guest');
    const created = (await api('POST', `/projects/${P}/issues`, bob, { title: 'bob’s' })).body as { iid: number };
    const res = await api('PUT', `/projects/${P}/issues/${created.iid}`, bob, { description: 'better', add_labels: 'status:plan' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ description: 'better', labels: [] });
  });

  it('needs Maintainer to delete another user’s note; anyone deletes their own', async () => {
    const s = await start();
    const [iid] = s.seedIssues(SKILLS, [{ title: 'c' }]);
    const note = (await api('POST', `/projects/${P}/issues/${iid}/notes`, bob, { body: 'bob says' })).body as { id: number };
    expect((await api('DELETE', `/projects/${P}/issues/${iid}/notes/${note.id}`, 'sandbox-carol-token')).status).toBe(403);
    expect((await api('DELETE', `/projects/${P}/issues/${iid}/notes/${note.id}`, bot)).status).toBe(204);
    const own = (await api('POST', `/projects/${P}/issues/${iid}/notes`, bob, { body: 'again' })).body as { id: number };
    expect((await api('DELETE', `/projects/${P}/issues/${iid}/notes/${own.id}`, bob)).status).toBe(204);
  });

  it('answers a removed member 404, as for a project that does not exist', async () => {
    const s = await start();
    s.setRole(SKILLS, 'dave', 0);
    expect(await api('GET', `/projects/${P}`, 'sandbox-dave-token')).toEqual({ status: 404, body: { message: '404 Project Not Found' } });
  });

  it('sets roles over HTTP for child processes', async () => {
    await start();
    const res = await fetch(`${sandbox!.url}/-/sandbox/projects/${P}/members`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'rhythm-bot', access_level: 'reporter' }),
    });
    expect(res.status).toBe(200);
    expect((await api('GET', `/projects/${P}/members/all/${await idOf('rhythm-bot')}`, bot)).body).toMatchObject({ access_level: 20 });
  });
});

describe('the Free tier', () => {
  it('keeps only the first of several assignees, whichever form asks', async () => {
    await start({ tier: 'free' });
    const [bobId, carolId] = [await idOf('bob'), await idOf('carol')];
    const created = (await api('POST', `/projects/${P}/issues`, alice, { title: 'two', assignee_ids: [bobId, carolId] })).body as {
      iid: number;
      assignees: Array<{ username: string }>;
    };
    expect(created.assignees.map((a) => a.username)).toEqual(['bob']);
    const edited = (await api('PUT', `/projects/${P}/issues/${created.iid}`, alice, { assignee_ids: [carolId, bobId] })).body as {
      assignees: Array<{ username: string }>;
    };
    expect(edited.assignees.map((a) => a.username)).toEqual(['carol']);
    const single = (await api('PUT', `/projects/${P}/issues/${created.iid}`, alice, { assignee_id: bobId })).body as {
      assignees: Array<{ username: string }>;
    };
    expect(single.assignees.map((a) => a.username)).toEqual(['bob']);
    // /assign on Free replaces the assignee with the first user it names.
    await api('POST', `/projects/${P}/issues/${created.iid}/notes`, alice, { body: '/assign @carol @dave' });
    expect(sandbox!.issue(SKILLS, created.iid)!['assignees']).toEqual([expect.objectContaining({ username: 'carol' })]);
    const ns = (await api('GET', `/projects/${P}`, bot)).body as { namespace: { id: number } };
    expect((await api('GET', `/namespaces/${ns.namespace.id}`, bot)).body).toMatchObject({ plan: 'free' });
  });

  it('keeps several assignees on a paid tier', async () => {
    await start();
    const ids = [await idOf('bob'), await idOf('carol')];
    const created = (await api('POST', `/projects/${P}/issues`, alice, { title: 'two', assignee_ids: ids })).body as {
      assignees: unknown[];
    };
    expect(created.assignees).toHaveLength(2);
  });
});

describe('placement and work items', () => {
  it('leaves a new issue’s relative_position null until the placement delay has passed', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const s = await start({ placementDelayMs: 5000, now: () => now });
    receiver = await startReceiver();
    await api('POST', `/projects/${P}/hooks`, bot, { url: receiver.url, issues_events: true });
    const created = (await api('POST', `/projects/${P}/issues`, alice, { title: 'new' })).body as { iid: number };
    await s.idle();
    const open = receiver.received.find((r) => (r.body['object_attributes'] as { action?: string }).action === 'open')!;
    expect((open.body['object_attributes'] as { relative_position: unknown }).relative_position).toBeNull();
    expect(s.issue(SKILLS, created.iid)!.relative_position).toBeNull();
    now += 5000;
    expect(s.issue(SKILLS, created.iid)!.relative_position).toEqual(expect.any(Number));
  });

  it('sends a task’s Issue Hook as object_kind work_item', async () => {
    const s = await start();
    receiver = await startReceiver();
    await api('POST', `/projects/${P}/hooks`, bot, { url: receiver.url, issues_events: true });
    const task = (await api('POST', `/projects/${P}/issues`, alice, { title: 'a task', issue_type: 'task' })).body as {
      iid: number;
      issue_type: string;
    };
    expect(task.issue_type).toBe('task');
    await api('POST', `/projects/${P}/issues`, alice, { title: 'an issue' });
    await s.idle();
    const kinds = receiver.received.map((r) => [r.headers['x-gitlab-event'], r.body['object_kind'], r.body['event_type']]);
    expect(kinds).toEqual([
      ['Issue Hook', 'work_item', 'work_item'],
      ['Issue Hook', 'issue', 'issue'],
    ]);
    expect((receiver.received[0]!.body['object_attributes'] as { type: string }).type).toBe('Task');
  });
});
