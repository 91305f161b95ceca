// `rhythm hooks install`: one webhook per configured project, created once and updated in place —
// never a second hook for the same URL. The plan is pure; the door applies it.
import type { RhythmConfig } from '../config/types.js';
import type { Door, GHook, HookSpec } from '../gitlab/types.js';

export type HookAction = 'created' | 'updated' | 'unchanged';

export interface HookPlan {
  project: string;
  action: HookAction;
  hookId?: number;
  spec: HookSpec;
}

export function desiredHook(url: string, secret: string): HookSpec {
  return {
    url,
    token: secret,
    issuesEvents: true,
    confidentialIssuesEvents: true,
    noteEvents: true,
    confidentialNoteEvents: true,
    // GitLab's default for push events is true: say no explicitly.
    pushEvents: false,
    enableSslVerification: !/^http:\/\/(127\.|localhost|\[::1\])/.test(url),
  };
}

const sameEvents = (hook: GHook, spec: HookSpec) =>
  hook.issues_events === spec.issuesEvents &&
  hook.confidential_issues_events === spec.confidentialIssuesEvents &&
  hook.note_events === spec.noteEvents &&
  hook.confidential_note_events === spec.confidentialNoteEvents &&
  hook.push_events === spec.pushEvents &&
  hook.enable_ssl_verification === spec.enableSslVerification;

/**
 * Which existing hook is Rhythm's: the one at this URL, else one pointing at a Rhythm receiver
 * path (the service moved). GitLab never returns the token, so an unchanged hook cannot be
 * checked for its secret; `--rotate-secret` would be the way to force it (not needed yet).
 */
export function planHook(project: string, existing: GHook[], spec: HookSpec): HookPlan {
  const same = existing.find((h) => h.url === spec.url);
  if (same) {
    return sameEvents(same, spec)
      ? { project, action: 'unchanged', hookId: same.id, spec }
      : { project, action: 'updated', hookId: same.id, spec };
  }
  const moved = existing.find((h) => /\/webhooks\/gitlab\/?$/.test(h.url));
  if (moved) return { project, action: 'updated', hookId: moved.id, spec };
  return { project, action: 'created', spec };
}

export function configuredProjects(config: RhythmConfig): string[] {
  const projects = new Set(config.boards.map((b) => b.project));
  if (config.signups) projects.add(config.signups.project);
  return [...projects];
}

export async function installHooks(
  door: Door,
  config: RhythmConfig,
  opts: { url: string; secret: string; dryRun: boolean },
): Promise<HookPlan[]> {
  const spec = desiredHook(opts.url, opts.secret);
  const plans: HookPlan[] = [];
  for (const project of configuredProjects(config)) {
    const plan = planHook(project, await door.listHooks(project), spec);
    if (plan.action === 'created') {
      const hook = await door.addHook(project, spec);
      if (hook) plan.hookId = hook.id;
    } else if (plan.action === 'updated') {
      await door.editHook(project, plan.hookId!, spec);
    }
    plans.push(plan);
  }
  return plans;
}
