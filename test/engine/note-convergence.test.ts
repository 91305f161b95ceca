// The executor's note creation against the sandbox GitLab: after posting, one bot note per marker
// (the oldest stays, only the bot's own newer notes go); after a refusal, nothing more is asked;
// after a 5xx, one look for the note, and no wait (GitLab is done with the request).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apply, WriteError } from '../../src/engine/apply.js';
import type { Step } from '../../src/engine/steps.js';
import { recordingLog } from '../support/run-key.js';
import { startWorld, type World } from '../support/world.js';

const STATUS = '<!-- rhythm:status -->';
const NOTES = 'GET /projects/:id/issues/:issue_iid/notes';
const NOTE_POST = 'POST /projects/:id/issues/:issue_iid/notes';

let world: World;
beforeAll(async () => {
  world = await startWorld({ startService: false });
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.sandbox.faults.clear();
});

const statusNote = (iid: number, body: string): Step => ({
  kind: 'createNote',
  project: world.project,
  iid,
  marker: STATUS,
  body: `${STATUS}\n${body}`,
});
const run = (steps: Step[], dryRun = false) =>
  apply(steps, { door: world.bot, config: { ...world.config, dryRun }, log: recordingLog(), enqueue: async () => {} });
const routes = () => world.sandbox.calls().map((c) => c.route);

describe('posting a note that carries a marker', () => {
  it('keeps the oldest bot note with the marker and deletes only its own newer twin', async () => {
    const card = await world.create('alice', 'Raced', 'please');
    const older = await world.bot.createNote(world.project, card.iid, `${STATUS}\nposted by the other process`);
    const quoted = await world.as.alice.createNote(world.project, card.iid, `${STATUS}\nalice quoting the bot`);
    const checklist = await world.bot.createNote(world.project, card.iid, '<!-- rhythm:checklist -->\nthe checklist');

    const report = await run([statusNote(card.iid, 'this judgement')]);

    const notes = await world.bot.listNotes(world.project, card.iid);
    const bot = notes.filter((n) => n.author.username === 'rhythm-bot' && n.body.startsWith(STATUS));
    expect(bot.map((n) => n.id)).toEqual([older.id]);
    // The survivor says what the newest judgement says; the others' notes are untouched.
    expect(bot[0]!.body).toBe(`${STATUS}\nthis judgement`);
    expect(notes.map((n) => n.id)).toEqual(expect.arrayContaining([quoted.id, checklist.id]));
    expect(report.applied[0]).toMatchObject({ sent: true, note: { id: older.id } });
  });

  it('reads the notes once after posting, and writes nothing more when there is no twin', async () => {
    const card = await world.create('alice', 'Alone', 'please');
    world.sandbox.resetCalls();
    await run([statusNote(card.iid, 'only one')]);
    expect(routes()).toEqual([NOTE_POST, NOTES]);
  });

  it('sends nothing in a dry run', async () => {
    const card = await world.create('alice', 'Dry', 'please');
    await world.bot.createNote(world.project, card.iid, `${STATUS}\nalready there`);
    world.sandbox.resetCalls();
    const report = await run([statusNote(card.iid, 'would post')], true);
    expect(report.dryRunWrites).toBe(1);
    expect(routes()).toEqual([]);
  });

  it('asks nothing more after a refusal (422): the note was not made', async () => {
    const card = await world.create('alice', 'Refused', 'please');
    world.sandbox.faults.add({ kind: 'status', status: 422, path: NOTE_POST, times: 1 });
    world.sandbox.resetCalls();
    await expect(run([statusNote(card.iid, 'refused')])).rejects.toThrow(WriteError);
    expect(routes()).toEqual([NOTE_POST]);
  });

  it('looks once after a 500, does not wait, and fails for the retry when the note is not there', async () => {
    const card = await world.create('alice', 'Broken', 'please');
    world.sandbox.faults.add({ kind: 'status', status: 500, path: NOTE_POST, times: 1 });
    world.sandbox.resetCalls();
    const started = Date.now();
    await expect(run([statusNote(card.iid, 'five hundred')])).rejects.toThrow(/no note with <!-- rhythm:status --> appeared/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(routes()).toEqual([NOTE_POST, NOTES]);
    expect(await world.botNotes(card.iid)).toEqual([]);
  });
});
