// What a sweep reads, counted at the sandbox (issue 13): the programs project is listed once for
// every plan; the unchanged sweep reads only its list pages. The sweeps run as `rhythm sweep` runs
// them (planSweep, then runOnce over the keys), with the card memory between them, on a board of
// ready cards seeded straight into the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RhythmConfig } from '../../src/config/types.js';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { issueKey } from '../../src/engine/keys.js';
import { runOnce } from '../../src/engine/run-once.js';
import { planSweep, seedColumns, SWEEP_RUN_COLUMN_KEEPS_MS } from '../../src/engine/sweep.js';
import { MapCardMemory } from '../../src/queue/card-memory.js';
import type { CallRecord } from '../../src/sandbox/types.js';
import { BOT, fullRequest, REPO, startWorld, type World } from '../support/world.js';

const MINUTE = 60_000;
/** Cards on the board: two list pages of 100. */
const N = 150;

/** Only the board and the program plans: no sign-up issues, whose calls would blur the count. */
const boardAndPrograms = (config: RhythmConfig): RhythmConfig => {
  const { signups: _signups, ...rest } = config;
  return { ...rest, boards: config.boards.filter((b) => b.kind === 'skills-exchange') };
};

let world: World;
let offset = 0;
const memory = new MapCardMemory();
let iids: number[] = [];
const clock = () => new Date(Date.now() + offset);

