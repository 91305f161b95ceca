// `rhythm check-config [FILE]`: every problem on its own line, or one line saying what is set up.
import { loadConfig } from './load.js';
import type { Env } from './interpolate.js';
import type { RhythmConfig } from './types.js';

export function formatConfigErrors(errors: readonly string[]): string {
  return errors.join('\n');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 || word.endsWith('series') ? '' : 's'}`;
}

/** One line naming what the config sets up; never the token, and the URL without credentials. */
export function describeConfig(config: RhythmConfig): string {
  let host = config.gitlab.url;
  try {
    host = new URL(config.gitlab.url).origin;
  } catch {
    // already validated as a URL; keep the text if URL parsing still disagrees
  }
  const boards = config.boards.map((board) => `${board.name} (${board.kind})`);
  const parts = [`GitLab ${host} as ${config.gitlab.botUsername}`, `timezone ${config.timezone}`];
  parts.push(boards.length > 0 ? `${plural(boards.length, 'board')}: ${boards.join(', ')}` : 'no boards');
  if (config.signups) {
    const { webinars, labs, project } = config.signups;
    const calendars = [
      webinars.enabled ? plural(webinars.sessions.length, 'webinar series') : undefined,
      labs.enabled ? plural(labs.sessions.length, 'lab series') : undefined,
    ].filter((part): part is string => part !== undefined);
    parts.push(`signups in ${project}${calendars.length > 0 ? ` (${calendars.join(', ')})` : ' (no calendar enabled)'}`);
  }
  if (config.dryRun) parts.push('dry run');
  return parts.join('; ');
}

export interface CheckOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processOutput: CheckOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Prints the result and returns the exit code: 0 when the file is good, 1 otherwise. */
export function checkConfig(path: string, env: Env = process.env, output: CheckOutput = processOutput): 0 | 1 {
  const result = loadConfig(path, env);
  if (!result.ok) {
    output.err(formatConfigErrors(result.errors));
    output.err(`${path}: ${plural(result.errors.length, 'problem')}`);
    return 1;
  }
  output.out(`${path} OK: ${describeConfig(result.config)}`);
  return 0;
}
