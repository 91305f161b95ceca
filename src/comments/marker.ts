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
