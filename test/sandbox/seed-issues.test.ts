// Cards seeded as an import would make them, with one person's move after creation (`then`): the
// card is in the column it was moved to, GitLab's label history holds the request and the move
// as two changes by their two people, and no webhook is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startReceiver, type Receiver } from './receiver.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
let sandbox: Sandbox;
let receiver: Receiver;

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${sandbox.url}/api/v4/projects/${encodeURIComponent(SKILLS)}${path}`, {
    ...init,
    headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' },
  });

beforeAll(async () => {
  sandbox = await startSandbox();
  receiver = await startReceiver();
  const hook = await api('/hooks', { method: 'POST', body: JSON.stringify({ url: receiver.url, token: 's', issues_events: true }) });
  expect(hook.status).toBe(201);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

describe('seeding a card that was moved after it was requested', () => {
  it('puts it in the new column, with the request and the move in its label history, and sends no webhook', async () => {
    const [iid] = sandbox.seedIssues(SKILLS, [
      {
        title: 'Requested, then scheduled',
        labels: ['status:plan'],
        author: 'alice',
        then: { addLabels: ['status:scheduled'], removeLabels: ['status:plan'], by: 'carol' },
      },
    ]) as [number];
    expect(sandbox.issue(SKILLS, iid)?.labels).toEqual(['status:scheduled']);
    const events = (await (await api(`/issues/${iid}/resource_label_events`)).json()) as Array<{
      action: string;
      label: { name: string };
      user: { username: string };
    }>;
    expect(events.map((e) => `${e.user.username} ${e.action} ${e.label.name}`)).toEqual([
      'alice add status:plan',
      'carol add status:scheduled',
      'carol remove status:plan',
    ]);
    await sandbox.idle();
    expect(receiver.received).toEqual([]);
  });
});
