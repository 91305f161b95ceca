// `rhythm serve` keeps the dashboard issue: a person's change to a card wakes the board's
// dashboard key after a short debounce (a burst of edits coalesces into one refresh).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, withDashboards, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({
    configure: withDashboards,
  });
});
afterAll(async () => {
  await world?.close();
});

const dashboardOf = async () => {
  const found = await world.bot.listIssues(world.project, { state: 'opened', search: 'Dashboard' });
  return found.filter(
    (i) => i.author?.username === 'rhythm-bot' && (i.description ?? '').includes('<!-- rhythm:dashboard:skills-exchange -->'),
  );
};

describe('the dashboard under rhythm serve', () => {
  it('alice plans cards; the dashboard issue appears and follows, one issue', async () => {
    const first = await world.create('alice', 'GitLab Duo tour', '## Topic\nDuo', ['status:plan']);
    await world.settle();
    const [dashboard, ...others] = await dashboardOf();
    expect(others).toHaveLength(0);
    expect(dashboard!.description).toContain(`#\u200B${first.iid} GitLab Duo tour`);

    // A burst of changes: each card shows once the burst is over.
    const more = [];
    for (const title of ['Runners deep dive', 'Value stream analytics', 'Compliance pipelines']) {
      more.push(await world.create('bob', title, `## Topic\n${title}`, ['status:plan']));
    }
    await world.as.alice.editIssue(world.project, first.iid, { dueDate: world.date(9) });
    await world.settle();
    const after = await dashboardOf();
    expect(after.map((d) => d.iid)).toEqual([dashboard!.iid]);
    for (const card of more) expect(after[0]!.description).toContain(`#\u200B${card.iid} `);
    // No note on the dashboard: the card handler leaves it alone.
    expect(await world.botNotes(dashboard!.iid)).toEqual([]);
  });
});
