// The executor's backstop under GitLab's 1,000,000-character note limit (issue 12, item 15): a
// note a handler rendered too long is cut, marker kept, and GitLab (the sandbox, which refuses
// longer notes as GitLab does) takes it at the first try instead of refusing it until it goes dead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT_LIMIT } from '../../src/comments/limit.js';
import { apply } from '../../src/engine/apply.js';
import { recordingLog } from '../support/run-key.js';
import { startWorld, type World } from '../support/world.js';

const STATUS = '<!-- rhythm:status -->';

let world: World;
beforeAll(async () => {
  world = await startWorld({ startService: false });
});
afterAll(async () => {
  await world?.close();
});

describe('a note over GitLab’s limit', () => {
  it('is cut under it, keeps its marker, and is posted and edited without a refusal', async () => {
    const card = await world.create('alice', 'Long', 'please');
    const log = recordingLog();
    const ctx = { door: world.bot, config: world.config, log, enqueue: async () => {} };
    const long = `${STATUS}\n${'A line a handler forgot to cap.\n'.repeat(40_000)}`;
    expect(long.length).toBeGreaterThan(TEXT_LIMIT);

    const posted = await apply([{ kind: 'createNote', project: world.project, iid: card.iid, marker: STATUS, body: long }], ctx);
    expect(posted.writes).toBe(1);
    const note = (await world.statusNote(card.iid))!;
    expect(note.body.length).toBeLessThanOrEqual(TEXT_LIMIT);
    expect(note.body.startsWith(STATUS)).toBe(true);

    const edited = await apply(
      [{ kind: 'editNote', project: world.project, iid: card.iid, noteId: note.id, marker: STATUS, body: `${long}more` }],
      ctx,
    );
    expect(edited.writes).toBe(1);
    expect(world.sandbox.calls().filter((c) => c.status === 400)).toEqual([]);
    expect(log.lines.filter((l) => l.msg === "a note over GitLab's limit was cut")).toHaveLength(2);
  });
});
