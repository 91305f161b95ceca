// What a card says, read from GitLab's answers: its column, its moves, its Moderator line, its
// recording link, its day. Pure; the rules and the card's plan read the card through these.
export { calendarToday } from './calendar-day.js';
export { LOOKUP_LIMIT, parseModeratorLines, usernamesToLookUp } from './moderator-line.js';
export type { ModeratorLine } from './moderator-line.js';
export { hasRecordingLink } from './recording-link.js';
export { labelHistoryFromEvents, toSnapshot } from './snapshot.js';
export { isScheduled, statusOf } from './status.js';
export type { Status } from './status.js';
export { lastAddedAt, lastStatusMove, moveFromChanges } from './status-move.js';
export type * from './types.js';
