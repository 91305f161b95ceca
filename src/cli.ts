// The `rhythm` command. Exit codes: 0 success, 1 failure, 2 usage error.
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from './config/load.js';
import type { RhythmConfig } from './config/types.js';
import { createDoor, type CountingDoor } from './gitlab/door.js';
import { Transport } from './gitlab/transport.js';
import { createLogger, type Logger } from './observability/log.js';
import { openStore } from './queue/open.js';
import { startService } from './service.js';
import { ColumnCache, runJob } from './engine/reconcile.js';
import { sweepKeys, SWEEP_PARTS, type SweepPart } from './engine/sweep.js';
import { generateSignups } from './signups/generate.js';
import { nextMonth } from './signups/calendar.js';
import { installHooks } from './hooks/install.js';
import { startSandbox } from './sandbox/index.js';
import { runDemo } from './demo/run.js';

class Failure extends Error {}

interface Loaded {
  config: RhythmConfig;
  configDir: string;
}

function configPath(opt: string | undefined): string {
  return opt ?? process.env.RHYTHM_CONFIG ?? 'rhythm.yml';
}

function load(path: string, dryRun = false): Loaded {
  const result = loadConfig(path, process.env);
  if (!result.ok) {
    for (const line of result.errors) process.stderr.write(`${line}\n`);
    throw new Failure(`${path}: ${result.errors.length} problem(s); nothing was done`);
  }
  const config = dryRun ? { ...result.config, dryRun: true } : result.config;
  return { config, configDir: dirname(resolve(path)) };
}

/** Logs of one-shot commands go to stderr, so stdout carries only what the command reports. */
function commandLogger(): Logger {
  const level = (process.env.RHYTHM_LOG_LEVEL as 'info' | undefined) ?? 'warn';
  return createLogger({ level, destination: process.stderr as never });
}

function doorFor(config: RhythmConfig, log: Logger): CountingDoor {
  return createDoor({
    url: config.gitlab.url,
    token: config.gitlab.token,
    dryRun: config.dryRun,
    log,
    transport: new Transport({ log }),
  });
}