beforeAll(async () => {
  world = await startWorld({
    startService: false,
    sandbox: { rateLimitPerMinute: 1_000_000_000, now: () => Date.now() + offset },
    configure: boardAndPrograms,
  });
  const { plan, scheduled } = world.board.labels;
  iids = world.sandbox.seedIssues(
    world.project,
    Array.from({ length: N }, (_, i) => ({
      title: `Session ${i}`,
      description: `${fullRequest(`Topic ${i}.`, 'carol')}\n\nModerator: @dave`,
      labels: [plan],
      assignees: ['carol', 'dave'],
      dueDate: world.date(10 + i),
      author: 'alice',
      then: { addLabels: [scheduled], removeLabels: [plan], by: 'carol' },
    })),
  );
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/**
 * One sweep as `rhythm sweep` runs it, the clock moved on 10 minutes first; the bot's calls.
 * `tick`: how far the rules' clock moves on with each job (a long sweep).
 */
async function sweep(with_: { memory?: MapCardMemory; tickMs?: number } = {}): Promise<CallRecord[]> {
  const mem = with_.memory ?? memory;
  offset += 10 * MINUTE;
  let ticks = 0;
  const jobClock = () => new Date(Date.now() + offset + ticks++ * (with_.tickMs ?? 0));
  world.sandbox.resetCalls();
  const plan = await planSweep(world.bot, world.config, { memory: mem, now: clock(), listedAt: Date.now() + offset });
  const columns = new ColumnCache();
  seedColumns(plan, columns, clock(), SWEEP_RUN_COLUMN_KEEPS_MS);
  const report = await runOnce(
    plan.keys,
    { config: world.config, configDir: REPO, door: world.bot, log: world.log, columns, memory: mem, listed: plan.listed, clock: jobClock },
    { fullRead: plan.fullRead, maxAttempts: 1 },
  );
  expect(report.failed).toEqual([]);
  await plan.complete();
  return world.sandbox.calls().filter((c) => c.user === BOT);
}

const issuesOf = (project: string) => `/projects/${encodeURIComponent(project)}/issues`;
const query = (c: CallRecord) => new URLSearchParams(c.query);
/** Listings of the board's scheduled column (each page). */
const columnPages = (calls: CallRecord[]) =>
  calls.filter((c) => c.method === 'GET' && c.path === issuesOf(world.project) && query(c).get('labels') === world.board.labels.scheduled);
/** Listings of the column begun (their first page). */
const columnListings = (calls: CallRecord[]) => columnPages(calls).filter((c) => !query(c).has('page'));
/** Every list page of the sweep: the issue listings of every project. */
const listPages = (calls: CallRecord[]) => calls.filter((c) => c.method === 'GET' && c.route === 'GET /projects/:id/issues');
const pages = Math.ceil(N / 100);

describe('the calls of a sweep', () => {
  it('lists the programs project once for all its plans', async () => {
    const programs = world.config.programs!;
    expect(programs.plans.length).toBeGreaterThan(1);
    const first = await sweep();
    expect(first.filter((c) => c.method === 'GET' && c.path === issuesOf(programs.project))).toHaveLength(1);
    expect(iids).toHaveLength(N);
  }, 120_000);

  it('right after the first sweep (the bot wrote to every card), reads its list pages and nothing else: ⌈n/100⌉ + 2', async () => {
    const calls = await sweep();
    expect(calls.map((c) => `${c.method} ${c.path} ${c.query}`)).toHaveLength(pages + 2);
    expect(listPages(calls)).toEqual(calls);
    expect(columnPages(calls)).toHaveLength(pages);
  });

  it('unchanged, reads its list pages only: ⌈n/100⌉ + 2', async () => {
    const calls = await sweep();
    expect(calls).toHaveLength(pages + 2);
    expect(listPages(calls)).toEqual(calls);
  });

  it('after changes, lists the column once and reads only the changed cards beside the list pages', async () => {
    const { plan, scheduled } = world.board.labels;
    const [commented, edited, unscheduled] = [iids[10]!, iids[70]!, iids[120]!];
    await world.as.alice.createNote(world.project, commented, 'Looking forward to it!');
    await world.as.bob.editIssue(world.project, edited, { description: `${fullRequest('An edited topic.', 'carol')}\n\nModerator: @dave` });
    await world.as.bob.editIssue(world.project, unscheduled, { addLabels: [plan], removeLabels: [scheduled] });
    const calls = await sweep();
    expect(columnListings(calls)).toHaveLength(1);
    const cardReads = calls.filter((c) => !listPages(calls).includes(c));
    // What a card changed with no delivery to say how costs: its notes and its label history.
    expect(cardReads.every((c) => c.method === 'GET' && /\/issues\/(\d+)\//.test(c.path))).toBe(true);
    expect(new Set(cardReads.map((c) => Number(/\/issues\/(\d+)\//.exec(c.path)![1])))).toEqual(new Set([commented, edited, unscheduled]));
    expect(calls.length).toBeLessThanOrEqual(pages + 2 + 2 * 3);
  });

  it('notices a card closed with its column label on (neither listing has it) and forgets it', async () => {
    const closed = iids[30]!;
    const key = issueKey(world.project, closed);
    expect(await memory.get(key)).not.toBeNull();
    await world.as.bob.editIssue(world.project, closed, { stateEvent: 'close' });
    expect((await world.bot.getIssue(world.project, closed)).labels).toContain(world.board.labels.scheduled);
    const calls = await sweep();
    expect(calls.some((c) => c.method === 'GET' && c.path === `${issuesOf(world.project)}/${closed}`)).toBe(true);
    expect(await memory.get(key)).toBeNull();
    expect(await memory.keys(world.project)).not.toContain(key);
  });

  it('reads again a column card whose memory a job left dirty (stopped between its writes and its memory)', async () => {
    const card = iids[50]!;
    const key = issueKey(world.project, card);
    await memory.dirty(key);
    expect(await memory.get(key)).toBeNull();
    const calls = await sweep();
    expect(calls.some((c) => c.path.startsWith(`${issuesOf(world.project)}/${card}/`))).toBe(true);
    expect(await memory.get(key)).not.toBeNull();
  });

  it('moves cards only from a fresh listing: a card dragged out of order is put back after the column is listed again', async () => {
    const [first, second] = [iids[0]!, iids[1]!];
    const below = await world.bot.getIssue(world.project, second);
    // bob drags the first card below the second (a drag does not touch updated_at).
    await world.as.bob.reorderIssue(world.project, first, { moveBeforeId: below.id });
    const calls = await sweep();
    // The sweep's listing shows the column out of order; the order job lists it again to move.
    expect(columnListings(calls)).toHaveLength(2);
    const moves = calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/reorder'));
    expect(moves.length).toBeGreaterThan(0);
    const column = await world.bot.listIssues(world.project, {
      labels: [world.board.labels.scheduled],
      state: 'opened',
      orderBy: 'relative_position',
      sort: 'asc',
    });
    expect(column.slice(0, 2).map((i) => i.iid)).toEqual([first, second]);
    // In order again: the next sweep lists the column once, and moves nothing.
    const again = await sweep();
    expect(columnListings(again)).toHaveLength(1);
    expect(again.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('serves every job of a sweep from its own listing of the column for a quarter of an hour', async () => {
    // A memory of its own: every card is judged again (a full sweep), each job 5 s after the last
    // (150 jobs: 12.5 min).
    const calls = await sweep({ memory: new MapCardMemory(), tickMs: 5_000 });
    expect(columnListings(calls)).toHaveLength(1);
  }, 120_000);

  it('lists the column again in a sweep that runs longer than a quarter of an hour', async () => {
    // Each job a minute after the last (150 jobs: 2.5 h): a person's change to a card the run does
    // not read shows within a quarter of an hour.
    const calls = await sweep({ memory: new MapCardMemory(), tickMs: MINUTE });
    expect(columnListings(calls).length).toBeGreaterThan(1);
  }, 120_000);
});

describe('the sweep after the bot wrote to every card of a board with cards in and out of the column', () => {
  it('reads its list pages only: ⌈c/100⌉ + ⌈(n − c)/100⌉ + 1 ≤ ⌈n/100⌉ + 2', async () => {
    const mixed = await startWorld({
      startService: false,
      sandbox: { rateLimitPerMinute: 1_000_000_000, now: () => Date.now() + offset },
      configure: boardAndPrograms,
    });
    try {
      const { plan, scheduled } = mixed.board.labels;
      // 120 ready cards in the column, 30 bare requests in the backlog (each gets the template note).
      mixed.sandbox.seedIssues(mixed.project, [
        ...Array.from({ length: 120 }, (_, i) => ({
          title: `Session ${i}`,
          description: `${fullRequest(`Topic ${i}.`, 'carol')}\n\nModerator: @dave`,
          labels: [plan],
          assignees: ['carol', 'dave'],
          dueDate: mixed.date(10 + i),
          author: 'alice',
          then: { addLabels: [scheduled], removeLabels: [plan], by: 'carol' },
        })),
        ...Array.from({ length: 30 }, (_, i) => ({ title: `Request ${i}`, description: 'please', author: 'bob' })),
      ]);
      const mem = new MapCardMemory();
      const run = async () => {
        offset += 10 * MINUTE;
        mixed.sandbox.resetCalls();
        const swept = await planSweep(mixed.bot, mixed.config, { memory: mem, now: clock(), listedAt: Date.now() + offset });
        const columns = new ColumnCache();
        seedColumns(swept, columns, clock(), SWEEP_RUN_COLUMN_KEEPS_MS);
        const report = await runOnce(
          swept.keys,
          { config: mixed.config, configDir: REPO, door: mixed.bot, log: mixed.log, columns, memory: mem, listed: swept.listed, clock },
          { fullRead: swept.fullRead, maxAttempts: 1 },
        );
        expect(report.failed).toEqual([]);
        await swept.complete();
        return mixed.sandbox.calls().filter((c) => c.user === BOT);
      };
      const first = await run();
      // The bot wrote to every card: 120 checklists, 30 template notes.
      expect(first.filter((c) => c.method === 'POST' && c.path.endsWith('/notes'))).toHaveLength(150);
      const next = await run();
      expect(next.every((c) => c.method === 'GET' && c.route === 'GET /projects/:id/issues')).toBe(true);
      // The column's two pages, one of the other cards changed (30), the programs' one.
      expect(next).toHaveLength(2 + 1 + 1);
    } finally {
      await mixed.close();
    }
  }, 120_000);
});
