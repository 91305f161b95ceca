// One status note per card, always (issue 12, item 10). `rhythm sweep` racing `rhythm serve` on a
// new card posted two notes; so did a note POST GitLab finished after the bot had given up on it.
// Real processes and the sandbox GitLab over loopback; the sandbox widens the windows (latency on
// the note POST) or plays the lost answer (lateAnswer).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { issueKey } from '../../src/engine/keys.js';
import { runOnce } from '../../src/engine/run-once.js';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import type { GNote } from '../../src/gitlab/types.js';
import { installHooks } from '../../src/hooks/install.js';
import { openStore } from '../../src/queue/open.js';
import type { Fault } from '../../src/sandbox/index.js';
import { recordingLog } from '../support/run-key.js';
import { spawnServe, type ServeProcess } from '../support/serve-process.js';
import { runSweep } from '../support/sweep-process.js';
import { REPO, SECRET, startWorld, type World } from '../support/world.js';

const NOTE_POST = 'POST /projects/:id/issues/:issue_iid/notes';
const STATUS = '<!-- rhythm:status -->';

const isStatus = (n: GNote) => n.body.trimStart().split('\n', 1)[0]?.trim() === STATUS;
const botCalls = (world: World, route: string) => world.sandbox.calls().filter((c) => c.route === route && c.user === 'rhythm-bot');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(): Promise<World> {
  const w = await startWorld({ startService: false });
  cleanups.push(() => w.close());
  return w;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rhythm-one-note-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Until `rhythm serve` has nothing pending or running on its database and GitLab sent everything, three looks in a row. */
async function serveSettled(w: World, databaseUrl: string, dir: string): Promise<void> {
  const store = await openStore(databaseUrl, dir);
  try {
    const deadline = Date.now() + 30_000;
    for (let quiet = 0; quiet < 3;) {
      if (Date.now() > deadline) throw new Error(`rhythm serve did not settle: ${JSON.stringify(await store.stats(Date.now()))}`);
      await w.sandbox.idle();
      const stats = await store.stats(Date.now());
      quiet = stats.pending === 0 && stats.running === 0 ? quiet + 1 : 0;
      await sleep(100);
    }
  } finally {
    await store.close();
  }
}

describe('one status note per card, across processes', () => {
  it('a real rhythm serve and a real rhythm sweep on one SQLite file, racing on a new card, post one status note', async () => {
    const w = await world();
    const dir = tempDir();
    const databaseUrl = `sqlite:${join(dir, 'rhythm.db')}`;
    const serve: ServeProcess = await spawnServe({ gitlabUrl: w.sandbox.url, databaseUrl });
    cleanups.push(async () => void (await serve.kill()));
    await installHooks(w.bot, w.config, { url: `${serve.url}/webhooks/gitlab`, secret: SECRET, log: w.log });
    // Every note POST takes 3 s: the service's is still under way while the sweep reads the card.
    w.sandbox.faults.add({ kind: 'latency', ms: 3000, path: NOTE_POST });

    const card = await w.create('alice', 'Needs a note', 'please');
    const key = issueKey(w.project, card.iid);
    const sweep = await runSweep({ gitlabUrl: w.sandbox.url, cwd: dir, databaseUrl, args: ['--only', 'issues'] });
    expect(sweep.code, sweep.err).toBe(0);
    expect(sweep.out).toContain(`${key}: `);
    await serveSettled(w, databaseUrl, dir);

    // Both processes had the key in hand; one note came of it, from one POST.
    expect(serve.lines.some((l) => l.msg === 'job started' && l.key === key)).toBe(true);
    expect((await w.botNotes(card.iid)).filter(isStatus)).toHaveLength(1);
    expect(botCalls(w, NOTE_POST)).toHaveLength(1);
    expect(sweep.out).toMatch(/^swept \d+ keys, 0 failed; GitLab calls: \d+ reads, \d+ writes$/m);
  }, 90_000);

  it('two sweeps without a shared store, racing on a new card, end on one note: the newer goes', async () => {
    const w = await world();
    const card = await w.create('alice', 'Needs a note', 'please');
    w.sandbox.faults.add({ kind: 'latency', ms: 3000, path: NOTE_POST });

    // Two pipelines, no database: each its own private queue, nothing serializes them.
    const runs = await Promise.all([0, 1].map(() => runSweep({ gitlabUrl: w.sandbox.url, cwd: tempDir(), args: ['--only', 'issues'] })));
    for (const run of runs) expect(run.code, run.err).toBe(0);
    await w.sandbox.idle();

    const notes = (await w.botNotes(card.iid)).filter(isStatus);
    expect(notes).toHaveLength(1);
    // Both posted (the race was real), and the later one's note was deleted: the oldest stays.
    const posts = botCalls(w, NOTE_POST);
    expect(posts).toHaveLength(2);
    expect(botCalls(w, 'DELETE /projects/:id/issues/:issue_iid/notes/:note_id')).toHaveLength(1);
    expect(notes[0]!.body).toMatch(/Topic/);
  }, 90_000);
});

describe('a note POST GitLab finishes after the bot gave up on it', () => {
  const TIMEOUT_MS = 1000;

  /** One sweep-like run of the card's key, in this process, with a door that gives up after 1 s. */
  async function reconcile(w: World, iid: number) {
    const log = recordingLog();
    const door = createDoor({
      url: w.sandbox.url,
      token: 'sandbox-rhythm-bot-token',
      log,
      transport: new Transport({ log, timeoutMs: TIMEOUT_MS }),
    });
    const report = await runOnce(
      [issueKey(w.project, iid)],
      { config: w.config, configDir: REPO, door, log, columns: new ColumnCache() },
      { backoffBaseMs: 100 },
    );
    return { report, log };
  }

  it('is not posted again by the retry when GitLab saves it only after the timeout', async () => {
    const w = await world();
    const card = await w.create('alice', 'Needs a note', 'please');
    // GitLab takes 1.8 s over the POST: the door gives up at 1 s, the note is saved at 1.8 s.
    w.sandbox.faults.add({ kind: 'latency', ms: 1800, path: NOTE_POST, times: 1 });
    const started = Date.now();
    const { report } = await reconcile(w, card.iid);
    // Whatever the bot did, let GitLab finish the slow POST before looking.
    await sleep(Math.max(0, started + 2300 - Date.now()));
    await w.sandbox.idle();

    expect(report.failed).toEqual([]);
    expect((await w.botNotes(card.iid)).filter(isStatus)).toHaveLength(1);
    expect(botCalls(w, NOTE_POST)).toHaveLength(1);
  }, 60_000);

  const lost: { name: string; fault: Fault }[] = [
    { name: 'the answer comes after the timeout', fault: { kind: 'lateAnswer', ms: 3000, path: NOTE_POST, times: 1 } },
    {
      name: 'the connection is reset after the note was saved',
      fault: { kind: 'lateAnswer', ms: 200, drop: true, path: NOTE_POST, times: 1 },
    },
  ];
  for (const { name, fault } of lost) {
    it(`is taken as posted, in the same attempt, when GitLab saved it and ${name}`, async () => {
      const w = await world();
      const card = await w.create('alice', 'Needs a note', 'please');
      w.sandbox.faults.add(fault);
      const { report, log } = await reconcile(w, card.iid);
      await w.sandbox.idle();

      expect(report.failed).toEqual([]);
      expect((await w.botNotes(card.iid)).filter(isStatus)).toHaveLength(1);
      expect(botCalls(w, NOTE_POST)).toHaveLength(1);
      expect(log.lines.filter((l) => l.msg === 'job failed; will retry')).toEqual([]);
      expect(log.lines.some((l) => l.msg?.includes('taken as posted'))).toBe(true);
    }, 60_000);
  }
});
