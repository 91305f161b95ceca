// serve's sweep timer and sweep.fullEveryHours: a board is re-read in full when its last full
// sweep is older than the key says, never on its own account when the key is 0. Asserted on what
// serve lists at the sandbox (the whole board, or only what changed), not on time: the last full
// sweep is moved two hours back in the database while serve is down.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BOT, fullRequest, startWorld, type World } from '../support/world.js';

const worlds: World[] = [];
afterAll(async () => {
  for (const w of worlds) await w.close();
});

/**
 * The board listings the bot made, as query strings: its project's issues with no label filter (not
 * the column's, which filters by its label, nor another project's, like the program plans').
 */
function listings(world: World): string[] {
  const board = `/projects/${encodeURIComponent(world.project)}/issues`;
  return world.sandbox
    .calls()
    .filter((c) => c.user === BOT && c.method === 'GET' && c.path === board && !new URLSearchParams(c.query).has('labels'))
    .map((c) => c.query);
}

/** serve's timer sweeps once at start; then serve is stopped, and its last full sweep is put 2 h back. */
async function sweptTwoHoursAgo(fullEveryHours: number): Promise<World> {
  const world = await startWorld({
    startService: false,
    configure: (config) => ({ ...config, sweep: { ...config.sweep, fullEveryHours } }),
  });
  worlds.push(world);
  await world.create('alice', 'A request', fullRequest('Duo for CSMs.', 'alice'));
  await world.start({ sweepOnStart: true });
  await world.settle();
  await world.stop();
  const db = new Database(world.dbUrl.replace(/^sqlite:/, ''));
  const moved = db.prepare('UPDATE rhythm_card_sweeps SET full_at = full_at - ?').run(2 * 3600_000);
  db.close();
  expect(moved.changes).toBe(1);
  return world;
}

/** What the timer's sweep at start lists, serve started again on the same database. */
async function timerLists(world: World): Promise<'in full' | 'what changed'> {
  world.sandbox.resetCalls();
  await world.start({ sweepOnStart: true });
  await world.settle();
  const lists = listings(world);
  expect(lists.length).toBeGreaterThan(0);
  const full = lists.some((q) => q.includes('state=opened'));
  const incremental = lists.some((q) => q.includes('updated_after='));
  expect(full !== incremental).toBe(true);
  return full ? 'in full' : 'what changed';
}

describe('serve’s sweep timer and sweep.fullEveryHours', () => {
  it('re-reads the board in full when its last full sweep is older than fullEveryHours (1 h)', async () => {
    expect(await timerLists(await sweptTwoHoursAgo(1))).toBe('in full');
  });

  it('lists only what changed while the last full sweep is younger than fullEveryHours (24 h, the default)', async () => {
    expect(await timerLists(await sweptTwoHoursAgo(24))).toBe('what changed');
  });

  it('never sweeps in full on its own when fullEveryHours is 0', async () => {
    expect(await timerLists(await sweptTwoHoursAgo(0))).toBe('what changed');
  });
});
