import { describe, expect, it } from 'vitest';
import { businessDaysBefore, CalendarError, monthOf, nextMonth, sessionsIn } from '../../src/signups/calendar.js';
import { calendar, series } from './calendars.js';

const starts = (cal: ReturnType<typeof calendar>, month: string) =>
  sessionsIn(cal, 'webinar', month).map((s) => [s.localDate, s.localTime, s.start]);

describe('sessionsIn across daylight-saving changes', () => {
  it.each([
    // America/Los_Angeles: DST starts 2026-03-08, ends 2026-11-01.
    [
      'Los Angeles before spring forward',
      'America/Los_Angeles',
      'FREQ=MONTHLY;BYDAY=SU;BYSETPOS=1',
      '2026-03',
      '2026-03-01',
      '2026-03-01T17:00:00Z',
    ],
    [
      'Los Angeles on the spring-forward Sunday',
      'America/Los_Angeles',
      'FREQ=MONTHLY;BYDAY=SU;BYSETPOS=2',
      '2026-03',
      '2026-03-08',
      '2026-03-08T16:00:00Z',
    ],
    [
      'Los Angeles on the fall-back Sunday',
      'America/Los_Angeles',
      'FREQ=MONTHLY;BYDAY=SU;BYSETPOS=1',
      '2026-11',
      '2026-11-01',
      '2026-11-01T17:00:00Z',
    ],
    [
      'Los Angeles the Sunday before fall-back',
      'America/Los_Angeles',
      'FREQ=MONTHLY;BYDAY=SU;BYSETPOS=-1',
      '2026-10',
      '2026-10-25',
      '2026-10-25T16:00:00Z',
    ],
    // Australia/Sydney: DST ends 2026-04-05, starts 2026-10-04 (southern hemisphere).
    [
      'Sydney the Tuesday before DST ends',
      'Australia/Sydney',
      'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1',
      '2026-03',
      '2026-03-31',
      '2026-03-30T22:00:00Z',
    ],
    [
      'Sydney the Tuesday after DST ends',
      'Australia/Sydney',
      'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1',
      '2026-04',
      '2026-04-07',
      '2026-04-06T23:00:00Z',
    ],
    [
      'Sydney the Tuesday before DST starts',
      'Australia/Sydney',
      'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1',
      '2026-09',
      '2026-09-29',
      '2026-09-28T23:00:00Z',
    ],
    [
      'Sydney the Tuesday after DST starts',
      'Australia/Sydney',
      'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1',
      '2026-10',
      '2026-10-06',
      '2026-10-05T22:00:00Z',
    ],
    // Europe/London: BST starts 2026-03-29.
    [
      'London the last Thursday of March (GMT)',
      'Europe/London',
      'FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1',
      '2026-03',
      '2026-03-26',
      '2026-03-26T09:00:00Z',
    ],
    [
      'London the last Tuesday of March (BST)',
      'Europe/London',
      'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1',
      '2026-03',
      '2026-03-31',
      '2026-03-31T08:00:00Z',
    ],
  ])('%s', (_name, timezone, rrule, month, localDate, start) => {
    const cal = calendar([series({ title: 'Advanced CI', region: 'AMER', timezone, rrule, time: '09:00' })]);
    expect(starts(cal, month)).toEqual([[localDate, '09:00', start]]);
  });

  it('keeps the wall-clock time of a weekly rule on both sides of the change', () => {
    const cal = calendar([
      series({ title: 'Office hours', region: 'EMEA', timezone: 'Europe/London', rrule: 'FREQ=WEEKLY;BYDAY=TH', time: '14:00' }),
    ]);
    expect(starts(cal, '2026-03').map(([, , s]) => s)).toEqual([
      '2026-03-05T14:00:00Z',
      '2026-03-12T14:00:00Z',
      '2026-03-19T14:00:00Z',
      '2026-03-26T14:00:00Z',
    ]);
    expect(starts(cal, '2026-04')[0]).toEqual(['2026-04-02', '14:00', '2026-04-02T13:00:00Z']);
  });

  it('moves a time that falls in the spring gap forward, and takes the earlier of two in the autumn overlap', () => {
    const cal = calendar([
      series({ title: 'Gap', region: 'AMER', timezone: 'America/Los_Angeles', dates: ['2026-03-08T02:30'] }),
      series({ title: 'Overlap', region: 'AMER', timezone: 'America/Los_Angeles', dates: ['2026-11-01T01:30'] }),
    ]);
    expect(starts(cal, '2026-03')).toEqual([['2026-03-08', '03:30', '2026-03-08T10:30:00Z']]);
    expect(starts(cal, '2026-11')).toEqual([['2026-11-01', '01:30', '2026-11-01T08:30:00Z']]);
  });
});

