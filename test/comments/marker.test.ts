import { describe, expect, it } from 'vitest';
import { findBotNote, noteMarker } from '../../src/comments/index.js';
import type { GNote } from '../../src/gitlab/types.js';

const note = (id: number, username: string, body: string, system = false): GNote => ({
  id,
  body,
  author: { id, username, name: username },
  system,
  created_at: '2026-03-01T00:00:00Z',
  updated_at: '2026-03-01T00:00:00Z',
});

describe('hidden markers', () => {
  it('are HTML comments naming the kind of note', () => {
    expect(noteMarker('status')).toBe('<!-- rhythm:status -->');
    expect(noteMarker('reminder:before:2026-03-12')).toBe('<!-- rhythm:reminder:before:2026-03-12 -->');
  });

  it.each(['', 'two words', 'x-->', '<b>', 'a\nb'])('refuse a kind that could break the comment: %j', (kind) => {
    expect(() => noteMarker(kind)).toThrow(/marker kind/);
  });

  it("find the bot's own note, not a person's note that copies the marker", () => {
    const marker = noteMarker('status');
    const notes = [
      note(30, 'alice', `${marker}\nI copied the bot`),
      note(20, 'rhythm-bot', 'an unrelated note'),
      note(12, 'rhythm-bot', `${marker}\nthe real one`),
      note(5, 'rhythm-bot', `${marker}\nsystem`, true),
    ];
    expect(findBotNote(notes, 'Rhythm-Bot', marker)?.id).toBe(12);
  });

  it('take the oldest when the bot somehow posted twice, and tell kinds apart', () => {
    const notes = [
      note(40, 'rhythm-bot', noteMarker('status')),
      note(35, 'rhythm-bot', noteMarker('status')),
      note(36, 'rhythm-bot', noteMarker('checklist')),
    ];
    expect(findBotNote(notes, 'rhythm-bot', noteMarker('status'))?.id).toBe(35);
    expect(findBotNote(notes, 'rhythm-bot', noteMarker('checklist'))?.id).toBe(36);
    expect(findBotNote(notes, 'rhythm-bot', noteMarker('reminder:before:2026-03-12'))).toBeUndefined();
  });

  it('only count the marker at the top, not one quoted further down', () => {
    const notes = [note(1, 'rhythm-bot', `hello\n> ${noteMarker('status')}`)];
    expect(findBotNote(notes, 'rhythm-bot', noteMarker('status'))).toBeUndefined();
  });
});
