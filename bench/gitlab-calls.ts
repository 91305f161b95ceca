// GitLab calls, counted at the sandbox: what one reconcile costs (clean card, card with three
// findings, an event that needs nothing), what a sign-up generation costs (first run, rerun), and
// what ordering 200 random cards costs against its lower bound (pages + n − L).
import { pathToFileURL } from 'node:url';
import { planColumn, targetOrder } from '../src/board/plan.js';
import { ColumnCache } from '../src/engine/column-cache.js';
import { columnKey, dashboardKey, issueKey } from '../src/engine/keys.js';
import { runJob } from '../src/engine/run-job.js';
import { generateSignups } from '../src/handlers/signup-month/generate.js';
import type { HookEvent } from '../src/webhook/event.js';
import { fullRequest, startWorld, withDashboards, type World } from '../test/support/world.js';
import { randomColumn } from './board.js';

async function reconcileOnce(world: World, columns: ColumnCache, iid: number, event?: HookEvent) {
  world.sandbox.resetCalls();
  await runJob(
    issueKey(world.project, iid),
    event ? [{ deliveryId: 'bench', eventUuid: null, event: 'Note Hook', payload: JSON.stringify(event), receivedAt: Date.now() }] : [],
    { log: world.log, door: world.bot, config: world.config, configDir: '.', now: new Date(), columns, enqueue: async () => undefined },
  );
  const calls = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot');
  return { reads: calls.filter((c) => c.method === 'GET').length, writes: calls.filter((c) => c.method !== 'GET').length };
}

/** One refresh of a board's dashboard issue (issue 15), counted at the sandbox. */
async function dashboardOnce(world: World, board: string) {
  world.sandbox.resetCalls();
  const deps = { log: world.log, door: world.bot, config: world.config, configDir: '.', now: new Date(), columns: new ColumnCache() };
  await runJob(dashboardKey(board), [], { ...deps, enqueue: async () => undefined });
  const calls = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot');
  return { reads: calls.filter((c) => c.method === 'GET').length, writes: calls.filter((c) => c.method !== 'GET').length };
}

