// Which sessions fall in a month, from the config's calendar: recurrence rules, one-off dates and
// skipped dates, each placed in its own time zone. Pure: no clock, no I/O.
import rrulePkg from 'rrule';
import type { Frequency } from 'rrule';
import { DateTime } from 'luxon';
import type { SessionSeries, SignupCalendar } from '../config/types.js';

// rrule ships CommonJS; Node's ESM loader only sees its default export.
const { RRule } = rrulePkg;

export type SessionKind = 'webinar' | 'lab';

export interface Session {
  id: string;
  kind: SessionKind;
  title: string;
  region: string;
  timezone: string;
  /** ISO instant in UTC, e.g. 2026-12-08T17:00:00Z. */
  start: string;
  /** YYYY-MM-DD in the session's zone: this decides the month a session belongs to. */
  localDate: string;
  /** HH:MM in the session's zone. */
  localTime: string;
  durationMinutes: number;
  registrationUrl?: string;
  accessDays?: 2 | 4;
}

/** A calendar the config cannot mean; the message names the series and what is wrong. */
export class CalendarError extends Error {
  override name = 'CalendarError';
}

const MONTH = /^(\d{4})-(\d{2})$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

// Rules with INTERVAL > 1 need a fixed phase; counting from one agreed day keeps every month's
// expansion consistent with the others.
const RULE_ANCHOR = new Date(Date.UTC(2000, 0, 1));

export function parseMonth(month: string): { year: number; month: number } {
  const m = MONTH.exec(month);
  const year = Number(m?.[1]);
  const mon = Number(m?.[2]);
  if (!m || mon < 1 || mon > 12) throw new CalendarError(`month must look like YYYY-MM (got "${month}")`);
  return { year, month: mon };
}

/** The sessions of one kind whose local date falls in `month` (YYYY-MM), sorted by start. */
export function sessionsIn(calendar: SignupCalendar, kind: SessionKind, month: string): Session[] {
  const { year, month: mon } = parseMonth(month);
  const found: Session[] = [];
  calendar.sessions.forEach((series, index) => {
    const where = `${kind} series ${index + 1} ("${series.title}")`;
    if (!DateTime.local().setZone(series.timezone).isValid) {
      throw new CalendarError(`${where}: unknown time zone "${series.timezone}"`);
    }
    const starts = new Map<string, DateTime>();
    for (const local of ruleDates(series, year, mon, where)) {
      if (series.skip.includes(local)) continue;
      const dt = placeLocal(local, requireTime(series, where), series.timezone, where);
      starts.set(dt.toMillis().toString(), dt);
    }
    for (const oneOff of series.dates) {
      const m = LOCAL_DATE_TIME.exec(oneOff);
      if (!m) throw new CalendarError(`${where}: date "${oneOff}" must look like YYYY-MM-DDTHH:MM`);
      if (Number(m[1]) !== year || Number(m[2]) !== mon) continue;
      const dt = placeLocal(`${m[1]}-${m[2]}-${m[3]}`, `${m[4]}:${m[5]}`, series.timezone, where);
      starts.set(dt.toMillis().toString(), dt);
    }
    for (const dt of starts.values()) found.push(toSession(series, kind, dt));
  });
  found.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
  return withUniqueIds(found);
}

function requireTime(series: SessionSeries, where: string): string {
  if (!series.time) throw new CalendarError(`${where}: a recurrence rule needs a "time" (HH:MM)`);
  return series.time;
}

/**
 * The rule's occurrences in the month as local dates. The rule runs over floating dates (UTC
 * standing in for "no zone"), so its weekday arithmetic never sees a DST change.
 */
function ruleDates(series: SessionSeries, year: number, month: number, where: string): string[] {
  if (!series.rrule) return [];
  let options;
  try {
    options = RRule.parseString(series.rrule);
  } catch (err) {
    throw new CalendarError(`${where}: cannot read rrule "${series.rrule}": ${(err as Error).message}`);
  }
  if (options.freq === undefined) throw new CalendarError(`${where}: rrule "${series.rrule}" has no FREQ`);
  if (options.dtstart || options.tzid) {
    throw new CalendarError(`${where}: rrule must not carry DTSTART or TZID; use "timezone" and "time"`);
  }
  if (options.count) throw new CalendarError(`${where}: rrule COUNT has no start to count from; use UNTIL or one-off dates`);
  const rule = new RRule({ ...options, dtstart: anchorNear(options.freq, options.interval ?? 1, year, month) });
  const from = new Date(Date.UTC(year, month - 1, 1));
  const to = new Date(Date.UTC(year, month, 1) - 1);
  return rule.between(from, to, true).map((d) => d.toISOString().slice(0, 10));
}

/**
 * The anchor moved forward by whole periods of the rule to just before the month, so expanding
 * the rule gives the same dates as from the anchor itself without walking every period since.
 */
