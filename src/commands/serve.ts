// `rhythm serve`: the service until SIGTERM or SIGINT, then a graceful stop within the grace
// (RHYTHM_SHUTDOWN_GRACE_MS, default 10 s). A second signal, or a stop that overruns the grace by
// a second, ends the process at once.
import { readFileSync } from 'node:fs';
import { createLogger } from '../observability/log.js';
import { startService, type Service } from '../service.js';
import { load } from './config.js';
import { Failure } from './failure.js';
import { doorFor } from './door.js';
import { serveChecks } from '../doctor/start.js';
import type { AssigneeFacts } from '../gitlab/door.js';
import { CommanderError } from 'commander';
import { storeOptions } from '../queue/open.js';
import type { SqliteSynchronous } from '../queue/sqlite.js';

// package.json is two levels above both src/commands/ and dist/commands/.
const { version: VERSION } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** After the grace, this much more before the process is ended whatever still holds it. */
const EXIT_WATCHDOG_SLACK_MS = 1000;

export interface ServeOptions {
  port?: string;
  host: string;
  dryRun?: boolean;
  sweepOnStart: boolean;
}

export async function serve(configPath: string, o: ServeOptions): Promise<void> {
  // PORT is checked like --port, before the configuration: a usage error comes first (exit 2).
  const port = o.port ?? process.env.PORT ?? '3000';
  if (!/^\d{1,5}$/.test(port.trim()) || Number(port) > 65535) {
    throw new CommanderError(2, 'usage', `PORT must be a whole number from 0 to 65535 (got "${port}")`);
  }
  const { config, configDir } = load(configPath, o.dryRun);
  const log = createLogger({ level: (process.env.RHYTHM_LOG_LEVEL as 'info' | undefined) ?? 'info' });
  const graceMs = Number(process.env.RHYTHM_SHUTDOWN_GRACE_MS ?? 10_000);
  if (!Number.isFinite(graceMs) || graceMs < 0)
    throw new Failure(`RHYTHM_SHUTDOWN_GRACE_MS must be a number of ms (got ${process.env.RHYTHM_SHUTDOWN_GRACE_MS})`);
  const hookCheckMs = Number(process.env.RHYTHM_HOOK_CHECK_MS ?? 5 * 60_000);
  if (!Number.isFinite(hookCheckMs) || hookCheckMs < 0)
    throw new Failure(`RHYTHM_HOOK_CHECK_MS must be a number of ms (got ${process.env.RHYTHM_HOOK_CHECK_MS})`);
  let synchronous: SqliteSynchronous | undefined;
  try {
    synchronous = storeOptions(process.env).synchronous;
  } catch (err) {
    throw new Failure((err as Error).message);
  }
  let service: Service;
  // Before anything is written: the token is the bot's, GitLab answers, the roles are enough.
  const assignees: AssigneeFacts = new Map();
  try {
    await serveChecks(doorFor(config, log, assignees), config, log);
  } catch (err) {
    log.error({ err }, `rhythm could not start: ${(err as Error).message}`);
    throw err;
  }
  try {
    service = await startService({
      assignees,
      config,
      configDir,
      log,
      secret: process.env.RHYTHM_WEBHOOK_SECRET,
      // Set only while the hooks' secret is rotated (README, "Rotating the webhook secret").
      ...(process.env.RHYTHM_WEBHOOK_SECRET_PREVIOUS ? { previousSecret: process.env.RHYTHM_WEBHOOK_SECRET_PREVIOUS } : {}),
      hookCheckMs,
      databaseUrl: process.env.RHYTHM_DATABASE_URL,
      ...(synchronous ? { sqliteSynchronous: synchronous } : {}),
      port: Number(port),
      host: o.host,
      sweepOnStart: o.sweepOnStart,
      // How long a dead replica's claimed work waits before another takes it over.
      leaseMs: Number(process.env.RHYTHM_LEASE_MS ?? 60_000),
      shutdownGraceMs: graceMs,
    });
  } catch (err) {
    // A log line for whoever reads the logs (the command also says it on stderr and exits 1).
    log.error({ err }, `rhythm could not start: ${(err as Error).message}`);
    throw err;
  }
  // One line that says which Rhythm talks to which GitLab as whom, about what.
  log.info(
    {
      version: VERSION,
      gitlab: config.gitlab.url,
      botUser: config.gitlab.botUsername,
      config: configPath,
      boards: config.boards.map((b) => `${b.kind}:${b.project}${b.dryRun ? ' (dry-run)' : ''}`),
      url: service.url,
      dryRun: config.dryRun,
    },
    `rhythm ${VERSION} is serving ${service.url} for ${config.gitlab.botUsername} on ${config.gitlab.url}`,
  );
  await new Promise<void>((done) => {
    const shutdown = (signal: string) => {
      log.info({ signal, graceMs }, 'stopping: no new deliveries, finishing work in hand');
      let stopped = false;
      // Whatever still holds the process after the stop (or a stop that overruns): end it. Unref'd,
      // so it never keeps an otherwise finished process alive.
      setTimeout(() => {
        if (stopped) log.warn({}, 'stopped, but something still held the process open; exiting');
        else log.error({ graceMs }, 'not stopped within the shutdown grace; exiting now');
        process.exit(stopped ? 0 : 1);
      }, graceMs + EXIT_WATCHDOG_SLACK_MS).unref();
      // A second signal: the operator means now.
      const now = (again: string) => {
        log.warn({ signal: again }, 'second signal while stopping; exiting now');
        process.exit(1);
      };
      process.once('SIGTERM', now);
      process.once('SIGINT', now);
      service.stop(graceMs).then(
        () => {
          stopped = true;
          done();
        },
        (err: unknown) => {
          log.error({ err }, 'stopping failed');
          done();
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
