// Hidden markers: how the bot finds its own notes again, to edit instead of posting twice.
import type { GNote } from '../gitlab/types.js';

const KIND = /^[a-z0-9][a-z0-9:._-]*$/i;

/** `<!-- rhythm:<kind> -->`, e.g. kind `status`, `checklist`, `reminder:before:2026-03-12`. */
export function noteMarker(kind: string): string {
  if (!KIND.test(kind)) throw new Error(`note marker kind must be letters, digits and : . _ - (got ${JSON.stringify(kind)})`);
  return `<!-- rhythm:${kind} -->`;
}

/**
 * The bot's note carrying the marker on its first line; the oldest when there are several. Notes
 * by anyone else never count, so quoting the bot cannot take its note over.
 */
export function findBotNote(notes: readonly GNote[], botUsername: string, marker: string): GNote | undefined {
  const bot = botUsername.toLowerCase();
  let found: GNote | undefined;
  for (const note of notes) {
    if (note.system || note.author?.username?.toLowerCase() !== bot) continue;
    if (note.body.trimStart().split('\n', 1)[0]?.trim() !== marker) continue;
    if (!found || note.id < found.id) found = note;
  }
  return found;
}

/**
 * The bot's notes that repeat a marker an older bot note already carries (two processes both
 * posted it, or GitLab saved a POST after the bot had given up on it). findBotNote reads the
 * oldest; these are the others, and only ever the bot's own.
 */
export function duplicateBotNotes(notes: readonly GNote[], botUsername: string): Array<{ note: GNote; marker: string }> {
  const bot = botUsername.toLowerCase();
  const seen = new Map<string, GNote[]>();
  for (const note of notes) {
    if (note.system || note.author?.username?.toLowerCase() !== bot) continue;
    const first = note.body.trimStart().split('\n', 1)[0]?.trim() ?? '';
    if (!/^<!-- rhythm:\S+ -->$/.test(first)) continue;
    seen.set(first, [...(seen.get(first) ?? []), note]);
  }
  return [...seen].flatMap(([marker, group]) =>
    group
      .sort((a, b) => a.id - b.id)
      .slice(1)
      .map((note) => ({ note, marker })),
  );
}
