// `rhythm hooks install`: one webhook per configured project, created once and updated in place —
// never a second hook for the same URL. The plan is pure; the executor applies it.
import type { RhythmConfig } from '../config/types.js';
import type { Door, GHook, HookSpec } from '../gitlab/types.js';
import { apply } from '../engine/apply.js';
import type { Step } from '../engine/steps.js';
import type { Logger } from '../observability/log.js';

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
  if (config.programs) projects.add(config.programs.project);
  return [...projects];
}

/** The steps that make every configured project's hook as desired (none for an unchanged one). */
export function hookSteps(plans: readonly HookPlan[]): Step[] {
  return plans.flatMap((plan): Step[] => {
    if (plan.action === 'created') return [{ kind: 'addHook', project: plan.project, spec: plan.spec }];
    if (plan.action === 'updated') return [{ kind: 'editHook', project: plan.project, hookId: plan.hookId!, spec: plan.spec }];
    return [];
  });
}

/** Reads each project's hooks, plans, and applies through the executor (which owns dry-run). */
export async function installHooks(
  door: Door,
  config: RhythmConfig,
  opts: { url: string; secret: string; log: Logger },
): Promise<HookPlan[]> {
  const spec = desiredHook(opts.url, opts.secret);
  const plans: HookPlan[] = [];
  for (const project of configuredProjects(config)) plans.push(planHook(project, await door.listHooks(project), spec));
  const report = await apply(hookSteps(plans), { door, config, log: opts.log, enqueue: async () => undefined });
  for (const done of report.applied) {
    const plan = plans.find((p) => 'project' in done.step && p.project === done.step.project);
    if (plan && done.sent && done.hook) plan.hookId = done.hook.id;
  }
  return plans;
}
