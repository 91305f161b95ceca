// `rhythm doctor`: the online preflight. One line per check (reachable, token, identity, role,
// labels, hook, assignees, calendars), a fix under each failure, exit 1 when any failed.
import { formatResults, runChecks } from '../doctor/checks.js';
import { createLogger } from '../observability/log.js';
import { load } from './config.js';
import { doorFor } from './door.js';
import { Failure } from './failure.js';

export async function doctor(configPath: string): Promise<void> {
  const { config } = load(configPath);
  // Each problem is one of the doctor's lines; the door's own log lines would only repeat them.
  const log = createLogger({ level: (process.env.RHYTHM_LOG_LEVEL as 'info' | undefined) ?? 'silent', destination: process.stderr });
  const door = doorFor(config, log);
  const results = await runChecks(door, config);
  process.stdout.write(`${formatResults(results)}\n`);
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length > 0) {
    throw new Failure(`${failed.length} check(s) failed: ${[...new Set(failed.map((r) => r.check))].join(', ')}`);
  }
  const warned = results.filter((r) => r.status === 'warn').length;
  process.stdout.write(
    `all checks passed${warned ? ` (${warned} warning(s))` : ''} for ${config.gitlab.botUsername} on ${config.gitlab.url}\n`,
  );
}
