// One username grammar: GitLab's own. `Gitlab::PathRegex::NAMESPACE_FORMAT_REGEX`
// (lib/gitlab/path_regex.rb): letters, digits, `_`, `.`, `-`; not starting with `-`, not ending in
// `.`, nor in `.git` or `.atom` (`NO_SUFFIX_REGEX`); at most 255 characters
// (`Namespace::URL_MAX_LENGTH`). A mention is `User.reference_pattern`: an `@` with no word
// character before it (so an e-mail address mentions no one), then the name; `@group/sub` names a
// group. Read by hand here, one pass, no backtracking.

const MAX_LENGTH = 255;

/**
 * The grammar as a regular-expression source for a whole username (anchored), for the config
 * schema. Bounded by the length limit, so it cannot run away on a long string.
 */
export const USERNAME_PATTERN = '^(?:[A-Za-z0-9_.][A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-]|[A-Za-z0-9_])(?<!\\.git|\\.atom)$';

/**
 * Names that reach many people at once. GitLab reserves `@all` (Banzai's UserReferenceFilter
 * links it to every project member). `@here`, `@channel` and `@everyone` are the mass mentions of
 * Slack and Mattermost, where GitLab's integrations repost note text; a GitLab user could hold
 * such a name, but taking a mass mention for a person costs more than asking that one person to
 * write another name. So none of them is ever a person, and the bot never mentions them.
 */
export const MASS_MENTIONS: ReadonlySet<string> = new Set(['all', 'here', 'channel', 'everyone']);

export function isMassMention(name: string): boolean {
  return MASS_MENTIONS.has(name.toLowerCase());
}

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

// Ruby's \w: ASCII letters, digits and `_`.
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Whether `name` (without @) is a valid GitLab username. */
export function isUsername(name: string): boolean {
  if (name.length === 0 || name.length > MAX_LENGTH) return false;
  for (let i = 0; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  if (name.startsWith('-') || name.endsWith('.')) return false;
  return !name.endsWith('.git') && !name.endsWith('.atom');
}

/** Whether `name` can be a person: a valid username and no mass mention. */
export function isPersonName(name: string): boolean {
  return isUsername(name) && !isMassMention(name);
}

export interface Mention {
  /** What follows the @, trailing dots and slashes left out (a full stop ends a sentence). */
  name: string;
  /** Index of the @ in the text. */
  at: number;
  /** Index just after the name. */
  end: number;
  /** A valid username of a person (not a group path, not a mass mention). */
  person: boolean;
}

/** Every @mention in a text, in order. */
export function mentionsIn(text: string): Mention[] {
  const found: Mention[] = [];
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at > 0 && isWordChar(text.charCodeAt(at - 1))) continue;
    let end = at + 1;
    while (end < text.length && (isNameChar(text.charCodeAt(end)) || text[end] === '/')) end++;
    while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '/')) end--;
    const name = text.slice(at + 1, end);
    if (name === '' || name.startsWith('-') || name.startsWith('/')) continue;
    found.push({ name, at, end, person: !name.includes('/') && isPersonName(name) });
    at = end - 1;
  }
  return found;
}
