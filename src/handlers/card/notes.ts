// What the card's plan needs from its notes, read once: the bot's own notes by marker (with what
// the status note records), duplicates a race left, whether the recording was asked for or
// linked, and when GitLab last noted a due date change. Built from a full read of the notes, or
// kept in the card memory (handlers/card/memory.ts) so a later decision needs no read.
import { createHash } from 'node:crypto';
import type { GNote } from '../../gitlab/types.js';
import { hasRecordingLink } from '../../card/index.js';
import { duplicateBotNotes, findBotNote } from '../../comments/index.js';
import type { Finding } from '../../rules/types.js';
import { appliedHistory, recordedJudgement, type Judgement } from './record.js';

/** One of the bot's notes, as far as a decision reads it. */
export interface BotNote {
  id: number;
  createdAt: string;
  updatedAt: string;
  /** Of the trimmed body: an edit that would write the same text is no edit. */
  fingerprint: string;
  /** The fixes its hidden record lists (the status note's; empty for others). */
  applied: Finding[];
  /** The judged move its hidden record names (the status note's), or null. */
  judged: Judgement | null;
}

export interface NotesView {
  /** The bot's notes by marker line (`<!-- rhythm:status -->`): the oldest carrying it. */
  bot: Record<string, BotNote>;
  /** Newer bot notes that repeat a marker an older one carries (a race): the plan deletes them. */
  duplicates: Array<{ noteId: number; marker: string }>;
  /** The bot asked for the recording (any of its recording reminders, whatever date it named). */
  askedForRecording: boolean;
  /** A note other than GitLab's own links a recording (the description is looked at apart). */
  linkInNotes: boolean;
  /** GitLab's last system note changing the due date ("changed due date to …"), or null. */
  dueDateChangedAt: string | null;
}

export const bodyFingerprint = (body: string): string => createHash('sha256').update(body.trim()).digest('base64url').slice(0, 32);

const MARKER_LINE = /^<!-- rhythm:\S+ -->$/;
const RECORDING_PREFIX = '<!-- rhythm:reminder:recording';
// GitLab's system notes for a due date change ("changed due date to …", "removed due date").
const DUE_DATE_NOTE = /^(?:changed|removed) due date\b/;

/** A bot note as the view keeps it; `marker` says whether its hidden record is read. */
export function botNoteOf(note: Pick<GNote, 'id' | 'body' | 'created_at' | 'updated_at'>, marker: string): BotNote {
  const status = marker === '<!-- rhythm:status -->';
  return {
    id: note.id,
    createdAt: note.created_at,
    updatedAt: note.updated_at,
    fingerprint: bodyFingerprint(note.body),
    applied: status ? appliedHistory(note.body) : [],
    judged: status ? recordedJudgement(note.body) : null,
  };
}

export function isNotesView(notes: readonly GNote[] | NotesView): notes is NotesView {
  return !Array.isArray(notes);
}

/** The view of every note of a card, as GitLab answered them. */
export function toNotesView(notes: readonly GNote[], botUsername: string): NotesView {
  const bot = botUsername.toLowerCase();
  const byMarker: Record<string, BotNote> = {};
  let askedForRecording = false;
  let dueDateChangedAt: string | null = null;
  for (const note of notes) {
    if (note.system) {
      if (DUE_DATE_NOTE.test(note.body) && (!dueDateChangedAt || Date.parse(note.created_at) > Date.parse(dueDateChangedAt))) {
        dueDateChangedAt = note.created_at;
      }
      continue;
    }
    if (note.author?.username?.toLowerCase() !== bot) continue;
    if (note.body.trimStart().startsWith(RECORDING_PREFIX)) askedForRecording = true;
    const first = note.body.trimStart().split('\n', 1)[0]?.trim() ?? '';
    if (!MARKER_LINE.test(first) || byMarker[first]) continue;
    const oldest = findBotNote(notes, botUsername, first);
    if (oldest) byMarker[first] = botNoteOf(oldest, first);
  }
  return {
    bot: byMarker,
    duplicates: duplicateBotNotes(notes, botUsername).map(({ note, marker }) => ({ noteId: note.id, marker })),
    askedForRecording,
    linkInNotes: hasRecordingLink(notes.filter((n) => !n.system).map((n) => n.body)),
    dueDateChangedAt,
  };
}
