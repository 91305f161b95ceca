// The `rhythm` command. Exit codes: 0 success, 1 failure, 2 usage error.
//
// This file is the command table only: names, options, defaults and descriptions. Each action
// lives in src/commands/ and is imported when its command runs, so `rhythm --help` and
// `rhythm --version` load commander and nothing else.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { SweepPart } from './engine/sweep.js';
import type { ServeOptions } from './commands/serve.js';
import type { GenerateOptions } from './commands/generate.js';
import type { SweepOptions } from './commands/sweep.js';
import type { HooksInstallOptions, HooksStatusOptions, HooksUninstallOptions } from './commands/hooks.js';
import type { SandboxOptions } from './commands/sandbox.js';
import type { DemoCommandOptions } from './commands/demo.js';
import type { ProgramOpenOptions } from './commands/program.js';

// package.json is one level above both src/cli.ts and dist/cli.js.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

// The parts of `rhythm sweep --only`; typed against the engine's, so a part added there and not
// here (or the reverse) fails the type check, without loading the engine to print --help.
const sweepParts: Record<SweepPart, true> = { issues: true, order: true, reminders: true, dashboards: true, chat: true };

/** A TCP port, or a usage error (exit 2) before anything runs: `--port abc` never reaches listen(). */
export function parsePort(value: string): string {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`a port is a whole number from 0 to 65535 (got "${value}")`);
  }
  return String(n);
}

/** A month as YYYY-MM, or a usage error (exit 2) before the configuration or the token is read. */
export function parseMonth(value: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError(`a month looks like 2026-12 (got "${value}")`);
  return value;
}

/** An http(s) URL, or a usage error (exit 2) before anything runs. */
export function parseHttpUrl(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // not a URL: the error below
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new InvalidArgumentError(`an http(s) URL is needed, e.g. https://rhythm.example.com/webhooks/gitlab (got "${value}")`);
  }
  return value;
}

function configPath(opt: string | undefined): string {
  return opt ?? process.env.RHYTHM_CONFIG ?? 'rhythm.yml';
}

