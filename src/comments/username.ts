// Mentions the bot makes on purpose: only of people the engine looked up, and only when the name
// is a plain GitLab username, so nothing else can ride along on an `@`.

const USERNAME = /^[A-Za-z0-9_.-]+$/;
// Names GitLab reserves for mass mentions; never a person.
const RESERVED = new Set(['all', 'here', 'channel', 'everyone']);

/** The username when it is safe to mention, else null. */
export function safeUsername(name: string | null | undefined): string | null {
  if (!name) return null;
  const bare = name.startsWith('@') ? name.slice(1) : name;
  if (bare.length > 255 || !USERNAME.test(bare) || RESERVED.has(bare.toLowerCase())) return null;
  return bare;
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
