// GitLab writes a move's label events just after it saves the card (src/sandbox/issue-service.ts).
// A job that reads the card in between (here: the job of a description edit made just before the
// move) keeps a history "as of" the card's updated_at that lacks the move. The move's own delivery
// must still be judged: the remembered history does not end with it, so it is read again.
import { describe, expect, it } from 'vitest';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { card } from '../../src/handlers/card/index.js';
import { issueKey } from '../../src/engine/keys.js';
import type { Step } from '../../src/engine/steps.js';
import type { GIssue } from '../../src/gitlab/types.js';
import type { HookEvent } from '../../src/webhook/event.js';
import { aBoard } from '../rules/world.js';
import { cardHarness, delivery as deliveryTo, MOVED, moveEvents, planned, statusNote } from './card-harness.js';
import { person } from './gitlab-issue.js';

const board = aBoard({ transition: 'revert' });
const KEY = { kind: 'card' as const, project: board.project, iid: 12 };
const delivery = (over: Partial<HookEvent>) => deliveryTo(board.project, over);

const harness = () =>
  cardHarness(board, {
    issue: { labels: ['status:plan'], due_date: null, updated_at: '2026-11-20T10:00:01.000Z', user_notes_count: 1 },
    history: [planned],
    notes: [statusNote],
  });
const reverts = (steps: readonly Step[]) =>
  steps.filter((s) => s.kind === 'editIssue' && s.edit.removeLabels?.includes('status:scheduled'));
const wakes = (steps: readonly Step[]) => steps.filter((s) => s.kind === 'enqueue' && s.key === issueKey(board.project, 12));

describe('a label history read in the gap between GitLab saving a move and writing its label events', () => {
  it('is not remembered as complete: with the move’s webhook lost, the sweep’s job still judges the move', async () => {
    const h = harness();
    await h.run([]);
    h.state.issue = { ...h.state.issue, description: 'Moderator: @bob\n\nMore words.', labels: ['status:scheduled'], updated_at: MOVED };
    // The job reads the card in the gap: it wakes the card again shortly, once.
    expect(wakes(await h.run([delivery({ changed: ['description'] })]))).toHaveLength(1);
    expect(wakes(await h.run([]))).toHaveLength(0);
    // The label events are written now; the move's delivery never comes (a dropped webhook).
    h.state.history = [planned, ...moveEvents];
    const steps = await h.run([]);
    expect(reverts(steps)).toHaveLength(1);
    expect(wakes(steps)).toHaveLength(0);
  });

  it('is a lag only while the card changed recently: an old card whose history never leads to its column wakes nothing', async () => {
    const h = harness();
    await h.run([]);
    // Scheduled a day ago with no label event for it (an import): complete as far as GitLab goes.
    h.state.issue = { ...h.state.issue, labels: ['status:scheduled'], updated_at: '2026-11-19T10:05:00.000Z' };
    expect(wakes(await h.run([delivery({ changed: ['description'] })]))).toHaveLength(0);
    const reads = h.state.reads;
    await h.run([delivery({ changed: ['title'] })]);
    expect(h.state.reads).toBe(reads);
  });

  it('does not hide a person’s move back in the same second as the bot’s revert: that move’s delivery is judged', async () => {
    const h = harness();
    await h.run([]);
    // Carol moves plan -> scheduled at 10:05:00.400; the bot's job reverts it at 10:05:00.600.
    h.state.issue = { ...h.state.issue, labels: ['status:scheduled'], updated_at: MOVED };
    h.state.history = [planned, ...moveEvents];
    const first = await h.run([
      delivery({ changed: ['labels'], labelChange: { previous: ['status:plan'], current: ['status:scheduled'] } }),
    ]);
    const revert = reverts(first)[0];
    expect(revert).toBeDefined();
    // Make remember() take the bot's revert as GitLab answered it.
    const BOT_AT = '2026-11-20T10:05:00.600Z';
    const answered: GIssue = { ...h.state.issue, labels: ['status:plan'], updated_at: BOT_AT };
    // Re-run remember with the write applied: redo the job with the applied edit.
    h.state.issue = { ...h.state.issue };
    const memoBefore = await h.memory.get(issueKey(board.project, 12));
    expect(memoBefore).toBeDefined();
    // Simulate: the job's load again (same GET), its edit answered.
    const loaded = await card.load(
      KEY,
      [delivery({ changed: ['labels'], labelChange: { previous: ['status:plan'], current: ['status:scheduled'] } })],
      { ...h.ctx, columns: new ColumnCache() },
    );
    if ('skip' in loaded) throw new Error(loaded.skip);
    const steps = card.decide(loaded.state).steps;
    const edit = steps.find((s) => s.kind === 'editIssue')!;
    const upd = card.remember!(loaded.state, {
      applied: [{ step: edit, sent: true, issue: answered }],
      writes: 1,
      dryRunWrites: 0,
    } as never);
    if (upd && 'put' in upd) await h.memory.put(upd.put);
    h.state.history = [
      ...h.state.history,
      {
        id: 4,
        action: 'add',
        created_at: '2026-11-20T10:05:00.601Z',
        label: { id: 1, name: 'status:plan' },
        user: person(9, 'rhythm-bot'),
      },
      {
        id: 5,
        action: 'remove',
        created_at: '2026-11-20T10:05:00.601Z',
        label: { id: 2, name: 'status:scheduled' },
        user: person(9, 'rhythm-bot'),
      },
    ];
    // Carol drags it back to scheduled at 10:05:00.900 (same second); a job (a peer's wake, a note)
    // reads the card before GitLab writes that move's label events.
    const AGAIN = '2026-11-20T10:05:00.900Z';
    h.state.issue = { ...answered, labels: ['status:scheduled'], updated_at: AGAIN };
    await h.run([]);
    // The label events are there now; the move's delivery comes.
    h.state.history = [
      ...h.state.history,
      {
        id: 6,
        action: 'add',
        created_at: '2026-11-20T10:05:00.901Z',
        label: { id: 2, name: 'status:scheduled' },
        user: person(3, 'carol'),
      },
      { id: 7, action: 'remove', created_at: '2026-11-20T10:05:00.901Z', label: { id: 1, name: 'status:plan' }, user: person(3, 'carol') },
    ];
    const reads = h.state.reads;
    const last = await h.run([
      delivery({ changed: ['labels'], labelChange: { previous: ['status:plan'], current: ['status:scheduled'] } }),
    ]);
    expect(h.state.reads).toBeGreaterThan(reads);
    expect(reverts(last)).toHaveLength(1);
  });
});
