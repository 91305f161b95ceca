// Installed on a board that already has cards (issue 14, item 2): the first sweep judged every
// move ever made — 60 scheduled cards made before the bot were moved back to plan with a note
// each, and every ready card got its checklist at once. Now the first meeting records a baseline:
// the past is left alone, one onboarding issue lists what the bot found and would say, and every
// change from the baseline on is judged as usual. Over loopback HTTP, on a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GIssue } from '../../src/gitlab/types.js';
import { ONBOARDING_MARKER } from '../../src/handlers/onboarding/baseline.js';
import { DASHBOARD_MARKER } from '../../src/handlers/dashboard/render.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../support/sweep-process.js';
import { BOT, fullRequest, startWorld, type World } from '../support/world.js';

const DAY = 24 * 3600_000;
const SKIPPERS = 60;
const READY = 20;
const WRITE = /^(POST|PUT|DELETE) /;

/** The bot's writes the sandbox saw since its calls were last reset (the harness's hooks aside). */
const botWrites = (world: World) =>
  world.sandbox.calls().filter((c) => c.user === BOT && WRITE.test(c.route) && !c.route.includes('/hooks'));

async function onboardingIssues(world: World): Promise<GIssue[]> {
  const all = await world.bot.listIssues(world.project, { state: 'all' });
  return all.filter((i) => i.author?.username === BOT && (i.description ?? '').startsWith(ONBOARDING_MARKER));
}

/** The bot's dashboard issues in `project` (handlers/dashboard), found by their marker. */
async function dashboards(world: World, project: string): Promise<GIssue[]> {
  const all = await world.bot.listIssues(project, { state: 'all' });
  return all.filter((i) => i.author?.username === BOT && DASHBOARD_MARKER.test(i.description ?? ''));
}

/** The shipped config's sign-up board, which has a dashboard too. */
const CONTENT = 'gitlab-com/customer-success/customer-success-engineering/content';