describe('sessionsIn with fifth weekdays and year ends', () => {
  it.each([
    ['the fifth Tuesday exists in December 2026', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=5', '2026-12', ['2026-12-29']],
    ['there is no fifth Tuesday in November 2026', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=5', '2026-11', []],
    ['the last Tuesday is the fifth when there are five', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1', '2026-12', ['2026-12-29']],
    ['the last Tuesday is the fourth when there are four', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1', '2026-11', ['2026-11-24']],
    ['the first Thursday of a new year', 'FREQ=MONTHLY;BYDAY=TH;BYSETPOS=1', '2027-01', ['2027-01-07']],
    ['the last Friday of a year', 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', '2026-12', ['2026-12-25']],
    ['every other year counts from 2000: 2026 has one', 'FREQ=YEARLY;INTERVAL=2;BYMONTH=12;BYDAY=TU;BYSETPOS=1', '2026-12', ['2026-12-01']],
    ['every other year counts from 2000: 2027 has none', 'FREQ=YEARLY;INTERVAL=2;BYMONTH=12;BYDAY=TU;BYSETPOS=1', '2027-12', []],
    ['every third month counts from January 2000', 'FREQ=MONTHLY;INTERVAL=3;BYDAY=WE;BYSETPOS=1', '2026-10', ['2026-10-07']],
    ['and skips the months between', 'FREQ=MONTHLY;INTERVAL=3;BYDAY=WE;BYSETPOS=1', '2026-11', []],
  ])('%s', (_name, rrule, month, dates) => {
    const cal = calendar([series({ title: 'Advanced CI', region: 'EMEA', timezone: 'UTC', rrule, time: '10:00' })]);
    expect(starts(cal, month).map(([d]) => d)).toEqual(dates);
  });

  it('keeps an every-other-week rule in step from one month to the next', () => {
    const cal = calendar([
      series({ title: 'Clinic', region: 'EMEA', timezone: 'UTC', rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO', time: '10:00' }),
    ]);
    const days = [...starts(cal, '2026-12'), ...starts(cal, '2027-01')].map(([d]) => Date.parse(`${d}T00:00:00Z`));
    expect(days.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < days.length; i++) expect((days[i]! - days[i - 1]!) / 86_400_000).toBe(14);
  });

  it('places a session in the month of its local date, not its UTC date', () => {
    const cal = calendar([
      series({ title: 'Early APAC', region: 'APAC', timezone: 'Australia/Sydney', dates: ['2026-12-01T09:00'] }),
      series({ title: 'Late AMER', region: 'AMER', timezone: 'America/Los_Angeles', dates: ['2026-11-30T18:00'] }),
    ]);
    const december = sessionsIn(cal, 'webinar', '2026-12');
    expect(december.map((s) => [s.id, s.localDate, s.start])).toEqual([
      ['2026-12-01-apac-early-apac', '2026-12-01', '2026-11-30T22:00:00Z'],
    ]);
    const november = sessionsIn(cal, 'webinar', '2026-11');
    expect(november.map((s) => [s.id, s.start])).toEqual([['2026-11-30-amer-late-amer', '2026-12-01T02:00:00Z']]);
  });

  it('adds one-off dates, drops skipped dates, and counts a one-off on a rule date once', () => {
    const cal = calendar([
      series({
        title: 'Advanced CI',
        region: 'AMER',
        timezone: 'America/Los_Angeles',
        rrule: 'FREQ=WEEKLY;BYDAY=TU',
        time: '09:00',
        skip: ['2026-12-22', '2026-12-29'],
        dates: ['2026-12-01T09:00', '2026-12-17T12:30', '2027-01-05T09:00'],
      }),
    ]);
    expect(starts(cal, '2026-12').map(([d, t]) => `${d} ${t}`)).toEqual([
      '2026-12-01 09:00',
      '2026-12-08 09:00',
      '2026-12-15 09:00',
      '2026-12-17 12:30',
    ]);
  });

  it('sorts by start across zones and gives readable ids that stay unique', () => {
    const cal = calendar([
      series({
        title: 'Advanced CI',
        region: 'AMER',
        timezone: 'America/Los_Angeles',
        dates: ['2026-12-08T16:00', '2026-12-08T09:00'],
        registrationUrl: 'https://example.com/r',
      }),
      series({ title: 'Advanced CI', region: 'APAC', timezone: 'Australia/Sydney', dates: ['2026-12-08T09:00'] }),
    ]);
    const sessions = sessionsIn(cal, 'webinar', '2026-12');
    expect(sessions.map((s) => s.id)).toEqual([
      '2026-12-08-apac-advanced-ci',
      '2026-12-08-amer-advanced-ci',
      '2026-12-08-amer-advanced-ci-2',
    ]);
    expect(sessions[1]).toEqual({
      id: '2026-12-08-amer-advanced-ci',
      kind: 'webinar',
      title: 'Advanced CI',
      region: 'AMER',
      timezone: 'America/Los_Angeles',
      start: '2026-12-08T17:00:00Z',
      localDate: '2026-12-08',
      localTime: '09:00',
      durationMinutes: 60,
      registrationUrl: 'https://example.com/r',
    });
  });

  it('keeps access days on labs only', () => {
    const cal = calendar([series({ title: 'Lab', region: 'EMEA', timezone: 'UTC', dates: ['2026-12-03T10:00'], accessDays: 4 })]);
    expect(sessionsIn(cal, 'lab', '2026-12')[0]?.accessDays).toBe(4);
    expect(sessionsIn(cal, 'webinar', '2026-12')[0]?.accessDays).toBeUndefined();
  });

  it.each([
    [
      'an unknown time zone',
      series({ title: 'X', region: 'R', timezone: 'Mars/Olympus', dates: ['2026-12-01T09:00'] }),
      /unknown time zone "Mars\/Olympus"/,
    ],
    ['a rule without a time', series({ title: 'X', region: 'R', timezone: 'UTC', rrule: 'FREQ=WEEKLY;BYDAY=MO' }), /needs a "time"/],
    ['a rule that is not one', series({ title: 'X', region: 'R', timezone: 'UTC', rrule: 'EVERY TUESDAY', time: '09:00' }), /rrule/],
    [
      'a rule carrying its own DTSTART',
      series({ title: 'X', region: 'R', timezone: 'UTC', rrule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=WEEKLY', time: '09:00' }),
      /DTSTART/,
    ],
    [
      'a rule with COUNT, which has no start to count from',
      series({ title: 'X', region: 'R', timezone: 'UTC', rrule: 'FREQ=WEEKLY;COUNT=4', time: '09:00' }),
      /COUNT/,
    ],
    ['a one-off date without a time', series({ title: 'X', region: 'R', timezone: 'UTC', dates: ['2026-12-01'] }), /YYYY-MM-DDTHH:MM/],
    ['a time past midnight', series({ title: 'X', region: 'R', timezone: 'UTC', rrule: 'FREQ=WEEKLY;BYDAY=MO', time: '25:00' }), /HH:MM/],
  ])('explains %s, naming the series', (_name, bad, message) => {
    const run = () => sessionsIn(calendar([bad]), 'webinar', '2026-12');
    expect(run).toThrow(CalendarError);
    expect(run).toThrow(message);
    expect(run).toThrow(/webinar series 1 \("X"\)/);
  });

  it('rejects a month that is not YYYY-MM', () => {
    expect(() => sessionsIn(calendar([]), 'lab', '2026-13')).toThrow(/YYYY-MM/);
  });
});

describe('nextMonth', () => {
  it.each([
    ['mid-month', '2026-06-15T12:00:00Z', 'UTC', '2026-07'],
    ['December becomes January of the next year', '2026-12-10T12:00:00Z', 'UTC', '2027-01'],
    ['late on 31 December in Los Angeles, when UTC is already 1 January', '2027-01-01T07:30:00Z', 'America/Los_Angeles', '2027-01'],
    ['early on 1 January in Sydney, when UTC is still 31 December', '2026-12-31T14:00:00Z', 'Australia/Sydney', '2027-02'],
    ['31 January does not skip February', '2026-01-31T12:00:00Z', 'UTC', '2026-02'],
  ])('%s', (_name, now, timezone, expected) => {
    expect(nextMonth(new Date(now), timezone)).toBe(expected);
  });

  it('agrees with monthOf one month on', () => {
    expect(monthOf(new Date('2027-01-01T07:30:00Z'), 'America/Los_Angeles')).toBe('2026-12');
    expect(monthOf(new Date('2027-01-01T07:30:00Z'), 'UTC')).toBe('2027-01');
  });
});

describe('businessDaysBefore', () => {
  it.each([
    ['Tuesday, 2 days', '2026-12-08', 2, [], '2026-12-04'],
    ['Monday, 2 days, over a weekend', '2026-12-07', 2, [], '2026-12-03'],
    ['Saturday, 1 day', '2026-12-05', 1, [], '2026-12-04'],
    ['zero days is the day itself', '2026-12-08', 0, [], '2026-12-08'],
    ['a holiday is skipped too', '2026-12-08', 2, ['2026-12-04'], '2026-12-03'],
    ['across the year end with New Year holidays', '2027-01-04', 2, ['2026-12-31', '2027-01-01'], '2026-12-29'],
    ['across the year end without holidays', '2027-01-04', 2, [], '2026-12-31'],
  ])('%s', (_name, date, n, holidays, expected) => {
    expect(businessDaysBefore(date, n, new Set(holidays))).toBe(expected);
  });
});
