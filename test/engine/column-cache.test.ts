// The cached column listings (engine/column-cache.ts): a card read or written after a listing is
// patched into it instead of the listing being dropped, and never by an older copy. Then, against
// the sandbox: a card leaving the column and the clash partner it wakes cost one listing of the
// column, and the partner's note ends the clash as it would after a fresh listing.
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnCache, type ColumnCard } from '../../src/engine/column-cache.js';
import { columnKey, issueKey } from '../../src/engine/keys.js';
import { runJob } from '../../src/engine/run-job.js';
import { MapCardMemory } from '../../src/queue/card-memory.js';
import type { StoredDelivery } from '../../src/queue/contract.js';
import type { HookEvent } from '../../src/webhook/event.js';
import { BOT, fullRequest, REPO, startWorld, type World } from '../support/world.js';

const PROJECT = 'team/sessions';
const LABEL = 'status:scheduled';
const KEY = columnKey(PROJECT, LABEL);
const NOW = Date.parse('2026-03-01T10:00:00Z');

const card = (iid: number, over: Partial<ColumnCard> = {}): ColumnCard => ({
  iid,
  title: `Card ${iid}`,
  due_date: '2026-03-10',
  labels: [LABEL],
  state: 'opened',
  updated_at: '2026-03-01T09:00:00.000Z',
  ...over,
});
const peer = (c: ColumnCard) => ({ iid: c.iid, title: c.title, dueDate: c.due_date });

function cached(cards: ColumnCard[]): ColumnCache {
  const cache = new ColumnCache();
  cache.set(KEY, cards.map(peer), NOW, undefined, cards);
  return cache;
}

describe('a cached column listing', () => {
  it('takes a card that left the column out, one that came in, and a moved date, as they are read', () => {
    const cache = cached([card(1), card(2)]);
    const later = '2026-03-01T09:30:00.000Z';
    const after = performance.now();
    cache.patch(PROJECT, card(1, { labels: ['status:plan'], updated_at: later }), after);
    cache.patch(PROJECT, card(2, { due_date: '2026-03-17', updated_at: later }), after);
    cache.patch(PROJECT, card(3, { updated_at: later }), after);
    cache.patch(PROJECT, card(4, { state: 'closed', updated_at: later }), after);
    cache.patch('other/project', card(5, { updated_at: later }), after);
    expect(cache.get(KEY, NOW)).toEqual([
      { iid: 2, title: 'Card 2', dueDate: '2026-03-17' },
      { iid: 3, title: 'Card 3', dueDate: '2026-03-10' },
    ]);
  });

  it('keeps what it has over an older copy, and takes no card it did not list from a read begun before the listing', () => {
    const before = performance.now();
    const cache = cached([card(1, { updated_at: '2026-03-01T09:30:00.000Z' })]);
    cache.patch(PROJECT, card(1, { labels: [], updated_at: '2026-03-01T09:00:00.000Z' }), performance.now());
    cache.patch(PROJECT, card(2), before);
    expect(cache.get(KEY, NOW)?.map((p) => p.iid)).toEqual([1]);
    // A newer copy of the same card, however it was read, is taken.
    cache.patch(PROJECT, card(1, { labels: [], updated_at: '2026-03-01T09:45:00.000Z' }), before);
    expect(cache.get(KEY, NOW)).toEqual([]);
  });

  it('keeps the board order of a listing taken in it through cards leaving and dates moving, and forgets it when a card comes in', () => {
    const cache = new ColumnCache();
    const listed = [card(3), card(1), card(2), card(9, { labels: ['status:plan'] })].map((c) => ({ ...c, id: 100 + c.iid }));
    cache.setListed(KEY, listed, NOW);
    expect(cache.get(KEY, NOW)?.map((p) => p.iid)).toEqual([1, 2, 3]);
    expect(cache.ordered(KEY, NOW)).toEqual([
      { id: 103, iid: 3, dueDate: '2026-03-10' },
      { id: 101, iid: 1, dueDate: '2026-03-10' },
      { id: 102, iid: 2, dueDate: '2026-03-10' },
    ]);
    const later = '2026-03-01T09:30:00.000Z';
    const after = performance.now();
    cache.patch(PROJECT, card(1, { labels: ['status:plan'], updated_at: later }), after);
    cache.patch(PROJECT, card(2, { due_date: '2026-03-05', updated_at: later }), after);
    expect(cache.ordered(KEY, NOW)).toEqual([
      { id: 103, iid: 3, dueDate: '2026-03-10' },
      { id: 102, iid: 2, dueDate: '2026-03-05' },
    ]);
    cache.patch(PROJECT, card(4, { updated_at: later }), after);
    expect(cache.ordered(KEY, NOW)).toBeUndefined();
    expect(cache.get(KEY, NOW)?.map((p) => p.iid)).toEqual([2, 3, 4]);
    // A listing taken in no particular order has none to give.
    expect(cached([card(1)]).ordered(KEY, NOW)).toBeUndefined();
  });

  it('keeps, over a listing seeded later, the newer copies and the cards read after that listing began', () => {
    const cache = cached([card(1), card(2)]);
    const later = '2026-03-01T09:30:00.000Z';
    // Card 6 comes in from a read begun before the sweep's listing (the times: performance.now()).
    const listingBegan = performance.now() + 10;
    cache.patch(PROJECT, card(6, { updated_at: later }), listingBegan - 5);
    // While the sweep lists: card 1 gets a new date, card 2 leaves, card 5 comes in.
    cache.patch(PROJECT, card(1, { due_date: '2026-03-20', updated_at: later }), listingBegan + 1);
    cache.patch(PROJECT, card(2, { labels: [], updated_at: later }), listingBegan + 1);
    cache.patch(PROJECT, card(5, { updated_at: later }), listingBegan + 1);
    expect(cache.get(KEY, NOW)?.map((p) => p.iid)).toEqual([1, 5, 6]);
    // The sweep's listing, older than all of that, is seeded afterwards.
    const listed = [card(1), card(2), card(3)].map((c) => ({ ...c, id: 100 + c.iid }));
    cache.setListed(KEY, listed, NOW, 60_000, listingBegan);
    expect(cache.get(KEY, NOW)).toEqual([
      { iid: 1, title: 'Card 1', dueDate: '2026-03-20' },
      { iid: 3, title: 'Card 3', dueDate: '2026-03-10' },
      { iid: 5, title: 'Card 5', dueDate: '2026-03-10' },
    ]);
    // Card 5 has no known place in the board order: none is given.
    expect(cache.ordered(KEY, NOW)).toBeUndefined();
    // Re-reading the same copies changes nothing.
    cache.patch(PROJECT, card(1, { due_date: '2026-03-20', updated_at: later }), listingBegan + 2);
    expect(cache.get(KEY, NOW)?.find((p) => p.iid === 1)?.dueDate).toBe('2026-03-20');
  });

  it('answers nothing once expired', () => {
    const cache = cached([card(1)]);
    expect(cache.get(KEY, NOW + 30_000)).toBeUndefined();
  });
});

