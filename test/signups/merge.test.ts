import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SignupCalendar } from '../../src/config/types.js';
import { sessionsIn } from '../../src/signups/calendar.js';
import { parseClaims } from '../../src/signups/claims.js';
import { mergeSignupDescription } from '../../src/signups/merge.js';
import { renderSignup } from '../../src/signups/render.js';
import { calendar, REMINDERS, series, WEBINARS } from './calendars.js';

const render = (cal: SignupCalendar) =>
  renderSignup({
    kind: 'webinars',
    month: '2026-12',
    calendar: cal,
    sessions: sessionsIn(cal, 'webinar', '2026-12'),
    reminders: REMINDERS,
    configDir: '.',
  });

const AMER = '2026-12-08-amer-advanced-ci';
const EMEA = '2026-12-09-emea-advanced-ci';
const APAC = '2026-12-01-apac-security-scanning';

function signUp(text: string, id: string, username: string): string {
  const slot = `- [ ] DRI: <!-- rhythm:dri:${id} -->`;
  expect(text).toContain(slot);
  return text.replace(slot, `- [x] DRI: @${username} <!-- rhythm:dri:${id} -->`);
}
function tick(text: string, key: string, id: string): string {
  const re = new RegExp(`- \\[ \\](.*<!-- rhythm:check:${key}:${id} -->)`);
  expect(text).toMatch(re);
  return text.replace(re, '- [x]$1');
}
const driOf = (text: string, cal: SignupCalendar) =>
  Object.fromEntries(parseClaims(text, sessionsIn(cal, 'webinar', '2026-12')).sessions.map((c) => [c.sessionId, c.dri]));

/** alice runs AMER and downloaded the MP4; bob runs EMEA; carol runs APAC; someone added a line. */
const signedUp = (() => {
  let text = render(WEBINARS).description;
  text = tick(signUp(text, AMER, 'alice'), 'webinar-mp4', AMER);
  text = signUp(text, EMEA, 'bob');
  text = signUp(text, APAC, 'carol');
  return text.replace(
    '### Tue 8 Dec 2026 · AMER · Advanced CI',
    '### Tue 8 Dec 2026 · AMER · Advanced CI\n\nalice: I can swap with bob if needed',
  );
})();

const moved: SignupCalendar = {
  ...WEBINARS,
  sessions: WEBINARS.sessions.map((s) => (s.region === 'EMEA' ? { ...s, time: '15:00' } : s)),
};
const withoutApac: SignupCalendar = { ...WEBINARS, sessions: WEBINARS.sessions.filter((s) => s.region !== 'APAC') };

