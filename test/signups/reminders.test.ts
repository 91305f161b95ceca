import { describe, expect, it } from 'vitest';
import { sessionsIn } from '../../src/signups/calendar.js';
import { parseClaims } from '../../src/signups/claims.js';
import { dueReminders, type ReminderInput } from '../../src/signups/reminders.js';
import { calendar, REMINDERS, series } from './calendars.js';

// A webinar on Monday 7 Dec 2026 at 09:00 in Los Angeles (17:00 UTC) and a lab on Tuesday 15 Dec
// 2026 at 10:00 in Berlin (09:00 UTC).
const webinars = sessionsIn(
  calendar([series({ title: 'Advanced CI', region: 'AMER', timezone: 'America/Los_Angeles', dates: ['2026-12-07T09:00'] })]),
  'webinar',
  '2026-12',
);
const labs = sessionsIn(
  calendar([series({ title: 'CI Lab', region: 'EMEA', timezone: 'Europe/Berlin', dates: ['2026-12-15T10:00'] })]),
  'lab',
  '2026-12',
);
const WEBINAR = '2026-12-07-amer-advanced-ci';
const LAB = '2026-12-15-emea-ci-lab';

function claims(id: string, dri: string | null, ticked: string[] = []) {
  const lines = [`- [ ] DRI: ${dri ? `@${dri}` : ''} <!-- rhythm:dri:${id} -->`];
  for (const key of ['lab-environment', 'webinar-mp4'])
    lines.push(`- [${ticked.includes(key) ? 'x' : ' '}] box <!-- rhythm:check:${key}:${id} -->`);
  return lines.join('\n');
}

function due(over: Partial<Omit<ReminderInput, 'now'>> & { text: string; now: string }) {
  const sessions = over.sessions ?? [...webinars, ...labs];
  return dueReminders({
    sessions,
    claims: parseClaims(over.text, sessions),
    now: new Date(over.now),
    timezone: over.timezone ?? 'America/Los_Angeles',
    reminders: REMINDERS,
    ...(over.holidays ? { holidays: over.holidays } : {}),
    ...(over.posted ? { posted: over.posted } : {}),
    ...(over.people ? { people: over.people } : {}),
  }).map((r) => `${r.kind} ${r.sessionId}${r.mention ? ` @${r.mention}` : ''}`);
}

describe('dueReminders', () => {
  it.each([
    // no DRI: 10 days before the session's date, judged on the team's calendar (Los Angeles).
    ['not yet on the 26th of November in the team zone', 'webinar', '2026-11-27T07:59:00Z', []],
    ['on the 27th of November, 10 days before', 'webinar', '2026-11-27T08:00:00Z', [`no-dri ${WEBINAR}`]],
    ['later, when a sweep was missed', 'webinar', '2026-12-06T12:00:00Z', [`no-dri ${WEBINAR}`]],
    ['never once the session has started', 'webinar', '2026-12-07T17:00:00Z', []],
  ])('asks for a DRI %s', (_name, _kind, now, expected) => {
    expect(due({ sessions: webinars, text: claims(WEBINAR, null), now })).toEqual(expected);
  });

  it('judges the day in the team zone, not in UTC', () => {
    // 2026-11-26T14:00Z is the 27th in Sydney but still the 26th in Los Angeles.
    expect(due({ sessions: webinars, text: claims(WEBINAR, null), now: '2026-11-26T14:00:00Z', timezone: 'Australia/Sydney' })).toEqual([
      `no-dri ${WEBINAR}`,
    ]);
    expect(due({ sessions: webinars, text: claims(WEBINAR, null), now: '2026-11-26T14:00:00Z' })).toEqual([]);
  });

  it.each([
    ['not on the Wednesday', '2026-12-02T20:00:00Z', undefined, []],
    ['on the Thursday, two business days before the Monday', '2026-12-03T08:00:00Z', undefined, [`webinar-mp4 ${WEBINAR} @alice`]],
    [
      'a business day earlier when the Thursday is a holiday',
      '2026-12-02T20:00:00Z',
      new Set(['2026-12-03']),
      [`webinar-mp4 ${WEBINAR} @alice`],
    ],
  ])('reminds the webinar DRI to download the MP4 %s', (_name, now, holidays, expected) => {
    expect(due({ sessions: webinars, text: claims(WEBINAR, 'alice'), now, ...(holidays ? { holidays } : {}) })).toEqual(expected);
  });

  it.each([
    ['not 8 days before', '2026-12-07T20:00:00Z', [], []],
    ['7 days before, to the DRI', '2026-12-08T08:00:00Z', [], [`lab-environment ${LAB} @bob`]],
    ['not when the box is ticked', '2026-12-10T08:00:00Z', ['lab-environment'], []],
  ])('reminds the lab DRI to request the environment %s', (_name, now, ticked, expected) => {
    expect(due({ sessions: labs, text: claims(LAB, 'bob', ticked), now })).toEqual(expected);
  });

  it('sends each reminder once: a marker already posted is not due again', () => {
    const text = `${claims(WEBINAR, null)}\n${claims(LAB, 'bob')}`;
    expect(due({ text, now: '2026-12-09T08:00:00Z' })).toEqual([`lab-environment ${LAB} @bob`]);
    expect(due({ text, now: '2026-12-09T08:00:00Z', posted: new Set([`rhythm:reminder:lab-environment:${LAB}`]) })).toEqual([]);
    expect(due({ text, now: '2026-12-01T08:00:00Z' })).toEqual([`no-dri ${WEBINAR}`]);
    expect(due({ text, now: '2026-12-04T08:00:00Z', posted: new Set([`rhythm:reminder:no-dri:${WEBINAR}`]) })).toEqual([]);
  });

  it('writes a note body that carries its marker and only the DRI as a mention', () => {
    const [r] = dueReminders({
      sessions: labs,
      claims: parseClaims(claims(LAB, 'bob'), labs),
      now: new Date('2026-12-09T08:00:00Z'),
      timezone: 'UTC',
      reminders: REMINDERS,
    });
    expect(r?.marker).toBe(`rhythm:reminder:lab-environment:${LAB}`);
    expect(r?.body.split('\n')[0]).toBe(`<!-- rhythm:reminder:lab-environment:${LAB} -->`);
    expect(r?.body).toMatch(/^@bob a friendly reminder for CI Lab \(EMEA, Tue 15 Dec 2026 at 10:00 Europe\/Berlin\)/m);
    expect([...(r?.body ?? '').matchAll(/(?<![\w`])@[a-z]/g)].length).toBe(1);
  });
});

describe('whom a reminder pings (issue 12, item 13)', () => {
  // The lab environment reminder falls due 7 days before the 15th: on the 8th in Los Angeles.
  const at = '2026-12-08T18:00:00Z';
  it('only a DRI GitLab answered for as a user, spelled as GitLab spells the account', () => {
    expect(due({ sessions: labs, text: claims(LAB, 'Alice'), now: at, people: { alice: { username: 'alice' } } })).toEqual([
      `lab-environment ${LAB} @alice`,
    ]);
  });

  it('never a group or a name no one has: the reminder is posted to no one', () => {
    expect(due({ sessions: labs, text: claims(LAB, 'gitlab-com'), now: at, people: { 'gitlab-com': null } })).toEqual([
      `lab-environment ${LAB}`,
    ]);
  });
});
