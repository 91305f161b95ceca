// GitLab calls of the sweep and of single events with the card memory, counted at the sandbox, for
// boards of 200, 1,000 and 10,000 ready cards in status:scheduled (issue 13): a full first sweep,
// the sweep right after it (the bot's own writes are inside its overlap), an unchanged sweep, a
// sweep after 10 changes, one event on a clean card, one event on a card that needs a fix (a
// label fix; an assignee fix) — beside the issue's limits and whether each row keeps its limit.
// The figures are printed, never asserted. The cards are seeded straight into the sandbox (no
// webhook, no limit), so 10,000 take seconds. The memory is the in-process store's (the calls do
// not depend on the database).
// Run alone: npx tsx bench/calls-sweep.ts [n…]
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { RhythmConfig } from '../src/config/types.js';
import { ColumnCache } from '../src/engine/column-cache.js';
import { issueKey } from '../src/engine/keys.js';
import { runJob } from '../src/engine/run-job.js';
import { runOnce } from '../src/engine/run-once.js';
import { planSweep, seedColumns, SWEEP_RUN_COLUMN_KEEPS_MS } from '../src/engine/sweep.js';
import { MapCardMemory } from '../src/queue/card-memory.js';
import type { StoredDelivery } from '../src/queue/contract.js';
import type { HookEvent } from '../src/webhook/event.js';
import { fullRequest, REPO, startWorld, type World } from '../test/support/world.js';

export interface CallRow {
  n: number;
  what: string;
  reads: number;
  writes: number;
  limit: string;
  /** Against the limit: 'ok', 'over', or how far above the list pages the row is (no fixed limit). */
  verdict: string;
  ms: number;
}

const MINUTE = 60_000;

/** Only the board: no sign-up issues, whose own calls would blur the card figures. */
const boardOnly = (config: RhythmConfig): RhythmConfig => {
  const { signups: _signups, ...rest } = config;
  return { ...rest, boards: config.boards.filter((b) => b.kind === 'skills-exchange') };
};

export async function benchSweepCalls(sizes: readonly number[] = [200, 1000, 10_000]): Promise<CallRow[]> {
  const rows: CallRow[] = [];
  for (const n of sizes) rows.push(...(await oneBoard(n)));
  printRows(rows);
  return rows;
}

