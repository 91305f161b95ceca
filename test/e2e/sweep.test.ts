// GitLab never redelivers a webhook it failed to deliver. Two worlds play the same 20 changes:
// in one the bot hears every webhook; in the other it is down the whole time and catches up with
// the sweep when it starts again. Both must end in the same state. Then the same with the card
// memory at work (issue 13): the bot hears the first 20 changes and sweeps, is down for ten more
// (a new card clashing with one it knows, a closed card, a date moved onto another's, a move
// that is not ready, comments, a moderator line taken out), and catches up with an incremental
// sweep — listing only what changed since its last sweep — or, its memory deleted while it was
// down, with a full one. Every way ends in the webhook world's state.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BOT, fullRequest, startWorld, type World } from '../support/world.js';

async function play(world: World): Promise<number[]> {
  const { plan, scheduled } = world.board.labels;
  const id = (name: string) => world.userId(name);
  const edit = (who: 'alice' | 'bob' | 'carol' | 'dave', iid: number, e: Parameters<World['bot']['editIssue']>[2]) =>
    world.as[who].editIssue(world.project, iid, e);
  const step = async () => {
    // Give the live bot a moment between steps, as people would; the down bot gets nothing.
    if (world.service) await world.settle();
  };

  const c1 = await world.create('alice', 'A: Duo for CSMs', 'Please run a session on Duo.');
  await step();
  const c2 = await world.create('bob', 'B: Runners', fullRequest('Runners at scale.', 'bob'), [plan]);
  await step();
  await edit('bob', c2.iid, { assigneeIds: [await id('bob')] });
  await step();
  const c3 = await world.create('carol', 'C: Value streams', `${fullRequest('Value streams.', 'carol')}\n\nModerator: @dave`, [plan]);
  await step();
  await edit('carol', c3.iid, { assigneeIds: [await id('carol')], dueDate: world.date(10) });
  await step();
  await edit('carol', c3.iid, { addLabels: [scheduled], removeLabels: [plan] });
  await step();
  const c4 = await world.create('dave', 'D: Caching', fullRequest('Caching.', 'dave'));
  await step();
  await edit('dave', c4.iid, { addLabels: [scheduled] });
  await step();
  const c5 = await world.create('alice', 'E: Security', `${fullRequest('Security.', 'alice')}\n\nModerator: @bob`, [plan]);
  await step();
  await edit('alice', c5.iid, { assigneeIds: [await id('alice')], dueDate: world.date(3) });
  await step();
  await edit('alice', c5.iid, { addLabels: [scheduled], removeLabels: [plan] });
  await step();
  await edit('alice', c1.iid, { description: fullRequest('Duo for CSMs.', 'alice') });
  await step();
  const c6 = await world.create('bob', 'F: Fleet', fullRequest('Fleet.', 'bob'), [plan]);
  await step();
  await edit('bob', c6.iid, {
    assigneeIds: [await id('bob')],
    dueDate: world.date(5),
    description: `${fullRequest('Fleet.', 'bob')}\n\nModerator: @carol`,
  });
  await step();
  await edit('bob', c6.iid, { addLabels: [scheduled], removeLabels: [plan] });
  await step();
  const c7 = await world.create('carol', 'G: Pages', fullRequest('Pages.', 'carol'));
  await step();
  await edit('carol', c7.iid, { addLabels: [plan] });
  await step();
  await edit('bob', c2.iid, { dueDate: world.date(20), description: `${fullRequest('Runners at scale.', 'bob')}\n\nModerator: @alice` });
  await step();
  await edit('bob', c2.iid, { addLabels: [scheduled], removeLabels: [plan] });
  await step();
  await edit('carol', c3.iid, { title: 'C: Value stream analytics' });
  await step();
  return [c1, c2, c3, c4, c5, c6, c7].map((c) => c.iid);
}

/** Ten changes the bot hears in the webhook world and misses (down) in the other. */
async function playWhileDown(world: World, [c1, c2, c3, c4, c5, c6, c7]: number[]): Promise<number[]> {
  const { plan, scheduled } = world.board.labels;
  const id = (name: string) => world.userId(name);
  const edit = (who: 'alice' | 'bob' | 'carol' | 'dave', iid: number, e: Parameters<World['bot']['editIssue']>[2]) =>
    world.as[who].editIssue(world.project, iid, e);
  const step = async () => {
    if (world.service) await world.settle();
  };
  // A new card scheduled on E's date (a clash the bot must tell on both).
  const c8 = await world.create('alice', 'H: Duo Chat', `${fullRequest('Duo Chat.', 'alice')}\n\nModerator: @carol`, [plan]);
  await step();
  await edit('alice', c8.iid, { assigneeIds: [await id('alice'), await id('carol')], dueDate: world.date(3) });
  await step();
  await edit('alice', c8.iid, { addLabels: [scheduled], removeLabels: [plan] });
  await step();
  // F took place early: closed, it leaves the column.
  await edit('bob', c6!, { stateEvent: 'close' });
  await step();
  // C moves onto B's date.
  await edit('carol', c3!, { dueDate: world.date(20) });
  await step();
  // D, back in plan, is scheduled again, still without a moderator or a date: reverted.
  await edit('dave', c4!, { assigneeIds: [await id('dave')], addLabels: [scheduled], removeLabels: [plan] });
  await step();
  // Comments on A and G; E loses its Moderator line.
  await world.as.alice.createNote(world.project, c1!, 'Any news?');
  await step();
  await world.as.carol.createNote(world.project, c7!, 'I can help with this one.');
  await step();
  await edit('alice', c5!, { description: fullRequest('Security.', 'alice') });
  await step();
  // And B's description gets a typo fixed (no finding changes).
  await edit('bob', c2!, { description: `${fullRequest('Runners at scale!', 'bob')}\n\nModerator: @alice` });
  await step();
  return [c1!, c2!, c3!, c4!, c5!, c6!, c7!, c8.iid];
}

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

