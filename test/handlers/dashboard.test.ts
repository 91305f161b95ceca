// The dashboard issue of each board, against the sandbox over loopback: one issue the bot owns,
// found again by its marker, rewritten in place, and not written at all when nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardKey, issueKey } from '../../src/engine/keys.js';
import { generateSignups } from '../../src/handlers/signup-month/generate.js';
import { nextMonth } from '../../src/signups/calendar.js';
import type { GIssue } from '../../src/gitlab/types.js';
import { runKey } from '../support/run-key.js';
import { REPO, startWorld, withDashboards, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ startService: false, configure: withDashboards });
});
afterAll(async () => {
  await world?.close();
});

const run = (key: string) => runKey(key, { config: world.config, door: world.bot.forEvent({}), configDir: REPO });

async function dashboards(project: string): Promise<GIssue[]> {
  const all = await world.bot.listIssues(project, { state: 'all', search: 'Dashboard' });
  return all.filter((i) => (i.description ?? '').includes('<!-- rhythm:dashboard:') && i.author?.username === 'rhythm-bot');
}

/** A card as a person makes it: labels, a date, assignees and a Moderator line. */
async function aCard(o: { title: string; labels: string[]; due?: string; assign?: string[]; moderator?: string; confidential?: boolean }) {
  const description = [`## Topic`, o.title, '', o.moderator ? `Moderator: @${o.moderator}` : ''].join('\n');
  const issue = await world.as.alice.createIssue(world.project, {
    title: o.title,
    description,
    labels: o.labels,
    ...(o.due ? { dueDate: o.due } : {}),
    ...(o.confidential ? { confidential: true } : {}),
  });
  if (o.assign?.length) {
    const ids = await Promise.all(o.assign.map((name) => world.userId(name)));
    return world.as.alice.editIssue(world.project, issue.iid, { assigneeIds: ids });
  }
  return issue;
}

