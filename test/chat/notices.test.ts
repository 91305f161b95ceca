// Chat notices against the sandbox and a webhook receiver on loopback: each notice once, through
// the queue's store (a real SQLite file), retried through the receiver's failures, never with a
// confidential card, and with people's text unable to mention or link.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RhythmConfig } from '../../src/config/types.js';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { chatKey } from '../../src/engine/keys.js';
import { runJob } from '../../src/engine/run-job.js';
import type { GIssue } from '../../src/gitlab/types.js';
import { openStore } from '../../src/queue/open.js';
import type { Store } from '../../src/queue/contract.js';
import { chatText } from '../../src/chat/text.js';
import { recordingLog } from '../support/run-key.js';
import { REPO, startWorld, type World } from '../support/world.js';
import { startChatReceiver, type ChatReceiver } from './receiver.js';

let world: World;
let chat: ChatReceiver;
let dir: string;
let store: Store;
let log: ReturnType<typeof recordingLog>;

beforeAll(async () => {
  chat = await startChatReceiver();
  world = await startWorld({
    startService: false,
    configure: (config): RhythmConfig => ({
      ...config,
      boards: config.boards.map((b) => ({ ...b, chat: { webhookUrl: chat.url, timeoutSeconds: 1, soonDays: 7 } })),
    }),
  });
  dir = mkdtempSync(join(tmpdir(), 'rhythm-chat-'));
  store = await openStore(`sqlite:${join(dir, 'rhythm.db')}`, dir);
});
afterAll(async () => {
  await store?.close();
  await world?.close();
  await chat?.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = async () => {
  log = recordingLog();
  return runJob(chatKey('skills-exchange'), [], {
    config: world.config,
    configDir: REPO,
    door: world.bot.forEvent({}),
    log,
    now: new Date(),
    columns: new ColumnCache(),
    enqueue: async () => undefined,
    chat: store.chat,
  });
};

async function scheduled(title: string, due: string, o: { moderator?: string; confidential?: boolean } = {}): Promise<GIssue> {
  const issue = await world.as.alice.createIssue(world.project, {
    title,
    description: `## Topic\n${title}\n\n${o.moderator ? `Moderator: @${o.moderator}` : ''}`,
    labels: ['status:scheduled'],
    dueDate: due,
    ...(o.confidential ? { confidential: true } : {}),
  });
  const ids = [await world.userId('alice'), ...(o.moderator ? [await world.userId(o.moderator)] : [])];
  return world.as.alice.editIssue(world.project, issue.iid, { assigneeIds: ids });
}

describe('chat notices', () => {
  it('turned on: what is already true is recorded, not announced; the week’s digest goes out', async () => {
    await scheduled('Old news session', world.date(20), { moderator: 'bob' });
    const first = await run();
    expect(chat.texts).toHaveLength(1);
    expect(chat.texts[0]).toMatch(/^This week on skills-exchange:/);
    expect(first.steps.filter((s) => s.kind === 'chatNotice' && s.text === null).length).toBeGreaterThan(0);
    expect((await run()).steps).toEqual([]);
    expect(chat.texts).toHaveLength(1);
  });

  it('a card scheduled: title, date, speaker, moderator, a link; once, across a restart', async () => {
    const card = await scheduled('Kubernetes <!channel> @here [x](https://evil.example)', world.date(3), { moderator: 'bob' });
    await run();
    const text = chat.texts.at(-1)!;
    expect(text).toContain(`New session scheduled: <${card.web_url}|`);
    expect(text).toMatch(/Speaker: @\u200Balice\. Moderator: @\u200Bbob\./);
    // No mention, no link a title could make: Slack and Mattermost read <…>, Mattermost @ and Markdown.
    expect(text).not.toContain('<!channel>');
    expect(text).not.toMatch(/@here/);
    expect(text).not.toContain('](https://');
    expect(text).toContain(chatText('Kubernetes <!channel> @here [x](https://evil.example)'));

    // A restart: the store is opened again from its file; nothing is sent twice.
    await store.close();
    store = await openStore(`sqlite:${join(dir, 'rhythm.db')}`, dir);
    const before = chat.texts.length;
    expect((await run()).steps).toEqual([]);
    expect(chat.texts).toHaveLength(before);
  });

  it('a session next week without a moderator, and a recording posted', async () => {
    const bare = await scheduled('No moderator yet', world.date(2));
    const past = await scheduled('Last week', world.date(-2), { moderator: 'bob' });
    await run(); // scheduled + unstaffed for the first; the past one waits for its recording
    const sent = chat.texts.length;
    expect(chat.texts.slice(-2).join('\n')).toContain(`<${bare.web_url}|No moderator yet> on`);
    expect(chat.texts.some((t) => t.includes('has no moderator yet') && t.includes(bare.web_url))).toBe(true);
    await world.as.bob.createNote(world.project, past.iid, 'Here it is: https://youtu.be/abcdefgh12');
    await run();
    expect(chat.texts).toHaveLength(sent + 1);
    expect(chat.texts.at(-1)).toBe(`The recording of <${past.web_url}|Last week> is posted: find the link on the issue.`);
  });

  it('never tells of a confidential card', async () => {
    const before = chat.texts.length;
    await scheduled('Secret customer', world.date(4), { confidential: true });
    await run();
    expect(chat.texts).toHaveLength(before);
    expect(chat.texts.join('\n')).not.toContain('Secret customer');
  });

  it('retries a 500, a 429 after its Retry-After and a hang; the URL is never logged', async () => {
    await scheduled('Retried session', world.date(5), { moderator: 'bob' });
    chat.failNext({ status: 500 }, { status: 429, retryAfter: '1' });
    const requests = chat.requests;
    await run();
    expect(chat.requests - requests).toBe(3);
    expect(chat.texts.at(-1)).toContain('Retried session');

    // Down for longer than the client's own attempts: the job fails (the queue retries it later),
    // nothing is recorded as sent, and the retry sends it once.
    await scheduled('Hung session', world.date(6), { moderator: 'bob' });
    chat.failNext('hang', { status: 503 }, { status: 502 });
    await expect(run()).rejects.toThrow(/could not send chat notice .*: the chat webhook answered 502/);
    expect(JSON.stringify(log.lines)).not.toContain(chat.url);
    expect(JSON.stringify(log.lines)).not.toContain('secret-key-abc123');
    expect(chat.texts.some((t) => t.includes('Hung session'))).toBe(false);
    await run();
    expect(chat.texts.filter((t) => t.includes('Hung session'))).toHaveLength(1);
  });

  it('forgets what can never be owed again (past sessions, old digests, an old recording no card owes), and sends nothing twice', async () => {
    const DAY = 24 * 3600_000;
    await run(); // whatever the board owes now is sent (or known) first
    const lapsed = [
      'digest:2020-W01',
      'scheduled:9001:2020-01-06',
      'unstaffed:9001:2020-01-06',
      'no-dri:2020-01-06-amer-webinar',
      'recording:9001',
    ];
    // Recorded long ago; and an undated notice recorded yesterday, which is kept for now.
    await store.chat.record('skills-exchange', lapsed, Date.now() - 400 * DAY);
    await store.chat.record('skills-exchange', ['recording:9002', `scheduled:9003:${world.date(-3)}`], Date.now() - DAY);
    const owed = [...(await store.chat.sent('skills-exchange')).keys()].filter((id) => !lapsed.includes(id));
    const before = chat.texts.length;
    const job = await run();
    expect(job.steps.filter((s) => s.kind !== 'forgetChatNotices')).toEqual([]);
    expect(chat.texts).toHaveLength(before);
    const kept = await store.chat.sent('skills-exchange');
    for (const id of lapsed) expect(kept.has(id), id).toBe(false);
    // Only the lapsed went: every notice a card still owes, and those still in their grace, stay.
    expect([...kept.keys()].sort()).toEqual(owed.sort());
    expect((await run()).steps).toEqual([]);
  });
});
