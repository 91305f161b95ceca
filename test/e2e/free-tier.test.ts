// On GitLab Free an issue has one assignee: GitLab keeps only the first of assignee_ids. The
// moderator rule in fix mode then learns it from GitLab's answer to its one edit, tells the card
// that only one assignee is possible here (naming the moderator from the line), never says it
// assigned them, and does not send the same edit again on every reconcile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullRequest, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ sandbox: { tier: 'free' } });
});
afterAll(async () => {
  await world?.close();
});

const ISSUE_PUT = 'PUT /projects/:id/issues/:issue_iid';

/** alice schedules a card she speaks at, with carol as its moderator, and the bot settles. */
async function scheduledCard(title: string): Promise<number> {
  const { plan, scheduled } = world.board.labels;
  const card = await world.create('alice', title, `${fullRequest('Free tier.', 'alice')}\n\nModerator: @carol`, [plan]);
  await world.as.alice.editIssue(world.project, card.iid, { assigneeIds: [await world.userId('alice')], dueDate: world.date(12) });
  await world.settle();
  await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
  await world.settle();
  return card.iid;
}

/** The bot's PUTs of this card that asked for assignees. */
function assigneeEdits(iid: number): number {
  return world.sandbox
    .calls()
    .filter((c) => c.user === 'rhythm-bot' && c.route === `PUT ${ISSUE_PUT.slice(4)}` && c.path.endsWith(`/issues/${iid}`)).length;
}

describe('the moderator rule on GitLab Free', () => {
  it('names the moderator and says only one assignee is possible, after one edit GitLab answered with one assignee', async () => {
    world.sandbox.resetCalls();
    const iid = await scheduledCard('First on Free');
    const note = await world.statusNote(iid);
    expect(note?.body).toContain('The Moderator line names `@carol`; only one assignee is possible here');
    expect(note?.body).not.toMatch(/Assigned the moderator/);
    const after = await world.bot.getIssue(world.project, iid);
    expect(after.assignees.map((a) => a.username)).toEqual(['alice']);
    expect(assigneeEdits(iid)).toBe(1);

    // Later reconciles (a comment, a sweep's wake) send no edit again.
    await world.as.bob.createNote(world.project, iid, 'Looking forward to it');
    await world.settle();
    expect(assigneeEdits(iid)).toBe(1);
    expect((await world.statusNote(iid))?.body).toBe(note?.body);
  });

  it('knows it from then on: the next card gets the explanation at once and no assignee edit', async () => {
    world.sandbox.resetCalls();
    const iid = await scheduledCard('Second on Free');
    expect((await world.statusNote(iid))?.body).toContain('The Moderator line names `@carol`; only one assignee is possible here');
    expect(assigneeEdits(iid)).toBe(0);
    const edits = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot' && c.route === `PUT ${ISSUE_PUT.slice(4)}`);
    expect(edits).toEqual([]);
  });
});
