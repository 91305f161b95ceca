// `rhythm generate`: open or update the monthly sign-up issues, one line per issue. With a
// database (RHYTHM_DATABASE_URL), a lease per month and kind keeps two runs from both creating.
import { CommanderError } from 'commander';
import type { SignupKind } from '../engine/keys.js';
import { generateSignups, type GenerateResult } from '../handlers/signup-month/generate.js';
import { openStore, storeOptions } from '../queue/open.js';
import { nextMonth } from '../signups/calendar.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';
import { Failure } from './failure.js';
import { ensureBotIdentity } from '../doctor/start.js';

export interface GenerateOptions {
  month?: string;
  only?: SignupKind;
  dryRun?: boolean;
}

/** A dry run prints what it would write, in full: nothing is sent. */
function printDryRun(result: GenerateResult, month: string): void {
  for (const applied of result.outcome.applied) {
    if (applied.sent) continue;
    const step = applied.step;
    if (step.kind !== 'createIssue' && step.kind !== 'editIssue') continue;
    // Closing a second issue for the month is said on the result's line.
    if (step.kind === 'editIssue' && step.edit.description === undefined && step.edit.title === undefined) continue;
    const verb = step.kind === 'createIssue' ? 'create' : `update #${step.iid},`;
    const title = step.kind === 'createIssue' ? step.issue.title : (step.edit.title ?? '(unchanged)');
    const labels = step.kind === 'createIssue' ? (step.issue.labels ?? []) : (step.edit.addLabels ?? []);
    const description = step.kind === 'createIssue' ? step.issue.description : (step.edit.description ?? '');
    // An update shows what changes first: the lines it takes out and puts in, then the whole text.
    const diff = result.changes
      ? [
          'What changes:',
          ...result.changes.summary.map((line) => `  ${line}`),
          ...result.changes.removed.map((line) => `- ${line}`),
          ...result.changes.added.map((line) => `+ ${line}`),
          '',
          'The description after the update:',
        ]
      : [];
    process.stdout.write(
      [
        `--- dry run: would ${verb} the ${result.kind} sign-up issue for ${month} in ${step.project} (nothing is sent) ---`,
        `Title: ${title}`,
        `Labels${step.kind === 'editIssue' ? ' added' : ''}: ${labels.join(', ') || '(none)'}`,
        '',
        ...diff,
        description,
        '',
        '',
      ].join('\n'),
    );
  }
}

/** What became of one issue, in one line: `created #12 https://…`, and what else was done. */
function resultLine(r: GenerateResult): string {
  // A dry run says what it would do: create, or update (and what changes); unchanged is unchanged.
  const action = r.planned ? `would ${r.planned}` : r.action;
  let line = `${action}${r.iid ? ` #${r.iid}` : ''}${r.url ? ` ${r.url}` : ''}`;
  if (r.planned === 'update' && r.changes) line += `: ${r.changes.summary.join('; ')}`;
  if (r.planned) line += ' (dry run: nothing sent)';
  if (r.duplicateOf !== undefined) {
    line += `, then closed it: another run opened #${r.duplicateOf} for the month at the same time, and the older one is kept`;
  }
  if (r.closed?.length) {
    const verb = r.action === 'dry-run' ? 'would close' : 'closed';
    line += `; ${verb} ${r.closed.map((i) => `#${i}`).join(', ')}, a second issue for the month`;
  }
  if (r.reason) line += ` (${r.reason})`;
  return line;
}

export async function generate(configPath: string, o: GenerateOptions): Promise<void> {
  // cli.ts refuses a bad --month while parsing; this guards other callers the same way.
  if (o.month && !/^\d{4}-(0[1-9]|1[0-2])$/.test(o.month)) {
    throw new CommanderError(2, 'usage', `--month must look like 2026-12 (got "${o.month}")`);
  }
  const { config, configDir } = load(configPath, o.dryRun);
  if (!config.signups) throw new Failure('no signups block in the configuration: nothing to generate');
  const log = commandLogger();
  const door = doorFor(config, log);
  // A dry run reads nothing and writes nothing; a real one first makes sure the token is the bot's.
  if (!config.dryRun) await ensureBotIdentity(door, config);
  const month = o.month ?? nextMonth(new Date(), config.timezone);
  // A pipeline job usually has no database; when one is named, runs at once share its leases.
  const databaseUrl = process.env.RHYTHM_DATABASE_URL?.trim();
  const store = databaseUrl && !config.dryRun ? await openStore(databaseUrl, process.cwd(), storeOptions(process.env)) : null;
  let report;
  try {
    report = await generateSignups(
      { config, configDir, door, log, ...(store ? { lease: { store } } : {}) },
      { month, ...(o.only ? { only: o.only } : {}) },
    );
  } finally {
    await store?.close();
  }
  for (const r of report.results) {
    printDryRun(r, month);
    process.stdout.write(`${r.kind} ${month}: ${resultLine(r)}\n`);
  }
  process.stdout.write(`GitLab calls: ${report.reads} reads, ${report.writes} writes\n`);
  if (report.failed.length > 0) throw new Failure(report.failed.map((f) => f.error).join('; '));
}
