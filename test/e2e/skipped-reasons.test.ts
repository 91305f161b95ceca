// Every delivery or job that leads to no work says why in the log (issue 14, item 6): the bot's
// own writes, a drag within a column, a project not configured, a key no board owns, a card that
// already is what the bot would make it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLog } from '../support/run-key.js';
import { fullRequest, REPO, SECRET, startWorld, type World } from '../support/world.js';

const log = recordingLog();
let world: World;
beforeAll(async () => {
  world = await startWorld({ service: { log } });
});
afterAll(async () => {
  await world?.close();
});

interface Hook {
  project: { path_with_namespace: string };
  user: { username: string };
}

const lines = (msg: string) => log.lines.filter((l) => l.msg === msg).map((l) => l.obj as Record<string, unknown>);

describe('skipped events, each with its reason', () => {
  it('deliveries that wake no work, and jobs that write nothing', async () => {
    // A card dragged from the backlog straight to scheduled: the bot moves it back.
    const skipper = await world.create('alice', 'Skipper', fullRequest('Skipping.', 'alice'), [world.board.labels.scheduled]);
    // A complete request in the backlog: judged, nothing to write.
    const fine = await world.create('dave', 'Runner fleets', fullRequest('Runners.', 'dave'));
    await world.settle();
    expect(lines('job done')).toContainEqual(
      expect.objectContaining({
        key: `issue:${world.project}#${fine.iid}`,
        writes: 0,
        reason: expect.stringMatching(/^nothing to change/) as unknown,
      }),
    );
    expect(lines('job done').find((l) => l.key === `issue:${world.project}#${skipper.iid}` && Number(l.writes) > 0)).not.toHaveProperty(
      'reason',
    );

    // A delivery from a project no board names: ignored, with the reason. One of the bot's own
    // edits (GitLab sends it when the bot wrote outside a delivery's job, e.g. from a sweep):
    // stored, waking nothing, with the reason.
    const deliver = async (edit: (p: Hook) => void, fixture = 'issue-hook-update-labels.json') => {
      const payload = JSON.parse(readFileSync(join(REPO, 'test/fixtures', fixture), 'utf8')) as Hook;
      payload.project.path_with_namespace = world.project;
      edit(payload);
      const res = await fetch(`${world.service!.url}/webhooks/gitlab`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'x-gitlab-event': 'Issue Hook' },
        body: JSON.stringify(payload),
      });
      return res.status;
    };
    expect(await deliver((p) => (p.project.path_with_namespace = 'someone/else'))).toBe(200);
    expect(lines('webhook ignored')).toContainEqual(expect.objectContaining({ result: 'ignored', reason: 'project not configured' }));
    expect(await deliver((p) => (p.user.username = 'rhythm-bot'))).toBe(202);
    expect(lines('webhook stored')).toContainEqual(expect.objectContaining({ key: null, wakes: 'nothing', reason: 'acted by the bot' }));
    // A drag within a column (GitLab's payload of a reorder): only the card's place changed.
    expect(await deliver(() => undefined, 'issue-hook-reorder.json')).toBe(202);
    expect(lines('webhook stored')).toContainEqual(
      expect.objectContaining({ key: null, wakes: 'nothing', reason: 'only relative_position changed' }),
    );

    // A job for a key no board owns (a board taken out of the configuration since it was queued).
    await world.service!.store.enqueue('issue:someone/else#3', Date.now());
    await world.settle();
    expect(lines('job skipped: project is not configured')).toContainEqual(
      expect.objectContaining({ key: 'issue:someone/else#3', result: 'skipped', reason: 'project is not configured' }),
    );
  }, 60_000);
});
