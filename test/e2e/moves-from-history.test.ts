// Column moves are judged from GitLab's own label history, never from what a delivery claims, and
// the last judged move is remembered explicitly in the bot's note (issue 12, items 6, 9 and 15).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, labelChangeHook } from '../support/serve-process.js';
import { fullRequest, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

/** A card a speaker could run: assigned, moderated, dated, in plan. */
async function readyInPlan(title: string) {
  const { plan } = world.board.labels;
  const card = await world.create('alice', title, `${fullRequest('Ready.', 'alice')}\n\nModerator: @bob`, [plan]);
  await world.as.alice.editIssue(world.project, card.iid, { assigneeIds: [await world.userId('alice')], dueDate: world.date(9) });
  await world.settle();
  return card;
}

/** Every edit of the bot's notes the sandbox saw for this card. */
function noteWrites(iid: number): number {
  return world.sandbox
    .calls()
    .filter((c) => c.user === 'rhythm-bot' && /^(POST|PUT) \/projects\/:id\/issues\/:issue_iid\/notes/.test(c.route))
    .filter((c) => c.path.includes(`/issues/${iid}/notes`)).length;
}

describe('moves are judged from GitLab’s label history', () => {
  it('a signed delivery claiming “backlog → scheduled by mallory” does not revert a card planned properly (item 6)', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await readyInPlan('Planned properly');
    await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    expect((await world.bot.getIssue(world.project, card.iid)).labels).toContain(scheduled);

    const forged = labelChangeHook(await world.bot.getIssue(world.project, card.iid), world.project, {
      by: 'mallory',
      previous: [],
      current: [{ title: scheduled }],
      labels: [scheduled],
    });
    expect(await deliver(world.service!.url, forged, `forged-${card.iid}`)).toBe(202);
    await world.settle();

    const after = await world.bot.getIssue(world.project, card.iid);
    expect(after.labels).toContain(scheduled);
    expect(after.labels).not.toContain(plan);
    expect((await world.statusNote(card.iid))?.body ?? '').not.toMatch(/moved the card back/i);
  });

  it('a plan → scheduled move whose webhook was dropped, then an unrelated label change: still judged (item 9)', async () => {
    const { plan, scheduled } = world.board.labels;
    // Not ready: no moderator, no date.
    const card = await world.create('carol', 'Missed move', fullRequest('Not ready.', 'carol'), [plan]);
    await world.as.carol.editIssue(world.project, card.iid, { assigneeIds: [await world.userId('carol')] });
    await world.settle();
    world.sandbox.faults.add({ kind: 'dropWebhook', path: 'PUT /projects/:id/issues/:issue_iid', times: 1 });
    await world.as.carol.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.sandbox.idle();
    await world.settle();
    // The bot never heard of the move; now someone tags the card, and the bot hears that.
    await world.as.dave.editIssue(world.project, card.iid, { addLabels: ['topic::ci'] });
    await world.settle();
    await world.service!.sweep();
    await world.settle();

    const after = await world.bot.getIssue(world.project, card.iid);
    expect(after.labels).toContain(plan);
    expect(after.labels).not.toContain(scheduled);
    expect((await world.statusNote(card.iid))?.body).toContain('Moved the card back');
  });

  it('on a reverted card, an unrelated label change or a comment changes nothing in the note (item 15)', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('dave', 'Reverted', fullRequest('Skipping planning.', 'dave'));
    await world.settle();
    await world.as.dave.editIssue(world.project, card.iid, { addLabels: [scheduled] });
    await world.settle();
    expect((await world.bot.getIssue(world.project, card.iid)).labels).toContain(plan);
    const explained = (await world.statusNote(card.iid))?.body;
    expect(explained).toContain('Moved the card back');
    // Told once, with everything the next move needs, not only what the backlog column checks (#14 item 5).
    expect(explained?.match(/moved the card back/gi)).toHaveLength(1);
    expect(explained).toMatch(/it needs all of this:[^\n]*Moderator: @username[^\n]*due date/);
    const writes = noteWrites(card.iid);

    await world.as.carol.editIssue(world.project, card.iid, { addLabels: ['topic::ci'] });
    await world.settle();
    await world.as.carol.editIssue(world.project, card.iid, { removeLabels: ['topic::ci'] });
    await world.settle();
    await world.as.bob.createNote(world.project, card.iid, 'Looking forward to this one.');
    await world.settle();
    await world.service!.sweep();
    await world.settle();

    expect((await world.statusNote(card.iid))?.body).toBe(explained);
    expect(noteWrites(card.iid)).toBe(writes);
  });
});
