// `rhythm generate`: open or update the monthly sign-up issues, one line per issue.
import { CommanderError } from 'commander';
import { nextMonth } from '../signups/calendar.js';
import { generateSignups } from '../signups/generate.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';
import { Failure } from './failure.js';

export interface GenerateOptions {
  month?: string;
  only?: 'webinars' | 'labs';
  dryRun?: boolean;
}

export async function generate(configPath: string, o: GenerateOptions): Promise<void> {
  const { config, configDir } = load(configPath, o.dryRun);
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
}
