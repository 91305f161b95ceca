// A revert is never silent (issue 12, item 11). When the note POST failed once after a revert, the
// card sat back in plan with no word of why until a later sweep. The explanation is written
// before the fix, so a failed note leaves the card as it was, and the job's retry does both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullRequest, startWorld, type World } from '../support/world.js';

const NOTE_POST = 'POST /projects/:id/issues/:issue_iid/notes';

let world: World;
beforeAll(async () => {
  world = await startWorld({ service: { backoffBaseMs: 200 } });
});
afterAll(async () => {
  world?.sandbox.faults.clear();
  await world?.close();
});

describe('a revert with its explanation', () => {
  it('dave drags a card from the backlog straight to status:scheduled while the note POST fails once: never in plan without the note', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('dave', 'Advanced CI caching', fullRequest('Caches and artifacts.', 'dave'));
    await world.settle();
    // A complete request in the backlog: nothing to say yet.
    expect(await world.botNotes(card.iid)).toEqual([]);

    world.sandbox.faults.add({ kind: 'status', status: 500, path: NOTE_POST, times: 1 });
    // Alice watches the card through the API the whole time: labels first, then the notes, so a
    // card seen in plan was in plan before its notes were read.
    const seen: { inPlan: boolean; explained: boolean }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const issue = await world.as.alice.getIssue(world.project, card.iid);
        const notes = await world.as.alice.listNotes(world.project, card.iid);
        seen.push({
          inPlan: issue.labels.includes(plan) && !issue.labels.includes(scheduled),
          explained: notes.some((n) => n.author.username === 'rhythm-bot' && n.body.includes('<!-- rhythm:status -->')),
        });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    await world.as.dave.editIssue(world.project, card.iid, { addLabels: [scheduled] });
    await world.settle();
    watching = false;
    await watcher;

    // The note POST was refused once, and the job tried again.
    const refused = world.sandbox.calls().filter((c) => c.route === NOTE_POST && c.user === 'rhythm-bot' && c.fault === 'status');
    expect(refused).toHaveLength(1);
    // In the end: back in plan, and the note says why and how to undo it.
    const now = await world.bot.getIssue(world.project, card.iid);
    expect(now.labels).toContain(plan);
    expect(now.labels).not.toContain(scheduled);
    const note = (await world.statusNote(card.iid))!.body;
    expect(note).toMatch(/What I fixed myself/);
    expect(note).toMatch(/To undo/);
    // And at no moment was the card in plan with nothing to explain it.
    expect(seen.some((s) => s.inPlan)).toBe(true);
    expect(seen.filter((s) => s.inPlan && !s.explained)).toEqual([]);
  }, 60_000);

  it('the note is written but the label edit fails for good: the retry still reverts, judged from the same move', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('dave', 'Runner autoscaling', fullRequest('Autoscaling runners.', 'dave'));
    await world.settle();
    // Every try of the edit in the first attempt fails (the transport retries a PUT a few times).
    world.sandbox.faults.add({ kind: 'status', status: 503, user: 'rhythm-bot', path: 'PUT /projects/:id/issues/:issue_iid', times: 8 });
    await world.as.dave.editIssue(world.project, card.iid, { addLabels: [scheduled] });
    await world.settle(30_000);

    const refused = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot' && c.fault === 'status');
    expect(refused.length).toBeGreaterThan(0);
    const now = await world.bot.getIssue(world.project, card.iid);
    expect(now.labels).toContain(plan);
    expect(now.labels).not.toContain(scheduled);
    expect((await world.statusNote(card.iid))!.body).toMatch(/What I fixed myself/);
  }, 60_000);
});
