// The content board through the service: a person claims a session by editing the sign-up issue,
// GitLab sends the webhook, and the bot's one summary note follows — without touching the text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSignups } from '../../src/handlers/signup-month/generate.js';
import { REPO, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

describe('claiming a DRI slot on the sign-up issue', () => {
  it("is not fooled by a person's issue that carries the marker", async () => {
    const project = world.config.signups!.project;
    const copy = await world.as.alice.createIssue(project, {
      title: 'My own list',
      description: '<!-- rhythm:signup:labs:2027-04 -->\nnot the real one',
      labels: ['cse-events::sign-up'],
    });
    const report = await generateSignups(
      { config: world.config, configDir: REPO, door: world.bot, log: world.log },
      { month: '2027-04', only: 'labs' },
    );
    expect(report.results[0]).toMatchObject({ action: 'created' });
    expect(report.results[0]!.iid).not.toBe(copy.iid);
    await world.settle();
    expect(await world.botNotes(copy.iid, project)).toHaveLength(0);
  });

  it('updates the summary note as people sign up, and flags a claim it cannot read', async () => {
    const project = world.config.signups!.project;
    const report = await generateSignups(
      { config: world.config, configDir: REPO, door: world.bot, log: world.log },
      { month: '2026-12', only: 'webinars' },
    );
    const iid = report.results[0]!.iid!;
    await world.settle();

    const issue = await world.bot.getIssue(project, iid);
    const lines = (issue.description ?? '').split('\n');
    const slot = lines.findIndex((l) => l.includes('rhythm:dri:'));
    expect(slot).toBeGreaterThan(-1);
    lines[slot] = `${lines[slot]} @alice`;
    await world.as.alice.editIssue(project, iid, { description: lines.join('\n') });
    await world.settle();

    const notes = await world.botNotes(iid, project);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatch(/1 of \d+ webinars in December 2026 have a DRI/);
    // The bot never rewrote the description people edit.
    expect((await world.bot.getIssue(project, iid)).description).toBe(lines.join('\n'));

    // Two people on one slot: a friendly line in the same note.
    lines[slot] = `${lines[slot]} @bob`;
    await world.as.bob.editIssue(project, iid, { description: lines.join('\n') });
    await world.settle();
    const after = await world.botNotes(iid, project);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(notes[0]!.id);
    expect(after[0]!.body).not.toBe(notes[0]!.body);
  });
});
