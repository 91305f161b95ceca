// The bot quotes people's words in its notes. GitLab runs quick actions in notes the API posts,
// with the bot's permissions, so quoted text must never be able to close, relabel or mention.
// The control case posts the same text unquoted and shows the sandbox (like GitLab) acting on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteUserText } from '../../src/comments/index.js';
import { fullRequest, startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  // Transition in comment mode: the card stays scheduled, so the moderator finding (which quotes
  // the person's Moderator line) is in the note.
  world = await startWorld({
    configure: (c) => ({
      ...c,
      boards: c.boards.map((b) =>
        b.kind === 'skills-exchange' ? { ...b, rules: { ...b.rules, transition: { ...b.rules.transition, mode: 'comment' } } } : b,
      ),
    }),
  });
});
afterAll(async () => {
  await world?.close();
});

// GitLab's quick-action extractor skips text after an unclosed fence, so the control text has none.
const hostile = ['/close', '/label ~x', '@all please look', '/assign @dave'].join('\n');
const hostileWithBreakouts = `${hostile}\n> /reopen\n>>>\n/label ~x\n\`\`\``;

describe('quoting user text in bot notes', () => {
  it('control: the same text posted unquoted closes and assigns', async () => {
    const issue = await world.create('alice', 'Control', 'Nothing to see.');
    await world.as.alice.editIssue(world.project, issue.iid, { addLabels: ['x'] });
    await world.as.alice.editIssue(world.project, issue.iid, { removeLabels: ['x'] });
    await world.bot.createNote(world.project, issue.iid, `Raw text follows:\n${hostile}`);
    const after = await world.bot.getIssue(world.project, issue.iid);
    expect(after.state).toBe('closed');
    expect(after.assignees.map((a) => a.username)).toEqual(['dave']);
    expect(after.labels).toContain('x');
  });

  it('quoted, the same text leaves the issue untouched and mentions no one', async () => {
    const issue = await world.create('alice', 'Quoted', 'Nothing to see.');
    const note = await world.bot.createNote(
      world.project,
      issue.iid,
      `You wrote:\n\n${quoteUserText(hostileWithBreakouts)}\n\nThat was all.`,
    );
    const after = await world.bot.getIssue(world.project, issue.iid);
    expect(after.state).toBe('opened');
    expect(after.labels).not.toContain('x');
    expect(after.assignees).toHaveLength(0);
    expect(note?.body).toBeTruthy();
    expect(note.body).not.toMatch(/(^|\s)@all\b/);
    expect(note.body.split('\n').some((line) => line.startsWith('/'))).toBe(false);
  });

  it('a hostile Moderator line is quoted in the status note without acting or mentioning', async () => {
    const { plan, scheduled } = world.board.labels;
    const issue = await world.create('alice', 'Hostile line', `${fullRequest('Quoting.', 'alice')}\n\nModerator: @all /close ~x`, [plan]);
    await world.as.alice.editIssue(world.project, issue.iid, {
      assigneeIds: [await world.userId('alice')],
      dueDate: world.date(20),
    });
    await world.as.alice.editIssue(world.project, issue.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    const note = (await world.statusNote(issue.iid))!.body;
    expect(note).toMatch(/Moderator/);
    expect(note).toMatch(/^\s*>/m); // the line is quoted
    expect(note).not.toMatch(/(^|[\s(])@all\b/);
    const after = await world.bot.getIssue(world.project, issue.iid);
    expect(after.state).toBe('opened');
  });
});
