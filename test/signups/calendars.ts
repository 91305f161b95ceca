// Small calendars written for these tests.
import type { SessionSeries, SignupCalendar, SignupsConfig } from '../../src/config/types.js';

export function series(over: Partial<SessionSeries> & Pick<SessionSeries, 'title' | 'region' | 'timezone'>): SessionSeries {
  return { dates: [], skip: [], durationMinutes: 60, ...over };
}

export function calendar(sessions: SessionSeries[], over: Partial<SignupCalendar> = {}): SignupCalendar {
  return { enabled: true, title: 'DRI sign-up: {{monthName}}', labels: ['cse-events::sign-up'], sessions, ...over };
}

export const REMINDERS: SignupsConfig['reminders'] = {
  noDriDaysBefore: 10,
  labEnvironmentDaysBefore: 7,
  webinarMp4BusinessDaysBefore: 2,
};

/** A month of webinars in three regions, like the team's calendar. */
export const WEBINARS = calendar([
  series({
    title: 'Advanced CI',
    region: 'AMER',
    timezone: 'America/Los_Angeles',
    rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2',
    time: '09:00',
    registrationUrl: 'https://example.com/register/advanced-ci-amer',
  }),
  series({ title: 'Advanced CI', region: 'EMEA', timezone: 'Europe/London', rrule: 'FREQ=MONTHLY;BYDAY=WE;BYSETPOS=2', time: '14:00' }),
  series({
    title: 'Security Scanning',
    region: 'APAC',
    timezone: 'Australia/Sydney',
    rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1',
    time: '09:00',
  }),
]);

/** Labs, one with a fixed access period. */
export const LABS = calendar([
  series({
    title: 'Hands-on GitLab CI',
    region: 'AMER',
    timezone: 'America/New_York',
    rrule: 'FREQ=MONTHLY;BYDAY=TH;BYSETPOS=3',
    time: '11:00',
    accessDays: 2,
    durationMinutes: 120,
  }),
  series({
    title: 'Security and Compliance',
    region: 'EMEA',
    timezone: 'Europe/Berlin',
    dates: ['2026-12-03T10:00'],
    accessDays: 4,
    durationMinutes: 120,
  }),
]);
