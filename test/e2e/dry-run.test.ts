// A board in dry-run under a live configuration: the bot judges, plans and logs every write, and
// sends none — not a note, not a label, not a reorder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../src/engine/run-job.js';
import { fullRequest, startWorld, type World } from '../support/world.js';

let world: World;
const outcomes: JobOutcome[] = [];
beforeAll(async () => {
  world = await startWorld({
    service: { onJob: (outcome) => void ('steps' in outcome && outcomes.push(outcome)) },
    configure: (c) => ({ ...c, dryRun: false, boards: c.boards.map((b) => (b.kind === 'skills-exchange' ? { ...b, dryRun: true } : b)) }),
  });
});
afterAll(async () => {
  await world?.close();
});

describe('a board in dry-run', () => {
  it('writes nothing for cards that would get notes, reverts and reorders', async () => {
    const { plan, scheduled } = world.board.labels;
    world.sandbox.resetCalls();
    const bare = await world.create('alice', 'Bare request', 'please');
    const skipper = await world.create('dave', 'Skipper', fullRequest('Skipping.', 'dave'));
    await world.as.dave.editIssue(world.project, skipper.iid, { addLabels: [scheduled] });
    for (const [i, days] of [20, 10].entries()) {
      const card = await world.create('carol', `Dated ${i}`, `${fullRequest('x', 'alice')}\n\nModerator: @carol`, [plan]);
      await world.as.carol.editIssue(world.project, card.iid, {
        assigneeIds: [await world.userId('alice'), await world.userId('carol')],
        dueDate: world.date(days),
      });
      await world.as.carol.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    }
    await world.settle();
    await new Promise((r) => setTimeout(r, 200));
    await world.settle();

    const bot = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot');
    // It did look: the cards' own reads, not only the harness's hook listing.
    expect(bot.filter((c) => c.method === 'GET' && c.route.includes('/issues/')).length).toBeGreaterThan(0);
    // And it meant to write: the jobs planned notes, a revert and reorders, all logged unsent.
    const planned = outcomes.filter((o) => o.dryRunWrites > 0).flatMap((o) => o.steps.map((s) => s.kind));
    expect(planned).toEqual(expect.arrayContaining(['createNote', 'editIssue', 'reorderIssue']));
    expect(bot.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(await world.botNotes(bare.iid)).toHaveLength(0);
    expect((await world.bot.getIssue(world.project, skipper.iid)).labels).toContain(scheduled);
  });
});
