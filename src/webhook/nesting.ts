// JSON.parse copes with deep nesting, but slowly: about ten times the cost per byte of a flat
// body, so a 25 MB body of brackets would hold the event loop for seconds. GitLab's payloads
// nest a handful of levels; this byte scan refuses anything far deeper before parsing.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** True when the JSON text nests objects/arrays deeper than `max` (brackets in strings don't count). */
export function nestsDeeperThan(body: Buffer, max: number): boolean {
  // Nesting deeper than `max` takes more than `max` opening brackets. A GitLab payload has a few
  // dozen, so counting them (native searches) settles most bodies without the scan below.
  if (fewerOpeningsThan(body, max + 1)) return false;
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === QUOTE) {
      // Most of a payload is string content: jump to the closing quote with a native search
      // (memchr) instead of looking at every byte here. A quote after an odd run of
      // backslashes is escaped and does not close the string.
      for (;;) {
        const end = body.indexOf(QUOTE, i + 1);
        if (end === -1) return false;
        let slashes = 0;
        while (body[end - 1 - slashes] === BACKSLASH) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** True when the body holds fewer than `n` opening brackets ({ or [), in strings or not. */
function fewerOpeningsThan(body: Buffer, n: number): boolean {
  let count = 0;
  for (const open of [OPEN_BRACE, OPEN_BRACKET]) {
    for (let i = body.indexOf(open); i !== -1; i = body.indexOf(open, i + 1)) {
      if (++count >= n) return false;
    }
  }
  return true;
}
