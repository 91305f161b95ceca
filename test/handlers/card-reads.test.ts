// What a card reads when the bot remembers it (issue 13): the issue, and beyond it only what the
// decision needs again. A door that answers from memory counts what it was asked.
import { describe, expect, it } from 'vitest';
import { ColumnCache } from '../../src/engine/column-cache.js';
import type { LoadContext } from '../../src/engine/handler.js';
import { issueKey } from '../../src/engine/keys.js';
import { card } from '../../src/handlers/card/index.js';
import type { Door, GIssue, GLabelEvent, GNote } from '../../src/gitlab/types.js';
import { MapCardMemory } from '../../src/queue/card-memory.js';
import type { HookEvent } from '../../src/webhook/event.js';
import { aBoard } from '../rules/world.js';
import { configWithBoard, recordingLog } from '../support/run-key.js';
import { anIssue as baseIssue, person } from './gitlab-issue.js';

const board = aBoard();
const KEY = { kind: 'card' as const, project: board.project, iid: 12 };

/** The shared card, as remembered at its last decision (with its note count). */
const anIssue = (over: Partial<GIssue> = {}): GIssue =>
  baseIssue({ created_at: '2026-11-01T00:00:00.000Z', updated_at: '2026-11-20T10:00:01.000Z', user_notes_count: 1, ...over });

const statusNote: GNote = {
  id: 77,
  body: '<!-- rhythm:status -->\nSomething to say.',
  author: person(9, 'rhythm-bot'),
  system: false,
  created_at: '2026-11-20T10:00:00.000Z',
  updated_at: '2026-11-20T10:00:00.000Z',
};

const history: GLabelEvent[] = [
  { id: 1, action: 'add', created_at: '2026-11-19T10:00:00.000Z', label: { id: 1, name: 'status:plan' }, user: person(1, 'alice') },
  { id: 2, action: 'add', created_at: '2026-11-20T10:00:00.000Z', label: { id: 2, name: 'status:scheduled' }, user: person(1, 'alice') },
  { id: 3, action: 'remove', created_at: '2026-11-20T10:00:00.000Z', label: { id: 1, name: 'status:plan' }, user: person(1, 'alice') },
];

/** Runs the card's load (and remembers what it read) against a door answering `issue`. */
function bench() {
  const memory = new MapCardMemory();
  let issue = anIssue();
  const asked: string[] = [];
  const door = {
    async getIssue() {
      asked.push('getIssue');
      return issue;
    },
    async listNotes() {
      asked.push('listNotes');
      return [statusNote];
    },
    async labelEvents() {
      asked.push('labelEvents');
      return history;
    },
    async findUser(username: string) {
      asked.push(`findUser:${username}`);
      return person(username.length, username);
    },
    async listIssues() {
      asked.push('listIssues');
      return [];
    },
  } as Partial<Door> as Door;
  const ctx: LoadContext = {
    gitlab: door,
    config: configWithBoard(board.project, board),
    configDir: '.',
    now: new Date('2026-12-01T12:00:00Z'),
    log: recordingLog(),
    columns: new ColumnCache(),
    listings: new Map(),
    memory,
  };
  return {
    memory,
    set(over: Partial<GIssue>) {
      issue = anIssue(over);
    },
    /** One job's reads: load, decide, remember (nothing is written: the door has no writes). */
    async run(events: HookEvent[] = []): Promise<string[]> {
      asked.length = 0;
      const loaded = await card.load(KEY, events, { ...ctx, columns: new ColumnCache() });
      if ('skip' in loaded) throw new Error(loaded.skip);
      card.decide(loaded.state);
      const update = card.remember!(loaded.state, { applied: [], writes: 0, dryRunWrites: 0 });
      if (update && 'put' in update) await memory.put(update.put);
      return [...asked];
    },
  };
}

const delivery = (over: Partial<HookEvent>): HookEvent => ({
  v: 1,
  kind: 'issue',
  project: board.project,
  iid: 12,
  actor: 'alice',
  at: '2026-11-20 10:00:05 UTC',
  action: 'update',
  labels: ['status:scheduled'],
  labelChange: null,
  changed: [],
  ...over,
});

describe('a remembered card reads', () => {
  it('everything the first time, then only the issue while it is the card remembered', async () => {
    const b = bench();
    expect(await b.run()).toEqual(['getIssue', 'listNotes', 'labelEvents', 'findUser:bob', 'listIssues']);
    expect(await b.memory.get(issueKey(board.project, 12))).not.toBeNull();
    expect(await b.run([delivery({ changed: ['title'] })])).toEqual(['getIssue']);
    // A comment: the card's updated_at and note count moved, nothing the decision reads.
    b.set({ updated_at: '2026-11-21T09:00:00.000Z', user_notes_count: 2 });
    expect(await b.run([delivery({ kind: 'note', action: 'create', noteId: 80, changed: [], labels: [] })])).toEqual(['getIssue']);
  });

  it('the notes again when one of the bot’s own notes was edited by someone, or a note is gone', async () => {
    const b = bench();
    await b.run();
    b.set({ updated_at: '2026-11-21T09:00:00.000Z' });
    expect(await b.run([delivery({ kind: 'note', action: 'update', noteId: statusNote.id, actor: 'carol', labels: [] })])).toEqual([
      'getIssue',
      'listNotes',
    ]);
    b.set({ updated_at: '2026-11-22T09:00:00.000Z', user_notes_count: 0 });
    expect(await b.run([delivery({ changed: ['title'] })])).toEqual(['getIssue', 'listNotes']);
  });

  it('the label history when the column differs from the one remembered, or a delivery tells of a move it lacks', async () => {
    const b = bench();
    await b.run();
    b.set({ updated_at: '2026-11-22T09:00:00.000Z', labels: ['status:plan'] });
    expect(await b.run([delivery({ changed: ['title'], labels: ['status:plan'] })])).toContain('labelEvents');
    b.set({ updated_at: '2026-11-23T09:00:00.000Z', labels: ['status:plan'] });
    const move = delivery({
      at: '2026-11-23 09:00:00 UTC',
      labels: ['status:plan'],
      labelChange: { previous: ['status:scheduled'], current: ['status:plan'] },
    });
    expect(await b.run([move])).toContain('labelEvents');
    // The same delivery again, older than the history read: no history (only the column, where
    // the clash a card leaving it may end is looked for).
    b.set({ updated_at: '2026-11-24T09:00:00.000Z', labels: ['status:plan'] });
    expect(await b.run([{ ...move, at: '2026-11-23 08:00:00 UTC' }])).toEqual(['getIssue', 'listIssues']);
  });

  it('the notes and the history when the card changed and no delivery says how (the sweep)', async () => {
    const b = bench();
    await b.run();
    b.set({ updated_at: '2026-11-22T09:00:00.000Z' });
    expect(await b.run()).toEqual(['getIssue', 'listNotes', 'labelEvents', 'listIssues']);
  });

  it('a user only for a name it does not know, and the column only when the date moved', async () => {
    const b = bench();
    await b.run();
    b.set({ updated_at: '2026-11-22T09:00:00.000Z', description: 'Moderator: @carol' });
    expect(await b.run([delivery({ changed: ['description'] })])).toEqual(['getIssue', 'findUser:carol']);
    b.set({ updated_at: '2026-11-23T09:00:00.000Z', description: 'Moderator: @carol', due_date: '2026-12-19' });
    expect(await b.run([delivery({ changed: ['due_date'], previousDueDate: '2026-12-12' })])).toEqual(['getIssue', 'listIssues']);
  });
});
