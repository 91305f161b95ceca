// Offset pagination exactly like GitLab: gitbeaker must follow Link rel="next" to the end.

import { Gitlab } from '@gitbeaker/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let projectId: number;
const TOKEN = { 'PRIVATE-TOKEN': 'sandbox-rhythm-bot-token' };

beforeAll(async () => {
  sandbox = await startSandbox();
  projectId = sandbox.addProject('paging/many').id;
  // Create 250 issues over HTTP in parallel batches (plain fetch: the focus here is reading).
  for (let start = 0; start < 250; start += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, k) =>
        fetch(`${sandbox.url}/api/v4/projects/${projectId}/issues`, {
          method: 'POST',
          headers: { ...TOKEN, 'Content-Type': 'application/json' },
          body: JSON.stringify({ title: `Issue ${start + k}` }),
        }).then((r) => expect(r.status).toBe(201)),
      ),
    );
  }
});

afterAll(async () => {
  await sandbox.close();
});

function links(header: string | null): Record<string, URL> {
  const out: Record<string, URL> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (m) out[m[2] as string] = new URL(m[1] as string);
  }
  return out;
}

describe('pagination', () => {
  it('lets gitbeaker fetch all 250 issues, following Link', async () => {
    const gl = new Gitlab({ host: sandbox.url, token: 'sandbox-rhythm-bot-token' });
    const all = await gl.Issues.all({ projectId, perPage: 100 });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((i) => i.iid)).size).toBe(250);
    const byDefault = await gl.Issues.all({ projectId });
    expect(byDefault).toHaveLength(250);
    const listCalls = sandbox.calls().filter((c) => c.route === 'GET /projects/:id/issues');
    // 3 pages of 100 plus 13 pages of the default 20.
    expect(listCalls).toHaveLength(3 + 13);
  });

  it('sends GitLab headers on a middle page', async () => {
    const res = await fetch(`${sandbox.url}/api/v4/projects/${projectId}/issues?per_page=100&page=2&state=opened`, { headers: TOKEN });
    expect(res.status).toBe(200);
    expect(((await res.json()) as unknown[]).length).toBe(100);
    expect(res.headers.get('x-page')).toBe('2');
    expect(res.headers.get('x-per-page')).toBe('100');
    expect(res.headers.get('x-next-page')).toBe('3');
    expect(res.headers.get('x-prev-page')).toBe('1');
    expect(res.headers.get('x-total')).toBe('250');
    expect(res.headers.get('x-total-pages')).toBe('3');
    const l = links(res.headers.get('link'));
    expect(Object.keys(l).sort()).toEqual(['first', 'last', 'next', 'prev']);
    expect(l['next']!.searchParams.get('page')).toBe('3');
    expect(l['prev']!.searchParams.get('page')).toBe('1');
    expect(l['last']!.searchParams.get('page')).toBe('3');
    // Other parameters survive in the links.
    expect(l['next']!.searchParams.get('state')).toBe('opened');
    expect(l['next']!.searchParams.get('per_page')).toBe('100');
  });

  it('has no next link on the last page', async () => {
    const res = await fetch(`${sandbox.url}/api/v4/projects/${projectId}/issues?per_page=100&page=3`, { headers: TOKEN });
    expect(((await res.json()) as unknown[]).length).toBe(50);
    expect(res.headers.get('x-next-page')).toBe('');
    expect(res.headers.get('x-prev-page')).toBe('2');
    const l = links(res.headers.get('link'));
    expect(l['next']).toBeUndefined();
    expect(Object.keys(l).sort()).toEqual(['first', 'last', 'prev']);
  });

  it('defaults to 20 per page and caps per_page at 100', async () => {
    const small = await fetch(`${sandbox.url}/api/v4/projects/${projectId}/issues`, { headers: TOKEN });
    expect(((await small.json()) as unknown[]).length).toBe(20);
    expect(small.headers.get('x-total-pages')).toBe('13');
    const big = await fetch(`${sandbox.url}/api/v4/projects/${projectId}/issues?per_page=500`, { headers: TOKEN });
    expect(((await big.json()) as unknown[]).length).toBe(100);
    expect(big.headers.get('x-per-page')).toBe('100');
  });

  it('puts RateLimit headers on every API response', async () => {
    const res = await fetch(`${sandbox.url}/api/v4/user`, { headers: TOKEN });
    expect(res.headers.get('ratelimit-limit')).toBe('2000');
    expect(res.headers.get('ratelimit-name')).toBe('throttle_authenticated_api');
    expect(Number(res.headers.get('ratelimit-remaining'))).toBeLessThan(2000);
    expect(res.headers.get('ratelimit-observed')).not.toBeNull();
    expect(res.headers.get('ratelimit-reset')).not.toBeNull();
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a user is over the per-minute limit', async () => {
    const small = await startSandbox({ rateLimitPerMinute: 3, now: () => Date.UTC(2030, 0, 1, 12, 0, 10) });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await fetch(`${small.url}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' } });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(last!.headers.get('retry-after')).toBe('50');
      expect(last!.headers.get('ratelimit-remaining')).toBe('0');
      expect(last!.headers.get('ratelimit-resettime')).toBe(new Date(Date.UTC(2030, 0, 1, 12, 1, 0)).toUTCString());
      expect(await last!.text()).toBe('Retry later\n');
      // The limit is per user: bob is unaffected.
      const bob = await fetch(`${small.url}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': 'sandbox-bob-token' } });
      expect(bob.status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
