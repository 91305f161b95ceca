// GitLab writes a move's label events just after it saves the card (src/sandbox/issue-service.ts).
// A job that reads the card in between (here: the job of a description edit made just before the
// move) keeps a history "as of" the card's updated_at that lacks the move. The move's own delivery
// must still be judged: the remembered history does not end with it, so it is read again.
import { describe, expect, it } from 'vitest';
import { aBoard } from '../rules/world.js';
import { cardHarness, delivery, MOVED, moveEvents, planned, statusNote } from './card-harness.js';

const board = aBoard({ transition: 'revert' });

describe('a move whose label events GitLab had not written yet when a job read the card', () => {
  it('an unready card moved into scheduled goes back to plan when the move’s delivery comes', async () => {
    // Unready: no date.
    const h = cardHarness(board, {
      issue: { labels: ['status:plan'], due_date: null, updated_at: '2026-11-20T10:00:01.000Z', user_notes_count: 1 },
      history: [planned],
      notes: [statusNote],
    });
    await h.run([]); // the card as the bot knows it: in plan

    // Carol edits the description, then moves the card; the edit's job reads the card after the
    // move was saved and before its label events were written.
    h.state.issue = { ...h.state.issue, description: 'Moderator: @bob\n\nMore words.', labels: ['status:scheduled'], updated_at: MOVED };
    await h.run([delivery(board.project, { changed: ['description'] })]);

    // The move's delivery; the label events are there now.
    h.state.history = [planned, ...moveEvents];
    const steps = await h.run([
      delivery(board.project, { changed: ['labels'], labelChange: { previous: ['status:plan'], current: ['status:scheduled'] } }),
    ]);
    const revert = steps.find((s) => s.kind === 'editIssue' && s.edit.removeLabels?.includes('status:scheduled'));
    expect(revert).toBeDefined();
  });
});
