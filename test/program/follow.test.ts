// The bot following program plans through `rhythm serve` (in process, over loopback HTTP, with the
// sandbox's webhooks): a plan written into a labelled issue, the weekly nudges on a moved clock,
// the accreditation badges and program::done — each once, however often the plan is looked at.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { apply } from '../../src/engine/apply.js';
import { program } from '../../src/handlers/program/index.js';
import { readProgress } from '../../src/handlers/program/plan.js';
import { REPO, startWorld, type World } from '../support/world.js';

const PROJECT = 'gitlab-com/customer-success/csm-programs';
let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

const DAY = 24 * 3600_000;
const description = async (iid: number) => (await world.bot.getIssue(PROJECT, iid)).description ?? '';
const notes = async (iid: number) => (await world.botNotes(iid, PROJECT)).sort((a, b) => a.id - b.id);

/** Tick every box of the given sections (all when none are named), as a person edits the issue. */
async function tick(iid: number, sections?: string[]) {
  const lines = (await description(iid)).split('\n');
  let current = '';
  const ticked = lines.map((line) => {
    const m = /rhythm:program-section:([a-z0-9-]+)/.exec(line);
    if (m) current = m[1]!;
    return !sections || sections.includes(current) ? line.replace(/^- \[ \]/, '- [x]') : line;
  });
  await world.as.alice.editIssue(PROJECT, iid, { description: ticked.join('\n') });
  await world.settle();
}

async function sweepAndSettle() {
  await world.service!.sweep();
  await world.settle();
}

describe('a plan opened from a label', () => {
  it('asks for the people once, then writes the plan in when the description names them', async () => {
    const issue = await world.as.carol.createIssue(PROJECT, {
      title: 'My accreditation',
      description: 'Tracking my CSM courses.',
      labels: ['program::accreditation'],
    });
    await world.settle();
    const asked = await notes(issue.iid);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.body).toContain('`Member: @username`');
    expect(await description(issue.iid)).toBe('Tracking my CSM courses.');

    await world.as.carol.editIssue(PROJECT, issue.iid, { description: 'Tracking my CSM courses.\n\nMember: @carol' });
    await world.settle();
    const text = await description(issue.iid);
    expect(text.startsWith('Tracking my CSM courses.\n\nMember: @carol\n\n<!-- rhythm:program:accreditation member=carol -->')).toBe(true);
    expect(readProgress(text).map((s) => s.section)).toEqual(['course-1', 'course-2', 'course-3', 'course-4', 'course-5']);

    // Closing and reopening, and a sweep, never write a second plan.
    await world.as.carol.editIssue(PROJECT, issue.iid, { stateEvent: 'close' });
    await world.as.carol.editIssue(PROJECT, issue.iid, { stateEvent: 'reopen' });
    await sweepAndSettle();
    expect(await description(issue.iid)).toBe(text);
    expect(await notes(issue.iid)).toHaveLength(1);
  });

  it('notes a badge per course whose two boxes are ticked, then program::done when all are', async () => {
    const issue = await world.as.dave.createIssue(PROJECT, {
      title: 'Accreditation',
      description: 'Member: @dave',
      labels: ['program::accreditation'],
    });
    await world.settle();
    await tick(issue.iid, ['course-2']);
    const status = (await notes(issue.iid)).filter((n) => n.body.includes('rhythm:program-status'));
    expect(status).toHaveLength(1);
    expect(status[0]!.body).toContain('Badges earned: 1 of 5');
    expect(status[0]!.body).toContain('**Success Plans in Gainsight**: badge earned');
    expect((await world.bot.getIssue(PROJECT, issue.iid)).labels).not.toContain('program::done');

    await tick(issue.iid);
    const after = (await notes(issue.iid)).filter((n) => n.body.includes('rhythm:program-status'));
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(status[0]!.id);
    expect(after[0]!.body).toContain('Badges earned: 5 of 5');
    expect(after[0]!.body).toContain('Every box of this plan is ticked');
    expect((await world.bot.getIssue(PROJECT, issue.iid)).labels).toContain('program::done');
    await sweepAndSettle();
    expect(await notes(issue.iid)).toHaveLength(1);
  });

  it('keeps a line the member adds while the bot is writing the plan in, and writes the plan after it', async () => {
    const issue = await world.as.carol.createIssue(PROJECT, {
      title: 'Accreditation, edited twice',
      description: 'Tracking my courses.',
      labels: ['program::accreditation'],
    });
    await world.settle();
    // The bot's next read of this issue is done at once but answered late: the job holds the
    // description as it was, while carol edits it again.
    const read = new RegExp(`^/projects/${PROJECT}/issues/${issue.iid}$`);
    world.sandbox.faults.add({ kind: 'lateAnswer', ms: 1500, user: 'rhythm-bot', method: 'GET', path: read, times: 1 });
    await world.as.carol.editIssue(PROJECT, issue.iid, { description: 'Tracking my courses.\n\nMember: @carol' });
    const deadline = Date.now() + 20_000;
    // The fault retires when the read it holds is done (the sandbox's control API lists it until then).
    while (((await (await fetch(`${world.sandbox.url}/-/sandbox/faults`)).json()) as unknown[]).length > 0) {
      if (Date.now() > deadline) throw new Error('the bot never read the issue');
      await new Promise((r) => setTimeout(r, 20));
    }
    await world.as.carol.editIssue(PROJECT, issue.iid, { description: 'Tracking my courses.\n\nMember: @carol\nGoal: all five by June' });
    await world.settle();
    await new Promise((r) => setTimeout(r, 300));
    await world.settle();

    const text = await description(issue.iid);
    const [before, ...plans] = text.split('\n\n<!-- rhythm:program:accreditation member=carol -->');
    expect(before).toBe('Tracking my courses.\n\nMember: @carol\nGoal: all five by June');
    expect(plans).toHaveLength(1);
  });
});

