// What a sweep reads, counted at the sandbox (issue 13): the programs project is listed once for
// every plan; the unchanged sweep reads only its list pages. The sweeps run as `rhythm sweep` runs
// them (planSweep, then runOnce over the keys), with the card memory between them, on a board of
// ready cards seeded straight into the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RhythmConfig } from '../../src/config/types.js';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { runOnce } from '../../src/engine/run-once.js';
import { planSweep, seedColumns } from '../../src/engine/sweep.js';
import { MapCardMemory } from '../../src/queue/card-memory.js';
import type { CallRecord } from '../../src/sandbox/types.js';
import { BOT, fullRequest, REPO, startWorld, type World } from '../support/world.js';

const MINUTE = 60_000;
/** Cards on the board: two list pages of 100. */
const N = 150;

/** Only the board and the program plans: no sign-up issues, whose calls would blur the count. */
const boardAndPrograms = (config: RhythmConfig): RhythmConfig => {
  const { signups: _signups, ...rest } = config;
  return { ...rest, boards: config.boards.filter((b) => b.kind === 'skills-exchange') };
};

let world: World;
let offset = 0;
const memory = new MapCardMemory();
let iids: number[] = [];
const clock = () => new Date(Date.now() + offset);

beforeAll(async () => {
  world = await startWorld({
    startService: false,
    sandbox: { rateLimitPerMinute: 1_000_000_000, now: () => Date.now() + offset },
    configure: boardAndPrograms,
  });
  const { plan, scheduled } = world.board.labels;
  iids = world.sandbox.seedIssues(
    world.project,
    Array.from({ length: N }, (_, i) => ({
      title: `Session ${i}`,
      description: `${fullRequest(`Topic ${i}.`, 'carol')}\n\nModerator: @dave`,
      labels: [plan],
      assignees: ['carol', 'dave'],
      dueDate: world.date(10 + i),
      author: 'alice',
      then: { addLabels: [scheduled], removeLabels: [plan], by: 'carol' },
    })),
  );
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** One sweep as `rhythm sweep` runs it, the clock moved on 10 minutes first; the bot's calls. */
async function sweep(): Promise<CallRecord[]> {
  offset += 10 * MINUTE;
  world.sandbox.resetCalls();
  const plan = await planSweep(world.bot, world.config, { memory, now: clock(), listedAt: Date.now() + offset });
  const columns = new ColumnCache();
  seedColumns(plan, columns, clock());
  const report = await runOnce(
    plan.keys,
    { config: world.config, configDir: REPO, door: world.bot, log: world.log, columns, memory, listed: plan.listed, clock },
    { fullRead: plan.fullRead, maxAttempts: 1 },
  );
  expect(report.failed).toEqual([]);
  await plan.complete();
  return world.sandbox.calls().filter((c) => c.user === BOT);
}

const issuesOf = (project: string) => `/projects/${encodeURIComponent(project)}/issues`;

describe('the calls of a sweep', () => {
  it('lists the programs project once for all its plans', async () => {
    const programs = world.config.programs!;
    expect(programs.plans.length).toBeGreaterThan(1);
    const first = await sweep();
    const again = await sweep();
    for (const calls of [first, again]) {
      expect(calls.filter((c) => c.method === 'GET' && c.path === issuesOf(programs.project))).toHaveLength(1);
    }
    expect(iids).toHaveLength(N);
  }, 120_000);
});