const program = new Command();
program
  .name('rhythm')
  .description('Keeps a team\'s GitLab boards in rhythm: checks cards, explains in one note, orders the scheduled column, opens monthly sign-up issues.')
  .option('--config <file>', 'configuration file (default: $RHYTHM_CONFIG or rhythm.yml)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const globalConfig = () => configPath(program.opts<{ config?: string }>().config);

program
  .command('serve')
  .description('receive webhooks, reconcile cards, run the sweep and reminders on a timer')
  .option('--port <n>', 'port to listen on (default: $PORT or 3000)')
  .option('--host <addr>', 'address to bind', '0.0.0.0')
  .option('--dry-run', 'compute and log every write, send none')
  .option('--no-sweep-on-start', 'do not sweep when starting (the timer still sweeps)')
  .action(async (o: { port?: string; host: string; dryRun?: boolean; sweepOnStart: boolean }) => {
    const { config, configDir } = load(globalConfig(), o.dryRun);
    const log = createLogger({ level: (process.env.RHYTHM_LOG_LEVEL as 'info' | undefined) ?? 'info' });
    const service = await startService({
      config,
      configDir,
      log,
      secret: process.env.RHYTHM_WEBHOOK_SECRET,
      databaseUrl: process.env.RHYTHM_DATABASE_URL,
      port: Number(o.port ?? process.env.PORT ?? 3000),
      host: o.host,
      sweepOnStart: o.sweepOnStart,
      // How long a dead replica's claimed work waits before another takes it over.
      leaseMs: Number(process.env.RHYTHM_LEASE_MS ?? 60_000),
    });
    await new Promise<void>((done) => {
      const shutdown = (signal: string) => {
        log.info({ signal }, 'stopping: no new deliveries, finishing work in hand');
        service.stop().then(done, done);
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
  });

program
  .command('generate')
  .description('open or update the monthly webinar and lab DRI sign-up issues')
  .option('--month <YYYY-MM>', 'the month to generate (default: next month in the team\'s time zone)')
  .addOption(new Option('--only <kind>', 'only one of the two issues').choices(['webinars', 'labs']))
  .option('--dry-run', 'print the rendered issues, write nothing')
  .action(async (o: { month?: string; only?: 'webinars' | 'labs'; dryRun?: boolean }) => {
    const { config, configDir } = load(globalConfig(), o.dryRun);
    if (!config.signups) throw new Failure('no signups block in the configuration: nothing to generate');
    if (o.month && !/^\d{4}-(0[1-9]|1[0-2])$/.test(o.month)) throw new CommanderError(2, 'usage', `--month must look like 2026-12 (got "${o.month}")`);
    const log = commandLogger();
    const door = doorFor(config, log);
    const month = o.month ?? nextMonth(new Date(), config.timezone);
    const report = await generateSignups(door, config, {
      month,
      ...(o.only ? { only: o.only } : {}),
      dryRun: config.dryRun,
      configDir,
      log,
      print: (s) => process.stdout.write(`${s}\n`),
    });
    for (const r of report.results) {
      process.stdout.write(`${r.kind} ${month}: ${r.action}${r.iid ? ` #${r.iid}` : ''}${r.url ? ` ${r.url}` : ''}\n`);
    }
    process.stdout.write(`GitLab calls: ${door.reads} reads, ${door.writes} writes\n`);
  });

program
  .command('sweep')
  .description('reconcile every open card of every board now (covers webhooks GitLab never delivered)')
  .option('--dry-run', 'compute and log every write, send none')
  .addOption(new Option('--only <part>', 'only one part of the sweep').choices(SWEEP_PARTS))
  .action(async (o: { dryRun?: boolean; only?: SweepPart }) => {
    const { config, configDir } = load(globalConfig(), o.dryRun);
    const log = commandLogger();
    const door = doorFor(config, log);
    const keys = await sweepKeys(door, config, o.only ? [o.only] : SWEEP_PARTS);
    const queue = [...keys];
    const columns = new ColumnCache();
    let failed = 0;
    const seen = new Set<string>();
    while (queue.length > 0) {
      const key = queue.shift()!;
      if (seen.has(key)) continue;
      seen.add(key);
      const eventDoor = door.forEvent({ log });
      try {
        const outcome = await runJob(
          {
            key,
            log,
            door: eventDoor,
            config,
            configDir,
            now: new Date(),
            columns,
            // A column touched during the sweep is ordered at the end of it, once.
            enqueue: async (next) => {
              if (!keys.includes(next)) queue.push(next);
            },
          },
          [],
        );
        process.stdout.write(`${key}: ${outcome.kind}${outcome.steps.length ? ` (${outcome.steps.map((s) => s.kind).join(', ')})` : ''}${outcome.note ? ` ${outcome.note}` : ''}\n`);
      } catch (err) {
        failed += 1;
        process.stdout.write(`${key}: FAILED ${(err as Error).message}\n`);
      }
    }
    process.stdout.write(`swept ${seen.size} keys, ${failed} failed; GitLab calls: ${door.reads} reads, ${door.writes} writes${config.dryRun ? ' (dry-run: nothing written)' : ''}\n`);
    if (failed > 0) throw new Failure(`${failed} key(s) failed`);
  });

program
  .command('check-config [file]')
  .description('validate a configuration file; print every problem with file:line:col')
  .action((file: string | undefined) => {
    const path = file ?? globalConfig();
    const result = loadConfig(path, process.env);
    if (!result.ok) {
      for (const line of result.errors) process.stdout.write(`${line}\n`);
      throw new Failure(`${result.errors.length} problem(s) in ${path}`);
    }
    const c = result.config;
    process.stdout.write(`${path}: OK — ${c.boards.length} board(s)${c.signups ? ', sign-up calendars' : ''}, time zone ${c.timezone}${c.dryRun ? ', dry-run' : ''}\n`);
  });

const hooks = program.command('hooks').description('manage the project webhooks Rhythm needs');
hooks
  .command('install')
  .description('register (or update, never duplicate) the webhook on every configured project')
  .requiredOption('--url <url>', 'the public URL of POST /webhooks/gitlab')
  .option('--dry-run', 'show what would change, change nothing')
  .action(async (o: { url: string; dryRun?: boolean }) => {
    const { config } = load(globalConfig(), o.dryRun);
    const secret = process.env.RHYTHM_WEBHOOK_SECRET;
    if (!secret) throw new Failure('RHYTHM_WEBHOOK_SECRET is not set: the hook needs the secret token the service checks');
    const log = commandLogger();
    const door = doorFor(config, log);
    const results = await installHooks(door, config, { url: o.url, secret, dryRun: config.dryRun });
    const would = config.dryRun ? 'dry-run, would be ' : '';
    for (const r of results) {
      const action = r.action === 'unchanged' ? 'unchanged' : `${would}${r.action}`;
      process.stdout.write(`${r.project}: ${action}${r.hookId ? ` (hook ${r.hookId})` : ''} -> ${r.spec.url}\n`);
    }
  });

const queue = program.command('queue').description('inspect and replay the work queue');
queue
  .command('stats')
  .description('pending, running and dead jobs')
  .action(async () => {
    const store = await openStore(process.env.RHYTHM_DATABASE_URL, process.cwd());
    try {
      process.stdout.write(`${JSON.stringify(await store.stats(Date.now()))}\n`);
    } finally {
      await store.close();
    }
  });
queue
  .command('retry-dead [keys...]')
  .description('put dead jobs (all, or the keys given) back on the queue')
  .action(async (keys: string[]) => {
    const store = await openStore(process.env.RHYTHM_DATABASE_URL, process.cwd());
    try {
      const dead = await store.dead();
      for (const d of dead) process.stdout.write(`dead: ${d.key} after ${d.attempts} attempts: ${d.lastError}\n`);
      const n = await store.retryDead(keys.length ? keys : undefined, Date.now());
      process.stdout.write(`${n} job(s) back on the queue\n`);
    } finally {
      await store.close();
    }
  });

program
  .command('sandbox')
  .description('run the built-in GitLab sandbox (for tests, the demo, and trying Rhythm out)')
  .option('--port <n>', 'port to listen on', '4000')
  .action(async (o: { port: string }) => {
    const sandbox = await startSandbox({ port: Number(o.port) });
    process.stdout.write(`${sandbox.url}\n`);
    process.stdout.write(`GitLab API at ${sandbox.url}/api/v4 — tokens: sandbox-<username>-token (rhythm-bot, alice, bob, carol, dave); board at ${sandbox.url}/\n`);
    await new Promise<void>((done) => {
      const stop = () => void sandbox.close().then(done, done);
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  });

program
  .command('demo')
  .description('the sandbox GitLab plus `rhythm serve` on SQLite, playing the team\'s workflow')
  .option('--exit', 'stop when the story is told instead of keeping the sandbox up')
  .option('--port <n>', 'sandbox port (0 = any free port)', '4000')
  .action(async (o: { exit?: boolean; port: string }) => {
    await runDemo({ exit: Boolean(o.exit), sandboxPort: Number(o.port), configPath: globalConfig() });
  });

try {
  await program.parseAsync(process.argv);
  process.exitCode = process.exitCode ?? 0;
} catch (err) {
  if (err instanceof CommanderError) {
    const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
    if (!ok && err.code === 'usage') process.stderr.write(`rhythm: ${err.message}\n`);
    process.exit(ok ? 0 : 2);
  }
  process.stderr.write(`rhythm: ${(err as Error).message}\n`);
  process.exit(1);
}
