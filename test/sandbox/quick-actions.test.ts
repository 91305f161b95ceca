// Quick actions in notes and descriptions run where GitLab runs them, and nowhere else.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { extractCommands } from '../../src/sandbox/quick-action-extractor.js';
import { interpretEdit } from '../../src/sandbox/quick-actions.js';
import { World } from '../../src/sandbox/world.js';

let sandbox: Sandbox;
let n = 0;
const headers = { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' };
const P = encodeURIComponent('gitlab-com/sales-team/cs-skills-exchange');

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}/api/v4/projects/${P}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function freshIssue(extra: Record<string, unknown> = {}): Promise<number> {
  const { json } = await api('POST', '/issues', { title: `QA ${++n}`, ...extra });
  return json['iid'] as number;
}

async function issue(iid: number): Promise<Record<string, unknown>> {
  return (await api('GET', `/issues/${iid}`)).json;
}

async function note(iid: number, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return api('POST', `/issues/${iid}/notes`, { body });
}

async function userNotes(iid: number): Promise<string[]> {
  const res = await fetch(`${sandbox.url}/api/v4/projects/${P}/issues/${iid}/notes?sort=asc`, { headers });
  return ((await res.json()) as Array<{ body: string; system: boolean }>).filter((x) => !x.system).map((x) => x.body);
}

beforeAll(async () => {
  sandbox = await startSandbox();
  for (const name of ['ready', 'needs info', 'status:plan']) {
    const res = await api('POST', '/labels', { name, color: '#123456' });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await sandbox.close();
});

describe('quick actions in notes', () => {
  it('runs a commands-only note and answers 202 without saving it', async () => {
    const iid = await freshIssue();
    const res = await note(iid, '/label ~ready ~"needs info"\n/assign @bob\n/due 2031-03-04');
    expect(res.status).toBe(202);
    expect(res.json['commands_changes']).toMatchObject({ assignee_ids: [3], due_date: '2031-03-04' });
    expect(res.json['commands_changes']).toHaveProperty('add_label_ids', expect.any(Array));
    expect(res.json['summary']).toEqual(['Added ~ready ~"needs info" labels.', 'Assigned @bob.', 'Set the due date to Mar 4, 2031.']);
    const after = await issue(iid);
    expect(after['labels']).toEqual(['needs info', 'ready']);
    expect((after['assignees'] as Array<{ username: string }>).map((a) => a.username)).toEqual(['bob']);
    expect(after['due_date']).toBe('2031-03-04');
    expect(await userNotes(iid)).toEqual([]);
  });

  it('runs the commands of a mixed note and strips their lines from the saved body', async () => {
    const iid = await freshIssue();
    const res = await note(iid, 'Thanks!\n/close\nSee you.');
    expect(res.status).toBe(201);
    expect(res.json['body']).toBe('Thanks!\nSee you.');
    expect((await issue(iid))['state']).toBe('closed');
    const reopen = await note(iid, '/REOPEN');
    expect(reopen.status).toBe(202);
    expect((await issue(iid))['state']).toBe('opened');
  });

  it('removes labels with /unlabel', async () => {
    const iid = await freshIssue({ labels: 'ready,status:plan' });
    await note(iid, '/unlabel ~ready');
    expect((await issue(iid))['labels']).toEqual(['status:plan']);
  });

  it('never creates labels from a quick action', async () => {
    const iid = await freshIssue();
    const res = await note(iid, '/label ~made-up');
    expect(res.status).toBe(202);
    expect((await issue(iid))['labels']).toEqual([]);
  });

  const inert: Array<[string, string]> = [
    ['inside a ``` fence', 'Look:\n```\n/close\n```'],
    ['in a > quote', 'You wrote:\n> /close'],
    ['inside a >>> block', '>>>\n/close\n>>>'],
    ['indented', 'Steps:\n  /close'],
    ['in the middle of a line', 'Please do not /close this'],
    ['glued to other text', '/closed is not a command'],
  ];
  for (const [where, body] of inert) {
    it(`does not run a command ${where}`, async () => {
      const iid = await freshIssue();
      const res = await note(iid, body);
      expect(res.status).toBe(201);
      expect(res.json['body']).toBe(body);
      expect((await issue(iid))['state']).toBe('opened');
    });
  }
});

describe('quick actions in descriptions', () => {
  it('runs commands in a new issue description and strips them', async () => {
    const iid = await freshIssue({ description: 'Topic: Git\n/label ~ready\n/assign @carol' });
    const created = await issue(iid);
    expect(created['description']).toBe('Topic: Git');
    expect(created['labels']).toEqual(['ready']);
    expect((created['assignees'] as Array<{ username: string }>).map((a) => a.username)).toEqual(['carol']);
  });

  it('runs commands added by a description update', async () => {
    const iid = await freshIssue({ description: 'Plain' });
    const res = await api('PUT', `/issues/${iid}`, { description: 'Plain, edited\n/close' });
    expect(res.json['description']).toBe('Plain, edited');
    expect(res.json['state']).toBe('closed');
  });

  it('runs only the commands that were not already in the previous description', () => {
    const world = new World(() => Date.UTC(2030, 0, 1), 'http://sandbox.test');
    world.seed();
    const ready = world.createLabel(1, 'ready');
    const alice = world.userByUsername('alice')!;
    const target = { projectId: 1, persisted: true, state: 'opened' as const, labelIds: [], assigneeIds: [], dueDate: null };
    const edit = interpretEdit(world, target, alice, 'Body\n/label ~ready\n/due 2031-01-02', 'Body\n/label ~ready');
    expect(edit.updates).toEqual({ due_date: '2031-01-02' });
    expect(edit.content).toBe('Body');
    const fresh = interpretEdit(world, target, alice, 'Body\n/label ~ready', null);
    expect(fresh.updates).toEqual({ add_label_ids: [ready.id] });
  });
});

describe('the extractor', () => {
  it('matches commands case-insensitively at column 0 only', () => {
    expect(extractCommands('/Label ~a\ntext\n /close\n/due  tomorrow').commands).toEqual([
      { name: 'label', arg: '~a' },
      { name: 'due', arg: 'tomorrow' },
    ]);
  });

  it('leaves unknown commands in the text', () => {
    expect(extractCommands('/shrug\n/spend 1h')).toEqual({ content: '/shrug\n/spend 1h', commands: [] });
  });

  it('skips HTML blocks', () => {
    expect(extractCommands('<details>\n/close\n</details>').commands).toEqual([]);
  });
});