const worlds: World[] = [];
afterAll(async () => {
  for (const w of worlds) await w.close();
});

describe('a card leaving the column, and the clash partner it wakes', () => {
  it('list the column once between them, and the partner’s note ends the clash', async () => {
    const world = await startWorld({ startService: false });
    worlds.push(world);
    const { plan, scheduled } = world.board.labels;
    const memory = new MapCardMemory();
    let columns = new ColumnCache();
    const woken: string[] = [];
    const job = (iid: number, deliveries: StoredDelivery[] = []) =>
      runJob(issueKey(world.project, iid), deliveries, {
        config: world.config,
        configDir: REPO,
        door: world.bot,
        log: world.log,
        now: new Date(),
        columns,
        enqueue: async (key) => void woken.push(key),
        memory,
      });
    const ready = async (title: string) => {
      const c = await world.create('carol', title, `${fullRequest('Ready.', 'carol')}\n\nModerator: @dave`, [plan]);
      await world.as.carol.editIssue(world.project, c.iid, {
        assigneeIds: [await world.userId('carol'), await world.userId('dave')],
        dueDate: world.date(12),
      });
      await world.as.carol.editIssue(world.project, c.iid, { addLabels: [scheduled], removeLabels: [plan] });
      return c.iid;
    };
    const a = await ready('A on the same date');
    const b = await ready('B on the same date');
    await job(a);
    await job(b);
    expect((await world.statusNote(b))?.body).toMatch(/same date/);

    // Bob takes A back to plan: A's job wakes B (they shared the date) and the column.
    await world.as.bob.editIssue(world.project, a, { addLabels: [plan], removeLabels: [scheduled] });
    const move: HookEvent = {
      v: 1,
      kind: 'issue',
      project: world.project,
      iid: a,
      actor: 'bob',
      at: null,
      action: 'update',
      labels: [plan],
      labelChange: { previous: [scheduled], current: [plan] },
      changed: ['labels'],
    };
    // A's job finds no listing cached: it lists the column; B's job uses that listing.
    columns = new ColumnCache();
    world.sandbox.resetCalls();
    await job(a, [{ deliveryId: 'move-a', eventUuid: null, event: 'Issue Hook', payload: JSON.stringify(move), receivedAt: Date.now() }]);
    expect(woken).toEqual(expect.arrayContaining([issueKey(world.project, b), columnKey(world.project, scheduled)]));
    await job(b);
    const columnLists = world.sandbox
      .calls()
      .filter((c) => c.user === BOT && c.route === 'GET /projects/:id/issues' && c.query.includes('labels='));
    expect(columnLists).toHaveLength(1);
    expect((await world.statusNote(b))?.body ?? '').not.toMatch(/same date/);
  });
});
