// The hidden HTML comments that tie a sign-up issue's text to sessions. People never type them;
// the bot finds its issue, each session's block, DRI slot and checkboxes by them.

export type SignupKind = 'webinars' | 'labs';

/** Per-session boxes the reminders read. Other boxes in a block are for people only. */
export type CheckKey = 'lab-environment' | 'webinar-mp4';

const ID = '[a-z0-9][a-z0-9-]*';

export function issueMarker(kind: SignupKind, month: string): string {
  return `<!-- rhythm:signup:${kind}:${month} -->`;
}
export const ISSUE_MARKER = /<!-- rhythm:signup:(webinars|labs):(\d{4}-\d{2}) -->/;

/** Fingerprint of the text the bot last rendered; unchanged fingerprint = nothing to do. */
export function versionMarker(hash: string): string {
  return `<!-- rhythm:signup-version:${hash} -->`;
}
export const VERSION_MARKER = /<!-- rhythm:signup-version:([0-9a-f]+) -->/;

export function sessionBegin(id: string): string {
  return `<!-- rhythm:session:${id} -->`;
}
export function sessionEnd(id: string): string {
  return `<!-- rhythm:session-end:${id} -->`;
}
export const SESSION_BEGIN = new RegExp(`<!-- rhythm:session:(${ID}) -->`);
export const SESSION_END = new RegExp(`<!-- rhythm:session-end:(${ID}) -->`);

/** Where the session list ends: sessions dropped from the calendar but claimed are kept here. */
export const SESSIONS_END = '<!-- rhythm:sessions-end -->';

export function driMarker(id: string): string {
  return `<!-- rhythm:dri:${id} -->`;
}
export const DRI_MARKER = new RegExp(`<!-- rhythm:dri:(${ID}) -->`);

export function checkMarker(key: string, id: string): string {
  return `<!-- rhythm:check:${key}:${id} -->`;
}
export const CHECK_MARKER = new RegExp(`<!-- rhythm:check:([a-z0-9-]+):(${ID}) -->`);

export function removedMarker(id: string): string {
  return `<!-- rhythm:removed:${id} -->`;
}
export const REMOVED_MARKER = new RegExp(`<!-- rhythm:removed:(${ID}) -->`);

export const STATUS_MARKER = '<!-- rhythm:signup-status -->';

/** The bot's note on a second issue for the same month and kind, when it closed that one. */
export const DUPLICATE_MARKER = '<!-- rhythm:signup-duplicate -->';

export type ReminderKind = 'no-dri' | 'lab-environment' | 'webinar-mp4';

/** The marker's name, without the comment brackets (rhythm:reminder:<kind>:<session id>). */
export function reminderMarker(kind: ReminderKind, sessionId: string): string {
  return `rhythm:reminder:${kind}:${sessionId}`;
}
export const REMINDER_MARKERS = /<!-- (rhythm:reminder:[a-z-]+:[a-z0-9-]+) -->/g;

/** A task-list item: indentation, bullet, box, rest of line. */
export const TASK_ITEM = /^(\s*[-*+]\s+\[)([ xX])(\]\s?)(.*)$/;
