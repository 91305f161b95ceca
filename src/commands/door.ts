// The logger and the door to GitLab of a one-shot command (generate, sweep, hooks).
import { CREATES_PER_MINUTE } from '../config/schema-source.js';
import type { RhythmConfig } from '../config/types.js';
import { createDoor, type AssigneeFacts, type CheckingDoor } from '../gitlab/door.js';
import { Transport } from '../gitlab/transport.js';
import { createLogger, type Logger } from '../observability/log.js';

/** Logs of one-shot commands go to stderr, so stdout carries only what the command reports. */
export function commandLogger(): Logger {
  const level = (process.env.RHYTHM_LOG_LEVEL as 'info' | undefined) ?? 'warn';
  return createLogger({ level, destination: process.stderr });
}

export function doorFor(config: RhythmConfig, log: Logger, assignees?: AssigneeFacts): CheckingDoor {
  return createDoor({
    url: config.gitlab.url,
    token: config.gitlab.token,
    log,
    ...(assignees ? { assignees } : {}),
    // Notes and issues are created below GitLab's per-minute limits on creating them.
    transport: new Transport({ log, createLimits: config.gitlab.createsPerMinute ?? CREATES_PER_MINUTE }),
  });
}
