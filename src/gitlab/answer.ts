// Reading GitLab's answers: each one (each element of a list) through its schema from
// entities.ts, so Rhythm verifies GitLab instead of assuming it. A mismatch becomes one error a
// person can act on: the call, the route, the field, what was expected and what came.
import type { z } from 'zod';

/** Which call an answer belongs to: the door's method and the REST route it reached. */
export interface Call {
  /** The door's method, e.g. `listIssues`. */
  door: string;
  /** HTTP method and route as the transport names routes, e.g. `GET /projects/:id/issues`. */
  route: string;
}

/** A 2xx answer whose shape is not what GitLab documents (and Rhythm reads). */
export class GitLabAnswerError extends Error {
  constructor(
    readonly call: Call,
    /** Where in the answer, e.g. `[3].labels` or `author.username`; `(answer)` for the whole. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`GitLab's answer to ${call.route} (${call.door}) does not match GitLab's REST API: ${field}: ${problem}`);
    this.name = 'GitLabAnswerError';
  }
}

/**
 * GitLab answered 403: the bot's user lacks a role on the project (or its token a scope). Says
 * which role (or scope) the call needs, what for, and where, so a person can grant it.
 */
export class ForbiddenError extends Error {
  readonly status = 403;
  /** The least role the call needs (GitLab's names: Guest, Reporter, Developer, Maintainer, Owner). */
  readonly role: string | null;
  /** Set when GitLab said the token's scopes are too narrow (e.g. `api`). */
  readonly scope: string | null;
  constructor(
    readonly call: Call & { role?: string; to?: string },
    readonly project: string | null,
    cause: Error & { description?: string },
  ) {
    const scoped = /insufficient_scope/.test(cause.message);
    const role = scoped ? null : (call.role ?? null);
    const where = project ? ` on ${project}` : '';
    const need = scoped
      ? "the token's scopes do not allow it: give the bot a token with the api scope"
      : role
        ? `the bot needs at least the ${role} role${where}${call.to ? ` to ${call.to}` : ''}`
        : 'the bot is not allowed to';
    super(`GitLab answered 403 Forbidden to ${call.route}: ${need}`, { cause });
    this.name = 'ForbiddenError';
    this.role = role;
    this.scope = scoped ? 'api' : null;
  }
}

/** One answer (a single object). */
export function readOne<S extends z.ZodType>(schema: S, body: unknown, call: Call): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw mismatch(call, [], parsed.error, body);
}

/** A list answer (all pages, concatenated by gitbeaker): every element through the schema. */
export function readList<S extends z.ZodType>(schema: S, body: unknown, call: Call): z.output<S>[] {
  if (!Array.isArray(body)) throw new GitLabAnswerError(call, '(answer)', `expected a list, received ${kindOf(body)}`);
  const out = new Array<z.output<S>>(body.length);
  for (let i = 0; i < body.length; i += 1) {
    const parsed = schema.safeParse(body[i]);
    if (!parsed.success) throw mismatch(call, [i], parsed.error, body[i]);
    out[i] = parsed.data;
  }
  return out;
}

function mismatch(call: Call, at: PropertyKey[], error: z.ZodError, element: unknown): GitLabAnswerError {
  const [first, ...rest] = error.issues;
  if (!first) return new GitLabAnswerError(call, fieldName(at), error.message);
  const field = fieldName([...at, ...first.path]);
  const got = valueAt(element, first.path);
  const more = rest.length ? ` (and ${rest.length} more mismatch${rest.length > 1 ? 'es' : ''})` : '';
  const which = identify(element);
  return new GitLabAnswerError(call, field, `${describeIssue(first)}, received ${describeValue(got)}${which}${more}`);
}

/** `[3].assignees[0].username`; `(answer)` for the answer itself. */
function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(answer)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = Reflect.get(here, key);
  }
  return here;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** The value itself for short scalars; only its kind for text (it may be confidential) and objects. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value.length <= 20 && !/\s/.test(value) ? `string ${JSON.stringify(value)}` : `a string`;
  return kindOf(value);
}

/** ` (id 7, iid 3)` when the element says which record it is, so a person can find it. */
function identify(element: unknown): string {
  if (element === null || typeof element !== 'object') return '';
  const parts = ['id', 'iid'].flatMap((key) => {
    const v: unknown = Reflect.get(element, key);
    return typeof v === 'number' || typeof v === 'string' ? [`${key} ${JSON.stringify(v)}`] : [];
  });
  return parts.length ? ` (in the record with ${parts.join(', ')})` : '';
}
