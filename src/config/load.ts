// Reading rhythm.yml: parse (YAML), interpolate ${ENV}, apply environment overrides, validate
// against the schema (schema-source.ts; filling defaults), check what the schema cannot, and name
// every problem as `file:line:col message`, one line each, in file order.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { interpolateDocument, type Env } from './interpolate.js';
import { positionOf } from './position.js';
import type { ConfigProblem } from './problem.js';
import { schemaProblems } from './schema-messages.js';
import { validateConfigData } from './schema.js';
import { semanticProblems } from './semantic-checks.js';
import { configWarnings } from './warnings.js';
import type { LoadedCalendar, RhythmConfig, ValidatedCalendar, ValidatedConfig, Zoned } from './types.js';

/** `warnings`: what the file may not mean (config/warnings.ts), placed like errors; never fatal. */
export type LoadResult = { ok: true; config: RhythmConfig; warnings: string[] } | { ok: false; errors: string[] };

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pointer(path: ConfigProblem['path']): string {
  return path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function syntaxProblem(error: YAMLError, text: string): ConfigProblem {
  const offset = error.pos[0];
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^["']?([^"':\n]+)/.exec(text.slice(offset))?.[1]?.trim() ?? '';
    return { path: [], offset, message: `"${key}" appears twice in the same map; a key may appear only once` };
  }
  return { path: [], offset, message: `YAML syntax error: ${error.message}` };
}

/**
 * GITLAB_URL wins over gitlab.url; GITLAB_TOKEN fills gitlab.token when the file leaves it out.
 * Returns which values came from the environment, so messages about them can say so.
 */
function applyEnvOverrides(data: unknown, env: Env): Map<string, string> {
  const fromEnv = new Map<string, string>();
  if (!isFields(data)) return fromEnv;
  const url = env.GITLAB_URL;
  const token = env.GITLAB_TOKEN;
  if (data.gitlab === undefined && (url || token)) data.gitlab = {};
  const gitlab = data.gitlab;
  if (!isFields(gitlab)) return fromEnv;
  if (url) {
    gitlab.url = url;
    fromEnv.set('/gitlab/url', 'GITLAB_URL');
  }
  if (gitlab.token === undefined && token) {
    gitlab.token = token;
    fromEnv.set('/gitlab/token', 'GITLAB_TOKEN');
  }
  return fromEnv;
}

/** Fill what depends on other values: a session's zone defaults to the team's; templates resolve. */
function finish(data: ValidatedConfig, source: string): RhythmConfig {
  const { signups, ...rest } = data;
  if (!signups) return { ...rest, source };
  const baseDir = dirname(resolve(source));
  const zoned = <Session extends { timezone?: string }>(session: Session): Zoned<Session> => ({
    ...session,
    timezone: session.timezone ?? data.timezone,
  });
  const loaded = <Calendar extends ValidatedCalendar>(calendar: Calendar): LoadedCalendar<Calendar> => {
    // Read as this calendar's own kind of session, not as the union of both kinds.
    const sessions: ReadonlyArray<Calendar['sessions'][number]> = calendar.sessions;
    const template = calendar.template === undefined ? {} : { template: resolve(baseDir, calendar.template) };
    return { ...calendar, ...template, sessions: sessions.map(zoned) };
  };
  return { ...rest, source, signups: { ...signups, webinars: loaded(signups.webinars), labs: loaded(signups.labs) } };
}

export function loadConfigText(text: string, source: string, env: Env): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const place = (problem: ConfigProblem): { line: number; col: number; text: string } => {
    const { line, col } = positionOf(doc, lines, problem);
    return { line, col, text: `${source}:${line}:${col} ${problem.message}` };
  };
  const lined = (problems: ConfigProblem[], kind = ''): string[] => {
    const placed = problems.map((problem) => place(kind ? { ...problem, message: `${kind}: ${problem.message}` } : problem));
    placed.sort((a, b) => a.line - b.line || a.col - b.col);
    return [...new Set(placed.map((p) => p.text))];
  };
  const fail = (problems: ConfigProblem[]): LoadResult => ({ ok: false, errors: lined(problems) });

  if (doc.errors.length > 0) return fail(doc.errors.map((error) => syntaxProblem(error, text)));
  if (doc.contents === null) {
    return fail([{ path: [], message: 'the file is empty; it needs at least a gitlab block and a board or signups block' }]);
  }

  const problems = interpolateDocument(doc, env);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail([...problems, { path: [], message: `cannot read the document: ${(error as Error).message}` }]);
  }
  const fromEnv = applyEnvOverrides(data, env);
  const reported = new Set(problems.map((problem) => pointer(problem.path)));
  // A value already reported (say, an unset ${VAR}) would only fail again on its leftover text.
  const fresh = (problem: ConfigProblem): boolean => problem.on === 'key' || !reported.has(pointer(problem.path));
  const checked = validateConfigData(data);
  if (!checked.ok) problems.push(...schemaProblems(checked.errors, data, fromEnv).filter(fresh));
  problems.push(...semanticProblems(data, source).filter(fresh));

  if (problems.length > 0 || !checked.ok) return fail(problems);
  return { ok: true, config: finish(checked.config, source), warnings: lined(configWarnings(checked.config), 'warning') };
}

export function loadConfig(path: string, env: Env = process.env): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { ok: false, errors: [`${path}: no such file; create it (the project's rhythm.yml is an example) or pass --config FILE`] };
    }
    return { ok: false, errors: [`${path}: cannot read the file (${code ?? (error as Error).message})`] };
  }
  return loadConfigText(text, path, env);
}
