import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { targetOrder } from '../../src/board/plan.js';
import type { Door, GIssue, IssueQuery } from '../../src/gitlab/types.js';
import { columnKey } from '../../src/engine/keys.js';
import { configWithBoard, counting, recordingLog, runKey } from '../support/run-key.js';

const SCHEDULED = 'status:scheduled';
const PROJECT = 'team/skills-exchange';
const person = { id: 1, username: 'alice', name: 'Alice' };

interface Stored {
  issue: GIssue;
  position: number | null;
}

/**
 * A project whose issues carry GitLab-like relative positions, shared by every column (the real
 * positions are global too). Reorder follows gitlab-facts §3 on its own, independently of
 * applyMoves: one anchor places the card between it and its neighbour in the whole project.
 */
class PositionedProject {
  readonly stored: Stored[] = [];
  readonly reorders: Array<{ iid: number; to: { moveAfterId?: number; moveBeforeId?: number } }> = [];
  listings = 0;

  add(iid: number, opts: { due?: string | null; labels?: string[]; state?: 'opened' | 'closed'; position?: number | null }): void {
    this.stored.push({
      position: opts.position === undefined ? this.stored.length * 1000 : opts.position,
      issue: {
        id: 50_000 + iid * 13,
        iid,
        project_id: 7,
        title: `Session ${iid}`,
        description: null,
        state: opts.state ?? 'opened',
        labels: opts.labels ?? [SCHEDULED],
        assignees: [],
        author: person,
        due_date: opts.due ?? null,
        confidential: false,
        web_url: `https://gitlab.example/${PROJECT}/-/issues/${iid}`,
        created_at: '2025-01-01T00:00:00Z',
        updated_at: '2025-01-01T00:00:00Z',
        closed_at: null,
      },
    });
  }

  private byPosition(): Stored[] {
    // relative_position ASC NULLS LAST, then id, as the issues index reads.
    return [...this.stored].sort((a, b) => {
      if (a.position === b.position) return a.issue.id - b.issue.id;
      if (a.position === null) return 1;
      if (b.position === null) return -1;
      return a.position - b.position;
    });
  }

  list(query: IssueQuery): GIssue[] {
    expect(query).toEqual({ labels: [SCHEDULED], state: 'opened', orderBy: 'relative_position', sort: 'asc' });
    this.listings++;
    return this.byPosition()
      .filter((s) => s.issue.state === 'opened' && query.labels!.every((l) => s.issue.labels.includes(l)))
      .map((s) => structuredClone(s.issue));
  }

  columnIids(): number[] {
    return this.list({ labels: [SCHEDULED], state: 'opened', orderBy: 'relative_position', sort: 'asc' }).map((i) => i.iid);
  }

  reorder(iid: number, to: { moveAfterId?: number; moveBeforeId?: number }): void {
    this.reorders.push({ iid, to });
    const moving = this.stored.find((s) => s.issue.iid === iid);
    const anchorId = to.moveBeforeId ?? to.moveAfterId;
    const order = this.byPosition().filter((s) => s !== moving);
    const at = order.findIndex((s) => s.issue.id === anchorId);
    if (!moving || at === -1 || order[at]!.position === null) throw new Error('422 Unprocessable Entity');
    const anchor = order[at]!.position;
    if (to.moveBeforeId !== undefined) {
      const next = order[at + 1]?.position ?? null;
      moving.position = next === null ? anchor + 1000 : (anchor + next) / 2;
    } else {
      const previous = order[at - 1]?.position ?? null;
      moving.position = previous === null ? anchor - 1000 : (previous + anchor) / 2;
    }
  }

  door(): Door {
    const refuse = (): never => {
      throw new Error('not used by column ordering');
    };
    return {
      listIssues: async (project, query) => {
        expect(project).toBe(PROJECT);
        return this.list(query);
      },
      reorderIssue: async (project, iid, to) => {
        expect(project).toBe(PROJECT);
        this.reorder(iid, to);
      },
      currentUser: refuse,
      findUser: refuse,
      getIssue: refuse,
      createIssue: refuse,
      editIssue: refuse,
      listNotes: refuse,
      createNote: refuse,
      editNote: refuse,
      deleteNote: refuse,
      labelEvents: refuse,
      listHooks: refuse,
      addHook: refuse,
      editHook: refuse,
      deleteHook: refuse,
      testHook: refuse,
      hookEvents: refuse,
    };
  }
}

/** The column handler through the runner, as every entry point runs it. */
async function orderColumn(door: Door, project: string, label: string, opts: { dryRun: boolean; log: ReturnType<typeof recordingLog> }) {
  const config = { ...configWithBoard(project, { labels: { plan: 'status:plan', scheduled: label } }), dryRun: opts.dryRun };
  const outcome = await runKey(columnKey(project, label), { config, door: counting(door), log: opts.log });
  return { cards: Number(outcome.facts?.cards), moves: Number(outcome.facts?.moves) };
}

