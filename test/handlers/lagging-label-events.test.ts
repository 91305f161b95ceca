// GitLab writes a move's label events just after it saves the card (src/sandbox/issue-service.ts).
// A job that reads the card in between (here: the job of a description edit made just before the
// move) keeps a history "as of" the card's updated_at that lacks the move. The move's own delivery
// must still be judged: the remembered history does not end with it, so it is read again.
import { describe, expect, it } from 'vitest';
import { ColumnCache } from '../../src/engine/column-cache.js';
import type { LoadContext } from '../../src/engine/handler.js';
import { card } from '../../src/handlers/card/index.js';
import type { Door, GIssue, GLabelEvent, GNote } from '../../src/gitlab/types.js';
import { MapCardMemory } from '../../src/queue/card-memory.js';
import type { HookEvent } from '../../src/webhook/event.js';
import { aBoard } from '../rules/world.js';
import { configWithBoard, recordingLog } from '../support/run-key.js';
import { anIssue as baseIssue, person } from './gitlab-issue.js';

const board = aBoard({ transition: 'revert' });
const KEY = { kind: 'card' as const, project: board.project, iid: 12 };

const statusNote: GNote = {
  id: 77,
  body: '<!-- rhythm:status -->\nSomething to say.',
  author: person(9, 'rhythm-bot'),
  system: false,
  created_at: '2026-11-20T10:00:00.000Z',
  updated_at: '2026-11-20T10:00:00.000Z',
};
const planned: GLabelEvent = {
  id: 1,
  action: 'add',
  created_at: '2026-11-19T10:00:00.000Z',
  label: { id: 1, name: 'status:plan' },
  user: person(1, 'alice'),
};
/** Carol's move into scheduled: the card saved at MOVED, its label events a millisecond later. */
const MOVED = '2026-11-20T10:05:00.400Z';
const moveEvents: GLabelEvent[] = [
  { id: 2, action: 'add', created_at: '2026-11-20T10:05:00.401Z', label: { id: 2, name: 'status:scheduled' }, user: person(3, 'carol') },
  { id: 3, action: 'remove', created_at: '2026-11-20T10:05:00.401Z', label: { id: 1, name: 'status:plan' }, user: person(3, 'carol') },
];

const delivery = (over: Partial<HookEvent>): HookEvent => ({
  v: 1,
  kind: 'issue',
  project: board.project,
  iid: 12,
  actor: 'carol',
  at: '2026-11-20 10:05:00 UTC',
  action: 'update',
  labels: ['status:scheduled'],
  labelChange: null,
  changed: [],
  ...over,
});

describe('a move whose label events GitLab had not written yet when a job read the card', () => {
  it('an unready card moved into scheduled goes back to plan when the move’s delivery comes', async () => {
    const memory = new MapCardMemory();
    // Unready: no date.
    let issue: GIssue = baseIssue({ labels: ['status:plan'], due_date: null, updated_at: '2026-11-20T10:00:01.000Z', user_notes_count: 1 });
    let history: GLabelEvent[] = [planned];
    const door = {
      getIssue: async () => issue,
      listNotes: async () => [statusNote],
      labelEvents: async () => history,
      findUser: async (username: string) => person(username.length, username),
      listIssues: async () => [],
    } as Partial<Door> as Door;
    const ctx: LoadContext = {
      gitlab: door,
      config: configWithBoard(board.project, board),
      configDir: '.',
      now: new Date('2026-11-20T10:05:02Z'),
      log: recordingLog(),
      columns: new ColumnCache(),
      listings: new Map(),
      memory,
    };
    const run = async (events: HookEvent[]) => {
      const loaded = await card.load(KEY, events, { ...ctx, columns: new ColumnCache() });
      if ('skip' in loaded) throw new Error(loaded.skip);
      const decided = card.decide(loaded.state);
      const update = card.remember!(loaded.state, { applied: [], writes: 0, dryRunWrites: 0 });
      if (update && 'put' in update) await memory.put(update.put);
      return decided.steps;
    };

    await run([]); // the card as the bot knows it: in plan

    // Carol edits the description, then moves the card; the edit's job reads the card after the
    // move was saved and before its label events were written.
    issue = { ...issue, description: 'Moderator: @bob\n\nMore words.', labels: ['status:scheduled'], updated_at: MOVED };
    await run([delivery({ changed: ['description'] })]);

    // The move's delivery; the label events are there now.
    history = [planned, ...moveEvents];
    const steps = await run([delivery({ changed: ['labels'], labelChange: { previous: ['status:plan'], current: ['status:scheduled'] } })]);
    const revert = steps.find((s) => s.kind === 'editIssue' && s.edit.removeLabels?.includes('status:scheduled'));
    expect(revert).toBeDefined();
  });
});
