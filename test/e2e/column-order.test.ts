// The scheduled column, ordered by due date with the fewest moves, over HTTP against the sandbox.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetOrder } from '../../src/board/plan.js';
import { columnKey } from '../../src/engine/keys.js';
import { fullRequest, startWorld, type World } from '../support/world.js';
import { runKey } from '../support/run-key.js';

describe('ordering a column of 250 shuffled cards (no service, the door alone)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ startService: false });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('ends in due-date order on the board page and in the API, and a second pass only reads', async () => {
    const { scheduled } = world.board.labels;
    // Seeded shuffle of dates: duplicates, and about one card in eight without a date.
    const dates = fc.sample(fc.option(fc.integer({ min: 1, max: 90 }), { freq: 8 }), { numRuns: 250, seed: 42 });
    for (const [i, offset] of dates.entries()) {
      await world.as.carol.createIssue(world.project, {
        title: `Card ${i}`,
        description: 'x',
        labels: [scheduled],
        ...(offset === null ? {} : { dueDate: world.date(offset) }),
      });
    }
    // A closed card and a card of another column sit among them and must not move.
    const closed = await world.create('carol', 'Closed card', 'x', [scheduled]);
    await world.as.carol.editIssue(world.project, closed.iid, { stateEvent: 'close' });
    const other = await world.create('carol', 'Planned card', 'x', [world.board.labels.plan]);
    world.sandbox.resetCalls();

    const run = await runKey(columnKey(world.project, scheduled), { config: world.config, door: world.bot });
    const first = { cards: Number(run.facts?.cards), moves: Number(run.facts?.moves) };
    expect(first.cards).toBe(250);
    expect(first.moves).toBeGreaterThan(0);

    const api = await world.bot.listIssues(world.project, {
      labels: [scheduled],
      state: 'opened',
      orderBy: 'relative_position',
      sort: 'asc',
    });
    const cards = api.map((i) => ({ id: i.id, iid: i.iid, dueDate: i.due_date }));
    expect(cards.map((c) => c.iid)).toEqual(targetOrder(cards).map((c) => c.iid));

    const page = (await fetch(`${world.sandbox.url}/-/boards/${world.project}?format=json`).then((r) => r.json())) as {
      columns: { label: string | null; cards: { iid: number }[] }[];
    };
    const column = page.columns.find((c) => c.label === scheduled)!;
    expect(column.cards.map((c) => c.iid)).toEqual(cards.map((c) => c.iid));

    // GitLab may shift neighbours' positions to make room, but the bot never moves them.
    const moved = world.sandbox.calls().filter((c) => c.route.endsWith('/reorder'));
    expect(moved).toHaveLength(first.moves);
    for (const iid of [closed.iid, other.iid]) {
      expect(moved.some((c) => c.path.endsWith(`/issues/${iid}/reorder`))).toBe(false);
    }

    world.sandbox.resetCalls();
    const again = await runKey(columnKey(world.project, scheduled), { config: world.config, door: world.bot });
    expect(again.facts?.moves).toBe(0);
    const calls = world.sandbox.calls();
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
    expect(calls).toHaveLength(3); // 250 cards at 100 a page
    expect(again.writes).toBe(0);
  });
});

describe('ordering triggered by webhooks, through the service', () => {
  let world: World;
  // The column waits this long after the first card of a burst (production: 2 s). The harness's
  // 100 ms is shorter than six edits take on a busy machine, which would split the burst.
  const debounceMs = 600;
  beforeAll(async () => {
    world = await startWorld({
      configure: (c) => ({
        ...c,
        boards: c.boards.map((b) => (b.kind === 'skills-exchange' ? { ...b, order: { ...b.order, debounceMs } } : b)),
      }),
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  it("a burst of cards entering the column causes one pass, and the bot's own reorders cause none", async () => {
    const { plan, scheduled } = world.board.labels;
    const offsets = [30, 9, 21, 2, 16, 5];
    const iids: number[] = [];
    for (const [i, days] of offsets.entries()) {
      const card = await world.create('carol', `Burst ${i}`, `${fullRequest(`Burst ${i}`, 'alice')}\n\nModerator: @carol`, [plan]);
      await world.as.carol.editIssue(world.project, card.iid, {
        assigneeIds: [await world.userId('alice'), await world.userId('carol')],
        dueDate: world.date(days),
      });
      iids.push(card.iid);
    }
    await world.settle();
    world.sandbox.resetCalls();
    for (const iid of iids) {
      await world.as.carol.editIssue(world.project, iid, { addLabels: [scheduled], removeLabels: [plan] });
    }
    await world.settle();
    await new Promise((r) => setTimeout(r, debounceMs + 200)); // past the debounce
    await world.settle();

    const columnReads = world.sandbox
      .calls()
      .filter((c) => c.user === 'rhythm-bot' && c.route === 'GET /projects/:id/issues' && c.query.includes('relative_position'));
    expect(columnReads.length).toBeGreaterThanOrEqual(1);
    expect(columnReads.length).toBeLessThanOrEqual(2);
    const api = await world.bot.listIssues(world.project, {
      labels: [scheduled],
      state: 'opened',
      orderBy: 'relative_position',
      sort: 'asc',
    });
    expect(api.map((i) => i.due_date)).toEqual([...api.map((i) => i.due_date)].sort());

    // A sweep-driven pass carries no event UUID, so GitLab sends the reorders back as
    // relative_position-only updates: they must not start another pass.
    await world.as.carol.reorderIssue(world.project, api[0]!.iid, { moveBeforeId: api[api.length - 1]!.id });
    world.sandbox.resetCalls();
    await world.service!.store.enqueue(columnKey(world.project, scheduled), Date.now());
    world.service!.worker.wake();
    await new Promise((r) => setTimeout(r, 100));
    await world.settle();
    await new Promise((r) => setTimeout(r, debounceMs + 200));
    await world.settle();
    const reorders = world.sandbox.calls().filter((c) => c.route.endsWith('/reorder'));
    expect(reorders).toHaveLength(1);
    const passes = world.sandbox
      .calls()
      .filter((c) => c.user === 'rhythm-bot' && c.route === 'GET /projects/:id/issues' && c.query.includes('relative_position'));
    expect(passes).toHaveLength(1);
    const positionHooks = world.sandbox
      .deliveries()
      .filter((d) => JSON.stringify((d.body as { changes?: object }).changes ?? {}).includes('relative_position'));
    expect(positionHooks.length).toBeGreaterThan(0);
  });
});
