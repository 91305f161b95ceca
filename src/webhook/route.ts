// Which work a delivery wakes. Pure: the event read from the payload goes in, a decision comes
// out. The receiver stores, acknowledges or ignores by it.
import { issueKey } from '../engine/keys.js';
import { readHookEvent, type HookEvent } from './event.js';

export { issueEvents, noteEvents } from './event.js';

export type RouteDecision =
  { action: 'store'; key: string | null; event: HookEvent; reason?: string } | { action: 'ignore'; reason: string };

export interface RouteOptions {
  /** Configured project paths (path_with_namespace). */
  projects: Set<string>;
  botUsername: string;
}

/** GitLab touches these on any edit; they say nothing about what a person changed. */
const bookkeepingChanges = new Set(['updated_at', 'updated_by_id', 'last_edited_at', 'last_edited_by_id']);

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
function onlyReordered(changed: readonly string[]): boolean {
  const real = changed.filter((k) => !bookkeepingChanges.has(k));
  return real.length === 1 && real[0] === 'relative_position';
}

export function routeDelivery(eventName: string, payload: unknown, opts: RouteOptions): RouteDecision {
  const read = readHookEvent(eventName, payload);
  if ('ignore' in read) return { action: 'ignore', reason: read.ignore };
  const project = configuredProject(read.event.project, opts.projects);
  if (!project) return { action: 'ignore', reason: 'project not configured' };
  // The event is this call's own (readHookEvent makes it fresh): set the configured spelling in place.
  const event = read.event;
  event.project = project;

  // Loop guard: the bot's own writes come back as events; record them, wake nothing.
  if (event.actor !== '' && event.actor.toLowerCase() === opts.botUsername.toLowerCase()) {
    return { action: 'store', key: null, event, reason: 'acted by the bot' };
  }
  if (event.kind === 'issue' && onlyReordered(event.changed)) {
    return { action: 'store', key: null, event, reason: 'only relative_position changed' };
  }
  return { action: 'store', key: issueKey(project, event.iid), event };
}
