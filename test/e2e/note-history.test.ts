// The status note after the bot's own fixes: what it did reads as history, and drops out once it
// no longer matters (issue 14, item 5). A card reverted for having no date, then given a date and
// scheduled again, must not still be told "The card has no due date".
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullRequest, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

describe('the note after a revert', () => {
  it('carol schedules a card with no date, is reverted, sets the date and schedules it again: the note no longer mentions the date', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('carol', 'Pipeline security', `${fullRequest('Secrets in CI.', 'alice')}\n\nModerator: @carol`, [plan]);
    await world.as.carol.editIssue(world.project, card.iid, { assigneeIds: [await world.userId('alice'), await world.userId('carol')] });
    await world.settle();

    // No date: scheduled, then moved back by the bot, and told why.
    await world.as.carol.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    let issue = await world.bot.getIssue(world.project, card.iid);
    expect(issue.labels).toContain(plan);
    const reverted = (await world.statusNote(card.iid))!.body;
    expect(reverted).toContain('The card has no due date.');
    expect(reverted).toMatch(/Moved the card back to `status:plan`/);

    // Carol sets the date and schedules it again: it stays, and the note tells today's card.
    await world.as.carol.editIssue(world.project, card.iid, { dueDate: world.date(14) });
    await world.settle();
    await world.as.carol.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    issue = await world.bot.getIssue(world.project, card.iid);
    expect(issue.labels).toContain(scheduled);
    expect(issue.labels).not.toContain(plan);
    const after = (await world.statusNote(card.iid))!.body;
    expect(after).not.toMatch(/no due date/i);
    expect(after).not.toMatch(/Moved the card back/);
    expect(after).toMatch(/All checks pass/);
  }, 60_000);

  it('the bot assigns the moderator: the note tells it with its day; once people change the moderator, it drops out', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('alice', 'Review apps', `${fullRequest('Review apps.', 'alice')}\n\nModerator: @carol`, [plan]);
    await world.as.alice.editIssue(world.project, card.iid, { assigneeIds: [await world.userId('alice')], dueDate: world.date(21) });
    await world.settle();
    await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    expect((await world.bot.getIssue(world.project, card.iid)).assignees.map((a) => a.username).sort()).toEqual(['alice', 'carol']);
    const today = DateTime.now().setZone(world.config.timezone).toFormat('d LLL yyyy');
    const fixed = (await world.statusNote(card.iid))!.body;
    expect(fixed).toContain(`- **Moderator**, ${today}: Assigned the moderator named in the Moderator line.`);

    // Carol cannot make it: Bob moderates instead, and alice puts him in her place.
    await world.as.alice.editIssue(world.project, card.iid, {
      description: `${fullRequest('Review apps.', 'alice')}\n\nModerator: @bob`,
      assigneeIds: [await world.userId('alice'), await world.userId('bob')],
    });
    await world.settle();
    const after = (await world.statusNote(card.iid))!.body;
    // What the bot did no longer stands (carol is not assigned): it is no longer told.
    expect(after).not.toMatch(/What I fixed myself/);
    expect(after).not.toMatch(/Assigned the moderator/);
    expect(after).toMatch(/All checks pass/);
  }, 60_000);
});
