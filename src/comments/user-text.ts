// People's words inside the bot's notes. A note is posted with the bot's token, and GitLab runs
// quick actions and sends mentions for note text, so words quoted from an issue must never:
// start a line with `/` (a quick action), reach anyone through `@` (people, groups, @all), create
// cross-references (`#12`, `!3`), or leave their quote (a fence, `>>>`, raw HTML, `<!--` that
// would hide the rest of the note). Mirrors what GitLab itself does for Service Desk text.

const ZWSP = '\u200B';
const DEFAULT_QUOTE_LIMIT = 1000;
const DEFAULT_INLINE_LIMIT = 120;

function normalise(text: string): string {
  return (
    text
      // Every newline convention becomes \n first, so no line break hides from the prefixing below.
      .replace(/\r\n|[\r\u000B\u000C\u0085\u2028\u2029]/g, '\n')
      .replace(/[\u0000-\u0008\u000E-\u001F\u007F]/g, '')
      // A zero-width space after `@`, or between `#`/`!`/`&` and a number, keeps the text readable
      // but links no one and nothing (no mention, no "mentioned in" note on another issue).
      .replace(/([#!&])(?=\d)/g, `$1${ZWSP}`)
      .replace(/@/g, `@${ZWSP}`)
      .replace(/</g, '&lt;')
  );
}

/** At most `limit` characters, with `…` when anything was left out (also by the early cut). */
function truncate(text: string, limit: number, cutEarlier = false): string {
  const chars = [...text];
  if (chars.length > limit) return `${chars.slice(0, limit).join('')}…`;
  return cutEarlier ? `${text}…` : text;
}

// A line whose first visible character could start a command, a nested or multi-line quote, or a
// fence gets a zero-width space in front: GitLab's extractor only sees commands at column 0.
const RISKY_START = /^[\s\u200B]*[/>`~\\]/;

/** Quotes user text as a Markdown block quote (`> ` on every line), neutralised. */
export function quoteUserText(text: string, limit = DEFAULT_QUOTE_LIMIT): string {
  // Cut before the work, too: a description can be a megabyte, and only `limit` characters show.
  const head = text.slice(0, limit * 2);
  const lines = truncate(normalise(head), limit, head.length < text.length).split('\n');
  return lines.map((line) => (line.trim() === '' ? '>' : `> ${RISKY_START.test(line) ? ZWSP : ''}${line}`)).join('\n');
}

/** User text for the middle of a sentence (a title): one line, Markdown escaped, neutralised. */
export function inlineUserText(text: string, limit = DEFAULT_INLINE_LIMIT): string {
  const head = text.slice(0, limit * 4);
  const oneLine = normalise(head).replace(/[\s\u200B]*\n[\s\u200B]*/g, ' ').replace(/[\t ]+/g, ' ').trim();
  const escaped = truncate(oneLine, limit, head.length < text.length).replace(/[\\`*_[\]|~>]/g, (c) => `\\${c}`);
  return escaped.startsWith('/') ? `${ZWSP}${escaped}` : escaped;
}
