// The column cache stays as new as what the bot read: the column job's own reorders forget the
// board order the sweep cached (a later date change patched into it cannot make a stale order look
// sorted), and the sweep's listing, seeded after every board is listed, does not bring back an
// older copy of a card a job read meanwhile, and a listing torn by a move while it was paged gives
// no board order. Runs the jobs as `rhythm serve` does: one ColumnCache for the process, seeded by
// the sweep.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetOrder } from '../../src/board/plan.js';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { columnKey, issueKey } from '../../src/engine/keys.js';
import { runJob } from '../../src/engine/run-job.js';
import { planSweep, seedColumns } from '../../src/engine/sweep.js';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { fullRequest, REPO, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ startService: false });
});
afterAll(async () => {
  await world?.close();
});

/** A ready card put straight into the column (plan, then carol's move), due in `days`. */
const ready = (title: string, days: number) => ({
  title,
  description: `${fullRequest(`${title}.`, 'carol')}\n\nModerator: @dave`,
  labels: [world.board.labels.plan],
  assignees: ['carol', 'dave'],
  dueDate: world.date(days),
  author: 'alice',
  then: { addLabels: [world.board.labels.scheduled], removeLabels: [world.board.labels.plan], by: 'carol' },
});

/** What a job runs with in this process: one column cache, as `rhythm serve` has. */
const depsWith = (columns: ColumnCache) => ({
  config: world.config,
  configDir: REPO,
  door: world.bot,
  log: world.log,
  now: new Date(),
  columns,
  enqueue: async () => {},
});

/** The column as GitLab has it now, in board order. */
const order = async () =>
  (
    await world.bot.listIssues(world.project, {
      labels: [world.board.labels.scheduled],
      state: 'opened',
      orderBy: 'relative_position',
      sort: 'asc',
    })
  ).map((i) => ({ id: i.id, iid: i.iid, dueDate: i.due_date }));

describe('the column cached from the sweep', () => {
  it('is forgotten once the column job reorders the cards itself', async () => {
    const { scheduled } = world.board.labels;
    // Board order B (day 20) above A (day 10): out of date order.
    const [b, a] = world.sandbox.seedIssues(world.project, [ready('Session B', 20), ready('Session A', 10)]);
    const columns = new ColumnCache();
    const deps = depsWith(columns);

    // The sweep lists the column and seeds the process's cache, as service.ts does.
    const swept = await planSweep(world.bot, world.config, {});
    seedColumns(swept, columns, new Date());
    // The column job: the cached order is out of order, so it lists afresh and moves A above B.
    const first = await runJob(columnKey(world.project, scheduled), [], deps);
    expect(first.facts?.moves).toBe(1);
    expect((await order()).map((c) => c.iid)).toEqual([a, b]);

    // A person gives A a date after B's; A's job reads it (and patches the cache).
    await world.as.alice.editIssue(world.project, a!, { dueDate: world.date(30) });
    await runJob(issueKey(world.project, a!), [], { ...deps, now: new Date() });
    // The column job that A's date change wakes must put A below B again.
    await runJob(columnKey(world.project, scheduled), [], { ...deps, now: new Date() });
    const now = await order();
    expect(now.map((c) => c.iid)).toEqual(targetOrder(now).map((c) => c.iid));
  }, 60_000);

  it('keeps a card a job read while the sweep was listing over the listed copy', async () => {
    const { scheduled } = world.board.labels;
    // Close the first test's cards: a column of two, in date order (X day 40 above Y day 50).
    for (const issue of await world.bot.listIssues(world.project, { state: 'opened' })) {
      await world.as.alice.editIssue(world.project, issue.iid, { stateEvent: 'close' });
    }
    const [x, y] = world.sandbox.seedIssues(world.project, [ready('Session X', 40), ready('Session Y', 50)]);
    const columns = new ColumnCache();
    const deps = depsWith(columns);

    // The sweep has listed the column; before it returns and seeds the cache, a person moves X's
    // date past Y's and X's job runs (the worker runs beside the sweep in rhythm serve).
    const swept = await planSweep(world.bot, world.config, {});
    await world.as.alice.editIssue(world.project, x!, { dueDate: world.date(60) });
    await runJob(issueKey(world.project, x!), [], { ...deps, now: new Date() });
    seedColumns(swept, columns, new Date());
    // The column job X's date change woke.
    await runJob(columnKey(world.project, scheduled), [], { ...deps, now: new Date() });
    const now = await order();
    expect(now.map((c) => c.iid)).toEqual([y, x]);
  }, 60_000);
});

/**
 * A proxy in front of the sandbox that runs `before` once, ahead of forwarding the first request
 * `when` picks: a person's change landing between two pages of a listing.
 */
async function proxyWith(when: (url: URL) => boolean, before: () => Promise<void>): Promise<{ url: string; close: () => Promise<void> }> {
  let done = false;
  const server = createServer((req, res) => {
    void (async () => {
      const target = new URL(req.url ?? '/', world.sandbox.url);
      if (!done && when(target)) {
        done = true;
        await before();
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers.set(name, value);
      }
      const answer = await fetch(target, {
        method: req.method ?? 'GET',
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const out: Record<string, string> = {};
      // The next page's address must come back through the proxy too.
      answer.headers.forEach((value, name) => {
        if (name !== 'content-encoding' && name !== 'content-length' && name !== 'transfer-encoding') {
          out[name] = value.split(world.sandbox.url).join(url);
        }
      });
      res.writeHead(answer.status, out);
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((err: unknown) => {
      res.writeHead(502);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("a sweep's listing of the column torn by a move while it was paged", () => {
  it('gives the column job no board order, so it lists the column itself and puts it in order', async () => {
    const { scheduled } = world.board.labels;
    for (const issue of await world.bot.listIssues(world.project, { state: 'opened' })) {
      await world.as.alice.editIssue(world.project, issue.iid, { stateEvent: 'close' });
    }
    // 150 cards in date order: two pages.
    const iids = world.sandbox.seedIssues(
      world.project,
      Array.from({ length: 150 }, (_, i) => ready(`Paged ${i}`, 100 + i)),
    );
    const before = await order();
    expect(before.map((c) => c.iid)).toEqual(iids);
    // Between the column's two pages, carol drags the top card to the bottom: page 1 had it, and
    // page 2 has it again, while the card that moved up onto page 1 is on neither.
    const proxy = await proxyWith(
      (url) => url.searchParams.get('order_by') === 'relative_position' && url.searchParams.get('page') === '2',
      async () => {
        await world.as.carol.reorderIssue(world.project, before[0]!.iid, { moveBeforeId: before[before.length - 1]!.id });
      },
    );
    const columns = new ColumnCache();
    try {
      const door = createDoor({
        url: proxy.url,
        token: 'sandbox-rhythm-bot-token',
        log: world.log,
        transport: new Transport({ log: world.log }),
      });
      const swept = await planSweep(door, world.config, { parts: ['issues', 'order'] });
      const listed = swept.columns.get(columnKey(world.project, scheduled))!.map((i) => i.iid);
      expect(listed.filter((iid) => iid === before[0]!.iid)).toHaveLength(2);
      seedColumns(swept, columns, new Date());
    } finally {
      await proxy.close();
    }
    const deps = depsWith(columns);
    const done = await runJob(columnKey(world.project, scheduled), [], deps);
    expect(done.facts?.moves).toBe(1);
    expect((await order()).map((c) => c.iid)).toEqual(iids);
  }, 60_000);
});
