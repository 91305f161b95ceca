// What the schema cannot say: real time zones, recurrence rules that parse, dates that exist,
// template files that are there, names that are unique. Runs on data that may still have schema
// errors, so every read is guarded; a wrongly typed value is the schema's to report, not ours.
import { templateFile } from './template-path.js';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Handlebars from 'handlebars';
import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import rrule from 'rrule';
import type { Options } from 'rrule';
import type { ConfigProblem, KeyPath } from './problem.js';
import { showPath } from './problem.js';

const { RRule } = rrule;

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A problem whose message starts with the value's path. */
function at(path: KeyPath, says: string): ConfigProblem {
  return { path, message: `${showPath(path)} ${says}` };
}

function zoneProblem(path: KeyPath, zone: unknown): ConfigProblem | undefined {
  const name = text(zone);
  if (name === undefined || IANAZone.isValidZone(name)) return undefined;
  return at(path, `must be an IANA time zone such as America/Los_Angeles (got ${JSON.stringify(name)})`);
}

/** Why an RRULE body cannot be used, or undefined when it can. */
export function rruleFault(body: string): string | undefined {
  if (/(^|[\n;])\s*(DTSTART|RRULE:)/i.test(body)) {
    return 'write only the rule, without DTSTART or RRULE: (time and timezone give the start)';
  }
  if (/TZID/i.test(body)) return 'put the zone in timezone, not TZID';
  let options: Partial<Options>;
  try {
    options = RRule.parseString(body);
  } catch (error) {
    return (error as Error).message;
  }
  if (options.freq === undefined) return 'it needs FREQ, e.g. FREQ=MONTHLY';
  if (options.freq > RRule.DAILY) {
    return 'sessions repeat at most daily (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)';
  }
  // rrule's parser is lenient: an unknown day becomes null, a bad number stays a string.
  for (const [option, value] of Object.entries(options)) {
    const name = (option === 'byweekday' ? 'byday' : option).toUpperCase();
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => v === null || v === undefined)) return `it has an unknown value in ${name}`;
    if (values.some((v) => typeof v === 'string' || (typeof v === 'number' && !Number.isInteger(v)))) {
      return `${name} must be a whole number`;
    }
    if (value instanceof Date && Number.isNaN(value.getTime())) return `${name} is not a date`;
  }
  return undefined;
}

/**
 * Whether the rule has an occurrence on a local date. Rules whose occurrences depend on where
 * they start (INTERVAL > 1, COUNT, UNTIL) cannot be judged without a start, so they pass.
 */
function ruleFallsOn(body: string, date: string): boolean {
  const options = RRule.parseString(body);
  if ((options.interval ?? 1) > 1 || options.count != null || options.until != null) return true;
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  // Floating time: local dates as UTC dates, so no zone can shift the day.
  const dayStart = new Date(Date.UTC(year, month - 1, day));
  const rule = new RRule({ ...options, dtstart: new Date(Date.UTC(year - 1, 0, 1)) });
  return rule.between(dayStart, new Date(dayStart.getTime() + 86_399_999), true).length > 0;
}

function dateProblems(dates: unknown[], path: KeyPath, zone: string | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const known = zone !== undefined && IANAZone.isValidZone(zone) ? zone : undefined;
  dates.forEach((value, index) => {
    const local = text(value);
    if (local === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return; // the schema's
    const start = DateTime.fromISO(local, { zone: known ?? 'UTC' });
    if (!start.isValid) {
      problems.push(at([...path, index], `must be a real date and time (got ${JSON.stringify(local)})`));
    } else if (known && start.toFormat("yyyy-MM-dd'T'HH:mm") !== local) {
      problems.push(at([...path, index], `${local} does not exist in ${known} (the clocks skip that hour)`));
    }
  });
  return problems;
}

function sessionProblems(session: Fields, path: KeyPath, teamZone: string | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const zoneIssue = zoneProblem([...path, 'timezone'], session.timezone);
  if (zoneIssue) problems.push(zoneIssue);
  const body = text(session.rrule);
  const skip = list(session.skip);

  if (session.rrule === undefined && Array.isArray(session.dates) && session.dates.length === 0) {
    problems.push(at(path, 'has neither rrule nor dates; give a rule with a time, or one-off dates'));
  }
  const fault = body === undefined ? undefined : rruleFault(body);
  if (fault) problems.push(at([...path, 'rrule'], `is not a usable recurrence rule: ${fault}`));
  if (session.rrule === undefined && skip.length > 0) {
    problems.push(at([...path, 'skip'], 'lists dates to skip, but there is no rrule to skip them from'));
  }
  if (body !== undefined && !fault) {
    skip.forEach((value, index) => {
      const date = text(value);
      if (date === undefined || !DateTime.fromISO(date).isValid || ruleFallsOn(body, date)) return;
      problems.push(at([...path, 'skip', index], `${date} is not a date the rule gives, so there is nothing to skip`));
    });
  }
  problems.push(...dateProblems(list(session.dates), [...path, 'dates'], text(session.timezone) ?? teamZone));
  return problems;
}

function calendarProblems(calendar: Fields, path: KeyPath, baseDir: string, teamZone: string | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const title = text(calendar.title);
  if (title !== undefined) {
    try {
      Handlebars.parse(title);
    } catch (error) {
      // The rest of Handlebars' message is a list of parser token names, no help to a person.
      const reason = ((error as Error).message.split('\n')[0] ?? '').replace(/:$/, '');
      const advice = 'check that each {{ is closed by }} and each {{#block}} by {{/block}}';
      problems.push(at([...path, 'title'], `is not a valid Handlebars template: ${reason} (${advice})`));
    }
  }
  const template = text(calendar.template);
  if (template) {
    const file = resolve(baseDir, template);
    if (!existsSync(file) || !statSync(file).isFile()) {
      const says = `names ${JSON.stringify(template)}, which is not a file (paths are relative to the config file's folder)`;
      problems.push(at([...path, 'template'], says));
    }
  }
  const sessions = list(calendar.sessions);
  if (calendar.enabled === true && Array.isArray(calendar.sessions) && sessions.length === 0) {
    problems.push(at(path, 'is enabled but has no sessions; add sessions or set enabled: false'));
  }
  sessions.forEach((session, index) => {
    const entry = fields(session);
    if (entry) problems.push(...sessionProblems(entry, [...path, 'sessions', index], teamZone));
  });
  return problems;
}

function skillsExchangeProblems(board: Fields, path: KeyPath): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const labels = fields(board.labels);
  if (labels && text(labels.plan) !== undefined && labels.plan === labels.scheduled) {
    problems.push(at([...path, 'labels', 'scheduled'], `must differ from labels.plan (both "${String(labels.plan)}")`));
  }
  const template = fields(fields(board.rules)?.template);
  const required = new Set(list(template?.required));
  list(template?.optional).forEach((heading, index) => {
    if (!required.has(heading)) return;
    const where = [...path, 'rules', 'template', 'optional', index];
    problems.push(at(where, `"${String(heading)}" is also in required; a section is one or the other`));
  });
  return problems;
}

