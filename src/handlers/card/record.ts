// The status note's hidden record: the fixes the bot made (base64 JSON, so no text can close the
// comment) and the move it judged last. Anyone can edit the note, so only well-formed parts count.
import { z } from 'zod';
import { isRuleId } from '../../rules/index.js';
import type { Finding } from '../../rules/types.js';

const HISTORY_LIMIT = 5;
const HISTORY_RE = /<!-- rhythm:applied ([A-Za-z0-9+/=]*) -->/;

const text = z.string().max(2000);
const appliedSchema = z.array(
  z.object({
    rule: z.string(),
    severity: z.enum(['problem', 'warning']),
    message: text,
    howToFix: text,
    fix: z
      .union([
        z.object({ kind: z.literal('assign'), usernames: z.array(z.string()) }),
        z.object({ kind: z.literal('labels'), add: z.array(z.string()), remove: z.array(z.string()) }),
      ])
      .optional(),
    undo: text.optional(),
    done: text.optional(),
    excerpt: text.optional(),
    at: z.string().max(40).optional(),
  }),
);

/** What the bot fixed before, kept in its note (base64 JSON in a hidden comment, so no text can close it). */
export function appliedHistory(noteBody: string | undefined): Finding[] {
  const match = noteBody ? HISTORY_RE.exec(noteBody) : null;
  if (!match) return [];
  try {
    // The note is the bot's, but anyone can edit it: only well-formed findings of known rules count.
    return readFindings(JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')));
  } catch {
    return [];
  }
}

/** Fixes as the record lists them, read from JSON (a note's record, or the card memory's copy). */
export function readFindings(value: unknown): Finding[] {
  const parsed = appliedSchema.safeParse(value);
  if (!parsed.success) return [];
  return parsed.data.flatMap(({ rule, ...rest }) => (isRuleId(rule) ? [{ rule, ...rest }] : [])).slice(0, HISTORY_LIMIT);
}

export function withHistory(body: string, applied: Finding[]): string {
  if (applied.length === 0) return body;
  // In the schema's key order, the order a read gives back: the same history encodes the same
  // bytes whether it was just decided or read from the note, so an unrelated change edits nothing.
  const kept = applied.slice(0, HISTORY_LIMIT);
  const canonical = appliedSchema.safeParse(kept);
  const encoded = Buffer.from(JSON.stringify(canonical.success ? canonical.data : kept), 'utf8').toString('base64');
  return `${body.trimEnd()}\n\n<!-- rhythm:applied ${encoded} -->\n`;
}

// An ISO instant as GitLab writes them; nothing else is read back (anyone may edit the note).
const JUDGED_RE = /<!-- rhythm:judged (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))( revert)?( approx)? -->/;

/** A judged move as the status note records it: when it was made, and whether it was reverted. */
export interface Judgement {
  at: string;
  revert: boolean;
  /**
   * `at` is the card's updated_at right after the move, as the GET that confirmed a delivery's
   * move read it (no label history was read): GitLab writes the move's label event a moment
   * after it. The judged move is the first person's move from that instant on (rules/transition.ts).
   */
  approx?: boolean;
}

/** The move the bot last recorded as judged, from its status note (null when none is recorded). */
export function recordedJudgement(noteBody: string | undefined): Judgement | null {
  const match = noteBody ? JUDGED_RE.exec(noteBody) : null;
  if (!match || Number.isNaN(Date.parse(match[1]!))) return null;
  return { at: match[1]!, revert: match[2] !== undefined, ...(match[3] ? { approx: true } : {}) };
}

export function withJudged(body: string, judged: Judgement | null | undefined): string {
  if (!judged) return body;
  return `${body.trimEnd()}\n<!-- rhythm:judged ${judged.at}${judged.revert ? ' revert' : ''}${judged.approx ? ' approx' : ''} -->\n`;
}
