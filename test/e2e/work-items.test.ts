// Tasks are work items, not cards: GitLab sends their Issue Hooks with object_kind work_item and
// lists them with issues. The bot acknowledges the hooks and ignores them, and the sweep leaves
// tasks alone, while a card made the same way gets its note.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

async function create(title: string, issueType: 'task' | 'issue'): Promise<number> {
  const res = await fetch(`${world.sandbox.url}/api/v4/projects/${encodeURIComponent(world.project)}/issues`, {
    method: 'POST',
    headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token', 'Content-Type': 'application/json' },
    body: JSON.stringify({ title, issue_type: issueType, labels: world.board.labels.scheduled, description: 'no sections at all' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { iid: number }).iid;
}

describe('a task on the board project', () => {
  it('gets no note from its work_item hook nor from a full sweep; an issue made alike does', async () => {
    const task = await create('Book the room', 'task');
    const card = await create('A session', 'issue');
    await world.settle();
    const hooks = world.sandbox.deliveries().filter((d) => (d.body as { object_kind?: string }).object_kind === 'work_item');
    expect(hooks.length).toBeGreaterThan(0);
    expect(hooks.every((d) => d.outcome === 'delivered')).toBe(true);
    expect(await world.botNotes(task)).toEqual([]);
    expect((await world.botNotes(card)).length).toBeGreaterThan(0);

    await world.service!.sweep({ full: true });
    await world.settle();
    expect(await world.botNotes(task)).toEqual([]);
  });
});
