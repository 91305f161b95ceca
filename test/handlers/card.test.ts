// The card handler's two parts: load reads only what the enabled rules ask for; decide judges
// the card, and judges it again as it will be after the bot's own fixes (no callback).
import { describe, expect, it } from 'vitest';
import type { SkillsExchangeBoard } from '../../src/config/types.js';
import { ColumnCache } from '../../src/engine/column-cache.js';
import type { LoadContext } from '../../src/engine/handler.js';
import { card, type CardState } from '../../src/handlers/card/index.js';
import type { Door, GIssue, GLabelEvent } from '../../src/gitlab/types.js';
import { aBoard, aCard } from '../rules/world.js';
import { configWithBoard, recordingLog } from '../support/run-key.js';
import { pathologicalShapes } from '../../src/markdown/pathological.js';
import type { HookEvent } from '../../src/webhook/event.js';
import { anIssue, person } from './gitlab-issue.js';

/** A door that answers from memory and counts what it was asked. */
function fakeGitLab(issue: GIssue, labelEvents: GLabelEvent[] = []) {
  const asked: string[] = [];
  const door = {
    async getIssue() {
      asked.push('getIssue');
      return issue;
    },
    async listNotes() {
      asked.push('listNotes');
      return [];
    },
    async labelEvents() {
      asked.push('labelEvents');
      return labelEvents;
    },
    async findUser(username: string) {
      asked.push(`findUser:${username}`);
      return person(2, username);
    },
    async listIssues() {
      asked.push('listIssues');
      return [];
    },
  } as Partial<Door>;
  return { door: door as Door, asked };
}

function loadWith(board: SkillsExchangeBoard, issue: GIssue, events: HookEvent[] = [], history: GLabelEvent[] = []) {
  const gitlab = fakeGitLab(issue, history);
  const ctx: LoadContext = {
    gitlab: gitlab.door,
    config: configWithBoard(board.project, board),
    configDir: '.',
    now: new Date('2026-12-01T12:00:00Z'),
    log: recordingLog(),
    columns: new ColumnCache(),
    listings: new Map(),
  };
  return { run: () => card.load({ kind: 'card', project: board.project, iid: issue.iid }, events, ctx), asked: gitlab.asked };
}

const off = { enabled: false, mode: 'comment' as const };

describe('the card handler reads what the enabled rules need, and nothing else', () => {
  it('a scheduled card with every rule on: label history, the moderator, the column', async () => {
    const { run, asked } = loadWith(aBoard(), anIssue());
    await run();
    expect(asked).toEqual(['getIssue', 'listNotes', 'labelEvents', 'findUser:bob', 'listIssues']);
  });

  it('the same card with transition, moderator and conflict off: the issue and its notes', async () => {
    const board = aBoard();
    const { run, asked } = loadWith({ ...board, rules: { ...board.rules, transition: off, moderator: off, conflict: off } }, anIssue());
    await run();
    expect(asked).toEqual(['getIssue', 'listNotes']);
  });

  const labelEvent = (previous: string[], current: string[], at: string): HookEvent => ({
    v: 1,
    kind: 'issue',
    project: aBoard().project,
    iid: 12,
    actor: 'alice',
    at,
    action: 'update',
    labels: current,
    labelChange: { previous, current },
    changed: ['labels'],
  });

  const added = (id: number, label: string, by: string, at: string): GLabelEvent => ({
    id,
    action: 'add',
    created_at: at,
    label: { id, name: label },
    user: person(id, by),
  });

  it('a delivery that claims a move is not evidence: the move judged is the one in GitLab\u2019s history', async () => {
    // The payload says mallory dragged it from the backlog; GitLab says alice planned it, then scheduled it.
    const claim = { ...labelEvent([], ['status:scheduled'], '2026-12-01T11:00:00Z'), actor: 'mallory' };
    const history = [
      added(1, 'status:plan', 'alice', '2026-11-20T10:00:00Z'),
      { ...added(2, 'status:scheduled', 'alice', '2026-11-21T10:00:00Z') },
    ];
    const removed: GLabelEvent = { ...added(3, 'status:plan', 'alice', '2026-11-21T10:00:00Z'), action: 'remove' };
    const { run, asked } = loadWith(aBoard(), anIssue(), [claim], [...history, removed]);
    const loaded = await run();
    expect(asked).toContain('labelEvents');
    expect('state' in loaded && loaded.state.lastMove).toMatchObject({
      previous: ['status:plan'],
      current: ['status:scheduled'],
      by: 'alice',
      at: '2026-11-21T10:00:00Z',
    });
  });

  it('a delivered label change that moves no column: the history still decides, and says nothing moved', async () => {
    const topic = labelEvent(['status:scheduled'], ['status:scheduled', 'topic::ci'], '2026-12-01T11:00:00Z');
    const { run, asked } = loadWith(aBoard(), anIssue(), [topic]);
    const loaded = await run();
    expect(asked).toContain('labelEvents');
    expect('state' in loaded && loaded.state.lastMove).toBeFalsy();
  });

  it('a backlog card: no move to judge and no column to compare with', async () => {
    const { run, asked } = loadWith(aBoard(), anIssue({ labels: [], due_date: null }));
    await run();
    expect(asked).toEqual(['getIssue', 'listNotes', 'findUser:bob']);
  });
});