const listedIids = (issue: GIssue) => [...(issue.description ?? '').matchAll(/^### #\u200B(\d+) /gm)].map((m) => Number(m[1]));

/**
 * A board as a team had it before the bot: cards made ten days ago on the sandbox's clock, 60 put
 * straight into the scheduled column (backlog → scheduled, no moderator, no date), 20 ready and
 * moved plan → scheduled, and one in the backlog. Then the clock comes back to today.
 */
async function busyBoard(world: World, past: { offset: number }) {
  const { plan, scheduled } = world.board.labels;
  past.offset = -10 * DAY;
  const skippers = world.sandbox.seedIssues(
    world.project,
    Array.from({ length: SKIPPERS }, (_, i) => ({ title: `Old session ${i + 1}`, description: 'please', labels: [scheduled] })),
  );
  const ready = world.sandbox.seedIssues(
    world.project,
    Array.from({ length: READY }, (_, i) => ({
      title: `Ready session ${i + 1}`,
      description: `${fullRequest(`Ready ${i + 1}.`, 'alice')}\n\nModerator: @bob`,
      labels: [plan],
      assignees: ['alice', 'bob'],
      dueDate: world.date(20 + i),
    })),
  );
  for (const iid of ready) await world.as.alice.editIssue(world.project, iid, { addLabels: [scheduled], removeLabels: [plan] });
  const [backlog] = world.sandbox.seedIssues(world.project, [{ title: 'Old idea', description: fullRequest('An idea.', 'carol') }]);
  await world.sandbox.idle();
  past.offset = 0;
  return { skippers, ready, backlog: backlog! };
}

describe('the first sweep on a busy board', () => {
  const past = { offset: 0 };
  let world: World;
  let board: Awaited<ReturnType<typeof busyBoard>>;
  beforeAll(async () => {
    world = await startWorld({ startService: false, baseline: false, sandbox: { now: () => Date.now() + past.offset } });
    board = await busyBoard(world, past);
    world.sandbox.resetCalls();
    await world.start({ sweepOnStart: true });
    await new Promise((r) => setTimeout(r, 300));
    await world.settle(60_000);
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  it('reverts no move made before the bot and writes no note on any card, and opens one onboarding issue listing them', async () => {
    const { plan, scheduled } = world.board.labels;
    const writes = botWrites(world);
    // The column is put in date order from the first sweep on: a reorder notifies no one and
    // leaves the card as it was (GitLab does not touch updated_at for it).
    const REORDER = 'PUT /projects/:id/issues/:issue_iid/reorder';
    expect(writes.filter((c) => c.route === REORDER).length).toBeGreaterThan(0);
    // Besides, one write: the onboarding issue. No note, no label edit on any card.
    expect(writes.filter((c) => c.route !== REORDER).map((c) => c.route)).toEqual(['POST /projects/:id/issues']);
    for (const iid of [...board.skippers, ...board.ready]) {
      const card = await world.bot.getIssue(world.project, iid);
      expect(card.labels, `#${iid}`).toContain(scheduled);
      expect(card.labels, `#${iid}`).not.toContain(plan);
      expect(Date.parse(card.updated_at), `#${iid}`).toBeLessThan(Date.now() - 9 * DAY);
    }

    const [issue, ...more] = await onboardingIssues(world);
    expect(more).toEqual([]);
    expect(issue!.state).toBe('opened');
    const text = issue!.description ?? '';
    expect(listedIids(issue!).sort((a, b) => a - b)).toEqual([...board.skippers, ...board.ready].sort((a, b) => a - b));
    // The old backlog card has a full request: nothing to say, not listed.
    expect(listedIids(issue!)).not.toContain(board.backlog);
    // What it found in the past move and what it would have answered, said once per skipper.
    expect(text.match(/went from the backlog straight to `status:scheduled`/g)).toHaveLength(SKIPPERS);
    expect(text.match(/would have answered: Moved the card back to `status:plan`/g)).toHaveLength(SKIPPERS);
    // What it would say now, as the status note says it (in a block quote), and the checklists.
    expect(text).toMatch(/^> .*Moderator: @username/m);
    expect(text.match(/post the checklist for the speaker and the moderator/g)).toHaveLength(READY);
    // It names the cards without linking them: a reference would add a note to every card.
    expect(text).not.toMatch(/[#!&]\d/);
    expect(text).not.toMatch(/@(alice|bob|carol)\b/);
  });

  it('a second sweep writes nothing', async () => {
    world.sandbox.resetCalls();
    await world.service!.sweep({ full: true });
    await world.settle();
    expect(botWrites(world)).toEqual([]);
  });

  it('judges a change made after the baseline as usual: a backlog card dragged to scheduled goes back, with its note', async () => {
    const { plan, scheduled } = world.board.labels;
    await world.as.carol.editIssue(world.project, board.backlog, { addLabels: [scheduled] });
    await world.settle();
    const card = await world.bot.getIssue(world.project, board.backlog);
    expect(card.labels).toContain(plan);
    expect(card.labels).not.toContain(scheduled);
    expect((await world.statusNote(board.backlog))?.body).toContain('Moved the card back');
  });

  it('a card from before the bot that someone touches gets its note, keeps its column, and leaves the onboarding list', async () => {
    const { plan, scheduled } = world.board.labels;
    const iid = board.skippers[0]!;
    await world.as.bob.createNote(world.project, iid, 'Who moderates this one?');
    await world.settle();
    const card = await world.bot.getIssue(world.project, iid);
    expect(card.labels).toContain(scheduled);
    expect(card.labels).not.toContain(plan);
    const note = (await world.statusNote(iid))?.body ?? '';
    expect(note).toContain('Moderator');
    expect(note).not.toMatch(/moved the card back/i);
    await world.settle();
    const [issue] = await onboardingIssues(world);
    expect(listedIids(issue!)).not.toContain(iid);
    expect(listedIids(issue!)).toHaveLength(SKIPPERS + READY - 1);
  });

  it('after a restart on the same SQLite file, the baseline holds: nothing is written', async () => {
    const [before] = await onboardingIssues(world);
    await world.stop();
    world.sandbox.resetCalls();
    await world.start({ sweepOnStart: true });
    await new Promise((r) => setTimeout(r, 300));
    await world.settle(60_000);
    expect(botWrites(world)).toEqual([]);
    const [after] = await onboardingIssues(world);
    expect(after!.description).toBe(before!.description);
  });

  it('once a person closes the onboarding issue it is dealt with: never edited or reopened again', async () => {
    const [issue] = await onboardingIssues(world);
    await world.as.alice.editIssue(world.project, issue!.iid, { stateEvent: 'close' });
    await world.settle();
    await world.as.bob.createNote(world.project, board.skippers[1]!, 'Taking this one.');
    await world.settle();
    world.sandbox.resetCalls();
    await world.service!.sweep({ full: true });
    await world.settle();
    expect(botWrites(world).filter((c) => c.path.includes(`/issues/${issue!.iid}`))).toEqual([]);
    expect((await world.bot.getIssue(world.project, issue!.iid)).state).toBe('closed');
    expect(await onboardingIssues(world)).toHaveLength(1);
  });
});

describe('onboarding: false', () => {
  const past = { offset: 0 };
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      startService: false,
      baseline: false,
      sandbox: { now: () => Date.now() + past.offset },
      configure: (config) => ({ ...config, onboarding: false }),
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('opens no onboarding issue, and the baseline still protects the past', async () => {
    const { plan, scheduled } = world.board.labels;
    past.offset = -10 * DAY;
    const old = world.sandbox.seedIssues(
      world.project,
      Array.from({ length: 5 }, (_, i) => ({ title: `Old ${i}`, description: 'please', labels: [scheduled] })),
    );
    past.offset = 0;
    world.sandbox.resetCalls();
    await world.start({ sweepOnStart: true });
    await new Promise((r) => setTimeout(r, 300));
    await world.settle(60_000);
    expect(botWrites(world)).toEqual([]);
    expect(await onboardingIssues(world)).toEqual([]);
    for (const iid of old) expect((await world.bot.getIssue(world.project, iid)).labels).toContain(scheduled);

    // From the baseline on, as usual.
    const fresh = await world.create('dave', 'New skipper', fullRequest('Skipping.', 'dave'));
    await world.settle();
    await world.as.dave.editIssue(world.project, fresh.iid, { addLabels: [scheduled] });
    await world.settle();
    expect((await world.bot.getIssue(world.project, fresh.iid)).labels).toContain(plan);
  });
});

describe('a pipeline’s `rhythm sweep` on the service’s database meets the board first', () => {
  const past = { offset: 0 };
  let world: World;
  let cwd: string;
  beforeAll(async () => {
    world = await startWorld({ startService: false, baseline: false, sandbox: { now: () => Date.now() + past.offset } });
    cwd = mkdtempSync(join(tmpdir(), 'rhythm-onboarding-sweep-'));
  });
  afterAll(async () => {
    await world?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('the first run writes only the bot’s own issues, the second nothing, and a later move is judged', { timeout: 120_000 }, async () => {
    const { plan, scheduled } = world.board.labels;
    past.offset = -10 * DAY;
    const old = world.sandbox.seedIssues(
      world.project,
      Array.from({ length: 10 }, (_, i) => ({ title: `Old ${i}`, description: 'please', labels: [scheduled] })),
    );
    const [idea] = world.sandbox.seedIssues(world.project, [{ title: 'Old idea', description: fullRequest('An idea.', 'carol') }]);
    past.offset = 0;

    world.sandbox.resetCalls();
    const first = await runSweep({ gitlabUrl: world.sandbox.url, cwd, databaseUrl: world.dbUrl });
    expect(first.code, first.err).toBe(0);
    // Nothing on any card: the only writes create the bot's own issues, the onboarding issue and
    // the dashboard of each board whose config enables one (this board's and the content board's),
    // which the first sweep builds from the board as it is, judging no move.
    expect(
      botWrites(world)
        .filter((c) => !c.route.endsWith('/reorder'))
        .map((c) => c.route),
    ).toEqual(['POST /projects/:id/issues', 'POST /projects/:id/issues', 'POST /projects/:id/issues']);
    const [issue] = await onboardingIssues(world);
    expect(listedIids(issue!).sort((a, b) => a - b)).toEqual(old);
    expect((await dashboards(world, world.project)).map((i) => i.title)).toEqual(['Skills Exchange Dashboard']);
    expect((await dashboards(world, CONTENT)).map((i) => i.title)).toEqual(['CSE events Dashboard']);

    world.sandbox.resetCalls();
    const second = await runSweep({ gitlabUrl: world.sandbox.url, cwd, databaseUrl: world.dbUrl });
    expect(second.code, second.err).toBe(0);
    expect(botWrites(world)).toEqual([]);

    await world.as.carol.editIssue(world.project, idea!, { addLabels: [scheduled] });
    const third = await runSweep({ gitlabUrl: world.sandbox.url, cwd, databaseUrl: world.dbUrl });
    expect(third.code, third.err).toBe(0);
    expect((await world.bot.getIssue(world.project, idea!)).labels).toContain(plan);
    for (const iid of old) expect((await world.bot.getIssue(world.project, iid)).labels).toContain(scheduled);
  });
});