/** What a person sees: labels, people, date, state, the bot's notes (less its log of past fixes). */
async function stateOf(world: World, iids: number[]) {
  const cards = [];
  for (const iid of iids) {
    const issue = await world.bot.getIssue(world.project, iid);
    const notes = await world.botNotes(iid);
    cards.push({
      iid,
      state: issue.state,
      labels: [...issue.labels].sort(),
      assignees: issue.assignees.map((a) => a.username).sort(),
      due: issue.due_date,
      notes: notes
        .map((n) =>
          n.body
            .replace(/\*\*What I fixed myself\*\*[\s\S]*?(?=<sub>)/, '')
            .replace(/<!-- rhythm:applied [^>]*-->\n?/, '')
            // When each world's bot judged a move differs; what it judged does not.
            .replace(/<!-- rhythm:judged [^>]*-->\n?/, '')
            .trim(),
        )
        // A note that only says "all checks pass" is the trace of a problem that came and went
        // between two webhooks; a bot that was down never saw it, and the card is the same.
        .filter((body) => !(body.includes('All checks pass') && !/To fix|Worth a look/.test(body)))
        .sort(),
    });
  }
  const column = await world.bot.listIssues(world.project, {
    labels: [world.board.labels.scheduled],
    state: 'opened',
    orderBy: 'relative_position',
    sort: 'asc',
  });
  return { cards, column: column.map((i) => i.iid) };
}

const worlds: World[] = [];
afterAll(async () => {
  for (const w of worlds) await w.close();
});

describe('the sweep', () => {
  it('brings every card to the state the webhooks would have, after 20 changes made while the bot was down', async () => {
    const live = await startWorld();
    worlds.push(live);
    const liveIids = await play(live);
    await live.settle();
    const expected = await stateOf(live, liveIids);

    const down = await startWorld();
    worlds.push(down);
    await down.stop();
    const downIids = await play(down);
    await down.sandbox.idle();
    // While it was down GitLab gave up on the hook; nothing was redelivered.
    expect(down.sandbox.deliveries().some((d) => d.outcome !== 'delivered')).toBe(true);

    await down.start({ sweepOnStart: true });
    await new Promise((r) => setTimeout(r, 200));
    await down.settle();
    const swept = await stateOf(down, downIids);

    expect(downIids).toEqual(liveIids);
    expect(swept).toEqual(expected);
    // And the sweep did real work: the down world's cards got notes and fixes.
    expect(swept.cards.flatMap((c) => c.notes).length).toBeGreaterThan(5);
    expect(swept.column.length).toBe(4);
  });

  const expectedAfterTen = (async () => {
    // The webhook world: the bot hears all thirty changes.
    const live = await startWorld();
    worlds.push(live);
    const iids = await playWhileDown(live, await play(live));
    await live.settle();
    return { iids, state: await stateOf(live, iids) };
  })();
  expectedAfterTen.catch(() => undefined);

  /** A world whose bot hears the first 20 changes, sweeps, and is down for the next ten. */
  async function downForTen(): Promise<{ world: World; iids: number[] }> {
    const world = await startWorld();
    worlds.push(world);
    const before = await play(world);
    await world.settle();
    await world.service!.sweep();
    await world.settle();
    await world.stop();
    const iids = await playWhileDown(world, before);
    await world.sandbox.idle();
    return { world, iids };
  }

  it('with its memory, catches up with an incremental sweep: only what changed is listed, and every card ends as the webhooks would have left it', async () => {
    const expected = await expectedAfterTen;
    const { world, iids } = await downForTen();
    // What the bot missed: the sweep has work to do.
    expect(await stateOf(world, iids)).not.toEqual(expected.state);
    world.sandbox.resetCalls();
    await world.start({ sweepOnStart: true });
    await new Promise((r) => setTimeout(r, 200));
    await world.settle();
    const lists = listings(world);
    const calls = world.sandbox.calls().filter((c) => c.user === BOT).length;

    expect(iids).toEqual(expected.iids);
    expect(await stateOf(world, iids)).toEqual(expected.state);
    // Incremental: one listing of what changed since the last sweep, never the whole board.
    expect(lists.some((q) => q.includes('updated_after='))).toBe(true);
    expect(lists.some((q) => q.includes('state=opened'))).toBe(false);
    expect(expected.state.cards.find((c) => c.iid === iids[7])!.notes.join('\n')).toMatch(/same date/);
    expect(expected.state.cards.find((c) => c.iid === iids[4])!.notes.join('\n')).toMatch(/same date/);
    expect(calls).toBeGreaterThan(0);
  });

  it('with its memory deleted while it was down, sweeps in full and ends the same', async () => {
    const expected = await expectedAfterTen;
    const { world, iids } = await downForTen();
    const db = new Database(world.dbUrl.replace(/^sqlite:/, ''));
    db.exec('DELETE FROM rhythm_card_memory');
    db.close();
    world.sandbox.resetCalls();
    await world.start({ sweepOnStart: true });
    await new Promise((r) => setTimeout(r, 200));
    await world.settle();
    const lists = listings(world);

    expect(await stateOf(world, iids)).toEqual(expected.state);
    // The mark counted cards the memory no longer has: every open card was listed.
    expect(lists.some((q) => q.includes('state=opened'))).toBe(true);
  });
});
