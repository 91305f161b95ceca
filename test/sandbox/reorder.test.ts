// PUT …/reorder with GitLab's real meaning: move_before_id ends up immediately before (above),
// move_after_id immediately after (below); ids are global issue ids, not iids.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let project: string;
let ids: Record<string, number>; // title → global id
let iids: Record<string, number>;
let seq = 0;

const headers = { 'PRIVATE-TOKEN': 'sandbox-rhythm-bot-token', 'Content-Type': 'application/json' };

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/api/v4${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function order(): Promise<string[]> {
  const res = await api('GET', `/projects/${encodeURIComponent(project)}/issues?order_by=relative_position&sort=asc`);
  return ((await res.json()) as Array<{ title: string }>).map((i) => i.title);
}

function reorder(title: string, body: Record<string, unknown>): Promise<Response> {
  return api('PUT', `/projects/${encodeURIComponent(project)}/issues/${iids[title]}/reorder`, body);
}

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  // A fresh project per test; it shares the top-level namespace, so positions are global across them.
  project = `gitlab-com/reorder-${++seq}`;
  sandbox.addProject(project);
  ids = {};
  iids = {};
  for (const t of ['A', 'B', 'C', 'D']) {
    const res = await api('POST', `/projects/${encodeURIComponent(project)}/issues`, { title: t });
    const issue = (await res.json()) as { id: number; iid: number };
    ids[t] = issue.id;
    iids[t] = issue.iid;
  }
});

describe('reorder', () => {
  it('places new issues at the end', async () => {
    expect(await order()).toEqual(['A', 'B', 'C', 'D']);
  });

  it('move_before_id alone puts the issue directly after that one', async () => {
    const res = await reorder('D', { move_before_id: ids['A'] });
    expect(res.status).toBe(200);
    expect(await order()).toEqual(['A', 'D', 'B', 'C']);
  });

  it('move_after_id alone puts the issue directly before that one', async () => {
    await reorder('A', { move_after_id: ids['D'] });
    expect(await order()).toEqual(['B', 'C', 'A', 'D']);
  });

  it('both ids put the issue between them, whichever way round they are given', async () => {
    await reorder('D', { move_before_id: ids['A'], move_after_id: ids['B'] });
    expect(await order()).toEqual(['A', 'D', 'B', 'C']);
    await reorder('A', { move_before_id: ids['C'], move_after_id: ids['B'] });
    expect(await order()).toEqual(['D', 'B', 'A', 'C']);
  });

  it('moves to the very top and the very bottom', async () => {
    await reorder('C', { move_after_id: ids['A'] });
    expect(await order()).toEqual(['C', 'A', 'B', 'D']);
    await reorder('C', { move_before_id: ids['D'] });
    expect(await order()).toEqual(['A', 'B', 'D', 'C']);
  });

  it('makes room by shifting neighbours when there is no gap', async () => {
    // Moving D and C in turn to just after A halves the gap each time until none is left.
    const bBefore = sandbox.issue(project, iids['B']!)!.relative_position as number;
    for (let i = 0; i < 12; i++) {
      const res = await reorder(i % 2 === 0 ? 'D' : 'C', { move_before_id: ids['A'] });
      expect(res.status).toBe(200);
    }
    const positions = ['A', 'B', 'C', 'D'].map((t) => sandbox.issue(project, iids[t]!)!.relative_position as number);
    expect(new Set(positions).size).toBe(4);
    expect(await order()).toEqual(['A', 'C', 'D', 'B']);
    expect(sandbox.issue(project, iids['B']!)!.relative_position).toBeGreaterThan(bBefore);
  });

  it('uses global ids, not iids', async () => {
    // iid 1 is issue A of this project, but global id 1 is no issue at all.
    const res = await reorder('D', { move_before_id: iids['A'] });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ message: { error: 'Unprocessable Entity' } });
  });

  it('refuses unknown ids, the issue itself, and a missing pair', async () => {
    expect((await reorder('B', { move_after_id: 987654 })).status).toBe(422);
    expect((await reorder('B', { move_after_id: ids['B'] })).status).toBe(422);
    expect((await reorder('B', {})).status).toBe(400);
    expect(await order()).toEqual(['A', 'B', 'C', 'D']);
  });

  it('refuses a neighbour from another top-level namespace', async () => {
    const other = sandbox.addProject('elsewhere/board');
    const res = await fetch(`${sandbox.url}/api/v4/projects/${other.id}/issues`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'far' }),
    });
    const far = (await res.json()) as { id: number };
    expect((await reorder('B', { move_after_id: far.id })).status).toBe(422);
  });
});
