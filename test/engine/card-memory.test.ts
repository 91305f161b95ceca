// The card memory at work (issue 13): jobs of the card's key run the way serve runs them, against
// the sandbox GitLab, with the memory of the in-process store. A remembered card costs one GET
// per event; deliveries in any order end where GitLab's own history says; losing the memory
// changes no outcome; a bot note a person deleted, a closed or a deleted card are noticed.
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { issueKey } from '../../src/engine/keys.js';
import { runJob, type JobOutcome } from '../../src/engine/run-job.js';
import { readMemo } from '../../src/handlers/card/memory.js';
import { MapCardMemory, type CardMemory } from '../../src/queue/card-memory.js';
import type { StoredDelivery } from '../../src/queue/contract.js';
import type { HookEvent } from '../../src/webhook/event.js';
import { BOT, fullRequest, REPO, startWorld, type Person, type World } from '../support/world.js';

const worlds: World[] = [];
afterAll(async () => {
  for (const w of worlds) await w.close();
});

async function aWorld(): Promise<World> {
  const world = await startWorld({ startService: false });
  worlds.push(world);
  return world;
}

/** GitLab's hook time ("2026-03-01 10:00:00 UTC") of the card as the sandbox has it now. */
function hookAt(world: World, iid: number): string {
  const iso = String(world.sandbox.issue(world.project, iid)!.updated_at);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The delivery GitLab would send for the change just made (what the receiver stores). */
function delivery(world: World, iid: number, event: Partial<HookEvent>): StoredDelivery {
  const full: HookEvent = {
    v: 1,
    kind: 'issue',
    project: world.project,
    iid,
    actor: 'alice',
    at: hookAt(world, iid),
    action: 'update',
    labels: (world.sandbox.issue(world.project, iid)!.labels as string[]) ?? [],
    labelChange: null,
    changed: [],
    ...event,
  };
  return {
    deliveryId: `d-${iid}-${Math.random().toString(36).slice(2)}`,
    eventUuid: null,
    event: full.kind === 'note' ? 'Note Hook' : 'Issue Hook',
    payload: JSON.stringify(full),
    receivedAt: Date.now(),
  };
}

interface Counted extends JobOutcome {
  reads: number;
  writes: number;
  routes: string[];
}

/** One job of the card, counted at the sandbox (the bot's calls only). */
async function job(world: World, memory: CardMemory | null, iid: number, deliveries: StoredDelivery[] = []): Promise<Counted> {
  world.sandbox.resetCalls();
  const outcome = await runJob(issueKey(world.project, iid), deliveries, {
    config: world.config,
    configDir: REPO,
    door: world.bot,
    log: world.log,
    now: new Date(),
    columns: new ColumnCache(),
    enqueue: async () => undefined,
    memory,
  });
  const calls = world.sandbox.calls().filter((c) => c.user === BOT);
  return {
    ...outcome,
    reads: calls.filter((c) => c.method === 'GET').length,
    writes: calls.filter((c) => c.method !== 'GET').length,
    routes: calls.map((c) => c.route),
  };
}

/** A ready card in the scheduled column (planned, then scheduled with speaker, moderator, date). */
async function readyCard(world: World, title: string, days = 12): Promise<number> {
  const { plan, scheduled } = world.board.labels;
  const card = await world.create('carol', title, `${fullRequest('Ready.', 'carol')}\n\nModerator: @dave`, [plan]);
  await world.as.carol.editIssue(world.project, card.iid, {
    assigneeIds: [await world.userId('carol'), await world.userId('dave')],
    dueDate: world.date(days),
  });
  await world.as.carol.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
  return card.iid;
}

/** What a person sees of a card: labels, people, date, and the bot's notes (less when it judged). */
async function seen(world: World, iid: number) {
  const issue = await world.bot.getIssue(world.project, iid);
  const notes = await world.botNotes(iid);
  return {
    state: issue.state,
    labels: [...issue.labels].sort(),
    assignees: issue.assignees.map((a) => a.username).sort(),
    due: issue.due_date,
    notes: notes.map((n) => n.body.replace(/<!-- rhythm:judged [^>]*-->\n?/, '').trim()).sort(),
  };
}

describe('a card the bot remembers', () => {
  it('costs one GET for a comment, and nothing is written', async () => {
    const world = await aWorld();
    const memory = new MapCardMemory();
    const iid = await readyCard(world, 'Clean');
    const first = await job(world, memory, iid);
    expect(first.steps.map((s) => s.kind)).toEqual(['createNote']); // the checklist, once

    await world.as.alice.createNote(world.project, iid, 'Looking forward to this one.');
    const comment = await job(world, memory, iid, [delivery(world, iid, { kind: 'note', action: null, labels: [] })]);
    expect(comment.routes).toEqual(['GET /projects/:id/issues/:issue_iid']);
    expect(comment.writes).toBe(0);

    // And a duplicate of that delivery: the same single read, nothing written.
    const again = await job(world, memory, iid, [delivery(world, iid, { kind: 'note', action: null, labels: [] })]);
    expect(again.reads).toBe(1);
    expect(again.writes).toBe(0);
  });

  it('costs one GET for a fix: the note posted, the moderator added to the assignees that GET found, nothing read again', async () => {
    const world = await aWorld();
    const memory = new MapCardMemory();
    const iid = await readyCard(world, 'Unassigned');
    await job(world, memory, iid);
    // Bob unassigns dave, whom the Moderator line names.
    await world.as.bob.editIssue(world.project, iid, { assigneeIds: [await world.userId('carol'), await world.userId('bob')] });
    const fix = await job(world, memory, iid, [delivery(world, iid, { actor: 'bob', changed: ['assignees'] })]);
    expect(fix.routes).toEqual([
      'GET /projects/:id/issues/:issue_iid',
      'POST /projects/:id/issues/:issue_iid/notes',
      'PUT /projects/:id/issues/:issue_iid',
    ]);
    expect((await seen(world, iid)).assignees).toEqual(['bob', 'carol', 'dave']);
  });

  it('finds a twin of its note that another process posted at the same time at its next job, and deletes only that', async () => {
    const world = await aWorld();
    const memory = new MapCardMemory();
    const status = '<!-- rhythm:status -->';
    const card = await world.create('alice', 'Raced', 'Please run a session on Duo.');
    const first = await job(world, memory, card.iid);
    // No look for a twin right after posting: the next job's note count tells.
    expect(first.routes.at(-1)).toBe('POST /projects/:id/issues/:issue_iid/notes');
    const mine = await world.statusNote(card.iid);
    // Another Rhythm judged the card at the same moment and posted its own status note; then
    // carol comments, and only her comment is delivered (GitLab sends none for the bot's notes).
    const twin = await world.bot.createNote(world.project, card.iid, `${status}\nthe other process`);
    await world.as.carol.createNote(world.project, card.iid, 'Count me in.');
    const next = await job(world, memory, card.iid, [
      delivery(world, card.iid, { kind: 'note', action: 'create', actor: 'carol', labels: [] }),
    ]);
    expect(next.routes).toContain('GET /projects/:id/issues/:issue_iid/notes');
    expect(next.steps.filter((s) => s.kind === 'deleteNote').map((s) => s.noteId)).toEqual([twin.id]);
    const notes = await world.botNotes(card.iid);
    expect(notes.map((n) => n.id)).toEqual([mine!.id]);
  });

  it('wakes the cards a card shared its date with when a person takes it out of the column, from memory, without listing the column', async () => {
    const world = await aWorld();
    const memory = new MapCardMemory();
    const { plan, scheduled } = world.board.labels;
    const a = await readyCard(world, 'A on a shared date');
    const b = await readyCard(world, 'B on a shared date');
    await job(world, memory, a);
    await job(world, memory, b);
    await job(world, memory, a, [delivery(world, a, { actor: 'carol', changed: ['labels'] })]); // A learns of B
    expect((await world.statusNote(a))?.body).toMatch(/same date/);

    await world.as.bob.editIssue(world.project, a, { addLabels: [plan], removeLabels: [scheduled] });
    const left = await job(world, memory, a, [
      delivery(world, a, { actor: 'bob', changed: ['labels'], labelChange: { previous: [scheduled], current: [plan] } }),
    ]);
    expect(left.routes).not.toContain('GET /projects/:id/issues');
    expect(left.steps).toContainEqual(expect.objectContaining({ kind: 'enqueue', key: issueKey(world.project, b), forgetMemory: true }));
  });

  it('ends a card moved backlog → scheduled, back to plan, then to scheduled when ready, delivered newest first, in status:scheduled with no revert', async () => {
    const world = await aWorld();
    const memory = new MapCardMemory();
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('dave', 'Out of order', fullRequest('Order.', 'dave'));
    await job(world, memory, card.iid);
    const edit = (e: Parameters<World['bot']['editIssue']>[2]) => world.as.dave.editIssue(world.project, card.iid, e);
    const move = (previous: string[], current: string[]) => ({ actor: 'dave', labelChange: { previous, current }, changed: ['labels'] });

    await edit({ addLabels: [scheduled] });
    const skipped = delivery(world, card.iid, move([], [scheduled]));
    await edit({ addLabels: [plan], removeLabels: [scheduled] });
    const back = delivery(world, card.iid, move([scheduled], [plan]));
    await edit({
      assigneeIds: [await world.userId('dave'), await world.userId('bob')],
      dueDate: world.date(9),
      description: `${fullRequest('Order.', 'dave')}\n\nModerator: @bob`,
    });
    await edit({ addLabels: [scheduled], removeLabels: [plan] });
    const ready = delivery(world, card.iid, move([plan], [scheduled]));

    const newest = await job(world, memory, card.iid, [ready]);
    expect(newest.steps.some((s) => s.kind === 'editIssue')).toBe(false);
    const older = await job(world, memory, card.iid, [back]);
    const oldest = await job(world, memory, card.iid, [skipped]);
    // The old deliveries change nothing: no write (a look at the history and the column they
    // mention at most: a clash they tell of may have to end).
    for (const late of [older, oldest]) {
      expect(late.writes).toBe(0);
      expect(late.routes.filter((r) => r.startsWith('GET /projects/:id/issues/:issue_iid/notes'))).toEqual([]);
    }
    const after = await seen(world, card.iid);
    expect(after.labels).toContain(scheduled);
    expect(after.labels).not.toContain(plan);
    expect(after.notes.join('\n')).not.toMatch(/moved the card back/);
  });

  it('changes no outcome when its memory is lost (deleted between jobs) or never kept', async () => {
    // The same people's steps in three worlds: memory kept, memory deleted before every job, no memory.
    const outcomes = [];
    const reads: Record<string, number> = {};
    for (const variant of ['kept', 'deleted', 'none'] as const) {
      reads[variant] = 0;
      const world = await aWorld();
      const memory = variant === 'none' ? null : new MapCardMemory();
      const { plan, scheduled } = world.board.labels;
      const id = (name: string) => world.userId(name);
      const card = await world.create('alice', 'Lifecycle', 'Please run a session on Duo.');
      const as = (who: Person, e: Parameters<World['bot']['editIssue']>[2]) => world.as[who].editIssue(world.project, card.iid, e);
      const step = async (event: Partial<HookEvent> = {}) => {
        if (variant === 'deleted') await memory!.clear();
        reads[variant] = (reads[variant] ?? 0) + (await job(world, memory, card.iid, [delivery(world, card.iid, event)])).reads;
      };
      await step({ action: 'open' });
      await as('alice', { description: fullRequest('Duo for CSMs.', 'alice'), addLabels: [plan] });
      await step({ changed: ['description', 'labels'], labelChange: { previous: [], current: [plan] } });
      await as('alice', { addLabels: [scheduled], removeLabels: [plan] }); // not ready: reverted
      await step({ changed: ['labels'], labelChange: { previous: [plan], current: [scheduled] } });
      await as('alice', {
        assigneeIds: [await id('alice')],
        dueDate: world.date(8),
        description: `${fullRequest('Duo for CSMs.', 'alice')}\n\nModerator: @bob`,
      });
      await step({ changed: ['description', 'due_date', 'assignees'] });
      await as('alice', { addLabels: [scheduled], removeLabels: [plan] }); // ready but for bob: assigned by the bot
      await step({ changed: ['labels'], labelChange: { previous: [plan], current: [scheduled] } });
      await world.as.carol.createNote(world.project, card.iid, 'Count me in.');
      await step({ kind: 'note', action: null });
      await as('bob', { assigneeIds: [await id('alice')] }); // bob steps back: assigned again
      await step({ changed: ['assignees'] });
      await as('alice', { dueDate: world.date(1) }); // within the reminder window
      await step({ changed: ['due_date'] });
      outcomes.push(await seen(world, card.iid));
    }
    const [kept, deleted, none] = outcomes;
    // The card went through a revert, a moderator fix (twice), the checklist and a reminder.
    expect(kept!.labels).toContain('status:scheduled');
    expect(kept!.assignees).toEqual(['alice', 'bob']);
    expect(kept!.notes).toHaveLength(3);
    expect(deleted).toEqual(kept);
    expect(none).toEqual(kept);
    // The memory cost nothing but saved calls. (With no memory at all, each post is followed by a
    // read of the notes for a racer's twin: no next job's note count can find it. A memory lost
    // between jobs still leaves the twin to the next job, which reads the notes afresh.)
    expect(reads.kept).toBeLessThan(reads.none!);
    expect(reads.deleted).toBeLessThanOrEqual(reads.none!);
  });

  it('reads the card afresh when a bot note it remembers is gone (a person deleted it): the edit answers 404, the note is posted again', async () => {
    const world = await aWorld();
    const memory = new MapCardMemory();
    const card = await world.create('alice', 'Deleted note', 'Please run a session on Duo.');
    await job(world, memory, card.iid);
    const status = await world.statusNote(card.iid);
    expect(status).toBeDefined();
    // A maintainer deletes the bot's note and comments (the note count is as the bot expects).
    await world.as.alice.createNote(world.project, card.iid, 'Tidied up the thread.');
    await fetch(`${world.sandbox.url}/api/v4/projects/${encodeURIComponent(world.project)}/issues/${card.iid}/notes/${status!.id}`, {
      method: 'DELETE',
      headers: { 'PRIVATE-TOKEN': 'sandbox-alice-token' },
    });
    // Then the request gets better, but not good enough: the note would be edited.
    await world.as.alice.editIssue(world.project, card.iid, { description: '## Topic\nDuo for CSMs.\n' });
    const redo = await job(world, memory, card.iid, [delivery(world, card.iid, { changed: ['description'] })]);
    expect(redo.routes).toContain('PUT /projects/:id/issues/:issue_iid/notes/:note_id');
    expect(redo.routes).toContain('POST /projects/:id/issues/:issue_iid/notes');
    const notes = await world.botNotes(card.iid);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('Why is this valuable');
    expect(notes[0]!.body).not.toMatch(/\*\*Topic\*\*/);
    const remembered = readMemo((await memory.get(issueKey(world.project, card.iid)))!);
    expect(remembered?.memo.notes?.bot['<!-- rhythm:status -->']?.id).toBe(notes[0]!.id);
  });

  it('forgets a card that was closed, and one GitLab no longer has', async () => {
    const world = await aWorld();
    const memory = new MapCardMemory();
    const iid = await readyCard(world, 'Done', 5);
    await job(world, memory, iid);
    const key = issueKey(world.project, iid);
    const row = await memory.get(key);
    expect(row).not.toBeNull();
    await world.as.carol.editIssue(world.project, iid, { stateEvent: 'close' });
    await job(world, memory, iid, [delivery(world, iid, { action: 'close', changed: ['state_id', 'closed_at'] })]);
    expect(await memory.get(key)).toBeNull();

    // A card deleted in GitLab: its job reads a 404, skips, and the memory forgets it.
    const gone = issueKey(world.project, 9999);
    await memory.put({ ...row!, key: gone });
    const outcome = await job(world, memory, 9999);
    expect(outcome.note).toBe('issue is gone');
    expect(await memory.get(gone)).toBeNull();
  });
});

describe('a delivered column move, confirmed by one GET and the memory (issue 13: one read per event)', () => {
  /** A world whose GitLab clock the test moves: people act a minute apart, or within one second. */
  async function clockedWorld() {
    const clock = { offset: 0, frozen: null as number | null };
    const world = await startWorld({ startService: false, sandbox: { now: () => clock.frozen ?? Date.now() + clock.offset } });
    worlds.push(world);
    return { world, clock };
  }

  /** A card with speaker and moderator assigned, in `labels`, dated or not (undated: not ready). */
  async function card(world: World, title: string, labels: string[], dated: boolean): Promise<number> {
    const made = await world.create('carol', title, `${fullRequest('Moves.', 'carol')}\n\nModerator: @dave`, labels);
    await world.as.carol.editIssue(world.project, made.iid, {
      assigneeIds: [await world.userId('carol'), await world.userId('dave')],
      ...(dated ? { dueDate: world.date(11 + (made.iid % 40)) } : {}),
    });
    return made.iid;
  }

  const move = (actor: Person, previous: string[], current: string[]): Partial<HookEvent> => ({
    actor,
    changed: ['labels'],
    labelChange: { previous, current },
  });
  const labelsOf = async (world: World, iid: number) => [...(await world.bot.getIssue(world.project, iid)).labels].sort();

  it('reverts an unready card moved into scheduled with one GET, the note first; the same writes and card as without the memory', async () => {
    const { world, clock } = await clockedWorld();
    const { plan, scheduled } = world.board.labels;
    const memory = new MapCardMemory();
    const remembered = await card(world, 'Unready, remembered', [plan], false);
    const forgotten = await card(world, 'Unready, forgotten', [plan], false);
    await job(world, memory, remembered);
    await job(world, null, forgotten);

    clock.offset += 60_000;
    const outcomes = [];
    const told: StoredDelivery[] = [];
    for (const [iid, mem] of [
      [remembered, memory],
      [forgotten, null],
    ] as const) {
      await world.as.carol.editIssue(world.project, iid, { addLabels: [scheduled], removeLabels: [plan] });
      told.push(delivery(world, iid, move('carol', [plan], [scheduled])));
      outcomes.push(await job(world, mem, iid, [told.at(-1)!]));
    }
    const [kept, none] = outcomes;
    expect(kept!.routes).toEqual([
      'GET /projects/:id/issues/:issue_iid',
      'POST /projects/:id/issues/:issue_iid/notes',
      'PUT /projects/:id/issues/:issue_iid',
    ]);
    expect(none!.routes).toContain('GET /projects/:id/issues/:issue_iid/resource_label_events');
    expect(kept!.routes.filter((r) => !r.startsWith('GET'))).toEqual(none!.routes.filter((r) => !r.startsWith('GET')));
    const [a, b] = [await seen(world, remembered), await seen(world, forgotten)];
    expect(a.labels).toEqual([plan]);
    expect(a).toEqual(b);
    expect(a.notes.join('\n')).toMatch(/back to `status:plan` because it was not ready/);
    // Recorded as judged from the card's updated_at (no label event read): "approx".
    expect((await world.statusNote(remembered))?.body).toMatch(/<!-- rhythm:judged \S+ revert approx -->/);

    // The same delivery again (GitLab may send one twice): the card is as remembered, to the
    // millisecond, so its move is in the remembered history: one GET, nothing written.
    const again = await job(world, memory, remembered, [told[0]!]);
    expect(again.routes).toEqual(['GET /projects/:id/issues/:issue_iid']);
    expect(await seen(world, remembered)).toEqual(a);
  });

  it('a person’s move into plan costs one GET, and read afresh later (memory lost, sweep --full) it is not judged again', async () => {
    const { world, clock } = await clockedWorld();
    const { plan, scheduled } = world.board.labels;
    const memory = new MapCardMemory();
    // Ready, but the request lacks a section: the status note says so and records the judgement.
    const made = await world.create('carol', 'Into plan', '## Topic\nMoves.\n\n## Speaker\n@carol\n\nModerator: @dave', [plan]);
    await world.as.carol.editIssue(world.project, made.iid, {
      assigneeIds: [await world.userId('carol'), await world.userId('dave')],
      dueDate: world.date(13),
    });
    await world.as.carol.editIssue(world.project, made.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await job(world, memory, made.iid);
    expect(await world.statusNote(made.iid)).toBeDefined();

    clock.offset += 60_000;
    await world.as.bob.editIssue(world.project, made.iid, { addLabels: [plan], removeLabels: [scheduled] });
    const told = await job(world, memory, made.iid, [delivery(world, made.iid, move('bob', [scheduled], [plan]))]);
    expect(told.reads).toBe(1);
    expect(told.routes.filter((r) => !r.startsWith('GET'))).toEqual(['PUT /projects/:id/issues/:issue_iid/notes/:note_id']);
    const note = (await world.statusNote(made.iid))!.body;
    expect(note).toMatch(/<!-- rhythm:judged \S+ approx -->/);

    // GitLab's label event for bob's move is a moment after the updated_at the judgement records:
    // the record names that move all the same, so no later reading judges it (or edits) again.
    clock.offset += 60_000;
    await memory.clear();
    const afresh = await job(world, memory, made.iid);
    expect(afresh.routes).toContain('GET /projects/:id/issues/:issue_iid/resource_label_events');
    expect(afresh.writes).toBe(0);
    const without = await job(world, null, made.iid);
    expect(without.writes).toBe(0);
    // And from the memory that reading left, a comment costs one GET and writes nothing.
    await world.as.alice.createNote(world.project, made.iid, 'Moving it back was right.');
    const comment = await job(world, memory, made.iid, [delivery(world, made.iid, { kind: 'note', action: null, labels: [] })]);
    expect(comment.reads).toBe(1);
    expect(comment.writes).toBe(0);
    expect((await world.statusNote(made.iid))!.body).toBe(note);
  });

  it('three moves within one second, only the first delivered: the card ends as GitLab’s history says, ready or not', async () => {
    const { world, clock } = await clockedWorld();
    const { plan, scheduled } = world.board.labels;
    const memory = new MapCardMemory();
    // Ready, from the backlog: straight to scheduled (skips plan), back to plan, to scheduled. A
    // history read finds the last move fine; the first delivery alone claims a skipped plan.
    const ready = await card(world, 'Ready, three moves', [], true);
    // Unready, from plan: to scheduled, out to the backlog, back to scheduled: reverted either way.
    const unready = await card(world, 'Unready, three moves', [plan], false);
    await job(world, memory, ready);
    await job(world, memory, unready);

    clock.offset += 60_000;
    const firsts: StoredDelivery[] = [];
    const within = async (iid: number, steps: Array<Parameters<World['bot']['editIssue']>[2]>, first: Partial<HookEvent>) => {
      clock.frozen = Math.floor((Date.now() + clock.offset) / 1000) * 1000 + 100;
      for (const [i, step] of steps.entries()) {
        await world.as.dave.editIssue(world.project, iid, step);
        if (i === 0) firsts.push(delivery(world, iid, first));
      }
      clock.frozen = null;
    };
    await within(
      ready,
      [{ addLabels: [scheduled] }, { addLabels: [plan], removeLabels: [scheduled] }, { addLabels: [scheduled], removeLabels: [plan] }],
      move('dave', [], [scheduled]),
    );
    await within(
      unready,
      [{ addLabels: [scheduled], removeLabels: [plan] }, { removeLabels: [scheduled] }, { addLabels: [scheduled] }],
      move('dave', [plan], [scheduled]),
    );
    clock.offset += 1_000;

    const readyJob = await job(world, memory, ready, [firsts[0]!]);
    // The claim would revert a ready card: its fix depends on where the card came from, so the
    // history is read, and its last move (from plan, ready) stands.
    expect(readyJob.routes).toContain('GET /projects/:id/issues/:issue_iid/resource_label_events');
    expect(readyJob.steps.some((s) => s.kind === 'editIssue')).toBe(false);
    expect(await labelsOf(world, ready)).toEqual([scheduled]);
    expect((await seen(world, ready)).notes.join('\n')).not.toMatch(/moved the card back/i);

    // Not ready, it goes back to plan whichever column it came from: taken from the delivery.
    const unreadyJob = await job(world, memory, unready, [firsts[1]!]);
    expect(unreadyJob.reads).toBe(1);
    expect(await labelsOf(world, unready)).toEqual([plan]);
    // Read afresh, nothing is judged again (the bot's move is the last one).
    await memory.clear();
    expect((await job(world, memory, unready)).writes).toBe(0);
    expect((await job(world, memory, ready)).writes).toBe(0);
  });

  it('two moves within one second, delivered together or the newer alone: the history is read, and its last move judged', async () => {
    const { world, clock } = await clockedWorld();
    const { plan, scheduled } = world.board.labels;
    const memory = new MapCardMemory();
    const together = await card(world, 'Two moves, delivered together', [plan], false);
    const alone = await card(world, 'Two moves, the newer alone', [plan], false);
    await job(world, memory, together);
    await job(world, memory, alone);
    clock.offset += 60_000;
    // Out to the backlog, and straight on to scheduled: the memory had plan, not the backlog.
    const twice = async (iid: number): Promise<StoredDelivery[]> => {
      clock.frozen = Math.floor((Date.now() + clock.offset) / 1000) * 1000 + 100;
      await world.as.dave.editIssue(world.project, iid, { removeLabels: [plan] });
      const first = delivery(world, iid, move('dave', [plan], []));
      await world.as.dave.editIssue(world.project, iid, { addLabels: [scheduled] });
      const second = delivery(world, iid, move('dave', [], [scheduled]));
      clock.frozen = null;
      return [first, second];
    };
    const [a1, a2] = await twice(together);
    const [, b2] = await twice(alone);
    clock.offset += 1_000;
    for (const [iid, outcome] of [
      [together, await job(world, memory, together, [a1!, a2!])],
      [alone, await job(world, memory, alone, [b2!])],
    ] as const) {
      expect(outcome.routes).toContain('GET /projects/:id/issues/:issue_iid/resource_label_events');
      expect(await labelsOf(world, iid)).toEqual([plan]);
      expect((await seen(world, iid)).notes.join('\n')).toMatch(/skipped planning/);
    }
  });

  it('a move delivered late, after a comment’s job the memory learned nothing of it from, is still judged', async () => {
    const { world, clock } = await clockedWorld();
    const { plan, scheduled } = world.board.labels;
    const memory = new MapCardMemory();
    const iid = await card(world, 'Late delivery', [plan], true);
    await world.as.carol.editIssue(world.project, iid, { addLabels: [scheduled], removeLabels: [plan] });
    await job(world, memory, iid);
    clock.offset += 60_000;
    // Dave takes the ready card out to the backlog and straight back to scheduled (it skips plan):
    // those deliveries are late; alice's comment is delivered first, and its job reads no history
    // (the card's column is the one remembered).
    await world.as.dave.editIssue(world.project, iid, { removeLabels: [scheduled] });
    clock.offset += 60_000;
    await world.as.dave.editIssue(world.project, iid, { addLabels: [scheduled] });
    const late = delivery(world, iid, move('dave', [], [scheduled]));
    clock.offset += 60_000;
    await world.as.alice.createNote(world.project, iid, 'See you there.');
    const comment = await job(world, memory, iid, [delivery(world, iid, { kind: 'note', action: null, labels: [] })]);
    expect(comment.reads).toBe(1);

    // The card is as the memory has it now, but its remembered history is older than that: the
    // late delivery's move may not be in it, so the history is read and the move judged.
    const judged = await job(world, memory, iid, [late]);
    expect(judged.routes).toContain('GET /projects/:id/issues/:issue_iid/resource_label_events');
    expect(await labelsOf(world, iid)).toEqual([plan]);
    expect((await seen(world, iid)).notes.join('\n')).toMatch(/skipped planning/);
  });

  it('takes no claim the GET or the memory does not confirm: another origin, another second, other labels, the bot’s own move', async () => {
    const { world, clock } = await clockedWorld();
    const { plan, scheduled } = world.board.labels;
    const claims: Array<Partial<HookEvent>> = [
      move('carol', [], [scheduled]), // from the backlog: not what the memory had
      { ...move('carol', [plan], [scheduled]), at: '2020-01-01 00:00:00 UTC' }, // an old delivery, another second
      { ...move('carol', [plan], [scheduled]), labels: [scheduled, 'topic::other'] }, // not the labels GitLab has
      move(BOT as Person, [plan], [scheduled]), // the bot's own
    ];
    const memory = new MapCardMemory();
    const cards = [];
    for (const [i] of claims.entries()) cards.push(await card(world, `Claim ${i}`, [plan], false));
    for (const iid of cards) await job(world, memory, iid);
    clock.offset += 60_000;
    for (const [i, claim] of claims.entries()) {
      const iid = cards[i]!;
      await world.as.carol.editIssue(world.project, iid, { addLabels: [scheduled], removeLabels: [plan] });
      const outcome = await job(world, memory, iid, [delivery(world, iid, claim)]);
      // The history is read, and carol's move from plan of an unready card is what is judged.
      expect(outcome.routes).toContain('GET /projects/:id/issues/:issue_iid/resource_label_events');
      expect(await labelsOf(world, iid)).toEqual([plan]);
      expect((await seen(world, iid)).notes.join('\n')).toMatch(/because it was not ready/);
    }
  });
});
