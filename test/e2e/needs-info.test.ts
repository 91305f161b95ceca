// needsInfoLabel applies as the schema and rhythm.yml say: in fix (or revert) mode the bot adds it
// to a request that lacks sections and takes it off once they are filled in; in comment mode it
// explains and labels nothing, and the shipped rhythm.yml (comment mode) sets no label.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema-source.js';
import { fullRequest, REPO, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({
    configure: (c) => ({
      ...c,
      boards: c.boards.map((b) =>
        b.kind === 'skills-exchange'
          ? { ...b, rules: { ...b.rules, template: { ...b.rules.template, mode: 'fix', needsInfoLabel: 'needs-info' } } }
          : b,
      ),
    }),
  });
});
afterAll(async () => {
  await world?.close();
});

describe('needsInfoLabel', () => {
  it('in fix mode: alice opens a bare request and it gets needs-info; she fills it in and the label goes', async () => {
    const card = await world.create('alice', 'Something about runners', 'please');
    await world.settle();
    expect((await world.bot.getIssue(world.project, card.iid)).labels).toContain('needs-info');
    expect((await world.statusNote(card.iid))!.body).toContain('Added the `needs-info` label');

    await world.as.alice.editIssue(world.project, card.iid, { description: fullRequest('Runner fleets.', 'alice') });
    await world.settle();
    expect((await world.bot.getIssue(world.project, card.iid)).labels).not.toContain('needs-info');
  }, 60_000);

  it('the shipped rhythm.yml: comment mode and no label, and the schema says the label needs fix or revert mode', () => {
    const loaded = loadConfig(join(REPO, 'rhythm.yml'), { GITLAB_TOKEN: 'x' });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const board = loaded.config.boards.find((b) => b.kind === 'skills-exchange')!;
    expect(board.kind === 'skills-exchange' && board.rules.template.mode).toBe('comment');
    expect(board.kind === 'skills-exchange' && board.rules.template.needsInfoLabel).toBeUndefined();
    expect(JSON.stringify(configSchema)).toMatch(/needsInfoLabel":\{"description":"[^"]*in fix or revert mode/);
  });
});
