// What commands that write check before their first write: the one identity check all of them
// make, and the essential checks `rhythm serve` makes at start (it refuses to start, saying which
// failed). What the checks learn about GitLab's assignees is kept in the door.
import type { RhythmConfig } from '../config/types.js';
import type { CheckingDoor } from '../gitlab/door.js';
import type { Logger } from '../observability/log.js';
import { checkAssignees, ESSENTIAL, formatResults, runChecks, type CheckResult } from './checks.js';

export { ensureBotIdentity, IdentityError } from './identity.js';

/** Learns whether each board's project keeps one assignee per issue (GitLab Free); never fails. */
export async function learnAssignees(door: CheckingDoor, config: RhythmConfig): Promise<void> {
  await checkAssignees(door, config).catch(() => []);
}

/** The start checks failed: the message lists each failed line with its fix. */
export class StartCheckError extends Error {
  override name = 'StartCheckError';
  constructor(readonly failed: CheckResult[]) {
    super(`rhythm will not start: ${failed.length} essential check(s) failed (run rhythm doctor for all checks)\n${formatResults(failed)}`);
  }
}

/**
 * `rhythm serve`'s checks at start: GitLab reachable, the token valid with the api scope, its user
 * the bot user, the bot's role enough for notes and labels (Reporter) on every project. Any such
 * failure stops the start (nothing has been written); the rest is logged as warnings.
 */
export async function serveChecks(door: CheckingDoor, config: RhythmConfig, log: Logger): Promise<CheckResult[]> {
  const results = await runChecks(door, config, { only: new Set([...ESSENTIAL, 'assignees']) });
  const failed = results.filter((r) => r.status === 'fail' && ESSENTIAL.has(r.check));
  // A token close to its expiry still works: it warns at start and fails only `rhythm doctor`.
  // A bot below Maintainer still writes notes and labels: only the project hook needs more.
  const blocking = failed.filter((r) => !(r.check === 'token' && /expires in/.test(r.message)) && !r.hooksOnly);
  for (const r of results) {
    if (r.status === 'warn' || (r.status === 'fail' && !blocking.includes(r)))
      log.warn({ check: r.check, fix: r.fix }, `start check ${r.check}: ${r.message}`);
  }
  if (blocking.length > 0) throw new StartCheckError(blocking);
  return results;
}
