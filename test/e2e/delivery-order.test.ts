// GitLab promises no order between webhook deliveries (each is its own background job) and may
// deliver one twice. The bot judges from GitLab's state and label history, never from what arrived
// last: deliveries that come newest first, or twice, change nothing it decides (issue 13).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/sandbox/index.js';
import { fullRequest, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

const onCard = (iid: number) => (c: CallRecord) => new RegExp(`/issues/${iid}(/|$)`).test(c.path);
/** The bot's writes on a card since `from` calls were logged, as "METHOD route". */
function botWrites(iid: number, from = 0): string[] {
  return world.sandbox
    .calls()
    .slice(from)
    .filter((c) => c.user === 'rhythm-bot' && c.method !== 'GET')
    .filter(onCard(iid))
    .map((c) => c.route);
}

/**
 * A card a speaker could run, in the backlog: speaker and moderator assigned, dated (a date of its
 * own, so no two cards clash), the request complete.
 */
async function readyInBacklog(title: string, inDays: number) {
  const card = await world.create('alice', title, `${fullRequest('Ready to go.', 'alice')}\n\nModerator: @bob`);
  await world.as.alice.editIssue(world.project, card.iid, {
    assigneeIds: [await world.userId('alice'), await world.userId('bob')],
    dueDate: world.date(inDays),
  });
  await world.settle();
  return card;
}

/** Alice's three moves: backlog → scheduled (skips plan), back to plan, then to scheduled, ready. */
async function threeMoves(iid: number) {
  const { plan, scheduled } = world.board.labels;
  await world.as.alice.editIssue(world.project, iid, { addLabels: [scheduled] });
  await world.as.alice.editIssue(world.project, iid, { addLabels: [plan], removeLabels: [scheduled] });
  await world.as.alice.editIssue(world.project, iid, { addLabels: [scheduled], removeLabels: [plan] });
}

async function expectScheduledWithoutRevert(iid: number, from: number) {
  const { plan, scheduled } = world.board.labels;
  const after = await world.bot.getIssue(world.project, iid);
  expect(after.labels).toContain(scheduled);
  expect(after.labels).not.toContain(plan);
  // No label edit of the bot's (none in GitLab's label history, no edit of the issue at all), no revert explained.
  const byBot = (await world.bot.labelEvents(world.project, iid)).filter((e) => e.user?.username === 'rhythm-bot');
  expect(byBot).toEqual([]);
  expect(botWrites(iid, from).filter((r) => r === 'PUT /projects/:id/issues/:issue_iid')).toEqual([]);
  expect((await world.statusNote(iid))?.body ?? '').not.toContain('moved the card back');
  // One note of each kind at most (status, checklist), none twice.
  const kinds = (await world.botNotes(iid)).map((n) => /<!-- rhythm:[a-z-]+ -->/.exec(n.body)?.[0]);
  expect(new Set(kinds).size).toBe(kinds.length);
}

describe('deliveries in any order, and twice', () => {
  it('alice’s three moves delivered newest first: the card ends scheduled, with no revert', async () => {
    const card = await readyInBacklog('Newest first', 9);
    const from = world.sandbox.calls().length;
    world.sandbox.faults.add({ kind: 'holdWebhook', user: 'alice', path: 'PUT /projects/:id/issues/:issue_iid', times: 3 });
    await threeMoves(card.iid);
    expect(world.sandbox.heldWebhooks()).toBe(3);

    expect(world.sandbox.releaseWebhooks('newest-first')).toBe(3);
    await world.settle();
    const delivered = world.sandbox.deliveries().filter((d) => d.faults?.includes('holdWebhook'));
    expect(delivered.map((d) => d.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    // They did arrive newest first: the move to scheduled from plan, then back to plan, then the first move.
    const moves = delivered.map((d) => {
      const labels = (d.body as { changes: { labels: { previous: Array<{ title: string }>; current: Array<{ title: string }> } } }).changes
        .labels;
      const status = (list: Array<{ title: string }>) =>
        list
          .map((l) => l.title)
          .filter((t) => t.startsWith('status:'))
          .join() || 'backlog';
      return `${status(labels.previous)} → ${status(labels.current)}`;
    });
    expect(moves).toEqual(['status:plan → status:scheduled', 'status:scheduled → status:plan', 'backlog → status:scheduled']);

    await expectScheduledWithoutRevert(card.iid, from);
  });

  it('a delivery that comes twice changes nothing: the same writes as a card delivered once, one note', async () => {
    const once = await world.create('carol', 'Delivered once', fullRequest('Not planned yet.', 'carol'), [world.board.labels.plan]);
    await world.settle();
    world.sandbox.faults.add({ kind: 'duplicateWebhook', user: 'carol', path: 'POST /projects/:id/issues', times: 1 });
    const twice = await world.create('carol', 'Delivered twice', fullRequest('Not planned yet.', 'carol'), [world.board.labels.plan]);
    await world.settle();

    const copies = world.sandbox.deliveries().filter((d) => d.faults?.includes('duplicateWebhook'));
    expect(copies).toHaveLength(2);
    expect(copies[0]!.requestHeaders['Idempotency-Key']).toBe(copies[1]!.requestHeaders['Idempotency-Key']);
    expect(botWrites(twice.iid)).toEqual(botWrites(once.iid));
    expect((await world.botNotes(twice.iid)).length).toBeLessThanOrEqual(1);
    expect((await world.botNotes(twice.iid)).length).toBe((await world.botNotes(once.iid)).length);
  });

  it('the three moves newest first and each twice: the same writes as when delivered in order, once', async () => {
    const inOrder = await readyInBacklog('In order, once', 16);
    const fromInOrder = world.sandbox.calls().length;
    await threeMoves(inOrder.iid);
    await world.settle();

    const card = await readyInBacklog('Newest first, twice', 23);
    const from = world.sandbox.calls().length;
    world.sandbox.faults.add({ kind: 'holdWebhook', user: 'alice', path: 'PUT /projects/:id/issues/:issue_iid', times: 3 });
    world.sandbox.faults.add({ kind: 'duplicateWebhook', user: 'alice', path: 'PUT /projects/:id/issues/:issue_iid', times: 3 });
    await threeMoves(card.iid);
    expect(world.sandbox.releaseWebhooks('newest-first')).toBe(6);
    await world.settle();

    await expectScheduledWithoutRevert(inOrder.iid, fromInOrder);
    await expectScheduledWithoutRevert(card.iid, from);
    expect(botWrites(card.iid, from).sort()).toEqual(botWrites(inOrder.iid, fromInOrder).sort());
    expect((await world.botNotes(card.iid)).length).toBe((await world.botNotes(inOrder.iid)).length);
  });
});
