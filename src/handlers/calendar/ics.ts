// A board's events as an iCalendar file (RFC 5545), written by ical-generator. Times are UTC
// (DTSTART:…Z), all-day events plain dates: correct in every client without a VTIMEZONE.
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { FeedEvent } from './events.js';

export function renderIcs(name: string, events: readonly FeedEvent[]): string {
  const calendar = ical({
    name,
    prodId: { company: 'rhythm', product: 'board-calendar', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    // Clients re-fetch a subscribed feed about this often (X-PUBLISHED-TTL / REFRESH-INTERVAL).
    ttl: 60 * 60,
  });
  for (const event of events) {
    const timed = 'start' in event.when;
    calendar.createEvent({
      id: event.uid,
      summary: event.summary,
      start: 'start' in event.when ? new Date(event.when.start) : event.when.date,
      ...('start' in event.when ? { end: new Date(event.when.end) } : {}),
      allDay: !timed,
      description: event.description,
      ...(event.url ? { url: event.url } : {}),
      sequence: event.sequence,
      stamp: new Date(event.stamp),
      status: event.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