describe('mergeSignupDescription', () => {
  it('returns exactly the existing text when the calendar has not changed', () => {
    expect(mergeSignupDescription(signedUp, render(WEBINARS).description, sessionsIn(WEBINARS, 'webinar', '2026-12'))).toBe(signedUp);
  });

  it('keeps every sign-up and ticked box when a session moves and another is added', () => {
    const edited: SignupCalendar = {
      ...moved,
      sessions: [
        ...moved.sessions,
        series({ title: 'Agile Planning', region: 'AMER', timezone: 'America/Chicago', dates: ['2026-12-16T10:00'] }),
      ],
    };
    const fresh = render(edited);
    const merged = mergeSignupDescription(signedUp, fresh.description, fresh.sessions);
    expect(merged).not.toBe(signedUp);
    expect(merged).toContain('- When: 15:00 Europe/London (15:00 UTC), 60 minutes');
    expect(merged).not.toContain('14:00 Europe/London');
    expect(driOf(merged, edited)).toEqual({ [APAC]: 'carol', [AMER]: 'alice', [EMEA]: 'bob', '2026-12-16-amer-agile-planning': null });
    const amer = parseClaims(merged, fresh.sessions).sessions.find((c) => c.sessionId === AMER);
    expect(amer?.checks['webinar-mp4']).toBe(true);
    expect(parseClaims(merged, fresh.sessions).problems).toEqual([]);
    // A second run with the same calendar changes nothing.
    expect(mergeSignupDescription(merged, render(edited).description, fresh.sessions)).toBe(merged);
  });

  it('keeps a claimed session that left the calendar, flagged, at the end of the list', () => {
    const fresh = render(withoutApac);
    const merged = mergeSignupDescription(signedUp, fresh.description, fresh.sessions);
    expect(merged).toContain(`<!-- rhythm:removed:${APAC} -->`);
    expect(merged).toMatch(/Removed from the calendar/);
    expect(merged.indexOf(`<!-- rhythm:session:${APAC} -->`)).toBeGreaterThan(merged.indexOf(`<!-- rhythm:session-end:${EMEA} -->`));
    expect(merged.indexOf(`<!-- rhythm:session:${APAC} -->`)).toBeLessThan(merged.indexOf('<!-- rhythm:sessions-end -->'));
    const claims = parseClaims(merged, fresh.sessions);
    expect(claims.problems).toEqual([]);
    expect(claims.sessions.find((c) => c.sessionId === APAC)).toMatchObject({ dri: 'carol', removed: true });
    expect(mergeSignupDescription(merged, render(withoutApac).description, fresh.sessions)).toBe(merged);
  });

  it('drops a session that left the calendar when nobody had claimed it', () => {
    const text = signUp(signUp(render(WEBINARS).description, AMER, 'alice'), EMEA, 'bob');
    const fresh = render(withoutApac);
    const merged = mergeSignupDescription(text, fresh.description, fresh.sessions);
    expect(merged).not.toContain(APAC);
    expect(merged).not.toMatch(/Removed from the calendar/);
    expect(driOf(merged, withoutApac)).toEqual({ [AMER]: 'alice', [EMEA]: 'bob' });
  });

  it('keeps a removed session whose only trace is a ticked box', () => {
    const text = tick(render(WEBINARS).description, 'practice', APAC);
    const fresh = render(withoutApac);
    expect(mergeSignupDescription(text, fresh.description, fresh.sessions)).toContain(`<!-- rhythm:removed:${APAC} -->`);
  });

  it('lifts the flag when a removed session comes back, keeping its DRI', () => {
    const gone = render(withoutApac);
    const flagged = mergeSignupDescription(signedUp, gone.description, gone.sessions);
    const back = render(WEBINARS);
    const merged = mergeSignupDescription(flagged, back.description, back.sessions);
    expect(merged).not.toContain('rhythm:removed:');
    expect(driOf(merged, WEBINARS)).toEqual({ [APAC]: 'carol', [AMER]: 'alice', [EMEA]: 'bob' });
  });

  it("never carries a line that GitLab would run as a quick action into the bot's edit", () => {
    const text = render(WEBINARS).description.replace(
      `- [ ] DRI: <!-- rhythm:dri:${APAC} -->`,
      `/close @carol <!-- rhythm:dri:${APAC} -->`,
    );
    const fresh = render(withoutApac);
    const merged = mergeSignupDescription(text, fresh.description, fresh.sessions);
    expect(merged).toContain(`\\/close @carol <!-- rhythm:dri:${APAC} -->`);
    for (const line of merged.split('\n')) expect(line).not.toMatch(/^\s*\//);
  });

  it('reads CRLF text from the browser and keeps its sign-ups', () => {
    const fresh = render(moved);
    const merged = mergeSignupDescription(signedUp.replace(/\n/g, '\r\n'), fresh.description, fresh.sessions);
    expect(driOf(merged, moved)).toEqual({ [APAC]: 'carol', [AMER]: 'alice', [EMEA]: 'bob' });
  });

  it('never loses a sign-up, whatever the calendar edit (property)', () => {
    const regions = ['AMER', 'EMEA', 'APAC'];
    const people = ['alice', 'bob', 'carol', 'dave'];
    const base = calendar(
      regions.map((region, i) =>
        series({
          title: `Topic ${i}`,
          region,
          timezone: 'UTC',
          rrule: `FREQ=MONTHLY;BYDAY=${['TU', 'WE', 'TH'][i]};BYSETPOS=${i + 1}`,
          time: '10:00',
        }),
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.constantFrom(...people), { nil: undefined }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.array(fc.constantFrom('10:00', '11:30'), { minLength: 3, maxLength: 3 }),
        (claimedBy, kept, times) => {
          const before = render(base);
          let text = before.description;
          before.sessions.forEach((s, i) => {
            const who = claimedBy[i];
            if (who) text = signUp(text, s.id, who);
          });
          const edited = { ...base, sessions: base.sessions.map((s, i) => ({ ...s, time: times[i] })).filter((_s, i) => kept[i]) };
          const fresh = render(edited);
          const merged = mergeSignupDescription(text, fresh.description, fresh.sessions);
          const claims = parseClaims(merged, fresh.sessions);
          expect(claims.problems).toEqual([]);
          before.sessions.forEach((s, i) => {
            const claim = claims.sessions.find((c) => c.sessionId === s.id);
            if (claimedBy[i]) expect(claim).toMatchObject({ dri: claimedBy[i], removed: !kept[i] });
            else if (!kept[i]) expect(claim).toBeUndefined();
          });
          expect(mergeSignupDescription(merged, fresh.description, fresh.sessions)).toBe(merged);
        },
      ),
      { numRuns: 60, seed: 20261208 },
    );
  });
});