describe('the internship nudges', () => {
  it('nudges intern and mentor once per week that ended with boxes unticked, on the bot clock', async () => {
    world.clockOffsetMs = 0;
    const today = DateTime.now().setZone(world.config.timezone);
    // Week 1 ended yesterday; week 2 ends in six days.
    const start = today.minus({ days: 8 }).toISODate()!;
    const issue = await world.as.alice.createIssue(PROJECT, {
      title: 'Internship',
      description: `Intern: @alice\nMentor: @bob\nStart: ${start}`,
      labels: ['program::internship'],
    });
    await world.settle();
    await tick(issue.iid, ['before']);
    const first = await notes(issue.iid);
    expect(first).toHaveLength(1);
    expect(first[0]!.body).toMatch(/^<!-- rhythm:program-nudge:week-1 -->\n@alice @bob, a reminder/);
    expect(first[0]!.body).toMatch(/\*\*Week 1\*\* \(.+\) ended with 4 of 4 boxes open/);
    expect(first[0]!.body).not.toContain('Week 2');

    await sweepAndSettle();
    await sweepAndSettle();
    expect(await notes(issue.iid)).toHaveLength(1);

    // A week later (the bot's clock moved), week 2 has ended too: one more nudge, for week 2 only.
    world.clockOffsetMs = 7 * DAY;
    await sweepAndSettle();
    const second = await notes(issue.iid);
    expect(second).toHaveLength(2);
    expect(second[1]!.body).toContain('**Week 2**');
    expect(second[1]!.body).not.toContain('**Week 1**');
    // Week 3's boxes ticked before it ends: never a nudge for it.
    await tick(issue.iid, ['week-3']);
    world.clockOffsetMs = 14 * DAY;
    await sweepAndSettle();
    expect((await notes(issue.iid)).map((n) => /week-\d+/.exec(n.body)![0])).toEqual(['week-1', 'week-2']);
    world.clockOffsetMs = 0;
  });

  it('costs two reads per follow-up when nothing is due (the issue and its notes)', async () => {
    const [plan] = await world.bot.listIssues(PROJECT, { labels: ['program::internship'], state: 'opened' });
    const door = world.bot.forEvent({});
    const loaded = await program.load({ kind: 'program', project: PROJECT, iid: plan!.iid }, [], {
      gitlab: door,
      config: world.config,
      configDir: REPO,
      now: new Date(Date.now() + 14 * DAY),
      log: world.log,
      columns: new ColumnCache(),
      listings: new Map(),
    });
    if ('skip' in loaded) throw new Error(loaded.skip);
    const decision = program.decide(loaded.state);
    expect(decision.steps).toEqual([]);
    await apply(decision.steps, { door, config: world.config, log: world.log, enqueue: async () => undefined });
    expect({ reads: door.reads, writes: door.writes }).toEqual({ reads: 2, writes: 0 });
  });

  it('costs two reads, the nudge and one read to keep it single when a nudge is due', async () => {
    const start = DateTime.now().setZone(world.config.timezone).minus({ days: 9 }).toISODate()!;
    const issue = await world.bot.createIssue(PROJECT, {
      title: 'Quiet internship',
      description: `Intern: @carol\nMentor: @dave\nStart: ${start}`,
    });
    const ctx = { config: world.config, configDir: REPO, log: world.log, columns: new ColumnCache(), listings: new Map() };
    const follow = async () => {
      world.sandbox.resetCalls();
      const door = world.bot.forEvent({});
      const loaded = await program.load({ kind: 'program', project: PROJECT, iid: issue.iid }, [], {
        ...ctx,
        gitlab: door,
        now: new Date(),
      });
      if ('skip' in loaded) throw new Error(loaded.skip);
      await apply(program.decide(loaded.state).steps, { door, config: world.config, log: world.log, enqueue: async () => undefined });
      // Counted where they arrive: the sandbox's own log of the bot's calls, and the door's count.
      const calls = world.sandbox.calls().filter((c) => c.user === 'rhythm-bot');
      const atSandbox = { reads: calls.filter((c) => c.method === 'GET').length, writes: calls.filter((c) => c.method !== 'GET').length };
      expect(atSandbox).toEqual({ reads: door.reads, writes: door.writes });
      return atSandbox;
    };
    await world.bot.editIssue(PROJECT, issue.iid, { addLabels: ['program::internship'] });
    expect(await follow()).toEqual({ reads: 3, writes: 1 }); // the plan written in, re-read just before the PUT
    expect(await follow()).toEqual({ reads: 3, writes: 1 }); // week 1's nudge
    expect(await follow()).toEqual({ reads: 2, writes: 0 }); // nothing more
  });
});
