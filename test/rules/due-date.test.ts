import { describe, expect, it } from 'vitest';
import { dueDate } from '../../src/rules/index.js';
import { calendarToday } from '../../src/card/index.js';
import { aCard, aContext } from './world.js';

describe('the date rule', () => {
  // 06:30 UTC on 10 March is still the evening of 9 March in Los Angeles.
  const now = new Date('2026-03-10T06:30:00Z');

  it.each([
    ['no due date', null, 'America/Los_Angeles', ['The card has no due date.']],
    ['a date in the past', '2026-03-08', 'America/Los_Angeles', ['The due date (2026-03-08) has passed.']],
    ['today in the team zone (already tomorrow in UTC)', '2026-03-09', 'America/Los_Angeles', []],
    ['the same date judged in UTC has passed', '2026-03-09', 'UTC', ['The due date (2026-03-09) has passed.']],
    ['a future date', '2026-03-12', 'America/Los_Angeles', []],
  ])('%s', (_case, date, timezone, expected) => {
    const findings = dueDate.check(aCard({ dueDate: date }), aContext({ now, timezone }), 'comment');
    expect(findings.map((f) => f.message)).toEqual(expected);
  });

  it('tells the calendar date in the team zone, not in UTC', () => {
    expect(calendarToday(now, 'America/Los_Angeles')).toBe('2026-03-09');
    expect(calendarToday(now, 'UTC')).toBe('2026-03-10');
    expect(calendarToday(now, 'Asia/Tokyo')).toBe('2026-03-10');
  });

  it('refuses an unknown time zone with a clear message', () => {
    expect(() => calendarToday(now, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });

  it('only judges scheduled cards', () => {
    expect(dueDate.appliesTo(aCard({ labels: ['status:plan'], dueDate: null }), aContext())).toBe(false);
  });
});
