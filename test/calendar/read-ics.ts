// Reading a feed back with ical.js, a parser independent of the library that wrote it.
import ICAL from 'ical.js';

export interface ParsedEvent {
  uid: string;
  summary: string;
  start: Date;
  end: Date | null;
  allDay: boolean;
  /** The start as written for an all-day event (YYYY-MM-DD). */
  date: string | null;
  sequence: number;
  status: string;
  description: string;
  url: string | null;
}

export function readIcs(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      start: event.startDate.toJSDate(),
      end: event.endDate ? event.endDate.toJSDate() : null,
      allDay: event.startDate.isDate,
      date: event.startDate.isDate ? event.startDate.toString() : null,
      sequence: event.sequence,
      status: String(vevent.getFirstPropertyValue('status') ?? ''),
      description: event.description,
      url: (vevent.getFirstPropertyValue('url') as string | null) ?? null,
    };
  });
}
