// The read-only board page: columns, card order, escaping, and the same data as JSON.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Board, type Sandbox } from '../../src/sandbox/index.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const P = encodeURIComponent(SKILLS);
const headers = { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' };

let sandbox: Sandbox;
const ids: Record<string, number> = {};
const iids: Record<string, number> = {};

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.url}/api/v4/projects/${P}${path}`, { method, headers, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

async function board(query = ''): Promise<Board> {
  const res = await fetch(`${sandbox.url}/-/boards/${SKILLS}?format=json${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Board;
}

const titles = (b: Board): Record<string, string[]> => Object.fromEntries(b.columns.map((c) => [c.title, c.cards.map((k) => k.title)]));

beforeAll(async () => {
  sandbox = await startSandbox();
  const make = async (title: string, labels = '', extra: Record<string, unknown> = {}): Promise<void> => {
    const issue = await api('POST', '/issues', { title, labels, ...extra });
    ids[title] = issue['id'] as number;
    iids[title] = issue['iid'] as number;
  };
  await make('Backlog idea');
  await make('Plan one', 'status:plan', { assignee_ids: [3] });
  await make('Sched late', 'status:scheduled', { due_date: '2031-02-01' });
  await make('Sched early', 'status:scheduled', { due_date: '2031-01-01' });
  await make('<script>alert(1)</script>', 'other');
  await make('Done', 'status:plan');
  await api('PUT', `/issues/${iids['Done']}`, { state_event: 'close' });
});

afterAll(async () => {
  await sandbox.close();
});

describe('board page', () => {
  it('shows Open, one column per status: label, and Closed', async () => {
    expect(titles(await board())).toEqual({
      Open: ['Backlog idea', '<script>alert(1)</script>'],
      'status:plan': ['Plan one'],
      'status:scheduled': ['Sched late', 'Sched early'],
      Closed: ['Done'],
    });
  });

  it('orders cards by relative_position, following a reorder', async () => {
    await api('PUT', `/issues/${iids['Sched early']}/reorder`, { move_after_id: ids['Sched late'] });
    const scheduled = (await board()).columns.find((c) => c.label === 'status:scheduled')!;
    expect(scheduled.cards.map((c) => c.title)).toEqual(['Sched early', 'Sched late']);
    expect(scheduled.cards[0]).toMatchObject({ due_date: '2031-01-01', labels: ['status:scheduled'] });
  });

  it('takes its lists from ?lists=', async () => {
    expect(Object.keys(titles(await board('&lists=other')))).toEqual(['Open', 'other', 'Closed']);
  });

  it('renders escaped HTML that refreshes every 2 seconds', async () => {
    const res = await fetch(`${sandbox.url}/-/boards/${SKILLS}`);
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('@bob');
  });

  it('lists the projects with links on /', async () => {
    const html = await (await fetch(`${sandbox.url}/`)).text();
    expect(html).toContain(`href="/-/boards/${SKILLS}"`);
    expect(html).toContain('gitlab-com/customer-success/customer-success-engineering/content');
    expect((await fetch(`${sandbox.url}/-/boards/no/such`)).status).toBe(404);
  });
});
