// `rhythm check-config`: every problem of a configuration file on stdout, as file:line:col.
import { loadConfig } from '../config/load.js';
import { Failure } from './failure.js';

export function checkConfig(path: string): void {
  const result = loadConfig(path, process.env);
  if (!result.ok) {
    for (const line of result.errors) process.stdout.write(`${line}\n`);
    throw new Failure(`${result.errors.length} problem(s) in ${path}`);
  }
  const c = result.config;
  process.stdout.write(
    `${path}: OK — ${c.boards.length} board(s)${c.signups ? ', sign-up calendars' : ''}, time zone ${c.timezone}${c.dryRun ? ', dry-run' : ''}\n`,
  );
}
