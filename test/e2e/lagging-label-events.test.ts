// GitLab writes a move's label events just after it saves the card; its hook job runs after both.
// A job that reads the card in that gap (another change's delivery, a sweep) sees the new labels
// and updated_at but a label history without the move. The move's own delivery must still have
// the move judged (issue 13 review). The sandbox stretches the gap with a labelEventsLag fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullRequest, startWorld, type World } from '../support/world.js';

const ISSUE_PUT = 'PUT /projects/:id/issues/:issue_iid';
const LAG_MS = 2500;

/** Waits (bounded) until `done` holds: the order of events, not a clock, decides the test. */
async function until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the condition did not come in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  world?.sandbox.faults.clear();
  await world?.close();
});

describe('a move whose label events come late', () => {
  it('the sandbox lists them only after the lag, and delivers the move only then', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('carol', 'Lagging history', fullRequest('Not ready.', 'carol'), [plan]);
    await world.settle();
    const delivered = world.sandbox.deliveries().length;
    // Any of carol's calls matches; only the first that writes label events takes the fault.
    world.sandbox.faults.add({ kind: 'labelEventsLag', ms: LAG_MS, user: 'carol', path: '/projects', times: 1 });
    await world.as.carol.getIssue(world.project, card.iid);
    await world.as.carol.editIssue(world.project, card.iid, { title: 'Lagging history, renamed' });
    await world.settle();
    const afterRename = world.sandbox.deliveries().length;
    expect(afterRename).toBeGreaterThan(delivered);
    const saved = Date.now();
    await world.as.carol.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });

    // The card has its new labels at once; its history and its delivery do not.
    expect((await world.as.carol.getIssue(world.project, card.iid)).labels).toContain(scheduled);
    const early = await world.as.carol.labelEvents(world.project, card.iid);
    expect(early.some((e) => e.label?.name === scheduled)).toBe(false);
    expect(world.sandbox.deliveries().length).toBe(afterRename);

    await world.settle();
    expect(Date.now() - saved).toBeGreaterThanOrEqual(LAG_MS);
    const late = await world.as.carol.labelEvents(world.project, card.iid);
    expect(late.some((e) => e.label?.name === scheduled && e.user?.username === 'carol')).toBe(true);
  }, 30_000);

  it('alice edits a ready card in the backlog, then drags it straight to scheduled; the edit’s job reads the card before the move’s label events exist: the move is still judged (back to plan)', async () => {
    const { plan, scheduled } = world.board.labels;
    // A ready card, scheduled once (its checklist is posted), then taken back to the backlog: the
    // bot has nothing more to write on it in the backlog or in scheduled, so the job in the gap
    // below writes nothing (a write would make the card's updated_at new again).
    const description = `${fullRequest('Ready to go.', 'alice')}\n\nModerator: @bob`;
    const card = await world.create('alice', 'Read in the gap', description, [plan]);
    await world.as.alice.editIssue(world.project, card.iid, {
      assigneeIds: [await world.userId('alice'), await world.userId('bob')],
      dueDate: world.date(11),
    });
    await world.settle();
    await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    await world.as.alice.editIssue(world.project, card.iid, { removeLabels: [scheduled] });
    await world.settle();

    // The edit's delivery waits until the move is saved; the move's label events (and so its
    // delivery) are held until the edit's job has read the card in the gap.
    world.sandbox.faults.add({ kind: 'holdWebhook', user: 'alice', path: ISSUE_PUT, times: 1 });
    await world.as.alice.editIssue(world.project, card.iid, { description: `${description}\n\nMore words.` });
    world.sandbox.faults.add({ kind: 'holdLabelEvents', user: 'alice', path: ISSUE_PUT, times: 1 });
    const from = world.sandbox.calls().length;
    await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled] });
    expect(world.sandbox.releaseWebhooks('oldest-first')).toBe(1);
    const historyReads = () =>
      world.sandbox
        .calls()
        .slice(from)
        .filter(
          (c) =>
            c.user === 'rhythm-bot' &&
            c.route === 'GET /projects/:id/issues/:issue_iid/resource_label_events' &&
            c.path.includes(`/issues/${card.iid}/`),
        );
    // The edit's job read the history in the gap (it lacked the move), and wrote nothing then
    // (a write of its own would make the card's updated_at new again).
    await until(() => historyReads().length > 0);
    await world.settle();
    const botWritesInGap = world.sandbox
      .calls()
      .slice(from)
      .filter((c) => c.user === 'rhythm-bot' && c.method !== 'GET');
    expect(botWritesInGap).toEqual([]);
    expect((await world.bot.getIssue(world.project, card.iid)).labels).toContain(scheduled);

    // GitLab writes the move's label events; its delivery comes: the move is judged after all.
    expect(world.sandbox.releaseLabelEvents()).toBe(1);
    await world.settle();
    const after = await world.bot.getIssue(world.project, card.iid);
    expect(after.labels).toContain(plan);
    expect(after.labels).not.toContain(scheduled);
    expect((await world.statusNote(card.iid))?.body ?? '').toMatch(/skipped planning/);
  }, 30_000);
});
