// A subscriber's view of the board: GET /calendar/<id>.ics on `rhythm serve` over loopback HTTP,
// against the sandbox GitLab, parsed back with ical.js.
import { connect } from 'node:net';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SkillsExchangeBoard } from '../../src/config/types.js';
import { generateSignups } from '../../src/handlers/signup-month/generate.js';
import { FeedCache } from '../../src/handlers/calendar/feed.js';
import { monthOf } from '../../src/signups/calendar.js';
import { REPO, fullRequest, startWorld, type World } from '../support/world.js';
import { readIcs } from './read-ics.js';

let world: World;
const TOKEN = 'feed-token-5b1e0c9d';
const lines: string[] = [];

beforeAll(async () => {
  world = await startWorld({
    startService: false,
    configure: (config) => ({
      ...config,
      boards: config.boards.map((b) =>
        b.kind === 'skills-exchange'
          ? { ...b, calendar: { ...b.calendar, sessionTime: '08:00', durationMinutes: 60, cacheSeconds: 0 } }
          : b,
      ),
    }),
  });
  const { createLogger } = await import('../../src/observability/log.js');
  // Every log line the service writes, to check the token never appears in one.
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  await world.start({ log });
});
afterAll(async () => {
  await world?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${world.service!.url}${path}`, { headers });

async function feed(id = 'skills-exchange') {
  const res = await get(`/calendar/${id}.ics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
  return { text: await res.text(), events: readIcs(await (await get(`/calendar/${id}.ics`)).text()) };
}

/** alice plans a card with speaker and moderator, then moves it to status:scheduled. */
async function scheduledCard(title: string, days: number, opts: { confidential?: boolean } = {}) {
  const { project } = world;
  const description = `${fullRequest(title, 'alice')}\n\nModerator: @bob`;
  const card = await world.as.alice.createIssue(project, {
    title,
    description,
    labels: ['status:plan'],
    dueDate: world.date(days),
    ...(opts.confidential ? { confidential: true } : {}),
  });
  await world.as.alice.editIssue(project, card.iid, { assigneeIds: [await world.userId('alice'), await world.userId('bob')] });
  await world.as.alice.editIssue(project, card.iid, { addLabels: ['status:scheduled'], removeLabels: ['status:plan'] });
  await world.settle();
  return world.bot.getIssue(project, card.iid);
}

describe('the Skills Exchange calendar feed', () => {
  it('holds one event per scheduled card, at the session time in the team zone, with speaker, moderator and link', async () => {
    const card = await scheduledCard('Kubernetes for CSMs', 10);
    await scheduledCard('Confidential roadmap', 11, { confidential: true });
    // A backlog card with a date was never scheduled: not in the feed.
    await world.as.carol.createIssue(world.project, {
      title: 'Someday',
      description: fullRequest('Someday', 'carol'),
      dueDate: world.date(12),
    });
    await world.settle();

    const { events } = await feed();
    expect(events.map((e) => e.summary)).toEqual(['Kubernetes for CSMs']);
    const [event] = events;
    const start = DateTime.fromISO(`${world.date(10)}T08:00`, { zone: world.config.timezone });
    expect(event!.start.toISOString()).toBe(start.toUTC().toJSDate().toISOString());
    expect(event!.end!.getTime() - event!.start.getTime()).toBe(60 * 60_000);
    expect(event!.allDay).toBe(false);
    expect(event!.status).toBe('CONFIRMED');
    expect(event!.uid).toBe(`gitlab-issue-${card.id}@${new URL(world.sandbox.url).host}`);
    expect(event!.description).toContain('Speaker: @alice');
    expect(event!.description).toContain('Moderator: @bob');
    expect(event!.description).toContain(card.web_url);
    expect(event!.url).toBe(card.web_url);
  });

  it('answers the same bytes to every request while nothing changed (UIDs, SEQUENCE and stamps are stable)', async () => {
    const a = await (await get('/calendar/skills-exchange.ics')).text();
    const b = await (await get('/calendar/skills-exchange.ics')).text();
    expect(b).toBe(a);
    const etag = (await get('/calendar/skills-exchange.ics')).headers.get('etag')!;
    expect((await get('/calendar/skills-exchange.ics', { 'if-none-match': etag })).status).toBe(304);
  });

  it('cancels a card that leaves the column, with a higher SEQUENCE, and one closed before its date', async () => {
    const moved = await scheduledCard('Moves back to planning', 14);
    const closed = await scheduledCard('Closed before its date', 15);
    const before = (await feed()).events;
    const seq = (iid: number, events = before) => events.find((e) => e.summary === (iid === moved.iid ? moved.title : closed.title))!;
    expect(seq(moved.iid).status).toBe('CONFIRMED');
    // SEQUENCE counts whole seconds of updated_at: a change in the same second as the read
    // before it would share its SEQUENCE (a documented limit), so the person moves a second later.
    await new Promise((r) => setTimeout(r, 1100));

    await world.as.alice.editIssue(world.project, moved.iid, { addLabels: ['status:plan'], removeLabels: ['status:scheduled'] });
    await world.as.alice.editIssue(world.project, closed.iid, { stateEvent: 'close' });
    await world.settle();
    const after = (await feed()).events;
    expect(seq(moved.iid, after).status).toBe('CANCELLED');
    expect(seq(moved.iid, after).uid).toBe(seq(moved.iid).uid);
    expect(seq(moved.iid, after).sequence).toBeGreaterThan(seq(moved.iid).sequence);
    expect(seq(closed.iid, after).status).toBe('CANCELLED');
    expect(seq(closed.iid, after).sequence).toBeGreaterThan(seq(closed.iid).sequence);
  });

  it('is an all-day event on the due date when the board sets no session time', async () => {
    const board = world.config.boards[0] as SkillsExchangeBoard;
    const { calendar, ...rest } = board;
    const { sessionTime: _dropped, ...allDay } = calendar;
    const config = { ...world.config, boards: [{ ...rest, calendar: allDay }, ...world.config.boards.slice(1)] };
    const cache = new FeedCache({ config, configDir: REPO, gitlab: world.bot, log: world.log, now: () => new Date() });
    const built = await cache.get(config.boards[0]!);
    const event = readIcs(built.ics).find((e) => e.summary === 'Kubernetes for CSMs')!;
    expect(event.allDay).toBe(true);
    expect(event.date).toBe(world.date(10));
    expect(built.ics).toContain(`DTSTART;VALUE=DATE:${world.date(10).replaceAll('-', '')}`);
  });

  it('builds once per cacheSeconds, however many calendar clients ask', async () => {
    const board = { ...(world.config.boards[0] as SkillsExchangeBoard) };
    board.calendar = { ...board.calendar, cacheSeconds: 60 };
    let now = 1_000_000;
    const cache = new FeedCache(
      { config: world.config, configDir: REPO, gitlab: world.bot, log: world.log, now: () => new Date() },
      () => now,
    );
    const reads0 = world.bot.reads;
    const first = await Promise.all([cache.get(board), cache.get(board), cache.get(board)]);
    const perBuild = world.bot.reads - reads0;
    expect(perBuild).toBeGreaterThan(0);
    await cache.get(board);
    expect(world.bot.reads - reads0).toBe(perBuild);
    expect(first[1].ics).toBe(first[0].ics);
    now += 61_000;
    await cache.get(board);
    expect(world.bot.reads - reads0).toBe(2 * perBuild);
  });

  it('says 404 for a board it does not have, and 405 for a write', async () => {
    expect((await get('/calendar/nope.ics')).status).toBe(404);
    expect((await get('/calendar/../rhythm.yml')).status).toBe(404);
    expect((await fetch(`${world.service!.url}/calendar/skills-exchange.ics`, { method: 'POST' })).status).toBe(405);
  });

  it('survives a request target no URL parser takes (`//`): the service still answers after it', async () => {
    // fetch normalises targets, so the bytes go over a plain socket, as any client on the network may send them.
    const { hostname, port } = new URL(world.service!.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.end('GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += String(d)));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect((await fetch(`${world.service!.url}/healthz`)).status).toBe(200);
  });
});

describe('the content calendar feed', () => {
  it('holds every webinar and lab of the sign-up calendars, with its DRI and a link to the sign-up issue', async () => {
    const project = world.config.signups!.project;
    const month = monthOf(new Date(), world.config.timezone);
    const report = await generateSignups(
      { config: world.config, configDir: REPO, door: world.bot, log: world.log },
      { month, only: 'webinars' },
    );
    const iid = report.results[0]!.iid!;
    const issue = await world.bot.getIssue(project, iid);
    const text = (issue.description ?? '').split('\n');
    const slot = text.findIndex((l) => l.includes('rhythm:dri:'));
    const sessionId = /rhythm:dri:([a-z0-9-]+)/.exec(text[slot]!)![1]!;
    text[slot] = `${text[slot]} @carol`;
    await world.as.carol.editIssue(project, iid, { description: text.join('\n') });
    await world.settle();

    const { events } = await feed('content');
    const claimed = events.find((e) => e.uid.startsWith(`signup-${sessionId}@`))!;
    expect(claimed.description).toContain('DRI: @carol');
    expect(claimed.description).toContain(issue.web_url);
    expect(claimed.status).toBe('CONFIRMED');
    expect(events.some((e) => e.summary.startsWith('Hands-on lab'))).toBe(true);
    expect(events.filter((e) => e.description.includes('DRI: nobody yet')).length).toBeGreaterThan(0);
  });
});

describe('a private feed', () => {
  it('answers only with its token, compares it in constant time and never logs it', async () => {
    await world.stop();
    const config = {
      ...world.config,
      boards: world.config.boards.map((b) => ({ ...b, calendar: { ...b.calendar, token: TOKEN } })),
    };
    lines.length = 0;
    const { createLogger } = await import('../../src/observability/log.js');
    const log = createLogger({ level: 'debug', destination: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
    await world.start({ config, log });
    expect((await get('/calendar/skills-exchange.ics')).status).toBe(404);
    expect((await get(`/calendar/skills-exchange.ics?token=${TOKEN.slice(0, -1)}`)).status).toBe(404);
    expect((await get(`/calendar/skills-exchange.ics?token=${TOKEN}x`)).status).toBe(404);
    const ok = await get(`/calendar/skills-exchange.ics?token=${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(readIcs(await ok.text()).length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(TOKEN);
    expect(lines.some((l) => l.includes('calendar feed served'))).toBe(true);
  });
});