const program = new Command();
program
  .name('rhythm')
  .description(
    "Keeps a team's GitLab boards in rhythm: checks cards, explains in one note, orders the scheduled column, opens monthly sign-up issues.",
  )
  .version(version)
  .option('--config <file>', 'configuration file (default: $RHYTHM_CONFIG or rhythm.yml)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const globalConfig = () => configPath(program.opts<{ config?: string }>().config);

program
  .command('serve')
  .description('receive webhooks, reconcile cards, run the sweep and reminders on a timer')
  .option('--port <n>', 'port to listen on (default: $PORT or 3000)', parsePort)
  .option('--host <addr>', 'address to bind', '0.0.0.0')
  .option('--dry-run', 'compute and log every write, send none')
  .option('--no-sweep-on-start', 'do not sweep when starting (the timer still sweeps)')
  .action(async (o: ServeOptions) => {
    const { serve } = await import('./commands/serve.js');
    await serve(globalConfig(), o);
  });

program
  .command('generate')
  .description('open or update the monthly webinar and lab DRI sign-up issues')
  .option('--month <YYYY-MM>', "the month to generate (default: next month in the team's time zone)", parseMonth)
  .addOption(new Option('--only <kind>', 'only one of the two issues').choices(['webinars', 'labs']))
  .option('--dry-run', 'print the rendered issues, write nothing')
  .action(async (o: GenerateOptions) => {
    const { generate } = await import('./commands/generate.js');
    await generate(globalConfig(), o);
  });

program
  .command('sweep')
  .description('reconcile every open card of every board now (covers webhooks GitLab never delivered)')
  .option('--dry-run', 'compute and log every write, send none')
  .addOption(new Option('--only <part>', 'only one part of the sweep').choices(Object.keys(sweepParts)))
  .option('--full', 're-read every card, whatever the bot remembers (default: only what changed since the last sweep)')
  .action(async (o: SweepOptions) => {
    const { sweep } = await import('./commands/sweep.js');
    await sweep(globalConfig(), o);
  });

program
  .command('calendar')
  .description("write a board's calendar feed (iCalendar) to a file, e.g. for GitLab Pages")
  .requiredOption('--board <id>', "the board's id (its name unless it sets one)")
  .requiredOption('--out <file>', 'the .ics file to write')
  .action(async (o: { board: string; out: string }) => {
    const { calendarCommand } = await import('./commands/calendar.js');
    await calendarCommand(globalConfig(), o);
  });

const programs = program.command('program').description('program plans: the CSM internship, the CSM accreditation, your own');
programs
  .command('open <program>')
  .description('open a program plan issue from its template (once: a rerun prints the issue it opened)')
  .option('--intern <@user>', 'the intern (internship)')
  .option('--mentor <@user>', 'the mentor (internship)')
  .option('--member <@user>', 'the team member (accreditation)')
  .option('--person <role=@user...>', "another role of a team's own program")
  .option('--start <YYYY-MM-DD>', 'first day of week 1 (programs with weeks)')
  .option('--project <path>', 'the project to open it in (default: programs.project)')
  .option('--dry-run', 'print the plan, open nothing')
  .action(async (name: string, o: ProgramOpenOptions) => {
    const { programOpen } = await import('./commands/program.js');
    await programOpen(globalConfig(), name, o);
  });

program
  .command('check-config [file]')
  .description('validate a configuration file; print every problem with file:line:col')
  .action(async (file: string | undefined) => {
    const { checkConfig } = await import('./commands/check-config.js');
    checkConfig(file ?? globalConfig());
  });

program
  .command('doctor')
  .description('check the configured GitLab: reachable, token, bot user, roles, labels, hook, assignees, calendars (exit 1 on a failure)')
  .action(async () => {
    const { doctor } = await import('./commands/doctor.js');
    await doctor(globalConfig());
  });

program
  .command('explain <issue>')
  .description('what the bot sees of one issue (group/project#12 or its URL) and what it would do; writes nothing')
  .action(async (issue: string) => (await import('./commands/explain.js')).explain(globalConfig(), issue));

const hooks = program.command('hooks').description('manage the project webhooks Rhythm needs');
hooks
  .command('install')
  .description('register (or update, never duplicate) the webhook on every configured project')
  .requiredOption('--url <url>', 'the public URL of POST /webhooks/gitlab', parseHttpUrl)
  .option(
    '--rotate-secret',
    'rotation: send the new RHYTHM_WEBHOOK_SECRET (the service accepts RHYTHM_WEBHOOK_SECRET_PREVIOUS meanwhile) and prove it with a test request',
  )
  .option('--dry-run', 'show what would change, change nothing')
  .action(async (o: HooksInstallOptions) => {
    const { hooksInstall } = await import('./commands/hooks.js');
    await hooksInstall(globalConfig(), o);
  });
hooks
  .command('status')
  .description(
    "each project's Rhythm hook: installed, enabled or disabled (until when), recent deliveries; exit 1 if one is missing or disabled",
  )
  .option('--url <url>', 'the hook at this URL (default: any hook pointing at /webhooks/gitlab)', parseHttpUrl)
  .action(async (o: HooksStatusOptions) => {
    const { hooksStatus } = await import('./commands/hooks.js');
    await hooksStatus(globalConfig(), o);
  });
hooks
  .command('uninstall')
  .description("remove Rhythm's hooks (and no other) from every configured project")
  .option('--url <url>', 'only the hook at this URL (default: any hook pointing at /webhooks/gitlab)', parseHttpUrl)
  .option('--dry-run', 'show what would be removed, remove nothing')
  .action(async (o: HooksUninstallOptions) => {
    const { hooksUninstall } = await import('./commands/hooks.js');
    await hooksUninstall(globalConfig(), o);
  });

const queue = program.command('queue').description('inspect and replay the work queue');
queue
  .command('stats')
  .description('pending, running and dead jobs')
  .action(async () => {
    const { queueStats } = await import('./commands/queue.js');
    await queueStats();
  });
queue
  .command('retry-dead [keys...]')
  .description('put dead jobs (all, or the keys given) back on the queue')
  .action(async (keys: string[]) => {
    // A key that is no key is a usage error, said before any database is looked for.
    const { parseKey } = await import('./engine/keys.js');
    const bad = keys.filter((k) => !parseKey(k));
    if (bad.length)
      throw new CommanderError(2, 'usage', `not a work key: ${bad.map((k) => JSON.stringify(k)).join(', ')} (e.g. issue:group/project#12)`);
    const { queueRetryDead } = await import('./commands/queue.js');
    await queueRetryDead(keys);
  });

program
  .command('sandbox')
  .description('run the built-in GitLab sandbox (for tests, the demo, and trying Rhythm out)')
  .option('--port <n>', 'port to listen on', parsePort, '4000')
  .addOption(new Option('--tier <tier>', 'the GitLab subscription to play (free: one assignee per issue)').choices(['free', 'premium']))
  .action(async (o: SandboxOptions) => {
    const { serveSandbox } = await import('./commands/sandbox.js');
    await serveSandbox(o);
  });

program
  .command('demo')
  .description("the sandbox GitLab plus `rhythm serve` on SQLite, playing the team's workflow")
  .option('--exit', 'stop when the story is told instead of keeping the sandbox up')
  .option('--port <n>', 'sandbox port (0 = any free port)', parsePort, '4000')
  .action(async (o: DemoCommandOptions) => {
    const { demo } = await import('./commands/demo.js');
    await demo(globalConfig(), o);
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
