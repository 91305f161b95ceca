// People's words inside the bot's notes and issues. They are posted with the bot's token: GitLab
// runs quick actions and sends mentions for that text, so quoted words must never start a line
// with `/` (a quick action), reach anyone through `@` (people, groups, @all), create
// cross-references (`#12`, `!3`, `&4`, full issue URLs, which add "mentioned in" notes), render as
// a live link or image (`[Verify your account](https://evil.example)`, raw URLs), leave their
// quote (a fence, `>>>`, raw HTML, `<!--` that would hide the rest of the note), or hide and
// reorder text with bidi and invisible controls. Mirrors what GitLab does for Service Desk text.
// Every rule here is a literal replacement or a single character class: linear on any input.
import { neutraliseMentions } from './mention.js';

const ZWSP = '\u200B';
const DEFAULT_QUOTE_LIMIT = 1000;
const DEFAULT_INLINE_LIMIT = 120;

// C0/C1 controls (not tab or line ends), bidi embeddings, overrides, isolates and marks, and the
// invisible characters that could hide or reorder text (the zero-width space is ours to add).
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- removing control characters is what this class is for
  /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const LINE_ENDS = /\r\n|[\r\v\f\u0085\u2028\u2029]/g;

/** Text without the characters that can hide or reorder what people read. */
export function removeInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * Raw URLs made inert: a zero-width space after the scheme's `:` and after `www`, so GitLab
 * neither autolinks them nor reads a full issue URL as a cross-reference. Still readable.
 */
export function defuseUrls(text: string): string {
  return text.replaceAll('://', `:${ZWSP}//`).replace(/www\./gi, (w) => `${w.slice(0, 3)}${ZWSP}.`);
}

/** `#12`, `!3`, `&4`: a zero-width space between the sign and the number links nothing. */
function defuseReferences(text: string): string {
  return text.replace(/([#!&])(?=\d)/g, `$1${ZWSP}`);
}

function normalise(text: string): string {
  // Every newline convention becomes \n first, so no line break hides from the prefixing below.
  const plain = removeInvisible(text.replace(LINE_ENDS, '\n'));
  return defuseUrls(neutraliseMentions(defuseReferences(plain))).replaceAll('<', '&lt;');
}

/** At most `limit` characters, with `…` when anything was left out (also by the early cut). */
function truncate(text: string, limit: number, cutEarlier = false): string {
  const chars = [...text];
  if (chars.length > limit) return `${chars.slice(0, limit).join('')}…`;
  return cutEarlier ? `${text}…` : text;
}

// A line whose first visible character could start a command, a nested or multi-line quote, or a
// fence gets a zero-width space in front: GitLab's extractor only sees commands at column 0.
const RISKY_START = /^[ \t\u200B]*[/>`~\\]/;

/** Quotes user text as a Markdown block quote (`> ` on every line), neutralised. */
export function quoteUserText(text: string, limit = DEFAULT_QUOTE_LIMIT): string {
  // Cut before the work, too: a description can be a megabyte, and only `limit` characters show.
  const head = text.slice(0, limit * 2);
  // Brackets escaped: no link, image or reference definition (a backslash first, so a person's
  // own backslash cannot undo the escape).
  const body = normalise(head).replace(/[\\[\]]/g, (c) => `\\${c}`);
  const lines = truncate(body, limit, head.length < text.length).split('\n');
  return lines.map((line) => (line.trim() === '' ? '>' : `> ${RISKY_START.test(line) ? ZWSP : ''}${line}`)).join('\n');
}

/** User text for the middle of a sentence (a title): one line, Markdown escaped, neutralised. */
export function inlineUserText(text: string, limit = DEFAULT_INLINE_LIMIT): string {
  const head = text.slice(0, limit * 4);
  const oneLine = normalise(head)
    .replace(/[ \t\n]+/g, ' ')
    .trim();
  const escaped = truncate(oneLine, limit, head.length < text.length).replace(/[\\`*_[\]|~>]/g, (c) => `\\${c}`);
  return escaped.startsWith('/') ? `${ZWSP}${escaped}` : escaped;
}
