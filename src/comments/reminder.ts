// Reminders around a session: one before the date, and one after it while no recording link is
// in the issue. The engine decides when; this decides what they say.
import { DateTime } from 'luxon';
import { safeDate } from './checklist.js';
import { noteMarker } from './marker.js';
import { guardNote, noteTemplate } from './note-template.js';
import { mentions } from '../markdown/index.js';

export type ReminderKind = 'before' | 'recording';

export interface ReminderInput {
  speakers: string[];
  moderator: string | null;
  dueDate: string | null;
  /** The team's calendar date (rules' calendarToday); lets "before" say "tomorrow" or "in 2 days". */
  today?: string;
}

function when(dueDate: string, today: string | undefined): string {
  if (!dueDate) return 'coming up';
  if (!today || !safeDate(today)) return `on ${dueDate}`;
  const days = Math.round(DateTime.fromISO(dueDate).diff(DateTime.fromISO(today), 'days').days);
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days > 1) return `in ${days} days, on ${dueDate}`;
  return `on ${dueDate}`;
}

export function renderReminder(kind: ReminderKind, input: ReminderInput): string {
  const dueDate = safeDate(input.dueDate);
  const moderator = mentions([input.moderator]);
  const moderatorKey = moderator[0]?.toLowerCase();
  const speakers = mentions(input.speakers).filter((s) => s.toLowerCase() !== moderatorKey);
  // Before the session both have duties; after it, the recording is the moderator's.
  const people = kind === 'before' ? [...speakers, ...moderator] : [...moderator, ...speakers];
  const marker = noteMarker(`reminder:${kind}:${dueDate || 'undated'}`);
  const template = kind === 'before' ? 'reminder-before.md.hbs' : 'reminder-recording.md.hbs';
  const body = noteTemplate(template)({
    marker,
    greeting: people.length > 0 ? `${people.join(', ')}:` : 'Hello:',
    dueDate,
    hasDate: dueDate !== '',
    when: when(dueDate, input.today),
  });
  return guardNote(body);
}