describe('the Skills Exchange dashboard', () => {
  it('shows the next 8 weeks and the cards waiting, and costs reads only when nothing changed', async () => {
    const ready = await aCard({
      title: 'Kubernetes for CSMs',
      labels: ['status:scheduled'],
      due: world.date(7),
      assign: ['alice', 'bob'],
      moderator: 'bob',
    });
    const planned = await aCard({ title: 'Unnamed idea', labels: ['status:plan'] });
    const past = await aCard({
      title: 'Past session',
      labels: ['status:scheduled'],
      due: world.date(-3),
      assign: ['carol', 'dave'],
      moderator: 'dave',
    });
    await aCard({
      title: 'Secret customer story',
      labels: ['status:scheduled'],
      due: world.date(15),
      assign: ['alice', 'bob'],
      moderator: 'bob',
      confidential: true,
    });
    await aCard({ title: 'Hi @all <!channel> [click](https://evil.example)', labels: ['status:plan'], assign: ['carol'] });
    await world.as.alice.createIssue(world.project, { title: 'Backlog idea', description: 'later' });

    const first = await run(dashboardKey('skills-exchange'));
    expect(first.note).toBe('created');
    const [dashboard, ...more] = await dashboards(world.project);
    expect(more).toHaveLength(0);
    expect(dashboard!.title).toBe('Skills Exchange Dashboard');
    const text = dashboard!.description ?? '';
    expect(text.split('\n')[0]).toBe('<!-- rhythm:dashboard:skills-exchange -->');
    const weeks = text.split('\n').filter((l) => l.startsWith('- **Week of '));
    expect(weeks).toHaveLength(8);
    expect(weeks.filter((l) => l.endsWith('no session yet')).length).toBeGreaterThanOrEqual(5);
    expect(text).toContain(`#\u200B${ready.iid} Kubernetes for CSMs`);
    // No GitLab reference and no link to the card: either would add a note to it.
    expect(text).not.toContain(ready.web_url);
    expect(text).not.toMatch(new RegExp(`#${ready.iid}\\b`));
    // People are named, never pinged; the confidential card's title never shows.
    expect(text).toMatch(/speaker @\u200Balice, moderator @\u200Bbob/);
    expect(text).not.toContain('Secret customer story');
    expect(text).toContain('(confidential)');
    // A title cannot mention, link or break out of the line.
    expect(text).not.toMatch(/(^|[^\u200B])@all/);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('](https://evil.example)');
    // Grouped by what the cards wait for.
    const group = (heading: string) => text.split('### ').find((g) => g.startsWith(heading)) ?? '';
    expect(group('Waiting for a speaker')).toContain(`#\u200B${planned.iid} `);
    expect(group('Waiting for a moderator')).toContain(`#\u200B${planned.iid} `);
    expect(group('Waiting for a date')).toContain(`#\u200B${planned.iid} `);
    expect(group('Waiting for the recording')).toContain(`#\u200B${past.iid} `);
    expect(group('Waiting for a speaker')).not.toContain(`#\u200B${ready.iid} `);

    // The recording is posted as a comment: the card waits no more.
    await world.as.dave.createNote(world.project, past.iid, 'Recording: https://www.youtube.com/watch?v=abcdef123');
    const posted = await run(dashboardKey('skills-exchange'));
    expect(posted.note).toBe('updated');
    expect(posted.writes).toBe(1);
    const after = (await world.bot.getIssue(world.project, dashboard!.iid)).description ?? '';
    expect(after).not.toContain('Waiting for the recording');

    // Nothing changed: reads only. One listing of the open issues, and the notes of the one card
    // whose date has passed without a link in its description.
    const again = await run(dashboardKey('skills-exchange'));
    expect(again.note).toBe('unchanged');
    expect(again.steps).toEqual([]);
    expect({ reads: again.reads, writes: again.writes }).toEqual({ reads: 2, writes: 0 });
  });

  it('is found again by its marker: a person closing it gets it reopened, not a second one', async () => {
    const [dashboard] = await dashboards(world.project);
    await world.as.alice.editIssue(world.project, dashboard!.iid, { stateEvent: 'close', title: 'renamed' });
    const reopened = await run(dashboardKey('skills-exchange'));
    expect(reopened.note).toBe('updated');
    const now = await world.bot.getIssue(world.project, dashboard!.iid);
    expect(now).toMatchObject({ state: 'opened', title: 'Skills Exchange Dashboard' });
    expect(await dashboards(world.project)).toHaveLength(1);
  });

  it('is no card: the card handler leaves it alone', async () => {
    const [dashboard] = await dashboards(world.project);
    const outcome = await run(issueKey(world.project, dashboard!.iid));
    expect(outcome).toMatchObject({ kind: 'skipped', writes: 0 });
    expect(await world.botNotes(dashboard!.iid)).toEqual([]);
  });
});

describe('the content dashboard', () => {
  it("shows next month's sessions without a DRI, and the sign-up issue not open yet", async () => {
    const project = world.config.signups!.project;
    const month = nextMonth(new Date(), world.config.timezone);
    const before = await run(dashboardKey('content'));
    expect(before.note).toBe('created');
    const [dashboard] = await dashboards(project);
    expect(dashboard!.title).toBe('CSE events Dashboard');
    expect(dashboard!.description).toMatch(/\*\*Webinars\*\*: the sign-up issue for .+ is not open yet/);

    const report = await generateSignups(
      { config: world.config, configDir: REPO, door: world.bot, log: world.log },
      { month, only: 'webinars' },
    );
    const iid = report.results[0]!.iid!;
    const issue = await world.bot.getIssue(project, iid);
    const lines = (issue.description ?? '').split('\n');
    const slot = lines.findIndex((l) => l.includes('rhythm:dri:'));
    lines[slot] = `${lines[slot]} @alice`;
    await world.as.alice.editIssue(project, iid, { description: lines.join('\n') });

    await run(dashboardKey('content'));
    const text = (await world.bot.getIssue(project, dashboard!.iid)).description ?? '';
    const webinars = config().signups!.webinars.sessions.length;
    expect(text).toContain(`**Webinars** ([sign-up issue](${issue.web_url})): 1 of ${webinars} sessions have a DRI. Without a DRI:`);
    expect(text.split('\n').filter((l) => l.startsWith('  - CSE monthly webinar'))).toHaveLength(webinars - 1);
    expect(text).toMatch(/\*\*Hands-on labs\*\*: the sign-up issue for .+ is not open yet/);
    expect((await run(dashboardKey('content'))).writes).toBe(0);
  });
});

const config = () => world.config;
