// Reminders only for real sessions: a date typed into the past earns a finding, never a "thank
// you for the session", and the recording is asked for once per card (issue 12, item 14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullRequest, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

describe('reminders after a session', () => {
  it('a due date typed into last year, then five past dates in a row: no recording reminder, a finding instead', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('bob', 'Typo', `${fullRequest('Typo.', 'bob')}\n\nModerator: @carol`, [plan]);
    await world.as.bob.editIssue(world.project, card.iid, {
      assigneeIds: [await world.userId('bob'), await world.userId('carol')],
      dueDate: world.date(9),
    });
    await world.as.bob.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    const asks = async () => (await world.botNotes(card.iid)).filter((n) => n.body.includes('rhythm:reminder:recording'));

    // Meant next year's date, typed last year's.
    await world.as.bob.editIssue(world.project, card.iid, { dueDate: world.date(9 - 365) });
    await world.settle();
    expect(await asks()).toHaveLength(0);
    expect((await world.statusNote(card.iid))?.body).toContain('was set after that day had passed');

    for (const days of [-300, -200, -100, -50, -2]) {
      await world.as.bob.editIssue(world.project, card.iid, { dueDate: world.date(days) });
      await world.settle();
    }
    expect(await asks()).toHaveLength(0);
    expect((await world.statusNote(card.iid))?.body).toContain('was set after that day had passed');
  });

  it('a real session that took place is asked for its recording once, even when its date is then moved', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('alice', 'Real', `${fullRequest('Real.', 'alice')}\n\nModerator: @dave`, [plan]);
    await world.as.alice.editIssue(world.project, card.iid, {
      assigneeIds: [await world.userId('alice'), await world.userId('dave')],
      dueDate: world.date(3),
    });
    await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    const asks = async () => (await world.botNotes(card.iid)).filter((n) => n.body.includes('rhythm:reminder:recording'));

    world.clockOffsetMs = 5 * 24 * 3600_000;
    try {
      await world.as.dave.createNote(world.project, card.iid, 'Great session!');
      await world.settle();
      expect(await asks()).toHaveLength(1);
      // Someone fixes the date to the day it really ran: asked already, not again.
      await world.as.dave.editIssue(world.project, card.iid, { dueDate: world.date(4) });
      await world.settle();
      expect(await asks()).toHaveLength(1);
    } finally {
      world.clockOffsetMs = 0;
    }
  });
});
