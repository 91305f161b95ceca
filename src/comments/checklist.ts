// The checklist posted once when a card becomes scheduled: what the speaker and the moderator do
// before, during and after the session. It mentions them on purpose, so they get notified — but
// only through the username sanitiser.
import { noteMarker } from './marker.js';
import { guardNote, noteTemplate } from './note-template.js';
import { mentions } from '../markdown/index.js';

export interface ChecklistInput {
  speakers: string[];
  moderator: string | null;
  dueDate: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const safeDate = (date: string | null | undefined): string => (date && DATE.test(date) ? date : '');

export function renderScheduledChecklist(input: ChecklistInput): string {
  const moderator = mentions([input.moderator]);
  const moderatorKey = moderator[0]?.toLowerCase();
  const speakers = mentions(input.speakers).filter((s) => s.toLowerCase() !== moderatorKey);
  const body = noteTemplate('scheduled-checklist.md.hbs')({
    marker: noteMarker('checklist'),
    dueDate: safeDate(input.dueDate),
    speakers: speakers.length > 0 ? speakers.join(', ') : '(no speaker assigned yet)',
    moderator: moderator[0] ?? '(no moderator named yet)',
  });
  return guardNote(body);
}
