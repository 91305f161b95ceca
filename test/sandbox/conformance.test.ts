// Drives every sandbox endpoint through @gitbeaker/rest over HTTP, as Rhythm and other clients do.

import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startReceiver, type Receiver } from './receiver.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const CONTENT = 'gitlab-com/customer-success/customer-success-engineering/content';

let sandbox: Sandbox;
let receiver: Receiver;
let bot: InstanceType<typeof Gitlab>;
let alice: InstanceType<typeof Gitlab>;

beforeAll(async () => {
  sandbox = await startSandbox();
  receiver = await startReceiver();
  bot = new Gitlab({ host: sandbox.url, token: 'sandbox-rhythm-bot-token' });
  alice = new Gitlab({ host: sandbox.url, token: 'sandbox-alice-token' });
});

afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    return (e as { cause?: { response?: { status?: number } } }).cause?.response?.status ?? -1;
  }
}

describe('users and projects', () => {
  it('knows who the token belongs to', async () => {
    const me = await bot.Users.showCurrentUser();
    expect(me.username).toBe('rhythm-bot');
    const a = await alice.Users.showCurrentUser();
    expect(a.username).toBe('alice');
  });

  it('accepts a Bearer token and refuses a wrong one with 401', async () => {
    const oauth = new Gitlab({ host: sandbox.url, oauthToken: 'sandbox-bob-token' });
    expect((await oauth.Users.showCurrentUser()).username).toBe('bob');
    const wrong = new Gitlab({ host: sandbox.url, token: 'sandbox-bob-tokem' });
    expect(await status(wrong.Users.showCurrentUser())).toBe(401);
    const res = await fetch(`${sandbox.url}/api/v4/user`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: '401 Unauthorized' });
  });

  it('finds users by username', async () => {
    const found = await bot.Users.all({ username: 'carol' });
    expect(found.map((u) => u.username)).toEqual(['carol']);
    expect(await bot.Users.all({ username: 'nobody' })).toEqual([]);
  });

  it('shows a project by numeric id and by URL-encoded path', async () => {
    const byPath = await bot.Projects.show(SKILLS);
    expect(byPath.path_with_namespace).toBe(SKILLS);
    const byId = await bot.Projects.show(byPath.id);
    expect(byId.path_with_namespace).toBe(SKILLS);
    expect((await bot.Projects.show(CONTENT)).id).not.toBe(byPath.id);
    expect(await status(bot.Projects.show('gitlab-com/nope'))).toBe(404);
  });
});

describe('labels', () => {
  it('creates and lists labels, refusing duplicates', async () => {
    const l = await bot.ProjectLabels.create(SKILLS, 'status:plan', '#428BCA', { description: 'Planning' });
    expect(l).toMatchObject({ name: 'status:plan', color: '#428BCA', description: 'Planning' });
    expect(await status(bot.ProjectLabels.create(SKILLS, 'status:plan', '#000000'))).toBe(409);
    const all = await bot.ProjectLabels.all(SKILLS);
    expect(all.map((x) => x.name)).toContain('status:plan');
  });

  it('creates unknown labels when an issue uses them', async () => {
    await bot.Issues.create(CONTENT, 'Label maker', { labels: 'cse-events::sign-up,brand new' });
    const names = (await bot.ProjectLabels.all(CONTENT)).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['cse-events::sign-up', 'brand new']));
  });
});

