// What a sweep names, from a board's listing and the card memory (engine/sweep.ts): only what
// changed since its last complete sweep, unless the memory cannot tell.
import { describe, expect, it } from 'vitest';
import { fullSweepEveryMs, planSweep, SWEEP_OVERLAP_MS } from '../../src/engine/sweep.js';
import { dashboardKey, issueKey } from '../../src/engine/keys.js';
import { cardFingerprint } from '../../src/handlers/card/memory.js';
import type { GIssue, GitLabReader, IssueQuery } from '../../src/gitlab/types.js';
import { MapCardMemory, type CardMemoryRow } from '../../src/queue/card-memory.js';
import { configWithBoard, shippedConfig } from '../support/run-key.js';

const PROJECT = 'g/board';
const config = (() => {
  const { signups: _signups, programs: _programs, ...rest } = configWithBoard(PROJECT, {}, shippedConfig());
  return rest;
})();
const T = Date.parse('2026-03-01T12:00:00.000Z');

function anIssue(iid: number, over: Partial<GIssue> = {}): GIssue {
  return {
    id: 1000 + iid,
    iid,
    project_id: 1,
    title: `Card ${iid}`,
    description: 'x',
    state: 'opened',
    labels: [],
    assignees: [],
    author: null,
    due_date: null,
    confidential: false,
    web_url: `http://x/${iid}`,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-02-01T00:00:00.000Z',
    closed_at: null,
    user_notes_count: 0,
    ...over,
  };
}

/** A door listing `open` for the full listing and `changed` for updated_after, recording what was asked. */
function door(open: GIssue[], changed: GIssue[]) {
  const asked: IssueQuery[] = [];
  const reader = {
    async listIssues(_project: string, query: IssueQuery) {
      asked.push(query);
      return query.updatedAfter ? changed : open;
    },
  } as Partial<GitLabReader> as GitLabReader;
  return { reader, asked };
}

const rowOf = (issue: GIssue, over: Partial<CardMemoryRow> = {}): CardMemoryRow => ({
  key: issueKey(PROJECT, issue.iid),
  project: PROJECT,
  updatedAt: issue.updated_at,
  fingerprint: cardFingerprint(issue),
  selfWritten: false,
  recheckAt: null,
  record: '{}',
  ...over,
});

const column = `column:${PROJECT}:status:scheduled`;

describe('the sweep names', () => {
  it('every open card, and marks the board, when it has no memory or no mark yet', async () => {
    const { reader, asked } = door([anIssue(1), anIssue(2)], []);
    expect((await planSweep(reader, config, { parts: ['issues', 'order'] })).keys).toEqual([
      issueKey(PROJECT, 1),
      issueKey(PROJECT, 2),
      column,
    ]);
    const memory = new MapCardMemory();
    const plan = await planSweep(reader, config, { memory, listedAt: T });
    expect(plan.boards[0]).toMatchObject({ mode: 'full', why: 'no sweep mark yet', named: 2 });
    expect(plan.listed.get(issueKey(PROJECT, 1))?.issue.iid).toBe(1);
    expect(plan.fullRead.size).toBe(0);
    await plan.complete();
    expect(await memory.mark(PROJECT)).toMatchObject({ sweptAt: T, fullAt: T });
    expect(asked.every((q) => q.state === 'opened' && q.updatedAfter === undefined)).toBe(true);
  });

  it('then only what changed since the mark (less the overlap): not the unchanged, the card as its own writes left it is adopted', async () => {
    const memory = new MapCardMemory();
    const same = anIssue(1);
    const edited = anIssue(2, { updated_at: '2026-03-01T12:30:00.000Z', title: 'Edited' });
    const noted = anIssue(3, { updated_at: '2026-03-01T12:30:00.000Z' });
    const fresh = anIssue(4, { updated_at: '2026-03-01T12:31:00.000Z' });
    const closed = anIssue(5, { state: 'closed', updated_at: '2026-03-01T12:32:00.000Z' });
    const unknownClosed = anIssue(6, { state: 'closed', updated_at: '2026-03-01T12:33:00.000Z' });
    await memory.put(rowOf(same));
    await memory.put(rowOf(anIssue(2)));
    // The bot wrote a note on #3 after reading it: GitLab moved updated_at, nothing else changed.
    await memory.put(rowOf(anIssue(3), { selfWritten: true }));
    await memory.put(rowOf(anIssue(5)));
    await memory.put(rowOf(anIssue(7), { recheckAt: T + 1000 }));
    await memory.setMark(PROJECT, T, true);
    const { reader, asked } = door([], [same, edited, noted, fresh, closed, unknownClosed]);

    const plan = await planSweep(reader, config, { memory, now: new Date(T + 2000), listedAt: T + 60_000 });
    // The column in board order, then the other cards by change.
    expect(asked).toEqual([
      { labels: ['status:scheduled'], state: 'opened', orderBy: 'relative_position', sort: 'asc' },
      {
        state: 'all',
        updatedAfter: new Date(T - SWEEP_OVERLAP_MS).toISOString(),
        notLabels: ['status:scheduled'],
        orderBy: 'created_at',
        sort: 'asc',
      },
    ]);
    expect(plan.keys).toEqual([
      issueKey(PROJECT, 2),
      issueKey(PROJECT, 4),
      issueKey(PROJECT, 5),
      issueKey(PROJECT, 7),
      column,
      dashboardKey('skills-exchange'),
      dashboardKey('content'),
    ]);
    expect(plan.boards[0]).toMatchObject({ mode: 'incremental', listed: 6, named: 4, due: 1, adopted: 1 });
    expect((await memory.get(issueKey(PROJECT, 3)))?.updatedAt).toBe(noted.updated_at);
    expect(plan.listed.get(issueKey(PROJECT, 2))).toMatchObject({ incremental: true });
    expect(plan.listed.has(issueKey(PROJECT, 7))).toBe(false);
  });

  it('every open card again, and the remembered ones no longer open, when the memory lost rows, on --full, or once a day', async () => {
    const open = [anIssue(1), anIssue(2)];
    for (const how of ['lost', 'asked', 'daily'] as const) {
      const memory = new MapCardMemory();
      for (const issue of open) await memory.put(rowOf(issue));
      await memory.put(rowOf(anIssue(9))); // deleted in GitLab since
      await memory.setMark(PROJECT, T, true);
      if (how === 'lost') {
        // Two rows deleted by hand, not forgotten by a job: the mark counted three.
        const { rows } = memory as unknown as { rows: Map<string, unknown> };
        rows.delete(issueKey(PROJECT, 1));
        rows.delete(issueKey(PROJECT, 2));
      }
      const listedAt = how === 'daily' ? T + fullSweepEveryMs(config) : T + 60_000;
      const { reader } = door(open, []);
      const plan = await planSweep(reader, config, { memory, full: how === 'asked', parts: ['issues'], listedAt });
      expect(plan.boards[0]?.mode, how).toBe('full');
      expect(plan.keys, how).toEqual([issueKey(PROJECT, 1), issueKey(PROJECT, 2), issueKey(PROJECT, 9)]);
      // Asked or daily: re-read whatever the memory says; rows lost: what is left is as good as ever.
      expect(plan.fullRead.size, how).toBe(how === 'lost' ? 0 : 3);
    }
  });
});
