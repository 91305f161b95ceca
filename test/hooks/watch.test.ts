// Reading Rhythm's hooks through the real door, against the sandbox: a GitLab without the hook
// log API (before 17.3), a bot that may not read hooks, and the watch's pass from state to state.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { HookMonitor } from '../../src/hooks/monitor.js';
import { hookStatuses, statusLines } from '../../src/hooks/status.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const log = createLogger({ level: 'silent' });
const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';
let sandbox: Sandbox;
let clock = Date.UTC(2030, 0, 1, 9);

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => clock, webhookAutoDisabling: { temporaryAfter: 1 } });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(() => sandbox.faults.clear());

const door = () => createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport: new Transport({ log, retries: 0 }) });

describe('hooks status', () => {
  it('says so when this GitLab has no hook log API (GET …/events answers 404 before 17.3)', async () => {
    const hook = await door().addHook(PROJECT, {
      url: 'http://127.0.0.1:1/webhooks/gitlab',
      token: 's',
      issuesEvents: true,
      confidentialIssuesEvents: true,
      noteEvents: true,
      confidentialNoteEvents: true,
      pushEvents: false,
      enableSslVerification: false,
    });
    sandbox.faults.add({ kind: 'status', status: 404, path: 'GET /projects/:id/hooks/:hook_id/events' });
    const [status] = await hookStatuses(door(), [PROJECT]);
    expect(status!.hook!.id).toBe(hook.id);
    expect(statusLines(status!).join('\n')).toMatch(/recent deliveries: not shown by this GitLab \(the hook events API needs GitLab 17\.3/);
  });
});

describe('the hook watch', () => {
  it('follows enabled → temporarily disabled → back (a sweep asked for) and says when the hooks cannot be read', async () => {
    const registry = new Registry();
    const recovered: string[][] = [];
    const monitor = new HookMonitor({ door: door(), projects: [PROJECT], log, registry, onRecovered: (p) => recovered.push(p) });
    const gauge = async () =>
      (await registry.getSingleMetric('rhythm_webhook_hook_state')!.get()).values
        .filter((v) => v.value === 1)
        .map((v) => v.labels['state']);

    await monitor.check();
    expect(await gauge()).toEqual(['enabled']);
    expect(monitor.reason()).toBeNull();

    // The hook from the test above points at a closed port: one event, one failure, disabled for a minute.
    await door().createIssue(PROJECT, { title: 'unheard', description: '' });
    await sandbox.idle();
    await monitor.check();
    expect(await gauge()).toEqual(['temporarily_disabled']);
    expect(monitor.reason()).toMatch(/cs-skills-exchange: the webhook is temporarily disabled until 2030-01-01T09:01:00\.000Z/);
    expect(recovered).toEqual([]);

    clock += 61_000;
    await monitor.check();
    expect(await gauge()).toEqual(['enabled']);
    expect(recovered).toEqual([[PROJECT]]);

    sandbox.faults.add({ kind: 'status', status: 403, path: 'GET /projects/:id/hooks', message: '403 Forbidden' });
    await monitor.check();
    expect(await gauge()).toEqual(['unknown']);
    expect(monitor.reason()).toMatch(/the hooks could not be read \(GitLab answered 403/);
  });
});