describe('issues', () => {
  it('creates an issue with a global id apart from its iid, hiding relative_position', async () => {
    const issue = await alice.Issues.create(SKILLS, 'Kubernetes 101', {
      description: '## Topic\nK8s',
      labels: 'b-label,a-label',
      dueDate: '2031-05-01',
    });
    expect(issue.iid).toBe(1);
    expect(issue.id).not.toBe(issue.iid);
    expect(issue.labels).toEqual(['a-label', 'b-label']);
    expect(issue.author).toMatchObject({ username: 'alice' });
    expect(issue.state).toBe('opened');
    expect(issue.due_date).toBe('2031-05-01');
    expect(issue.web_url).toBe(`${sandbox.url}/${SKILLS}/-/issues/1`);
    expect(issue).not.toHaveProperty('relative_position');
    expect(typeof sandbox.issue(SKILLS, 1)?.relative_position).toBe('number');
  });

  it('answers 400 "title is missing" without a title', async () => {
    const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(SKILLS)}/issues`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ description: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'title is missing' });
  });

  it('shows an issue by iid, and 404s an unknown one', async () => {
    const one = await bot.Issues.show(1, { projectId: SKILLS });
    expect(one.title).toBe('Kubernetes 101');
    expect(await status(bot.Issues.show(999, { projectId: SKILLS }))).toBe(404);
  });

  it('edits labels, assignees, due date, title, description and state', async () => {
    const bob = (await bot.Users.all({ username: 'bob' }))[0];
    let issue = await bot.Issues.edit(SKILLS, 1, { addLabels: 'status:plan', removeLabels: 'b-label', assigneeIds: [bob!.id] });
    expect(issue.labels).toEqual(['a-label', 'status:plan']);
    expect((issue.assignees as Array<{ username: string }>).map((a) => a.username)).toEqual(['bob']);
    issue = await bot.Issues.edit(SKILLS, 1, { labels: 'x-only', dueDate: '2031-06-01', title: 'K8s 101', description: 'new text' });
    expect(issue).toMatchObject({ labels: ['x-only'], due_date: '2031-06-01', title: 'K8s 101', description: 'new text' });
    issue = await bot.Issues.edit(SKILLS, 1, { stateEvent: 'close' });
    expect(issue.state).toBe('closed');
    expect(issue.closed_at).not.toBeNull();
    issue = await bot.Issues.edit(SKILLS, 1, { stateEvent: 'reopen', assigneeIds: [] });
    expect(issue.state).toBe('opened');
    expect(issue.assignees).toEqual([]);
    expect(await status(bot.Issues.edit(SKILLS, 1, {}))).toBe(400);
  });

  it('filters by labels (AND), state, search and iids', async () => {
    const p = await bot.Projects.show(SKILLS);
    await bot.Issues.create(p.id, 'Filter A', { labels: 'f1,f2' });
    await bot.Issues.create(p.id, 'Filter B', { labels: 'f1' });
    const c = await bot.Issues.create(p.id, 'Filter C closed', { labels: 'f1,f2', description: 'needle here' });
    await bot.Issues.edit(p.id, c.iid, { stateEvent: 'close' });
    const both = await bot.Issues.all({ projectId: p.id, labels: 'f1,f2' });
    expect(both.map((i) => i.title).sort()).toEqual(['Filter A', 'Filter C closed']);
    const viaArray = await fetch(`${sandbox.url}/api/v4/projects/${p.id}/issues?labels[]=f1&labels[]=f2&state=opened`, {
      headers: { 'PRIVATE-TOKEN': 'sandbox-bob-token' },
    });
    expect(((await viaArray.json()) as Array<{ title: string }>).map((i) => i.title)).toEqual(['Filter A']);
    const closed = await bot.Issues.all({ projectId: p.id, state: 'closed' });
    expect(closed.map((i) => i.title)).toEqual(['Filter C closed']);
    const found = await bot.Issues.all({ projectId: p.id, search: 'NEEDLE' });
    expect(found.map((i) => i.title)).toEqual(['Filter C closed']);
    const byIid = await bot.Issues.all({ projectId: p.id, iids: [c.iid] });
    expect(byIid.map((i) => i.iid)).toEqual([c.iid]);
  });

  it('orders by created_at desc by default, and by due_date with nulls last both ways', async () => {
    const proj = sandbox.addProject('order-group/ordering');
    const t = new Gitlab({ host: sandbox.url, token: 'sandbox-dave-token' });
    // dave was added before the project, so he is a member of it.
    await t.Issues.create(proj.id, 'no date');
    await t.Issues.create(proj.id, 'late', { dueDate: '2031-12-01' });
    await t.Issues.create(proj.id, 'early', { dueDate: '2031-01-01' });
    const byDefault = await t.Issues.all({ projectId: proj.id });
    expect(byDefault.map((i) => i.title)).toEqual(['early', 'late', 'no date']);
    const asc = await t.Issues.all({ projectId: proj.id, orderBy: 'due_date', sort: 'asc' });
    expect(asc.map((i) => i.title)).toEqual(['early', 'late', 'no date']);
    const desc = await t.Issues.all({ projectId: proj.id, orderBy: 'due_date', sort: 'desc' });
    expect(desc.map((i) => i.title)).toEqual(['late', 'early', 'no date']);
    const pos = await t.Issues.all({ projectId: proj.id, orderBy: 'relative_position', sort: 'asc' });
    expect(pos.map((i) => i.title)).toEqual(['no date', 'late', 'early']);
    await t.Issues.edit(proj.id, 1, { title: 'no date (touched)' });
    const upd = await t.Issues.all({ projectId: proj.id, orderBy: 'updated_at', sort: 'desc' });
    expect(upd[0]!.title).toBe('no date (touched)');
  });

  it('reorders by global ids through gitbeaker', async () => {
    const proj = sandbox.addProject('reorder-group/board');
    const a = await bot.Issues.create(proj.id, 'A');
    const b = await bot.Issues.create(proj.id, 'B');
    await bot.Issues.reorder(proj.id, b.iid, { moveAfterId: a.id });
    const order = await bot.Issues.all({ projectId: proj.id, orderBy: 'relative_position', sort: 'asc' });
    expect(order.map((i) => i.title)).toEqual(['B', 'A']);
  });

  it('lists resource label events', async () => {
    const events = await bot.IssueLabelEvents.all(SKILLS, 1);
    const summary = events.map((e) => `${e.action} ${e.label?.name}`);
    expect(summary).toEqual(expect.arrayContaining(['add a-label', 'add b-label', 'remove b-label', 'add status:plan', 'add x-only']));
    expect(events[0]).toMatchObject({ resource_type: 'Issue', user: { username: 'alice' } });
  });
});

describe('notes', () => {
  it('creates, shows, edits, lists (newest first, system notes included) and deletes', async () => {
    const first = await bot.IssueNotes.create(SKILLS, 1, 'first');
    const second = await bot.IssueNotes.create(SKILLS, 1, 'second');
    expect(first).toMatchObject({ body: 'first', system: false, noteable_type: 'Issue', author: { username: 'rhythm-bot' } });
    const edited = await bot.IssueNotes.edit(SKILLS, 1, first.id, { body: 'first, edited' });
    expect(edited.body).toBe('first, edited');
    expect((await bot.IssueNotes.show(SKILLS, 1, first.id)).body).toBe('first, edited');
    const all = await bot.IssueNotes.all(SKILLS, 1);
    const mine = all.filter((n) => !n.system);
    expect(mine.map((n) => n.body)).toEqual(['second', 'first, edited']);
    expect(all.some((n) => n.system)).toBe(true);
    const asc = await bot.IssueNotes.all(SKILLS, 1, { sort: 'asc' });
    expect(asc.filter((n) => !n.system).map((n) => n.body)).toEqual(['first, edited', 'second']);
    await bot.IssueNotes.remove(SKILLS, 1, second.id);
    expect(await status(bot.IssueNotes.show(SKILLS, 1, second.id))).toBe(404);
    expect(await status(alice.IssueNotes.edit(SKILLS, 1, first.id, { body: 'not mine' }))).toBe(403);
  });
});

describe('hooks', () => {
  it('adds, lists, shows, edits and removes a project hook; the token never comes back', async () => {
    const hook = await bot.ProjectHooks.add(SKILLS, receiver.url, {
      issuesEvents: true,
      noteEvents: true,
      token: 's3cret',
      pushEvents: false,
    });
    expect(hook).toMatchObject({
      url: receiver.url,
      issues_events: true,
      note_events: true,
      push_events: false,
      alert_status: 'executable',
      disabled_until: null,
    });
    expect(JSON.stringify(hook)).not.toContain('s3cret');
    expect((await bot.ProjectHooks.all(SKILLS)).map((h) => h.id)).toContain(hook.id);
    const edited = await bot.ProjectHooks.edit(SKILLS, hook.id, receiver.url, { confidentialIssuesEvents: true });
    expect(edited.confidential_issues_events).toBe(true);
    expect((await bot.ProjectHooks.show(SKILLS, hook.id)).confidential_issues_events).toBe(true);
    const defaults = await bot.ProjectHooks.add(SKILLS, receiver.url);
    expect(defaults.push_events).toBe(true);
    await bot.ProjectHooks.remove(SKILLS, defaults.id);
    expect(await status(bot.ProjectHooks.show(SKILLS, defaults.id))).toBe(404);
  });

  it('lists the deliveries of a hook through GET …/hooks/:hook_id/events', async () => {
    const hook = (await bot.ProjectHooks.all(SKILLS))[0]!;
    await bot.Issues.create(SKILLS, 'Hooked');
    await sandbox.idle();
    const res = await fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(SKILLS)}/hooks/${hook.id}/events`, {
      headers: { 'PRIVATE-TOKEN': 'sandbox-rhythm-bot-token' },
    });
    expect(res.status).toBe(200);
    const events = (await res.json()) as Array<Record<string, unknown>>;
    expect(events[0]).toMatchObject({ trigger: 'issue_hooks', response_status: '200' });
    expect((events[0]!['request_headers'] as Record<string, string>)['X-Gitlab-Token']).toBe('[REDACTED]');
    expect(receiver.received.at(-1)?.headers['x-gitlab-token']).toBe('s3cret');
  });
});
