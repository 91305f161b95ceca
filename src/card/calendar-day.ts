// "Today" for a team is a calendar date in its own time zone, not in UTC.
import { DateTime } from 'luxon';

/** The date (YYYY-MM-DD) that `now` falls on in `timezone` (IANA name). */
export function calendarToday(now: Date, timezone: string): string {
  const day = DateTime.fromJSDate(now, { zone: timezone });
  const iso = day.isValid ? day.toISODate() : null;
  if (!iso) throw new Error(`cannot tell the date in time zone "${timezone}": ${day.invalidExplanation ?? 'invalid instant'}`);
  return iso;
}
