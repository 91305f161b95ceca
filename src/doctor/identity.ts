// The one identity check every command that writes makes before anything else: the token's user
// must be the configured bot user. Rhythm finds its own notes and ignores its own changes by that
// name; with another token it would take its notes for someone else's and post a second note on
// every card.
import type { RhythmConfig } from '../config/types.js';
import type { GUser } from '../gitlab/types.js';

/** The token belongs to someone else than gitlab.botUsername: nothing may be written. */
export class IdentityError extends Error {
  override name = 'IdentityError';
  constructor(
    readonly configured: string,
    readonly actual: string,
    source: string,
  ) {
    super(
      `the token belongs to GitLab user "${actual}", but gitlab.botUsername in ${source} is "${configured}": ` +
        `set botUsername: ${actual}, or give Rhythm the token of "${configured}"; nothing was written`,
    );
  }
}

/** GitLab usernames are case-insensitive. */
export function sameUser(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Reads the token's user (GET /user) and returns it when it is the configured bot user; throws
 * IdentityError otherwise. Call it at the start of every command that writes.
 */
export async function ensureBotIdentity(gitlab: { currentUser(): Promise<GUser> }, config: RhythmConfig): Promise<GUser> {
  const me = await gitlab.currentUser();
  if (!sameUser(me.username, config.gitlab.botUsername)) throw new IdentityError(config.gitlab.botUsername, me.username, config.source);
  return me;
}
