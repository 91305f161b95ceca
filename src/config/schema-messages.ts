// ajv's errors, said the way a person fixing rhythm.yml needs them: which value, what was
// expected, what was found. Secret values and values taken from the environment are never shown.
import { USERNAME_PATTERN } from '../markdown/username.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { closestKey } from './closest-key.js';
import type { ConfigProblem, KeyPath } from './problem.js';
import { showPath } from './problem.js';
import { isSecretPath } from './secret.js';

/** Paths (as JSON pointers) whose value came from an environment variable, with its name. */
export type EnvSources = ReadonlyMap<string, string>;

/** What each pattern in the schema means, in words. A test keeps this in step with the schema. */
export const patternMeanings: Readonly<Record<string, string>> = {
  '^https?://': 'a URL starting with http:// or https://',
  '^([01][0-9]|2[0-3]):[0-5][0-9]$': 'a time HH:MM (24-hour)',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]$': 'a local date and time YYYY-MM-DDTHH:MM',
  '^[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$': 'a project path such as group/project',
  '^[a-z0-9][a-z0-9-]*$': 'a short name of lower-case letters, digits and dashes',
  '^[A-Z]{2}$': 'a two-letter country code such as US',
  Dashboard: 'text containing the word Dashboard',
  [USERNAME_PATTERN]: 'a GitLab username (letters, digits, _ . -; not ending in . or .git)',
};

const formatMeanings: Readonly<Record<string, string>> = {
  uri: 'a URL',
  date: 'a real date YYYY-MM-DD',
};

const typeMeanings: Readonly<Record<string, string>> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a map of keys',
  array: 'a list',
  null: 'empty',
};

/** Extra advice for a missing key, by the path of the key. */
const missingHints: Readonly<Record<string, string>> = {
  gitlab: '; it needs url and token, or set GITLAB_URL and GITLAB_TOKEN',
  'gitlab.url': '; write url: ${GITLAB_URL} or set GITLAB_URL',
  'gitlab.token': '; write token: ${GITLAB_TOKEN} and set GITLAB_TOKEN',
};

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'true/false';
  return 'a number';
}

function shown(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return quoted.length > 60 ? `${quoted.slice(0, 56)}…"` : quoted;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return kindOf(value);
}

function listValues(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

function pathOf(pointer: string, data: unknown): KeyPath {
  if (pointer === '') return [];
  const path: Array<string | number> = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d+$/.test(key)) {
      path.push(Number(key));
      current = current[Number(key)];
    } else {
      path.push(key);
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

function allowedKeys(parentSchema: unknown): string[] {
  const properties = (parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

function problemFor(error: ErrorObject, path: KeyPath, envName: string | undefined): ConfigProblem {
  const hidden = envName !== undefined || isSecretPath(path);
  const where = showPath(path) + (envName ? ` (from ${envName})` : '');
  // A secret's or an environment variable's text is never repeated; its kind is harmless.
  const got = hidden && typeof error.data === 'string' ? '' : ` (got ${shown(error.data)})`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = Array.isArray(params.type) ? params.type : [params.type];
      const expected = types.map((t) => typeMeanings[String(t)] ?? String(t)).join(' or ');
      return { path, message: `${where} must be ${expected}${got}` };
    }
    case 'enum':
      return { path, message: `${where} must be one of: ${listValues(params.allowedValues as unknown[])}${got}` };
    case 'const':
      return { path, message: `${where} must be ${listValues([params.allowedValue])}${got}` };
    case 'required': {
      const missing = String(params.missingProperty);
      const hint = missingHints[showPath([...path, missing])] ?? '';
      return { path, message: `${where} must have "${missing}" (not found)${hint}` };
    }
    case 'dependentRequired':
      return {
        path,
        message: `${where} has "${String(params.property)}" but not "${String(params.missingProperty)}"; the two go together`,
      };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(error.parentSchema);
      const guess = closestKey(key, allowed);
      const advice = guess ? `did you mean "${guess}"?` : `expected one of: ${allowed.join(', ')}`;
      const prefix = path.length === 0 ? '' : `${showPath(path)}: `;
      return { path: [...path, key], on: 'key', message: `${prefix}unknown key "${key}" (${advice})` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = {
        minimum: 'at least',
        maximum: 'at most',
        exclusiveMinimum: 'more than',
        exclusiveMaximum: 'less than',
      };
      return { path, message: `${where} must be ${words[error.keyword]} ${String(params.limit)}${got}` };
    }
    case 'minLength':
      return params.limit === 1
        ? { path, message: `${where} must not be empty` }
        : { path, message: `${where} must be at least ${String(params.limit)} characters long` };
    case 'minItems':
      return { path, message: `${where} must have at least ${String(params.limit)} item(s)${got}` };
    case 'uniqueItems': {
      // ajv scans from the end, so which of i and j is the later item varies: point at the later.
      const later = Math.max(Number(params.i), Number(params.j));
      const earlier = Math.min(Number(params.i), Number(params.j));
      const items = Array.isArray(error.data) ? error.data : [];
      return {
        path: [...path, later],
        message: `${showPath([...path, later])} repeats ${shown(items[later])}, already listed at [${earlier}]`,
      };
    }
    case 'pattern': {
      const pattern = String(params.pattern);
      const meaning = patternMeanings[pattern] ?? `text matching ${pattern}`;
      return { path, message: `${where} must be ${meaning}${got}` };
    }
    case 'format': {
      const format = String(params.format);
      return { path, message: `${where} must be ${formatMeanings[format] ?? `a valid ${format}`}${got}` };
    }
    case 'discriminator':
      return {
        path,
        message: `${where} must have "kind" set to one of: ${listValues(
          (error.parentSchema as { properties?: { kind?: { enum?: unknown[] } } })?.properties?.kind?.enum ?? [],
        )}`,
      };
    case 'oneOf':
    case 'anyOf':
      return { path, message: `${where} does not match any of the allowed shapes` };
    default:
      return { path, message: `${where} ${error.message ?? 'is not valid'}` };
  }
}

/** One problem per distinct thing wrong; the discriminator's echo of a bad `kind` is dropped. */
export function schemaProblems(errors: readonly ErrorObject[], data: unknown, fromEnv: EnvSources): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'discriminator') {
      const here = error.instancePath;
      const echoed = (other: ErrorObject): boolean =>
        other !== error && (other.instancePath === here || other.instancePath.startsWith(`${here}/`));
      if (errors.some(echoed)) continue;
    }
    const params = error.params as Record<string, unknown>;
    // Several keywords can fail on one value (format and pattern on a URL): say it once.
    const key =
      error.keyword === 'required' || error.keyword === 'additionalProperties' || error.keyword === 'dependentRequired'
        ? `${error.instancePath}|${error.keyword}|${String(params.missingProperty ?? params.additionalProperty)}`
        : error.instancePath;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problemFor(error, pathOf(error.instancePath, data), fromEnv.get(error.instancePath)));
  }
  return problems;
}
