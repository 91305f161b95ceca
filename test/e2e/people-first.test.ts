// The bot never undoes what a person just did (issue 12, items 7 and 8). Each test holds the bot
// between its note and its edit (the sandbox saves the note at once but answers it late), and
// a person acts in that gap, as on a busy board; then the bot's edit must respect what they did.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fullRequest, startWorld, type World } from '../support/world.js';

const NOTE_POST = 'POST /projects/:id/issues/:issue_iid/notes';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterEach(() => world.sandbox.faults.clear());
afterAll(async () => {
  await world?.close();
});

/** Waits until the bot's status note is on the card (the bot is then waiting for its answer). */
async function untilNoted(iid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await world.statusNote(iid)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no status note on #${iid} within 20 s`);
}

describe('the bot’s edit respects a person’s edit made while it worked', () => {
  it('assigning the moderator keeps someone a person assigned a moment earlier (item 7)', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('alice', 'Assign race', `${fullRequest('Races.', 'alice')}\n\nModerator: @carol`, [plan]);
    await world.as.alice.editIssue(world.project, card.iid, { assigneeIds: [await world.userId('alice')], dueDate: world.date(12) });
    await world.settle();
    world.sandbox.faults.add({ kind: 'lateAnswer', ms: 1500, user: 'rhythm-bot', path: NOTE_POST, times: 1 });
    // Alice schedules it: the bot will add carol, the moderator the card names.
    await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await untilNoted(card.iid);
    // While the bot waits for its note's answer, bob assigns dave as well.
    await world.as.bob.editIssue(world.project, card.iid, { assigneeIds: [await world.userId('alice'), await world.userId('dave')] });
    await world.settle();

    const after = await world.bot.getIssue(world.project, card.iid);
    expect(after.assignees.map((a) => a.username).sort()).toEqual(['alice', 'carol', 'dave']);
  });

  it('a revert is skipped when the person moved the card again meanwhile, and the card is judged again (item 8)', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('dave', 'Revert race', fullRequest('Skipping planning.', 'dave'));
    await world.settle();
    world.sandbox.faults.add({ kind: 'lateAnswer', ms: 1500, user: 'rhythm-bot', path: NOTE_POST, times: 1 });
    // Dave drags the card from the backlog straight to scheduled: the bot will move it to plan.
    await world.as.dave.editIssue(world.project, card.iid, { addLabels: [scheduled] });
    await untilNoted(card.iid);
    // He notices and drags it back to the backlog himself, while the bot is still at work.
    await world.as.dave.editIssue(world.project, card.iid, { removeLabels: [scheduled] });
    await world.settle();
    await new Promise((r) => setTimeout(r, 300));
    await world.settle();

    const after = await world.bot.getIssue(world.project, card.iid);
    expect(after.labels).not.toContain(plan);
    expect(after.labels).not.toContain(scheduled);
    // And the note does not claim a revert that never happened.
    expect((await world.statusNote(card.iid))?.body).not.toMatch(/What I fixed myself/);
  });
});