describe('ordering a column', () => {
  function boardWithStrays(): PositionedProject {
    const project = new PositionedProject();
    project.add(1, { due: '2025-03-20' });
    project.add(2, { due: '2025-03-06', labels: ['status:plan'] });
    project.add(3, { due: '2025-03-06' });
    project.add(4, { due: '2025-02-27', state: 'closed' });
    project.add(5, { due: '2025-03-13' });
    project.add(6, { due: '2025-02-27' });
    return project;
  }

  it('alice’s column reads by date after the fewest moves, and no other card moves', async () => {
    const project = boardWithStrays();
    const before = new Map(project.stored.map((s) => [s.issue.iid, s.position]));
    const log = recordingLog();

    const result = await orderColumn(project.door(), PROJECT, SCHEDULED, { dryRun: false, log });

    // Column 1, 3, 5, 6 by date is 6, 3, 5, 1: keeping 3 and 5 costs two moves.
    expect(result).toEqual({ cards: 4, moves: 2 });
    expect(project.columnIids()).toEqual([6, 3, 5, 1]);
    expect(project.reorders.map((r) => r.iid).sort()).toEqual([1, 6]);
    for (const iid of [2, 4, 3, 5]) expect(project.stored.find((s) => s.issue.iid === iid)!.position).toBe(before.get(iid));
    expect(log.lines.filter((l) => l.level === 'info' && l.msg?.startsWith('move '))).toHaveLength(2);
  });

  it('sends nothing in dry-run and says what it would move', async () => {
    const project = boardWithStrays();
    const log = recordingLog();

    const result = await orderColumn(project.door(), PROJECT, SCHEDULED, { dryRun: true, log });

    expect(result).toEqual({ cards: 4, moves: 2 });
    expect(project.reorders).toEqual([]);
    expect(project.columnIids()).toEqual([1, 3, 5, 6]);
    const planned = log.lines.filter((l) => l.msg?.startsWith('dry-run: would move'));
    expect(planned.map((l) => l.msg)).toEqual([`dry-run: would move ${PROJECT}#6 above #3`, `dry-run: would move ${PROJECT}#1 below #5`]);
    expect(planned.every((l) => (l.obj as { dryRun: boolean }).dryRun)).toBe(true);
  });

  it('makes no call when the column already reads by date', async () => {
    const project = new PositionedProject();
    project.add(1, { due: '2025-01-01' });
    project.add(2, { due: '2025-01-08' });
    project.add(3, {});
    expect(await orderColumn(project.door(), PROJECT, SCHEDULED, { dryRun: false, log: recordingLog() })).toEqual({ cards: 3, moves: 0 });
    expect(project.reorders).toEqual([]);
  });

  it('refuses to reorder when the listing brings a closed card or one from another column', async () => {
    for (const stray of [{ state: 'closed' as const }, { labels: ['status:plan'] }]) {
      const project = new PositionedProject();
      project.add(1, { due: '2025-02-01' });
      project.add(2, { due: '2025-01-01' });
      const leaky = project.door();
      leaky.listIssues = async () => project.stored.map((s, i) => ({ ...s.issue, ...(i === 0 ? stray : {}) }));
      await expect(orderColumn(leaky, PROJECT, SCHEDULED, { dryRun: false, log: recordingLog() })).rejects.toThrow(/nothing reordered/);
      expect(project.reorders).toEqual([]);
    }
  });

  it('orders random columns among other cards with positions shared project-wide', async () => {
    const stray = fc.record({
      day: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
      kind: fc.constantFrom('scheduled', 'scheduled', 'scheduled', 'plan', 'closed'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(stray, { maxLength: 60 }), fc.nat(), async (rows, seed) => {
        const project = new PositionedProject();
        rows.forEach((row, i) => {
          const iid = 1 + ((i * 37 + seed) % 1000) + i * 1000;
          project.add(iid, {
            due: row.day === null ? null : `2025-05-0${row.day}`,
            labels: row.kind === 'plan' ? ['status:plan'] : [SCHEDULED],
            state: row.kind === 'closed' ? 'closed' : 'opened',
          });
        });
        const others = project.stored.filter((s) => s.issue.state === 'closed' || !s.issue.labels.includes(SCHEDULED));
        const otherPositions = others.map((s) => s.position);
        const column = project.list({ labels: [SCHEDULED], state: 'opened', orderBy: 'relative_position', sort: 'asc' });

        const result = await orderColumn(project.door(), PROJECT, SCHEDULED, { dryRun: false, log: recordingLog() });

        const expected = targetOrder(column.map((i) => ({ id: i.id, iid: i.iid, dueDate: i.due_date }))).map((c) => c.iid);
        expect(project.columnIids()).toEqual(expected);
        expect(result.moves).toBe(project.reorders.length);
        expect(others.map((s) => s.position)).toEqual(otherPositions);
        // Order is stable: a second pass has nothing left to do.
        expect((await orderColumn(project.door(), PROJECT, SCHEDULED, { dryRun: false, log: recordingLog() })).moves).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
