// Mentions: neutralising them in people's words, and the ones the bot makes on purpose (only of
// people the engine looked up, only when the name is a plain username, never a mass mention).
import { isPersonName } from './username.js';

const ZWSP = '\u200B';

/**
 * A zero-width space right after every @, so GitLab sees no name to notify (@all and groups
 * included). It goes after the @, not before: GitLab only needs a non-word character in front.
 */
export function neutraliseMentions(text: string): string {
  return text.replaceAll('@', `@${ZWSP}`);
}

/** The username when it is safe to mention, else null. */
export function safeUsername(name: string | null | undefined): string | null {
  if (!name) return null;
  const bare = name.startsWith('@') ? name.slice(1) : name;
  return isPersonName(bare) ? bare : null;
}

/** `@name` for each safe, distinct username (case-insensitive), in the order given. */
export function mentions(names: readonly (string | null | undefined)[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    const safe = safeUsername(name);
    if (!safe || seen.has(safe.toLowerCase())) continue;
    seen.add(safe.toLowerCase());
    out.push(`@${safe}`);
  }
  return out;
}