export async function benchGitLabCalls(): Promise<Record<string, number | string>> {
  const world = await startWorld({ startService: false, configure: withDashboards });
  const out: Record<string, number | string> = {};
  try {
    const { plan, scheduled } = world.board.labels;
    const columns = new ColumnCache();

    // An event that needs no change: a comment on a clean backlog request.
    const backlog = await world.create('alice', 'Clean backlog request', fullRequest('Clean.', 'alice'));
    const comment: HookEvent = {
      v: 1,
      kind: 'note',
      project: world.project,
      iid: backlog.iid,
      actor: 'alice',
      at: null,
      action: null,
      labels: [],
      labelChange: null,
      changed: [],
    };
    const noop = await reconcileOnce(world, columns, backlog.iid, comment);
    out['reconcile.no_change_event.reads'] = noop.reads;
    out['reconcile.no_change_event.writes'] = noop.writes;

    // A clean scheduled card (moderator assigned, date set, moved from plan), judged twice:
    // cold (user and column caches empty) and warm.
    const clean = await world.create('carol', 'Clean scheduled', `${fullRequest('Clean.', 'bob')}\n\nModerator: @carol`, [plan]);
    await world.as.carol.editIssue(world.project, clean.iid, {
      assigneeIds: [await world.userId('bob'), await world.userId('carol')],
      dueDate: world.date(12),
    });
    await world.as.carol.editIssue(world.project, clean.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await reconcileOnce(world, new ColumnCache(), clean.iid); // posts the one-time checklist
    const cold = await reconcileOnce(world, new ColumnCache(), clean.iid);
    await reconcileOnce(world, columns, clean.iid); // fills the shared caches
    const warm2 = await reconcileOnce(world, columns, clean.iid);
    out['reconcile.clean_scheduled.cold.reads'] = cold.reads;
    out['reconcile.clean_scheduled.cold.writes'] = cold.writes;
    out['reconcile.clean_scheduled.warm.reads'] = warm2.reads;
    out['reconcile.clean_scheduled.warm.writes'] = warm2.writes;

    // Three findings (no speaker, no Moderator line, no date) on a card in plan... and scheduled.
    const three = await world.create('dave', 'Three findings', fullRequest('Three.', 'dave'), [scheduled]);
    const first = await reconcileOnce(world, columns, three.iid);
    // The second pass sees the bot's own revert in the label history and words the note for a
    // card back in plan; from the third on, nothing changes.
    const second = await reconcileOnce(world, columns, three.iid);
    const third = await reconcileOnce(world, columns, three.iid);
    out['reconcile.three_findings.first.reads'] = first.reads;
    out['reconcile.three_findings.first.writes'] = first.writes;
    out['reconcile.three_findings.second.reads'] = second.reads;
    out['reconcile.three_findings.second.writes'] = second.writes;
    out['reconcile.three_findings.third.reads'] = third.reads;
    out['reconcile.three_findings.third.writes'] = third.writes;

    // Sign-up generation: first run and rerun.
    world.sandbox.resetCalls();
    const deps = { config: world.config, configDir: '.', door: world.bot, log: world.log };
    const gen1 = await generateSignups(deps, { month: '2027-03' });
    const firstCalls = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot');
    world.sandbox.resetCalls();
    const gen2 = await generateSignups(deps, { month: '2027-03' });
    const rerunCalls = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot');
    out['generate.first_run.reads'] = firstCalls.filter((c) => c.method === 'GET').length;
    out['generate.first_run.writes'] = firstCalls.filter((c) => c.method !== 'GET').length;
    out['generate.rerun.reads'] = rerunCalls.filter((c) => c.method === 'GET').length;
    out['generate.rerun.writes'] = rerunCalls.filter((c) => c.method !== 'GET').length;
    // Dashboards: the first refresh creates the issue; one with nothing changed costs reads only.
    for (const board of ['skills-exchange', 'content']) {
      await dashboardOnce(world, board);
      const again = await dashboardOnce(world, board);
      out[`dashboard.${board}.unchanged.reads`] = again.reads;
      out[`dashboard.${board}.unchanged.writes`] = again.writes;
    }
    out['generate.results'] = `${gen1.results.map((r) => r.action).join('/')} then ${gen2.results.map((r) => r.action).join('/')}`;

    // Column order: 200 random cards (seeded), calls made vs pages + n − L.
    const column = 'bench:column';
    const cards = randomColumn(200, 11);
    for (const card of cards) {
      await world.as.carol.createIssue(world.project, {
        title: `Bench ${card.iid}`,
        description: 'x',
        labels: [column],
        ...(card.dueDate ? { dueDate: card.dueDate } : {}),
      });
    }
    const listed = await world.bot.listIssues(world.project, {
      labels: [column],
      state: 'opened',
      orderBy: 'relative_position',
      sort: 'asc',
    });
    const current = listed.map((i) => ({ id: i.id, iid: i.iid, dueDate: i.due_date }));
    const lowerMoves = planColumn(current).length;
    const target = targetOrder(current);
    world.sandbox.resetCalls();
    const started = performance.now();
    const result = await runJob(columnKey(world.project, column), [], {
      log: world.log,
      door: world.bot,
      config: world.config,
      configDir: '.',
      now: new Date(),
      columns,
      enqueue: async () => undefined,
    });
    const ms = performance.now() - started;
    const calls = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot');
    const pages = Math.ceil(200 / 100);
    out['column.n'] = 200;
    out['column.calls'] = calls.length;
    out['column.reads'] = calls.filter((c) => c.method === 'GET').length;
    out['column.reorders'] = calls.filter((c) => c.method === 'PUT').length;
    out['column.lower_bound'] = pages + lowerMoves;
    out['column.n_minus_L'] = lowerMoves;
    out['column.pass_ms'] = Math.round(ms);
    out['column.moves_reported'] = Number(result.facts?.moves);
    const after = await world.bot.listIssues(world.project, {
      labels: [column],
      state: 'opened',
      orderBy: 'relative_position',
      sort: 'asc',
    });
    out['column.in_order_after'] = after.map((i) => i.iid).join() === target.map((c) => c.iid).join() ? 'yes' : 'NO';
  } finally {
    await world.close();
  }
  for (const [key, value] of Object.entries(out)) console.log(`${key.padEnd(40)} ${value}`);
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchGitLabCalls();
}
