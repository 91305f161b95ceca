// GitLab refuses a note over 1,000,000 characters. A sign-up issue whose description carries
// 6,000 forged DRI lines once made the bot's summary longer than that: the write was refused, the
// job went dead, and the summary stayed at "0 of 3" after the description was cleaned up
// (issue #12, item 15). Through the service, over loopback, as people do it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT_LIMIT } from '../../src/comments/limit.js';
import { generateSignups } from '../../src/handlers/signup-month/generate.js';
import { REPO, startWorld, type World } from '../support/world.js';

const MONTH = '2027-06';
const FORGED = 6000;

let world: World;
beforeAll(async () => {
  world = await startWorld({ service: { backoffBaseMs: 50 } });
});
afterAll(async () => {
  await world?.close();
});

describe('a sign-up issue with 6,000 forged DRI lines', () => {
  it('keeps its summary under GitLab’s limit, goes dead nowhere, and reads right again once cleaned up', { timeout: 120_000 }, async () => {
    const project = world.config.signups!.project;
    const report = await generateSignups(
      { config: world.config, configDir: REPO, door: world.bot, log: world.log },
      { month: MONTH, only: 'webinars' },
    );
    const iid = report.results[0]!.iid!;
    const summary = async () => (await world.botNotes(iid, project)).filter((n) => n.body.includes('<!-- rhythm:signup-status -->'));
    // carol's first edit (a word of thanks) brings the bot's summary: no one has signed up yet.
    const clean = `${(await world.bot.getIssue(project, iid)).description ?? ''}\n\nThanks for signing up!`;
    await world.as.carol.editIssue(project, iid, { description: clean });
    await world.settle();
    expect((await summary())[0]?.body).toMatch(/0 of 3 webinars in June 2027 have a DRI/);

    // alice signs up on the first session, and someone pastes 6,000 DRI lines for sessions that do not exist.
    const lines = clean.split('\n');
    const slot = lines.findIndex((l) => l.includes('<!-- rhythm:dri:'));
    lines[slot] = lines[slot]!.replace('- [ ] DRI:', '- [x] DRI: @alice');
    const signed = lines.join('\n');
    const forged = Array.from({ length: FORGED }, (_, i) => `- [x] DRI: @bob <!-- rhythm:dri:forged-session-${i} -->`);
    world.sandbox.resetCalls();
    await world.as.bob.editIssue(project, iid, { description: `${signed}\n\n${forged.join('\n')}` });
    await world.settle(60_000);

    // Every note write of the bot went through, and none was over the limit.
    const writes = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot' && c.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((c) => c.status >= 400)).toEqual([]);
    expect(await world.service!.store.dead()).toEqual([]);
    const [note, ...others] = await summary();
    expect(others).toEqual([]);
    expect(note!.body.length).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(note!.body).toMatch(/1 of 3 webinars in June 2027 have a DRI/);
    expect(note!.body).toContain('`forged-session-0`, which is not a session');
    expect(note!.body).toMatch(/… and 5,950 more like these/);

    // Cleaned up: the forged lines go, alice stays, and the summary says so.
    await world.as.alice.editIssue(project, iid, { description: signed });
    await world.settle(60_000);
    const after = await summary();
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(note!.id);
    expect(after[0]!.body).toMatch(/1 of 3 webinars in June 2027 have a DRI/);
    expect(after[0]!.body).not.toContain('Needs a look');
    expect(await world.service!.store.dead()).toEqual([]);
  });
});
