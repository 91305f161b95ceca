// `rhythm check-config`: every problem of a configuration file on stdout, as file:line:col, and
// every warning (exit 0 when there are only warnings).
import { loadConfig } from '../config/load.js';
import { Failure } from './failure.js';

export function checkConfig(path: string): void {
  const result = loadConfig(path, process.env);
  if (!result.ok) {
    for (const line of result.errors) process.stdout.write(`${line}\n`);
    throw new Failure(`${result.errors.length} problem(s) in ${path}`);
  }
  const c = result.config;
  // Warnings are printed, not failed on: the file is valid and the bot runs as it says.
  for (const line of result.warnings) process.stdout.write(`${line}\n`);
  const warned = result.warnings.length > 0 ? ` (${result.warnings.length} warning(s))` : '';
  process.stdout.write(
    `${path}: OK${warned} — ${c.boards.length} board(s)${c.signups ? ', sign-up calendars' : ''}, time zone ${c.timezone}${c.dryRun ? ', dry-run' : ''}\n`,
  );
}
