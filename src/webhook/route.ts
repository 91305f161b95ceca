// Which work a delivery wakes. Pure: the event name and a payload that already passed its
// schema go in, a decision comes out. The receiver stores, acknowledges or ignores by it.
import { issueKey } from '../engine/keys.js';

export type RouteDecision =
  | { action: 'store'; key: string | null; reason?: string }
  | { action: 'ignore'; reason: string };

export interface RouteOptions {
  /** Configured project paths (path_with_namespace). */
  projects: Set<string>;
  botUsername: string;
}

export const issueEvents = new Set(['Issue Hook', 'Confidential Issue Hook']);
export const noteEvents = new Set(['Note Hook', 'Confidential Note Hook']);

/** GitLab touches these on any edit; they say nothing about what a person changed. */
const bookkeepingChanges = new Set(['updated_at', 'updated_by_id', 'last_edited_at', 'last_edited_by_id']);

/** The work key of one issue: one spelling, shared with the engine and the sweep. */
export { issueKey };

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * The configured spelling of a project path. GitLab paths are case-insensitive, and the key
 * must match the one the sweep builds from the config, or one issue would get two keys.
 */
function configuredProject(path: string, projects: Set<string>): string | undefined {
  if (projects.has(path)) return path;
  const lower = path.toLowerCase();
  for (const p of projects) if (p.toLowerCase() === lower) return p;
  return undefined;
}

/** An update whose only real change is the card's place in its list (a drag within a column). */
function onlyReordered(changes: Record<string, unknown> | undefined): boolean {
  if (!changes) return false;
  const real = Object.keys(changes).filter((k) => !bookkeepingChanges.has(k));
  return real.length === 1 && real[0] === 'relative_position';
}

export function routeDelivery(event: string, payload: unknown, opts: RouteOptions): RouteDecision {
  const isIssue = issueEvents.has(event);
  const isNote = noteEvents.has(event);
  if (!isIssue && !isNote) return { action: 'ignore', reason: `event not handled: ${event || '(none)'}` };

  const body = record(payload);
  if (!body) return { action: 'ignore', reason: 'payload is not an object' };

  const path = text(record(body.project)?.path_with_namespace);
  if (!path) return { action: 'ignore', reason: 'no project path' };
  const project = configuredProject(path, opts.projects);
  if (!project) return { action: 'ignore', reason: 'project not configured' };

  let iid: number | undefined;
  if (isIssue) {
    if (body.object_kind !== 'issue') return { action: 'ignore', reason: `not an issue: ${String(body.object_kind)}` };
    iid = positiveInt(record(body.object_attributes)?.iid);
  } else {
    const noteable = text(record(body.object_attributes)?.noteable_type);
    if (noteable !== 'Issue') return { action: 'ignore', reason: `note on ${noteable ?? 'unknown'}, not an issue` };
    iid = positiveInt(record(body.issue)?.iid);
  }
  if (iid === undefined) return { action: 'ignore', reason: 'no issue iid' };

  // Loop guard: the bot's own writes come back as events; record them, wake nothing.
  const actor = text(record(body.user)?.username);
  if (actor !== undefined && actor.toLowerCase() === opts.botUsername.toLowerCase()) {
    return { action: 'store', key: null, reason: 'acted by the bot' };
  }
  if (isIssue && onlyReordered(record(body.changes))) {
    return { action: 'store', key: null, reason: 'only relative_position changed' };
  }
  return { action: 'store', key: issueKey(project, iid) };
}
