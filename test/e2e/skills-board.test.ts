// The Skills Exchange workflow end to end: people act on the sandbox GitLab through its REST API,
// the sandbox sends real webhooks to `rhythm serve`, and the bot's notes, labels and assignees are
// read back through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullRequest, startWorld, type World } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

const plan = () => world.board.labels.plan;
const scheduled = () => world.board.labels.scheduled;

describe('the Skills Exchange board', () => {
  it('asks for the missing request sections, then says all is well in the same note', async () => {
    const issue = await world.create('alice', 'Request: GitLab Duo for CSMs', 'I would like a session on Duo.');
    await world.settle();
    const first = await world.statusNote(issue.iid);
    expect(first?.body).toMatch(/Topic/);
    expect(first?.body).toMatch(/Why is this valuable/);

    await world.as.alice.editIssue(world.project, issue.iid, { description: fullRequest('GitLab Duo in daily work.', 'alice') });
    await world.settle();
    const notes = await world.botNotes(issue.iid);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.id).toBe(first!.id);
    expect(notes[0]!.body).toMatch(/All checks pass/);
  });

  it('asks for a speaker when a card enters status:plan with no one assigned', async () => {
    const issue = await world.create('alice', 'Kubernetes agent basics', fullRequest('The agent for Kubernetes.', 'alice'), [plan()]);
    await world.settle();
    expect((await world.statusNote(issue.iid))?.body).toMatch(/No one is assigned/);

    await world.as.alice.editIssue(world.project, issue.iid, { assigneeIds: [await world.userId('alice')] });
    await world.settle();
    const notes = await world.botNotes(issue.iid);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatch(/All checks pass/);
  });

  it('explains a card scheduled without a moderator or a date; once fixed, assigns the moderator and posts the checklist once', async () => {
    const issue = await world.create('bob', 'Secure your supply chain', fullRequest('SBOMs and signing.', 'bob'), [plan()]);
    await world.as.bob.editIssue(world.project, issue.iid, { assigneeIds: [await world.userId('bob')] });
    await world.settle();
    await world.as.bob.editIssue(world.project, issue.iid, { addLabels: [scheduled()], removeLabels: [plan()] });
    await world.settle();
    const before = (await world.statusNote(issue.iid))!.body;
    expect(before).toMatch(/Moderator/);
    expect(before).toMatch(/no due date/);

    // The move itself was invalid (not ready), and transition runs in revert mode: back to plan.
    let now = await world.bot.getIssue(world.project, issue.iid);
    expect(now.labels).toContain(plan());
    expect(now.labels).not.toContain(scheduled());

    await world.as.bob.editIssue(world.project, issue.iid, {
      description: `${issue.description}\n\nModerator: @carol`,
      dueDate: world.date(14),
    });
    await world.settle();
    await world.as.bob.editIssue(world.project, issue.iid, { addLabels: [scheduled()], removeLabels: [plan()] });
    await world.settle();
    // The missing assignment is a safe fix (moderator rule in fix mode), so it no longer holds
    // the card back: it stays scheduled and the bot assigns the moderator.
    now = await world.bot.getIssue(world.project, issue.iid);
    expect(now.labels).toContain(scheduled());
    expect(now.assignees.map((a) => a.username).sort()).toEqual(['bob', 'carol']);
    const notes = await world.botNotes(issue.iid);
    expect(notes.filter((n) => n.body.includes('<!-- rhythm:status -->'))).toHaveLength(1);
    expect(notes.filter((n) => n.body.includes('<!-- rhythm:checklist -->'))).toHaveLength(1);
    const status = (await world.statusNote(issue.iid))!.body;
    expect(status).toMatch(/All checks pass/);
    expect(status).toMatch(/What I fixed myself/);

    // Another edit changes nothing the bot cares about: no new note, no second checklist.
    await world.as.bob.editIssue(world.project, issue.iid, { title: 'Secure your software supply chain' });
    await world.settle();
    expect(await world.botNotes(issue.iid)).toHaveLength(2);
  });

  it('puts a card dragged straight from the backlog to status:scheduled back in plan, and says why', async () => {
    const issue = await world.create('dave', 'Advanced CI caching', fullRequest('Caches and artifacts.', 'dave'));
    await world.settle();
    await world.as.dave.editIssue(world.project, issue.iid, { addLabels: [scheduled()] });
    await world.settle();
    const now = await world.bot.getIssue(world.project, issue.iid);
    expect(now.labels).toContain(plan());
    expect(now.labels).not.toContain(scheduled());
    const note = (await world.statusNote(issue.iid))!.body;
    expect(note).toMatch(/What I fixed myself/);
    expect(note).toMatch(/To undo/);
  });

  it('warns both sessions scheduled on the same date, and clears both when the clash ends', async () => {
    const date = world.date(30);
    const cards = [];
    for (const [title, speaker] of [
      ['Pipelines A', 'alice'],
      ['Pipelines B', 'bob'],
    ] as const) {
      const card = await world.create('carol', title, `${fullRequest(title, speaker)}\n\nModerator: @carol`, [plan()]);
      await world.as.carol.editIssue(world.project, card.iid, {
        assigneeIds: [await world.userId(speaker), await world.userId('carol')],
        dueDate: date,
      });
      await world.settle();
      await world.as.carol.editIssue(world.project, card.iid, { addLabels: [scheduled()], removeLabels: [plan()] });
      await world.settle();
      cards.push(card);
    }
    // The first card was judged before the second came to its date: it is woken and told too,
    // with no sweep (issue 12, item 15).
    await new Promise((r) => setTimeout(r, 100));
    await world.settle();
    for (const card of cards) {
      expect((await world.statusNote(card.iid))?.body).toMatch(/same date|same day/i);
    }
    // The clash ends when one moves to another date: both notes say so.
    await world.as.carol.editIssue(world.project, cards[1]!.iid, { dueDate: world.date(37) });
    await new Promise((r) => setTimeout(r, 100));
    await world.settle();
    for (const card of cards) {
      expect((await world.statusNote(card.iid))?.body).not.toMatch(/same date|same day/i);
    }
  });

  it('after the session: asks once for the recording, and not at all when the link is already there', async () => {
    const scheduledCard = async (title: string) => {
      const card = await world.create('bob', title, `${fullRequest(title, 'bob')}\n\nModerator: @carol`, [plan()]);
      await world.as.bob.editIssue(world.project, card.iid, {
        assigneeIds: [await world.userId('bob'), await world.userId('carol')],
        dueDate: world.date(5),
      });
      await world.as.bob.editIssue(world.project, card.iid, { addLabels: [scheduled()], removeLabels: [plan()] });
      return card;
    };
    const withoutLink = await scheduledCard('Runner fleets');
    const withLink = await scheduledCard('Pages deep dive');
    await world.settle();
    await world.as.carol.createNote(world.project, withLink.iid, 'Recording: https://www.youtube.com/watch?v=dQw4w9WgXcQ');
    await world.settle();
    const asks = async (iid: number) => (await world.botNotes(iid)).filter((n) => n.body.includes('rhythm:reminder:recording'));
    expect(await asks(withoutLink.iid)).toHaveLength(0);

    // A week later the sessions took place. Any event on a card makes the bot look again.
    world.clockOffsetMs = 7 * 24 * 3600_000;
    try {
      for (const card of [withoutLink, withLink]) {
        await world.as.carol.createNote(world.project, card.iid, 'Great session, thanks!');
        await world.as.carol.createNote(world.project, card.iid, 'Agreed!');
      }
      await world.settle();
      expect(await asks(withoutLink.iid)).toHaveLength(1);
      expect(await asks(withLink.iid)).toHaveLength(0);
      expect((await world.bot.getIssue(world.project, withoutLink.iid)).labels).toContain(scheduled());
      expect((await world.statusNote(withoutLink.iid))?.body).toMatch(/post the recording link/);
    } finally {
      world.clockOffsetMs = 0;
    }
  });

  it('judges a move when it happens: a later edit to a scheduled card is explained, not reverted', async () => {
    const text = `${fullRequest('Observability.', 'alice')}\n\nModerator: @carol`;
    const card = await world.create('alice', 'Observability', text, [plan()]);
    await world.as.alice.editIssue(world.project, card.iid, {
      assigneeIds: [await world.userId('alice'), await world.userId('carol')],
      dueDate: world.date(9),
    });
    await world.as.alice.editIssue(world.project, card.iid, { addLabels: [scheduled()], removeLabels: [plan()] });
    await world.settle();
    expect((await world.botNotes(card.iid)).some((n) => n.body.includes('rhythm:checklist'))).toBe(true);

    // A week on, someone deletes the Moderator line by mistake.
    await world.as.bob.editIssue(world.project, card.iid, { description: fullRequest('Observability.', 'alice') });
    await world.settle();
    expect((await world.bot.getIssue(world.project, card.iid)).labels).toContain(scheduled());
    expect((await world.statusNote(card.iid))?.body).toMatch(/no `Moderator: @username` line/);
  });

  it('ends a flapping card (labels toggled 31 times, ending in plan) with exactly one bot note', async () => {
    const issue = await world.create('alice', 'Flappy session', fullRequest('Flapping.', 'alice'));
    // It ends in plan, where it needs a note whichever of its states the bot's jobs happened to read
    // (ending in the backlog, a busy machine's worker may read it only there, and rightly post none).
    for (let i = 0; i < 31; i += 1) {
      const on = i % 2 === 0;
      await world.as.alice.editIssue(world.project, issue.iid, on ? { addLabels: [plan()] } : { removeLabels: [plan()] });
    }
    await world.settle();
    const notes = await world.botNotes(issue.iid);
    expect(notes.filter((n) => n.body.includes('<!-- rhythm:status -->'))).toHaveLength(1);
  });
});
