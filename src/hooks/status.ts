// `rhythm hooks status`: per configured project, Rhythm's hook as GitLab sees it: installed or
// not, URL, events, enabled / temporarily disabled (until when) / permanently disabled, and the
// recent deliveries from GitLab's hook log (GET …/hooks/:id/events, GitLab 17.3 and later). Reads only.
import type { Door, GHook, GHookEvent } from '../gitlab/types.js';
import { describeEvents, describeState, hookState, rhythmHooks, type HookState } from './health.js';

export interface HookStatus {
  project: string;
  hook: GHook | null;
  state: HookState;
  /** null: this GitLab has no hook log API. */
  events: GHookEvent[] | null;
}

export async function hookStatuses(door: Door, projects: readonly string[], url?: string): Promise<HookStatus[]> {
  const statuses: HookStatus[] = [];
  for (const project of projects) {
    const hook = rhythmHooks(await door.listHooks(project), url)[0] ?? null;
    const events = hook ? await door.hookEvents(project, hook.id) : null;
    statuses.push({ project, hook, state: hookState(hook ?? undefined), events });
  }
  return statuses;
}

const EVENT_FLAGS: ReadonlyArray<[keyof GHook, string]> = [
  ['issues_events', 'issues'],
  ['confidential_issues_events', 'confidential issues'],
  ['note_events', 'comments'],
  ['confidential_note_events', 'confidential comments'],
  ['push_events', 'pushes'],
];

export function statusLines(s: HookStatus): string[] {
  if (!s.hook) return [`${s.project}: not installed (run: rhythm hooks install --url <public URL of /webhooks/gitlab>)`];
  const events = EVENT_FLAGS.filter(([flag]) => s.hook![flag] === true).map(([, name]) => name);
  return [
    `${s.project}: hook ${s.hook.id} -> ${s.hook.url}`,
    `  events: ${events.join(', ') || 'none'}`,
    `  state: ${describeState(s.state)}`,
    `  ${describeEvents(s.events)}`,
  ];
}

/** Healthy: installed and enabled (a failure now and then is reported, not fatal). */
export const healthy = (s: HookStatus) => s.state.kind === 'enabled';
