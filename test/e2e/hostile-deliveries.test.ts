// A delivery signed with the secret but malformed in a part Rhythm reads must not stall its card:
// the malformed part is dropped when the receiver reads the event, the job runs, and the card's
// later moves are judged as usual (issue 12, item 3).
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

describe('a malformed but signed delivery', () => {
  it('changes.labels.previous: [null] is set aside; the card is still judged, now and later', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('dave', 'Skipper', fullRequest('Skipping planning.', 'dave'));
    await world.settle();
    const body = labelChangeHook(await world.bot.getIssue(world.project, card.iid), world.project, {
      by: 'dave',
      previous: [null, 7, { title: plan }],
      current: [{ title: scheduled }, 'x'],
      labels: [scheduled],
    });
    expect(await deliver(world.service!.url, body, 'hostile-1')).toBe(202);
    await world.settle();
    expect((await world.service!.store.stats(Date.now())).dead).toBe(0);

    // Dave really drags the card from the backlog straight to scheduled: the bot still answers.
    await world.as.dave.editIssue(world.project, card.iid, { addLabels: [scheduled] });
    await world.settle();
    const after = await world.bot.getIssue(world.project, card.iid);
    expect(after.labels).toContain(plan);
    expect(after.labels).not.toContain(scheduled);
    expect((await world.statusNote(card.iid))?.body).toContain('Moved the card back');
    expect((await world.service!.store.stats(Date.now())).dead).toBe(0);
  });
});
