// The status note after the bot's own fixes: what it did reads as history, and drops out once it
// no longer matters (issue 14, item 5). A card reverted for having no date, then given a date and
// scheduled again, must not still be told "The card has no due date".
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
});
