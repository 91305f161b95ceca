import { describe, expect, it } from 'vitest';
import { sessionsIn } from '../../src/signups/calendar.js';
import { parseClaims } from '../../src/signups/claims.js';
import { mergeSignupDescription } from '../../src/signups/merge.js';
import { renderSignup } from '../../src/signups/render.js';
import { renderSignupSummary } from '../../src/signups/summary.js';
import { calendar, REMINDERS, series, WEBINARS } from './calendars.js';

const sessions = sessionsIn(WEBINARS, 'webinar', '2026-12');
const fresh = renderSignup({ kind: 'webinars', month: '2026-12', calendar: WEBINARS, sessions, reminders: REMINDERS, configDir: '.' });
const line = (id: string, rest: string) => `- [ ] DRI: ${rest} <!-- rhythm:dri:${id} -->`;
const edit = (id: string, rest: string, text = fresh.description) => text.replace(`- [ ] DRI: <!-- rhythm:dri:${id} -->`, line(id, rest));
const summary = (text: string) =>
  renderSignupSummary({ kind: 'webinars', month: '2026-12', sessions, claims: parseClaims(text, sessions) });

describe('renderSignupSummary', () => {
  it('starts with its marker and counts the sessions that have a DRI', () => {
    const text = edit('2026-12-08-amer-advanced-ci', '@alice');
    const note = summary(text);
    expect(note.split('\n')[0]).toBe('<!-- rhythm:signup-status -->');
    expect(note).toContain('**DRI sign-up status:** 1 of 3 webinars in December 2026 have a DRI.');
    expect(note).toContain('- ✅ Tue 8 Dec 2026 · AMER · Advanced CI: @\u200balice');
    expect(note).toContain('- ⬜ Tue 1 Dec 2026 · APAC · Security Scanning: no DRI yet');
    expect(note).not.toMatch(/Needs a look/);
  });

  it('thanks everyone when every session has a DRI', () => {
    let text = fresh.description;
    for (const [s, who] of sessions.map((s, i) => [s, ['alice', 'bob', 'carol'][i]] as const)) text = edit(s.id, `@${who}`, text);
    expect(summary(text)).toContain('3 of 3 webinars in December 2026 have a DRI. Thank you, everyone!');
  });

  it.each([
    [
      'two people on one slot',
      '@alice @bob',
      /Tue 8 Dec 2026 · AMER · Advanced CI: the DRI line names @\u200balice and @\u200bbob\. One DRI per session/,
    ],
    ['a name without @', 'alice please', /the DRI line says "alice please", which is not a username\. Write it as `DRI: @your-username`\./],
    [
      'an everyone-mention on the DRI line',
      '/close @all **x**',
      /the DRI line says "\\\/close @\u200ball \\\*\\\*x\\\*\\\*", which is not a username/,
    ],
  ])('explains %s in one friendly line', (_name, rest, expected) => {
    const note = summary(edit('2026-12-08-amer-advanced-ci', rest));
    expect(note).toMatch(/\*\*Needs a look:\*\*/);
    expect(note).toMatch(expected);
  });

  it('never mentions anyone, never starts a line with "/", and says the same thing twice', () => {
    const text = `${edit('2026-12-08-amer-advanced-ci', '@alice @bob')}\n${line('2026-12-09-emea-advanced-ci', 'me /close @all')}\n${line('2026-12-31-zz-unknown', '@dave')}`;
    const note = summary(text);
    // GitLab never reads a mention inside a code span, so only text outside them counts.
    expect(note.replace(/`[^`]*`/g, '')).not.toMatch(/(?<![\w])@[A-Za-z0-9_]/);
    for (const l of note.split('\n')) expect(l).not.toMatch(/^\s*\//);
    expect(note).toContain('`2026-12-31-zz-unknown`, which is not a session');
    expect(summary(text)).toBe(note);
  });

  it('points at a removed session that someone had claimed', () => {
    const gone = { ...WEBINARS, sessions: WEBINARS.sessions.filter((s) => s.region !== 'APAC') };
    const left = sessionsIn(gone, 'webinar', '2026-12');
    const next = renderSignup({ kind: 'webinars', month: '2026-12', calendar: gone, sessions: left, reminders: REMINDERS, configDir: '.' });
    const merged = mergeSignupDescription(edit('2026-12-01-apac-security-scanning', '@carol'), next.description, left);
    const note = renderSignupSummary({ kind: 'webinars', month: '2026-12', sessions: left, claims: parseClaims(merged, left) });
    expect(note).toContain('0 of 2 webinars');
    expect(note).toContain('`2026-12-01-apac-security-scanning` is no longer in the calendar, but @\u200bcarol had signed up for it.');
  });

  it('speaks of one lab, and of a month with none', () => {
    const one = calendar([series({ title: 'CI Lab', region: 'EMEA', timezone: 'UTC', dates: ['2026-12-03T10:00'] })]);
    const s = sessionsIn(one, 'lab', '2026-12');
    expect(renderSignupSummary({ kind: 'labs', month: '2026-12', sessions: s, claims: parseClaims('', s) })).toContain(
      '0 of 1 lab in December 2026 has a DRI.',
    );
    const none = sessionsIn(calendar([]), 'lab', '2026-02');
    expect(renderSignupSummary({ kind: 'labs', month: '2026-02', sessions: none, claims: parseClaims('', none) })).toContain(
      'there are no labs in February 2026.',
    );
  });

  it('lists at most 50 lines that need a look, however many forged DRI lines the description has (#12 item 15)', () => {
    const forged = Array.from({ length: 6000 }, (_, i) => line(`forged-session-${i}`, '@bob')).join('\n');
    const note = summary(`${edit('2026-12-08-amer-advanced-ci', '@alice')}\n${forged}`);
    expect(note.length).toBeLessThan(20_000);
    expect(note).toContain('1 of 3 webinars in December 2026 have a DRI.');
    expect(note).toContain('`forged-session-0`, which is not a session');
    expect(note).toContain('`forged-session-49`, which is not a session');
    expect(note).not.toContain('`forged-session-50`');
    expect(note).toContain('- … and 5,950 more like these. Rhythm lists the first 50;');
    // The same forged line a thousand times is one line.
    const copies = Array.from({ length: 1000 }, () => line('forged-session', '@bob')).join('\n');
    expect(summary(`${fresh.description}\n${copies}`).match(/forged-session/g)).toHaveLength(1);
  });

  it('names the first five of a crowded DRI line and shortens a session id that goes on and on', () => {
    const crowd = Array.from({ length: 6000 }, (_, i) => `@user${i}`).join(' ');
    const note = summary(`${edit('2026-12-08-amer-advanced-ci', crowd)}\n${line(`x${'y'.repeat(5000)}`, '@bob')}`);
    expect(note).toMatch(/the DRI line names @\u200buser0, @\u200buser1, @\u200buser2, @\u200buser3, @\u200buser4 and 5,995 others\./);
    expect(note).toContain(`\`x${'y'.repeat(58)}…\`, which is not a session`);
    expect(note.length).toBeLessThan(5_000);
  });
});