describe('deciding a card', () => {
  const state = (over: Partial<CardState> = {}): CardState => ({
    board: aBoard({ moderator: 'fix', transition: 'revert' }),
    botUsername: 'rhythm-bot',
    timezone: 'UTC',
    now: new Date('2026-03-01T12:00:00Z'),
    // bob is named and known but not assigned: the bot may assign him.
    issue: aCard({ assignees: ['alice'] }),
    assigneeIds: { alice: 1 },
    notes: [],
    users: { bob: { id: 2, username: 'bob' } },
    scheduledPeers: [],
    lastMove: { previous: ['status:plan'], current: ['status:scheduled'], by: 'alice', at: '2026-03-01T11:59:00Z' },
    judgement: { at: '2026-03-01T11:59:00Z', revert: false },
    judgedNow: true,
    events: [],
    ...over,
  });

  it('a move that the bot\u2019s own fix makes ready is not reverted, and the note tells the card as it will be', () => {
    const decision = card.decide(state());
    expect(decision.steps.map((s) => s.kind)).toEqual(['editIssue', 'createNote', 'createNote']);
    const [edit, note] = decision.steps;
    expect(edit).toMatchObject({ kind: 'editIssue', addAssignees: [2] });
    const body = note && 'body' in note ? note.body : '';
    // Judged again after the fix: nothing left to fix, so no "not assigned" and no revert.
    expect(body).toContain('All checks pass');
    expect(body).not.toContain('not assigned');
    expect(body).toContain('Assigned the moderator');
  });

  it('a card in the column whose date changed wakes the column (debounced); an edit elsewhere does not', () => {
    const dated: HookEvent = {
      v: 1,
      kind: 'issue',
      project: 'gitlab-com/sales-team/cs-skills-exchange',
      iid: 12,
      actor: 'alice',
      at: '2026-03-01T11:00:00Z',
      action: 'update',
      labels: ['status:scheduled'],
      labelChange: null,
      changed: ['due_date'],
    };
    const ready = { issue: aCard(), assigneeIds: { alice: 1, bob: 2 }, lastMove: undefined };
    const wakes = (events: HookEvent[]) => card.decide(state({ ...ready, events })).steps.filter((s) => s.kind === 'enqueue');
    expect(wakes([dated])).toEqual([
      { kind: 'enqueue', key: 'column:gitlab-com/sales-team/cs-skills-exchange:status:scheduled', delayMs: 2000 },
    ]);
    expect(wakes([{ ...dated, changed: ['title'] }])).toEqual([]);
    expect(wakes([{ ...dated, labels: ['status:plan'] }])).toEqual([]);
  });

  it('a move that is not ready is reverted, and the note explains the bot\u2019s move', () => {
    const decision = card.decide(state({ issue: aCard({ assignees: ['alice'], dueDate: null }) }));
    const edit = decision.steps.find((s) => s.kind === 'editIssue');
    expect(edit).toMatchObject({ edit: { addLabels: ['status:plan'], removeLabels: ['status:scheduled'] } });
    const note = decision.steps.find((s) => s.kind === 'createNote');
    expect(note && 'body' in note ? note.body : '').toContain('Before the card goes to `status:scheduled` again, it needs all of this:');
    // The column lost a card: it gets a pass.
    expect(decision.steps.at(-1)).toEqual({
      kind: 'enqueue',
      key: 'column:gitlab-com/sales-team/cs-skills-exchange:status:scheduled',
      delayMs: 2000,
    });
  });
});

describe('deciding a card whose description is a megabyte of the worst shapes', () => {
  it('judges, plans and renders the note for each, in linear time', () => {
    for (const [name, description] of Object.entries(pathologicalShapes(1_000_000))) {
      const started = performance.now();
      const decision = card.decide({
        board: aBoard({ moderator: 'fix', transition: 'revert' }),
        botUsername: 'rhythm-bot',
        timezone: 'UTC',
        now: new Date('2026-03-01T12:00:00Z'),
        issue: aCard({ description, assignees: ['alice'] }),
        assigneeIds: { alice: 1 },
        notes: [],
        users: {},
        scheduledPeers: [],
        lastMove: { previous: ['status:plan'], current: ['status:scheduled'], by: 'alice', at: '2026-03-01T11:59:00Z' },
        judgement: { at: '2026-03-01T11:59:00Z', revert: false },
        judgedNow: true,
        events: [],
      });
      const ms = performance.now() - started;
      expect(decision.steps.length, name).toBeGreaterThan(0);
      // Generous: quadratic readers took ~30 s at 5,000 backticks; linear ones take about a second.
      expect(ms, `${name}: ${Math.round(ms)} ms`).toBeLessThan(10_000);
    }
  });
});
