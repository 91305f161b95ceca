// A delivery, read once at the receiver into the event Rhythm stores and handlers read. GitLab's
// payloads are large and loosely shaped; the event keeps the few facts the work needs, typed.
// Malformed parts (a label that is not an object, `previous: [null]`) are dropped here, not
// thrown on later: the handlers read GitLab anyway, the event only says what to look at.
import { z } from 'zod';

export const issueEvents = new Set(['Issue Hook', 'Confidential Issue Hook']);
export const noteEvents = new Set(['Note Hook', 'Confidential Note Hook']);

const text = z.string().catch('');
const label = z.object({ title: z.string().optional(), name: z.string().optional() }).catch({});
const labels = z
  .array(z.unknown())
  .catch([])
  .transform((list) =>
    list.flatMap((item) => {
      const parsed = label.parse(item);
      const name = parsed.title ?? parsed.name;
      return name ? [name] : [];
    }),
  );

const issuePayload = z.object({
  object_kind: text,
  user: z.object({ username: text }).catch({ username: '' }),
  project: z.object({ path_with_namespace: text }).catch({ path_with_namespace: '' }),
  object_attributes: z
    .object({
      iid: z.number().int().positive().optional().catch(undefined),
      action: z.string().optional().catch(undefined),
      updated_at: z.string().optional().catch(undefined),
      labels: labels.optional(),
    })
    .catch({}),
  labels: labels.optional(),
  changes: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

const notePayload = z.object({
  object_kind: text,
  user: z.object({ username: text }).catch({ username: '' }),
  project: z.object({ path_with_namespace: text }).catch({ path_with_namespace: '' }),
  object_attributes: z
    .object({ noteable_type: z.string().optional().catch(undefined), updated_at: z.string().optional().catch(undefined) })
    .catch({}),
  issue: z
    .object({ iid: z.number().int().positive().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

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
});

export type HookEvent = z.infer<typeof hookEventSchema>;

export type ReadEvent = { event: HookEvent } | { ignore: string };

/** Reads a payload that passed its JSON Schema (or not: nothing here throws). */
export function readHookEvent(eventName: string, payload: unknown): ReadEvent {
  const isIssue = issueEvents.has(eventName);
  const isNote = noteEvents.has(eventName);
  if (!isIssue && !isNote) return { ignore: `event not handled: ${eventName || '(none)'}` };
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ignore: 'payload is not an object' };

  if (isIssue) {
    const p = issuePayload.safeParse(payload);
    if (!p.success) return { ignore: 'payload is not an object' };
    const body = p.data;
    if (!body.project.path_with_namespace) return { ignore: 'no project path' };
    if (body.object_kind !== 'issue') return { ignore: `not an issue: ${body.object_kind}` };
    const iid = body.object_attributes.iid;
    if (iid === undefined) return { ignore: 'no issue iid' };
    const changes = body.changes ?? {};
    const change = z.object({ previous: labels, current: labels }).optional().catch(undefined).parse(changes.labels);
    return {
      event: {
        v: 1,
        kind: 'issue',
        project: body.project.path_with_namespace,
        iid,
        actor: body.user.username,
        at: body.object_attributes.updated_at ?? null,
        action: body.object_attributes.action ?? null,
        labels: body.labels ?? body.object_attributes.labels ?? [],
        labelChange: change ?? null,
        changed: Object.keys(changes),
      },
    };
  }

  const p = notePayload.safeParse(payload);
  if (!p.success) return { ignore: 'payload is not an object' };
  const body = p.data;
  if (!body.project.path_with_namespace) return { ignore: 'no project path' };
  const noteable = body.object_attributes.noteable_type;
  if (noteable !== 'Issue') return { ignore: `note on ${noteable ?? 'unknown'}, not an issue` };
  const iid = body.issue?.iid;
  if (iid === undefined) return { ignore: 'no issue iid' };
  return {
    event: {
      v: 1,
      kind: 'note',
      project: body.project.path_with_namespace,
      iid,
      actor: body.user.username,
      at: body.object_attributes.updated_at ?? null,
      action: null,
      labels: [],
      labelChange: null,
      changed: [],
    },
  };
}

/** A stored event back from the queue; null for anything else (an older row, a corrupt one). */
export function decodeHookEvent(text: string): HookEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = hookEventSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}
