// The card handler run job after job against a GitLab held in memory (its issue, notes and label
// history, swapped by the test between jobs) and one card memory, the way the worker runs it:
// load, decide, remember. For races too narrow for the sandbox to stage over HTTP (what a job
// reads in the milliseconds between GitLab saving a move and writing its label events).
import { ColumnCache } from '../../src/engine/column-cache.js';
import type { LoadContext } from '../../src/engine/handler.js';
import type { Step } from '../../src/engine/steps.js';
import { card } from '../../src/handlers/card/index.js';
import type { Door, GIssue, GLabelEvent, GNote } from '../../src/gitlab/types.js';
import { MapCardMemory } from '../../src/queue/card-memory.js';
import type { SkillsExchangeBoard } from '../../src/config/types.js';
import type { HookEvent } from '../../src/webhook/event.js';
import { configWithBoard, recordingLog } from '../support/run-key.js';
import { anIssue, person } from './gitlab-issue.js';

export interface CardWorld {
  issue: GIssue;
  history: GLabelEvent[];
  notes: GNote[];
  /** Label-history reads so far. */
  reads: number;
}

export function cardHarness(
  board: SkillsExchangeBoard,
  start: { issue: Partial<GIssue>; history?: GLabelEvent[]; notes?: GNote[]; now?: string },
) {
  const memory = new MapCardMemory();
  const state: CardWorld = { issue: anIssue(start.issue), history: start.history ?? [], notes: start.notes ?? [], reads: 0 };
  const door = {
    getIssue: async () => state.issue,
    listNotes: async () => state.notes,
    labelEvents: async () => {
      state.reads += 1;
      return state.history;
    },
    findUser: async (username: string) => person(username.length, username),
    listIssues: async () => [],
  } as Partial<Door> as Door;
  const ctx: LoadContext = {
    gitlab: door,
    config: configWithBoard(board.project, board),
    configDir: '.',
    now: new Date(start.now ?? '2026-11-20T10:05:02Z'),
    log: recordingLog(),
    columns: new ColumnCache(),
    listings: new Map(),
    memory,
  };
  const key = { kind: 'card' as const, project: board.project, iid: state.issue.iid };
  /** One job: its steps. `applied`: what the executor would report back (the writes GitLab answered). */
  const run = async (events: HookEvent[], applied: unknown[] = []): Promise<Step[]> => {
    const loaded = await card.load(key, events, { ...ctx, columns: new ColumnCache() });
    if ('skip' in loaded) throw new Error(loaded.skip);
    const decided = card.decide(loaded.state);
    const update = card.remember!(loaded.state, { applied, writes: applied.length, dryRunWrites: 0 } as never);
    if (update && 'put' in update) await memory.put(update.put);
    return decided.steps;
  };
  return { state, run, memory, ctx, key };
}

/** An issue hook delivery for card 12 by carol at 10:05:00 (GitLab's hook time: whole seconds). */
export const delivery = (project: string, over: Partial<HookEvent>): HookEvent => ({
  v: 1,
  kind: 'issue',
  project,
  iid: 12,
  actor: 'carol',
  at: '2026-11-20 10:05:00 UTC',
  action: 'update',
  labels: ['status:scheduled'],
  labelChange: null,
  changed: [],
  ...over,
});

/** The bot's status note on the card. */
export const statusNote: GNote = {
  id: 77,
  body: '<!-- rhythm:status -->\nSomething to say.',
  author: person(9, 'rhythm-bot'),
  system: false,
  created_at: '2026-11-20T10:00:00.000Z',
  updated_at: '2026-11-20T10:00:00.000Z',
};

/** Alice put the card in plan the day before. */
export const planned: GLabelEvent = {
  id: 1,
  action: 'add',
  created_at: '2026-11-19T10:00:00.000Z',
  label: { id: 1, name: 'status:plan' },
  user: person(1, 'alice'),
};

/** Carol's move into scheduled: the card saved at MOVED, its label events a millisecond later. */
export const MOVED = '2026-11-20T10:05:00.400Z';
export const moveEvents: GLabelEvent[] = [
  { id: 2, action: 'add', created_at: '2026-11-20T10:05:00.401Z', label: { id: 2, name: 'status:scheduled' }, user: person(3, 'carol') },
  { id: 3, action: 'remove', created_at: '2026-11-20T10:05:00.401Z', label: { id: 1, name: 'status:plan' }, user: person(3, 'carol') },
];
