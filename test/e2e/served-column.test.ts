// In `rhythm serve`, a sweep's listing of the scheduled column serves the cards' jobs until the next
// sweep (issue 13): a card moved into the column a quarter of an hour after the sweep is judged
// against the cached column (patched by every read since) without listing it again. On a
// PostgreSQL store, where jobs run on other replicas whose reads never patch this cache, the
// listing keeps only 10 minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestDatabases, testDatabase } from '../support/postgres.js';
import { fullRequest, startWorld, type World } from '../support/world.js';

// null (with one printed reason) when no PostgreSQL test server is configured; throws in CI.
const database = await testDatabase();

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
  await dropTestDatabases();
});

/** A ready card in plan, swept; then moved into the column 15 min later: the bot's listings of the column since. */
async function moveQuarterAfterSweep(world: World): Promise<{ iid: number; orders: (string | null)[] }> {
  const { plan, scheduled } = world.board.labels;
  const card = await world.create('alice', 'Late in the quarter', `${fullRequest('Ready to go.', 'alice')}\n\nModerator: @bob`);
  await world.as.alice.editIssue(world.project, card.iid, {
    assigneeIds: [await world.userId('alice'), await world.userId('bob')],
    dueDate: world.date(400),
    addLabels: [plan],
  });
  await world.settle();
  await world.service!.sweep();
  await world.settle();

  world.clockOffsetMs = 15 * 60_000;
  const from = world.sandbox.calls().length;
  await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
  await world.settle();
  const orders = world.sandbox
    .calls()
    .slice(from)
    .filter((c) => c.user === 'rhythm-bot' && c.method === 'GET' && c.route === 'GET /projects/:id/issues')
    .map((c) => new URLSearchParams(c.query))
    .filter((q) => q.get('labels') === scheduled)
    .map((q) => q.get('order_by'));
  return { iid: card.iid, orders };
}

describe('the column listing of the last sweep in rhythm serve', () => {
  it('serves a move into the column 15 minutes after the sweep, with no listing of the column for the card’s own job', async () => {
    const { iid, orders } = await moveQuarterAfterSweep(world);
    // The card's own job (the date-clash rule) lists nothing; the order job, which places the card
    // that came in, lists the column once in board order, since it moves cards from a fresh listing only.
    expect(orders).toEqual(['relative_position']);
    // The move stands, and was judged from the label history.
    expect((await world.bot.getIssue(world.project, iid)).labels).toContain(world.board.labels.scheduled);
    expect((await world.statusNote(iid)) ?? (await world.botNotes(iid))[0]).toBeDefined();
  });
});

describe.skipIf(database === null)('the column listing of the last sweep in rhythm serve on PostgreSQL (replicas)', () => {
  it('keeps 10 minutes: a move into the column 15 minutes after the sweep lists the column for the card’s own job', async () => {
    const replica = await startWorld({ databaseUrl: database! });
    try {
      const { orders } = await moveQuarterAfterSweep(replica);
      // The date-clash rule lists the column (in no order), the order job lists it in board order.
      expect(orders.sort()).toEqual([null, 'relative_position'].sort());
    } finally {
      await replica.close();
    }
  });
});