function boardProblems(boards: unknown[], signups: Fields | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Map<string, number>();
  const projects = new Map<string, number>();
  const ids = new Map<string, number>();
  let signupsBoard: number | undefined;
  boards.forEach((value, index) => {
    const board = fields(value);
    if (!board) return;
    const path = ['boards', index];
    const name = text(board.name);
    const project = text(board.project);
    const first = name === undefined ? undefined : names.get(name);
    if (name !== undefined && first === undefined) names.set(name, index);
    else if (first !== undefined) {
      problems.push(at([...path, 'name'], `"${name}" is already used by boards[${first}]; board names must be unique`));
    }
    // Calendar feed URLs name boards by id (the name when left out): two boards, one URL.
    const id = text(board.id) ?? name;
    const idFirst = id === undefined ? undefined : ids.get(id);
    if (id !== undefined && idFirst === undefined) ids.set(id, index);
    else if (idFirst !== undefined && !(board.id === undefined && first !== undefined)) {
      const where = board.id === undefined ? 'name' : 'id';
      problems.push(
        at([...path, where], `"${id}" is already the id of boards[${idFirst}] (an id left out is the name); board ids must be unique`),
      );
    }
    if (board.kind === 'skills-exchange') {
      const keeper = project === undefined ? undefined : projects.get(project);
      if (project !== undefined && keeper === undefined) projects.set(project, index);
      else if (keeper !== undefined) problems.push(at([...path, 'project'], `${project} is already kept by boards[${keeper}]`));
      problems.push(...skillsExchangeProblems(board, path));
    }
    if (board.kind !== 'signups') return;
    if (signupsBoard !== undefined) {
      problems.push(at(path, `is a second signups board (the first is boards[${signupsBoard}]); there can be at most one`));
      return;
    }
    signupsBoard = index;
    if (!signups) {
      problems.push(at(path, 'is a signups board, but there is no signups block saying what to open; add one or remove this board'));
    } else if (project !== undefined && text(signups.project) !== undefined && project !== signups.project) {
      problems.push(at([...path, 'project'], `must be the same as signups.project (${String(signups.project)})`));
    }
  });
  return problems;
}

/** Checks beyond the schema; `source` is the config file's path, for relative template paths. */
export function semanticProblems(data: unknown, source: string): ConfigProblem[] {
  const root = fields(data);
  if (!root) return [];
  const problems: ConfigProblem[] = [];
  const zoneIssue = zoneProblem(['timezone'], root.timezone);
  if (zoneIssue) problems.push(zoneIssue);
  const teamZone = zoneIssue ? undefined : text(root.timezone);
  const signups = fields(root.signups);
  problems.push(...boardProblems(list(root.boards), signups));
  if (signups) {
    const baseDir = dirname(resolve(source));
    for (const kind of ['webinars', 'labs'] as const) {
      const calendar = fields(signups[kind]);
      if (calendar) problems.push(...calendarProblems(calendar, ['signups', kind], baseDir, teamZone));
    }
    const country = text(signups.holidays);
    if (country !== undefined && !(country.toUpperCase() in (new Holidays().getCountries() ?? {}))) {
      problems.push(
        at(['signups', 'holidays'], `must be a country code with a holiday calendar, such as US or DE (got ${JSON.stringify(country)})`),
      );
    }
  }
  // Program plans: a template that is not there would fail every follow-up of the plan.
  const programNames = new Map<string, number>();
  list(fields(root.programs)?.plans).forEach((plan, index) => {
    const name = text(fields(plan)?.name);
    const first = name === undefined ? undefined : programNames.get(name);
    if (name !== undefined && first === undefined) programNames.set(name, index);
    else if (first !== undefined)
      problems.push(at(['programs', 'plans', index, 'name'], `"${name}" is already the name of programs.plans[${first}]`));
    const template = text(fields(plan)?.template);
    if (template !== undefined && templateFile(dirname(resolve(source)), template) === null) {
      const says = `names ${JSON.stringify(template)}, which is not a file (paths are relative to the config file's folder; templates/… also finds Rhythm's own)`;
      problems.push(at(['programs', 'plans', index, 'template'], says));
    }
  });
  return problems;
}
