// Who may do what: GitLab's roles (doc/user/permissions.md) and token scopes
// (doc/user/profile/personal_access_tokens.md) on the routes the bot and people use. A member
// whose role is too low gets GitLab's 403; a non-member gets the 404 a missing project gets.

import { ACCESS_LEVELS } from './types.js';

/** GitLab's answer when the role is not enough (API::Helpers#forbidden!). */
export const FORBIDDEN = { message: '403 Forbidden' } as const;

/** GitLab's answer when the token's scopes do not cover the route (Gitlab::Auth::InsufficientScopeError). */
export function insufficientScope(needed: string): Record<string, string> {
  return {
    error: 'insufficient_scope',
    error_description: 'The request requires higher privileges than provided by the access token.',
    scope: needed,
  };
}

const { reporter, maintainer } = ACCESS_LEVELS;

/**
 * The least role a project route needs, beyond membership (Guest). Routes whose rule depends on
 * the record (editing an issue, deleting a note) decide in their handler.
 */
const LEAST_ROLE: ReadonlyArray<[method: string, pattern: RegExp, level: number]> = [
  // Project hooks need Maintainer (doc/api/project_webhooks.md), reading them too.
  ['*', /^\/projects\/:id\/hooks(\/|$)/, maintainer],
  // Labels are managed by Reporters and up (admin_label).
  ['POST', /^\/projects\/:id\/labels$/, reporter],
  // Moving a card on the board is admin_issue: Reporter and up.
  ['PUT', /^\/projects\/:id\/issues\/:issue_iid\/reorder$/, reporter],
];

export function leastRole(method: string, pattern: string): number {
  for (const [m, re, level] of LEAST_ROLE) if ((m === '*' || m === method) && re.test(pattern)) return level;
  return ACCESS_LEVELS.guest;
}

/**
 * The scope a request needs: `api` for writes, `api` or `read_api` for reads (`read_user` also
 * reads GET /user). Returns the scope to name in the refusal, or null when the token has enough.
 */
export function missingScope(scopes: readonly string[], method: string, pattern: string): string | null {
  if (scopes.includes('api')) return null;
  if (method !== 'GET') return 'api';
  if (scopes.includes('read_api')) return null;
  if (scopes.includes('read_user') && (pattern === '/user' || pattern.startsWith('/users'))) return null;
  return 'read_api';
}

/** What a role may change on an issue it did not write, and on its own (Issues::UpdateService). */
export function issueEditRights(level: number, isAuthor: boolean): { content: boolean; metadata: boolean } {
  return {
    // Title and description: the author, or Developer and up (gitlab-facts.md, "Roles").
    content: isAuthor || level >= ACCESS_LEVELS.developer,
    // Labels, assignees, due date, state: Reporter and up; a Guest author's are dropped, not refused.
    metadata: level >= reporter,
  };
}
