// GitLab's size limits on the text the bot writes, and the one way to stay under them. GitLab
// refuses a note over 1,000,000 characters (Note validation: Gitlab::Database::MAX_TEXT_SIZE_LIMIT)
// and an issue description over 1,048,576 (Issuable::DESCRIPTION_LENGTH_MAX); a refused write is
// retried until its job goes dead, so a body the bot renders must never be over.

/** Notes: GitLab's MAX_TEXT_SIZE_LIMIT. */
export const NOTE_LIMIT = 1_000_000;
/** Issue descriptions: GitLab's Issuable::DESCRIPTION_LENGTH_MAX (1 MiB). */
export const DESCRIPTION_LIMIT = 1_048_576;
/** The one cap for every body the bot writes: under both of GitLab's limits. */
export const TEXT_LIMIT = NOTE_LIMIT;

export interface FitOptions {
  /** Most characters the result may have (default TEXT_LIMIT). */
  limit?: number;
  /** The line that replaces what was left out; `omitted` counts characters of the original. */
  notice?: (omitted: number) => string;
}

const count = (n: number) => n.toLocaleString('en-US');

const defaultNotice = (limit: number) => (omitted: number) =>
  `_Rhythm left out the last ${count(omitted)} characters of this text: GitLab takes at most ${count(limit)}._`;

/** Room kept for a code fence closed at the cut (a fence is at most this long in practice). */
const FENCE_ROOM = 64;
/** How far back a cut looks for a line end before it settles for a cut inside the line. */
const LINE_WINDOW = 64 * 1024;

/**
 * `body` when it fits in `limit` characters; otherwise its longest head that ends at a safe place,
 * then a blank line and the notice. Safe: at a line end when there is one near (else between two
 * characters, never inside a surrogate pair), never inside a hidden `<!-- … -->` comment (a marker
 * the bot finds its notes by is whole or absent), with an open code fence closed. The result
 * always has at most `limit` characters (JavaScript length, which is never less than GitLab's
 * count of characters). Linear in the body.
 */
export function fitToLimit(body: string, options: FitOptions = {}): string {
  const limit = options.limit ?? TEXT_LIMIT;
  if (body.length <= limit) return body;
  const notice = options.notice ?? defaultNotice(limit);
  // The notice's length barely depends on the number it carries: make room for the longest.
  const room = notice(body.length).length;
  let budget = limit - (room > 0 ? room + 2 : 0) - FENCE_ROOM;
  for (let tries = 0; tries < 4 && budget > 0; tries += 1) {
    const out = cutAt(body, budget, notice);
    if (out.length <= limit) return out;
    budget -= out.length - limit;
  }
  // A notice or a fence longer than any room left: the safe head alone.
  return body.slice(0, safeCut(body, limit));
}

function cutAt(body: string, budget: number, notice: (omitted: number) => string): string {
  const cut = safeCut(body, budget);
  let head = body.slice(0, cut).trimEnd();
  const fence = openFence(head);
  if (fence) head = `${head}\n${fence}`;
  const tail = notice(body.length - cut);
  if (tail === '') return head;
  return head === '' ? tail : `${head}\n\n${tail}`;
}

/** Where to cut `body` so that the head has at most `budget` characters and ends at a safe place. */
function safeCut(body: string, budget: number): number {
  let cut = budget;
  const lineEnd = body.lastIndexOf('\n', cut - 1);
  if (lineEnd >= 0 && cut - lineEnd <= LINE_WINDOW) cut = lineEnd;
  // Never inside a hidden comment (it runs from its `<!--` to the first `-->`): cut before it opens.
  for (let at = 0; ;) {
    const open = body.indexOf('<!--', at);
    if (open < 0 || open >= cut) break;
    const close = body.indexOf('-->', open + 4);
    if (close < 0 || close + 3 > cut) {
      cut = open;
      break;
    }
    at = close + 3;
  }
  // Never between the halves of a surrogate pair.
  const code = body.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return Math.max(0, cut);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The line that closes a code fence left open at the end of `text`, or null. */
function openFence(text: string): string | null {
  let open: string | null = null;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    const m = FENCE.exec(line);
    if (m?.[1]) {
      const mark = m[1];
      if (open === null) open = mark;
      else if (mark[0] === open[0] && mark.length >= open.length && line.trim() === mark) open = null;
    }
    if (end < 0) break;
    start = end + 1;
  }
  return open;
}

/**
 * At most `max` of `lines`, and when some were left out, one more line from `more` saying how many
 * (for the lists the bot renders: people's problems, names, sessions).
 */
export function atMost(lines: readonly string[], max: number, more: (left: number) => string): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), more(lines.length - max)];
}
