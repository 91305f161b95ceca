// The transport against the sandbox's rate limits, played in short windows: it reads
// RateLimit-Reset as GitLab sends it (a Unix second) and slows a run near the throttle's limit
// instead of meeting 429s; it paces note creation below the application limit; and a 429 without
// RateLimit-* headers on a create waits for GitLab's window and sends the create once more.
import { afterEach, describe, expect, it } from 'vitest';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport, type TransportOptions } from '../../src/gitlab/transport.js';
import type { Logger } from '../../src/observability/log.js';
import { startSandbox, type CallRecord, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
const NOTES = 'POST /projects/:id/issues/:issue_iid/notes';
const warnings: string[] = [];
const log: Logger = { debug() {}, info() {}, warn: (_o, msg) => void warnings.push(msg ?? ''), error() {}, child: () => log };

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  warnings.length = 0;
});

async function world(opts: SandboxOptions, transport: Partial<TransportOptions> = {}) {
  sandbox = await startSandbox(opts);
  const door = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport: new Transport({ log, ...transport }) });
  const [iid] = sandbox.seedIssues(SKILLS, [{ title: 'A card with many comments' }]) as [number];
  return { sandbox, door, iid };
}

/** The most calls that arrived within one window of the sandbox (windows are aligned to the epoch). */
function mostInOneWindow(calls: CallRecord[], windowMs: number): number {
  const per = new Map<number, number>();
  for (const c of calls) {
    const w = Math.floor(Date.parse(c.at) / windowMs);
    per.set(w, (per.get(w) ?? 0) + 1);
  }
  return Math.max(0, ...per.values());
}

describe('the throttle’s RateLimit-Remaining', () => {
  it('slows a run near the limit instead of meeting 429s, where a client that ignores it is refused', async () => {
    const { sandbox, door } = await world({ rateLimitPerMinute: 10, rateLimitPeriodSec: 2 });
    // Alice's script ignores the headers: past ten calls in a window she is refused (25 calls:
    // more than ten land in one window even when they straddle a window's end).
    const raw = await Promise.all(
      Array.from({ length: 25 }, () => fetch(`${sandbox.url}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' } })),
    );
    expect(raw.filter((r) => r.status === 429).length).toBeGreaterThan(0);

    // The bot makes 25 calls, four at a time, through the door.
    const users = await Promise.all(Array.from({ length: 25 }, () => door.currentUser()));
    expect(users.every((u) => u.username === 'rhythm-bot')).toBe(true);
    const bot = sandbox.calls().filter((c) => c.user === 'rhythm-bot');
    expect(bot).toHaveLength(25);
    expect(bot.filter((c) => c.status === 429)).toEqual([]);
    expect(mostInOneWindow(bot, 2000)).toBeLessThanOrEqual(10);
  });
});

describe('creating notes under GitLab’s application limit', () => {
  it('paces creates below the limit: not one is refused', async () => {
    const { sandbox, door, iid } = await world(
      { notesCreateLimit: 4, applicationLimitPeriodSec: 1 },
      { createLimits: { notes: 3 }, createWindowMs: 1000 },
    );
    const notes = await Promise.all(Array.from({ length: 10 }, (_, i) => door.createNote(SKILLS, iid, `Note ${i}`)));
    expect(new Set(notes.map((n) => n.id)).size).toBe(10);
    const posts = sandbox.calls().filter((c) => c.route === NOTES);
    expect(posts.map((c) => c.status)).toEqual(Array(10).fill(201));
    expect(mostInOneWindow(posts, 1000)).toBeLessThanOrEqual(3);
  });

  it('waits out a 429 without RateLimit-* headers and sends the create again: each note once', async () => {
    // Not paced (as when another process of the same bot spent the budget): GitLab refuses some.
    const { sandbox, door, iid } = await world({ notesCreateLimit: 3, applicationLimitPeriodSec: 1 });
    const notes = await Promise.all(Array.from({ length: 5 }, (_, i) => door.createNote(SKILLS, iid, `Note ${i}`)));
    const statuses = sandbox
      .calls()
      .filter((c) => c.route === NOTES)
      .map((c) => c.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    // A refused create was not made: every note exists exactly once.
    const bodies = (await door.listNotes(SKILLS, iid)).map((n) => n.body).sort();
    expect(bodies).toEqual(['Note 0', 'Note 1', 'Note 2', 'Note 3', 'Note 4']);
    expect(notes.map((n) => n.body).sort()).toEqual(bodies);
    expect(warnings.some((w) => w.includes('limit on creating notes'))).toBe(true);
  });

  it('lets reads go on while creates wait for the window', async () => {
    const { sandbox, door, iid } = await world(
      { notesCreateLimit: 3, applicationLimitPeriodSec: 1 },
      { createLimits: { notes: 2 }, createWindowMs: 1000 },
    );
    await Promise.all([door.createNote(SKILLS, iid, 'first'), door.createNote(SKILLS, iid, 'second')]);
    // Four creates waiting would hold every slot of the concurrency cap if they waited inside it.
    const waiting = [3, 4, 5, 6].map((i) => door.createNote(SKILLS, iid, `note ${i}`));
    const first = await Promise.race([door.getIssue(SKILLS, iid).then(() => 'the read'), Promise.all(waiting).then(() => 'the creates')]);
    expect(first).toBe('the read');
    await Promise.all(waiting);
    expect(sandbox.calls().filter((c) => c.status === 429)).toEqual([]);
  });
});
