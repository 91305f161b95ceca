// `rhythm program open <program> --intern @x --mentor @y --start 2027-01-04 [--project P]`: open
// a program plan issue (once; a rerun prints the one it opened). Usage errors exit 2 before any
// call: an unknown program, a missing person, a start that is not a date.
import { CommanderError } from 'commander';
import { DateTime } from 'luxon';
import { openProgram } from '../handlers/program/open.js';
import { ProgramError } from '../handlers/program/plan.js';
import { isUsername } from '../markdown/index.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';
import { ensureBotIdentity } from '../doctor/start.js';
import { Failure } from './failure.js';

export interface ProgramOpenOptions {
  intern?: string;
  mentor?: string;
  member?: string;
  /** Other roles of a team's own program: role=@username. */
  person?: string[];
  start?: string;
  project?: string;
  dryRun?: boolean;
}

const usage = (message: string) => new CommanderError(2, 'usage', message);

function username(role: string, value: string): string {
  const name = value.trim().replace(/^@/, '');
  if (!isUsername(name)) throw usage(`--${role} must be a GitLab username such as @alice (got "${value}")`);
  return name;
}

export async function programOpen(configPath: string, name: string, o: ProgramOpenOptions): Promise<void> {
  if (o.start !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(o.start) || !DateTime.fromISO(o.start).isValid)) {
    throw usage(`--start must be a date such as 2027-01-04 (got "${o.start}")`);
  }
  const given: Record<string, string> = {};
  for (const role of ['intern', 'mentor', 'member'] as const) if (o[role] !== undefined) given[role] = username(role, o[role]);
  for (const pair of o.person ?? []) {
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(pair);
    if (!m) throw usage(`--person must look like role=@username (got "${pair}")`);
    given[m[1]!] = username(m[1]!, m[2]!);
  }
  const { config, configDir } = load(configPath, o.dryRun);
  const def = config.programs?.plans.find((p) => p.name === name);
  if (!def) {
    throw usage(
      `no program "${name}" in ${configPath} (the programs are: ${(config.programs?.plans ?? []).map((p) => p.name).join(', ') || 'none'})`,
    );
  }
  const missing = def.people.filter((role) => !given[role]);
  if (missing.length > 0) throw usage(`program ${name} needs ${missing.map((r) => `--${r} @username`).join(' and ')}`);
  const extra = Object.keys(given).filter((role) => !def.people.includes(role));
  if (extra.length > 0) throw usage(`program ${name} has no ${extra.join(', ')} (its people: ${def.people.join(', ')})`);
  if (def.weeks.length > 0 && !o.start) throw usage(`program ${name} counts its weeks from a start date: add --start YYYY-MM-DD`);
  const people = Object.fromEntries(def.people.map((role) => [role, given[role]!]));

  const log = commandLogger();
  const door = doorFor(config, log);
  // A dry run writes nothing, so any token may look; a write must be the bot's own.
  if (!config.dryRun) await ensureBotIdentity(door, config);
  let result;
  try {
    result = await openProgram(
      { config, configDir, door, log },
      { program: name, people, ...(o.start && def.weeks.length > 0 ? { start: o.start } : {}) },
      o.project,
    );
  } catch (err) {
    if (err instanceof ProgramError) throw new Failure(err.message);
    throw err;
  }
  if (result.action === 'dry-run') {
    process.stdout.write(`--- dry run: would open "${result.title}" (nothing is sent) ---\n${result.body}\n`);
  } else {
    const verb = result.action === 'opened' ? 'opened' : 'already open:';
    process.stdout.write(`${name}: ${verb} #${result.iid} ${result.url}\n`);
  }
  process.stdout.write(`GitLab calls: ${door.reads} reads, ${door.writes} writes\n`);
}
