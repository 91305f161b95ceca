// A delivered move taken without reading the label history (delivered.ts, confirmedMove) when the
// memory keeps no history: when the card last entered the scheduled column is then unknown, and a
// card still in the column (it only left plan) must read it. Taken as "never", it would let the
// recording reminder thank a session that was never scheduled before its day (plan.ts, wasRealSession).
import { describe, expect, it } from 'vitest';
import { issueKey } from '../../src/engine/keys.js';
import type { GLabelEvent } from '../../src/gitlab/types.js';
import { aBoard, FILLED_REQUEST } from '../rules/world.js';
import { cardHarness } from './card-harness.js';
import { person } from './gitlab-issue.js';

// The transition rule off: the label history is read for the recording reminder alone.
const base = aBoard();
const board = { ...base, rules: { ...base.rules, transition: { enabled: false, mode: 'comment' as const } } };

const label = (id: number, name: string, action: 'add' | 'remove', at: string, who = 'alice'): GLabelEvent => ({
  id: id * 10 + (action === 'add' ? 1 : 2),
  action,
  created_at: at,
  label: { id, name },
  user: person(who.length, who),
});

describe('a delivered move while the memory keeps no label history', () => {
  it('a card that only leaves plan, still in scheduled, has its history read: no recording reminder for a day it was scheduled after', async () => {
    // A ready card due on the 18th, put in the scheduled column on the 19th (after its day), with plan kept too.
    const h = cardHarness(board, {
      issue: {
        description: `${FILLED_REQUEST}\n\nModerator: @bob`,
        labels: ['status:plan', 'status:scheduled'],
        due_date: '2026-11-18',
        updated_at: '2026-11-19T12:00:00.000Z',
        user_notes_count: 0,
      },
      history: [
        label(1, 'status:plan', 'add', '2026-11-10T10:00:00.000Z'),
        label(2, 'status:scheduled', 'add', '2026-11-19T12:00:00.000Z'),
      ],
    });
    const { run, memory } = h;
    const reminders = (steps: Awaited<ReturnType<typeof run>>) =>
      steps.filter((s) => s.kind === 'createNote' && s.marker.includes('reminder:recording'));

    expect(reminders(await run([]))).toEqual([]);
    // The memory keeps the card but no history (as after someone's labels came between the bot's writes).
    const row = (await memory.get(issueKey(board.project, 12)))!;
    await memory.put({ ...row, record: JSON.stringify({ ...JSON.parse(row.record), history: null }) });
    h.state.reads = 0;

    // Carol takes plan off; the delivery, the GET and the memory agree on the move.
    h.state.issue = { ...h.state.issue, labels: ['status:scheduled'], updated_at: '2026-11-20T10:05:00.400Z' };
    h.state.history = [...h.state.history, label(1, 'status:plan', 'remove', '2026-11-20T10:05:00.401Z', 'carol')];
    const steps = await run([
      {
        v: 1,
        kind: 'issue',
        project: board.project,
        iid: 12,
        actor: 'carol',
        at: '2026-11-20 10:05:00 UTC',
        action: 'update',
        labels: ['status:scheduled'],
        labelChange: { previous: ['status:plan', 'status:scheduled'], current: ['status:scheduled'] },
        changed: ['labels'],
      },
    ]);
    expect(h.state.reads).toBe(1);
    expect(reminders(steps)).toEqual([]);
  });
});
