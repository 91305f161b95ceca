// The bot's notes: markers to find them again, safe quoting of people's words, and rendering.
export { renderScheduledChecklist } from './checklist.js';
export type { ChecklistInput } from './checklist.js';
export { duplicateBotNotes, findBotNote, noteMarker } from './marker.js';
export { guardNote } from './note-template.js';
export { renderReminder } from './reminder.js';
export type { ReminderInput, ReminderKind } from './reminder.js';
export { renderStatusNote } from './status-note.js';
export type { StatusNoteInput } from './status-note.js';
export { inlineUserText, mentions, quoteUserText, safeUsername } from '../markdown/index.js';