async function oneBoard(n: number): Promise<CallRow[]> {
  // One clock for GitLab and the bot, moved forward between sweeps so each lists after the last.
  let offset = 0;
  const world: World = await startWorld({
    startService: false,
    sandbox: { rateLimitPerMinute: 1_000_000_000, now: () => Date.now() + offset },
    configure: boardOnly,
  });
  const rows: CallRow[] = [];
  try {
    const { plan, scheduled } = world.board.labels;
    const memory = new MapCardMemory();
    const clock = () => new Date(Date.now() + offset);
    const [carol, bob] = [await world.userId('carol'), await world.userId('bob')];

    // n ready cards, put straight into the sandbox as an import would (no webhook, no limit):
    // requested by alice in plan with speaker, moderator and a date, then moved to scheduled by
    // carol, so GitLab's label history has her move from plan as the last one.
    const started = performance.now();
    const iids = world.sandbox.seedIssues(
      world.project,
      Array.from({ length: n }, (_, i) => ({
        title: `Session ${i}`,
        description: `${fullRequest(`Topic ${i}.`, 'carol')}\n\nModerator: @dave`,
        labels: [plan],
        assignees: ['carol', 'dave'],
        dueDate: world.date(10 + i),
        author: 'alice',
        then: { addLabels: [scheduled], removeLabels: [plan], by: 'carol' },
      })),
    );
    console.log(`  n=${n}: seeded in ${Math.round((performance.now() - started) / 100) / 10} s`);

    const bot = () => world.sandbox.calls().filter((c) => c.user === 'rhythm-bot');
    type Judge = (reads: number, writes: number) => string;
    const measure = async (what: string, limit: string, work: () => Promise<unknown>, judge: Judge = () => '') => {
      world.sandbox.resetCalls();
      const t = performance.now();
      await work();
      const calls = bot();
      const row = {
        n,
        what,
        reads: calls.filter((c) => c.method === 'GET').length,
        writes: calls.filter((c) => c.method !== 'GET').length,
        limit,
        verdict: judge(calls.filter((c) => c.method === 'GET').length, calls.filter((c) => c.method !== 'GET').length),
        ms: Math.round(performance.now() - t),
      };
      rows.push(row);
      console.log(`  n=${n}: ${what}: ${row.reads} reads, ${row.writes} writes (${row.ms} ms)`);
      if (process.env.BENCH_CALLS_DEBUG) for (const c of calls) console.log(`      ${c.method} ${c.path} ${c.query} ${c.status}`);
    };
    const sweep = async () => {
      const swept = await planSweep(world.bot, world.config, { memory, now: clock(), listedAt: Date.now() + offset });
      const columns = new ColumnCache();
      seedColumns(swept, columns, clock(), SWEEP_RUN_COLUMN_KEEPS_MS);
      lastColumns = columns;
      const report = await runOnce(
        swept.keys,
        {
          config: world.config,
          configDir: REPO,
          door: world.bot,
          log: world.log,
          columns,
          memory,
          listed: swept.listed,
          clock,
        },
        { fullRead: swept.fullRead, maxAttempts: 1 },
      );
      if (report.failed.length > 0) throw new Error(`sweep failed: ${report.failed.map((f) => `${f.key}: ${f.error}`).join('; ')}`);
      await swept.complete();
    };
    const pages = Math.ceil(n / 100);
    // The last sweep's column cache, as `rhythm serve` keeps it until its next sweep.
    let lastColumns = new ColumnCache();
    const event = async (iid: number, e: Partial<HookEvent>, columns = new ColumnCache()) => {
      const full: HookEvent = {
        v: 1,
        kind: 'issue',
        project: world.project,
        iid,
        actor: 'bob',
        at: null,
        action: 'update',
        labels: [],
        labelChange: null,
        changed: [],
        ...e,
      };
      const delivery: StoredDelivery = {
        deliveryId: `bench-${iid}-${Math.random()}`,
        eventUuid: null,
        event: 'Issue Hook',
        payload: JSON.stringify(full),
        receivedAt: Date.now(),
      };
      const outcome = await runJob(issueKey(world.project, iid), [delivery], {
        config: world.config,
        configDir: REPO,
        door: world.bot,
        log: world.log,
        now: clock(),
        columns,
        enqueue: async () => undefined,
        memory,
      });
      return outcome;
    };

    await measure('full first sweep (no memory yet)', '—', sweep);
    offset += 10 * MINUTE;
    // An unchanged sweep: the list pages; an event: one read, however many writes it needs.
    const pagesOnly: Judge = (reads, writes) => (reads + writes <= pages + 2 ? 'ok' : 'over');
    const oneRead: Judge = (reads) => (reads <= 1 ? 'ok' : 'over');
    await measure("next sweep (the bot's own writes are inside its overlap)", `⌈n/100⌉ + 2 = ${pages + 2}`, sweep, pagesOnly);
    offset += 10 * MINUTE;
    await measure('unchanged sweep', `⌈n/100⌉ + 2 = ${pages + 2}`, sweep, pagesOnly);

    // Ten people's changes while the bot was not listening: five comments, three description
    // edits (one takes out a section), two cards taken back to plan.
    offset += 10 * MINUTE;
    const changed = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95].map((f) => iids[Math.floor(f * (n - 1))]!);
    for (const iid of changed.slice(0, 5)) await world.as.alice.createNote(world.project, iid, 'Looking forward to it!');
    for (const iid of changed.slice(5, 8)) {
      await world.as.bob.editIssue(world.project, iid, { description: `${fullRequest('An edited topic.', 'carol')}\n\nModerator: @dave` });
    }
    for (const iid of changed.slice(8)) await world.as.bob.editIssue(world.project, iid, { addLabels: [plan], removeLabels: [scheduled] });
    await measure('sweep after 10 changes', `⌈n/100⌉ + 2 + O(10) = ${pages + 2} + O(10)`, sweep, (reads, writes) => {
      const above = reads + writes - (pages + 2);
      return `+${above} (${above / 10} a change)`;
    });
    offset += 10 * MINUTE;
    await sweep(); // settles the bot's own follow-ups

    // One event on a clean card: alice comments.
    const clean = iids[Math.floor(n / 3)]!;
    await world.as.alice.createNote(world.project, clean, 'See you there.');
    await measure(
      'one event on a clean card (a comment)',
      '≤ 1 read',
      () => event(clean, { kind: 'note', action: null, actor: 'alice' }),
      oneRead,
    );

    // One event needing a note: bob takes out a section (the template rule comments).
    const gap = iids[Math.floor(n / 4)]!;
    await world.as.bob.editIssue(world.project, gap, {
      description: ['## Topic', 'Gaps.', '', '## Speaker', '@carol', '', 'Moderator: @dave'].join('\n'),
    });
    await measure(
      'one event needing a new note (a section taken out)',
      '≤ 1 read + the writes',
      () => event(gap, { changed: ['description'], labels: [scheduled] }),
      oneRead,
    );

    // One whose fix adds an assignee: bob unassigns dave, whom the Moderator line names.
    const moderator = iids[Math.floor(n / 5)]!;
    await world.as.bob.editIssue(world.project, moderator, { assigneeIds: [carol, bob] });
    await measure(
      'one event needing an assignee fix and a new note',
      '≤ 1 read + the writes',
      () => event(moderator, { changed: ['assignees'], labels: [scheduled] }),
      oneRead,
    );

    // One whose fix is a revert: bob takes a card back to plan (judged, fine), then drops its
    // date and schedules it again: not ready, so back to plan, with a new note; then once more,
    // and the note is edited.
    // A minute apart, as people move cards; each delivery with GitLab's hook time (whole seconds).
    const moved = iids[Math.floor(n / 6)]!;
    const move = (from: string, to: string): Partial<HookEvent> => {
      const card = world.sandbox.issue(world.project, moved)!;
      const iso = String(card.updated_at);
      return {
        changed: ['labels'],
        at: `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`,
        labels: card.labels as string[],
        labelChange: { previous: [from], current: [to] },
      };
    };
    offset += MINUTE;
    await world.as.bob.editIssue(world.project, moved, { addLabels: [plan], removeLabels: [scheduled] });
    await event(moved, move(scheduled, plan));
    offset += MINUTE;
    await world.as.bob.editIssue(world.project, moved, { addLabels: [scheduled], removeLabels: [plan], dueDate: null });
    await measure(
      'one event needing a revert (a move judged) and a new note',
      '≤ 1 read + the writes',
      () => event(moved, move(plan, scheduled)),
      oneRead,
    );
    offset += MINUTE;
    await world.as.bob.editIssue(world.project, moved, { addLabels: [scheduled], removeLabels: [plan] });
    await measure('the same again: a revert, its note edited', '≤ 1 read + the writes', () => event(moved, move(plan, scheduled)), oneRead);
    // And once ready (its date back): a move into scheduled that stands. Whether it stands depends
    // on where the card came from (from the backlog it goes back), which one second of a hook's time
    // cannot tell for sure: its label history is read (and the column, for the cards on its date).
    offset += MINUTE;
    await world.as.bob.editIssue(world.project, moved, { addLabels: [scheduled], removeLabels: [plan], dueDate: world.date(40) });
    await measure(
      'one event: a ready card moved into scheduled (history, column)',
      '≤ 1 read',
      () => event(moved, move(plan, scheduled)),
      oneRead,
    );
    // The same in `rhythm serve`, whose last sweep's listing of the column is still at hand: the
    // label history only (the order job, which lists the column to place a card, is not counted).
    offset += MINUTE;
    await world.as.bob.editIssue(world.project, moved, { addLabels: [plan], removeLabels: [scheduled] });
    await event(moved, move(scheduled, plan), lastColumns);
    offset += MINUTE;
    await world.as.bob.editIssue(world.project, moved, { addLabels: [scheduled], removeLabels: [plan] });
    await measure(
      'the same in serve, the last sweep’s column at hand (history)',
      '≤ 1 read',
      () => event(moved, move(plan, scheduled), lastColumns),
      oneRead,
    );
  } finally {
    await world.close();
  }
  return rows;
}

function printRows(rows: readonly CallRow[]): void {
  console.log('');
  console.log(
    `${'n'.padStart(6)}  ${'what'.padEnd(60)} ${'reads'.padStart(6)} ${'writes'.padStart(6)} ${'calls'.padStart(6)}  ${'limit'.padEnd(34)} verdict`,
  );
  for (const r of rows) {
    console.log(
      `${String(r.n).padStart(6)}  ${r.what.padEnd(60)} ${String(r.reads).padStart(6)} ${String(r.writes).padStart(6)} ${String(r.reads + r.writes).padStart(6)}  ${r.limit.padEnd(34)} ${r.verdict}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  await benchSweepCalls(sizes.length > 0 ? sizes : undefined);
}
