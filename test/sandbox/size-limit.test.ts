// GitLab's text limits as the sandbox keeps them, over HTTP: a note over 1,000,000 characters and
// an issue description over 1,048,576 are refused with 400 and GitLab's own message, and
// characters are counted as GitLab counts them (an emoji is one, not two UTF-16 units).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const CONTENT = encodeURIComponent('gitlab-com/customer-success/customer-success-engineering/content');

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

async function call(method: string, path: string, body: Record<string, unknown>): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sandbox.url}/api/v4${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const newIssue = async (description = 'plain') => {
  const r = await call('POST', `/projects/${CONTENT}/issues`, { title: 'Size limits', description });
  expect(r.status).toBe(201);
  return (r.json as { iid: number }).iid;
};

const NOTE_TOO_LONG = { message: '400 Bad request - Note {:note=>["is too long (maximum is 1000000 characters)"]}' };

describe('the sandbox keeps GitLab’s text limits', () => {
  it('takes a note of exactly 1,000,000 characters and refuses one more, with GitLab’s message', async () => {
    const iid = await newIssue();
    expect((await call('POST', `/projects/${CONTENT}/issues/${iid}/notes`, { body: 'a'.repeat(1_000_000) })).status).toBe(201);
    const refused = await call('POST', `/projects/${CONTENT}/issues/${iid}/notes`, { body: 'a'.repeat(1_000_001) });
    expect(refused).toEqual({ status: 400, json: NOTE_TOO_LONG });
  });

  it('refuses an edit that makes a note too long, and keeps the note as it was', async () => {
    const iid = await newIssue();
    const made = await call('POST', `/projects/${CONTENT}/issues/${iid}/notes`, { body: 'short' });
    const id = (made.json as { id: number }).id;
    const refused = await call('PUT', `/projects/${CONTENT}/issues/${iid}/notes/${id}`, { body: 'b'.repeat(1_000_001) });
    expect(refused).toEqual({ status: 400, json: NOTE_TOO_LONG });
    const res = await fetch(`${sandbox.url}/api/v4/projects/${CONTENT}/issues/${iid}/notes/${id}`, {
      headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' },
    });
    expect(((await res.json()) as { body: string }).body).toBe('short');
  });

  it('counts characters as GitLab does: 600,000 emoji are 600,000 characters, under the limit', async () => {
    const iid = await newIssue();
    const emoji = '😀'.repeat(600_000); // 1,200,000 UTF-16 units
    const made = await call('POST', `/projects/${CONTENT}/issues/${iid}/notes`, { body: emoji });
    expect(made.status).toBe(201);
    expect((made.json as { body: string }).body).toBe(emoji);
  });

  it('refuses an issue description over 1,048,576 characters on create and on edit', async () => {
    const tooLong = { message: { description: ['is too long (maximum is 1048576 characters)'] } };
    expect(await call('POST', `/projects/${CONTENT}/issues`, { title: 'Big', description: 'c'.repeat(1_048_577) })).toEqual({
      status: 400,
      json: tooLong,
    });
    const iid = await newIssue('c'.repeat(1_048_576));
    expect(await call('PUT', `/projects/${CONTENT}/issues/${iid}`, { description: 'd'.repeat(1_048_577) })).toEqual({
      status: 400,
      json: tooLong,
    });
  });
});