function anchorNear(freq: Frequency, interval: number, year: number, month: number): Date {
  const monthsSince = (year - 2000) * 12 + (month - 1);
  switch (freq) {
    case RRule.YEARLY:
      return new Date(Date.UTC(2000 + Math.floor((year - 2000) / interval) * interval, 0, 1));
    case RRule.MONTHLY:
      return new Date(Date.UTC(2000, Math.floor(monthsSince / interval) * interval, 1));
    case RRule.WEEKLY:
    case RRule.DAILY: {
      const step = (freq === RRule.WEEKLY ? 7 : 1) * interval;
      const daysSince = (Date.UTC(year, month - 1, 1) - RULE_ANCHOR.getTime()) / 86_400_000;
      return new Date(RULE_ANCHOR.getTime() + Math.floor(daysSince / step) * step * 86_400_000);
    }
    default:
      return RULE_ANCHOR;
  }
}

/**
 * A local date and wall-clock time in a zone, as an instant. In the autumn overlap the earlier
 * instant wins (RFC 5545); in the spring gap the time moves forward past the gap.
 */
export function placeLocal(localDate: string, time: string, timezone: string, where = 'session'): DateTime {
  const t = TIME.exec(time);
  if (!t || Number(t[1]) > 23 || Number(t[2]) > 59) {
    throw new CalendarError(`${where}: time "${time}" must look like HH:MM`);
  }
  if (!LOCAL_DATE.test(localDate)) throw new CalendarError(`${where}: date "${localDate}" must look like YYYY-MM-DD`);
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  const wall = { year: y, month: m, day: d, hour: Number(t[1]), minute: Number(t[2]) };
  const dt = DateTime.fromObject(wall, { zone: timezone });
  if (!dt.isValid) throw new CalendarError(`${where}: "${localDate}T${time}" is not a date in ${timezone}`);
  for (const minutes of [120, 60, 30]) {
    const earlier = dt.minus({ minutes });
    if (earlier.toFormat('yyyy-MM-dd HH:mm') === dt.toFormat('yyyy-MM-dd HH:mm')) return earlier;
  }
  return dt;
}

function toSession(series: SessionSeries, kind: SessionKind, dt: DateTime): Session {
  const localDate = dt.toFormat('yyyy-MM-dd');
  const session: Session = {
    id: `${localDate}-${slug(series.region)}-${slug(series.title)}`,
    kind,
    title: series.title,
    region: series.region,
    timezone: series.timezone,
    start: dt.toUTC().toISO({ suppressMilliseconds: true }) ?? '',
    localDate,
    localTime: dt.toFormat('HH:mm'),
    durationMinutes: series.durationMinutes,
  };
  if (series.registrationUrl) session.registrationUrl = series.registrationUrl;
  if (kind === 'lab' && series.accessDays) session.accessDays = series.accessDays;
  return session;
}

/** Lower-case ASCII words joined by hyphens; the readable part of a session id. */
export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s || 'session';
}

// Two sessions of the same title and region on one day (say a morning and an evening run) get
// -2, -3 in start order, so ids stay stable while the calendar stays the same.
function withUniqueIds(sessions: Session[]): Session[] {
  const seen = new Map<string, number>();
  return sessions.map((s) => {
    const n = (seen.get(s.id) ?? 0) + 1;
    seen.set(s.id, n);
    return n === 1 ? s : { ...s, id: `${s.id}-${n}` };
  });
}

/** The month after the one `now` falls in, judged on the calendar in `timezone`. */
export function nextMonth(now: Date, timezone: string): string {
  return monthOf(now, timezone, 1);
}

/** The month `now` falls in (offset 0) or a later one, judged in `timezone`. */
export function monthOf(now: Date, timezone: string, offset = 0): string {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  if (!local.isValid) throw new CalendarError(`unknown time zone "${timezone}"`);
  return local.startOf('month').plus({ months: offset }).toFormat('yyyy-MM');
}

/** The calendar date `n` business days before `date` (weekends and the given holidays skipped). */
export function businessDaysBefore(date: string, n: number, holidays?: Set<string>): string {
  let day = DateTime.fromISO(date, { zone: 'UTC' });
  if (!LOCAL_DATE.test(date) || !day.isValid) throw new CalendarError(`date must look like YYYY-MM-DD (got "${date}")`);
  let left = n;
  while (left > 0) {
    day = day.minus({ days: 1 });
    const iso = day.toFormat('yyyy-MM-dd');
    if (day.weekday <= 5 && !holidays?.has(iso)) left -= 1;
  }
  return day.toFormat('yyyy-MM-dd');
}

/** The calendar date `n` days before `date`. */
export function daysBefore(date: string, n: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).minus({ days: n }).toFormat('yyyy-MM-dd');
}

/** Today's calendar date in `timezone`. */
export function localToday(now: Date, timezone: string): string {
  return DateTime.fromJSDate(now, { zone: timezone }).toFormat('yyyy-MM-dd');
}
