// `rhythm hooks install`: one webhook per configured project, created once and updated in place —
// never a second hook for the same URL. GitLab never returns a hook's token, so whether the hook
// still holds the service's secret cannot be read: the secret is sent on every create and update,
// and a hook that is already right gets the secret again (one PUT per project). An edit does not
// re-enable a hook GitLab disabled, so a disabled one is then sent GitLab's test request, whose
// success re-enables it. The plan is pure; the executor applies it (and owns dry-run).
import type { RhythmConfig } from '../config/types.js';
import type { Door, GHook, HookSpec } from '../gitlab/types.js';
import { apply } from '../engine/apply.js';
import type { Step } from '../engine/steps.js';
import type { Logger } from '../observability/log.js';
import { describeState, hookState, rhythmHooks, type HookState } from './health.js';

/** `secret-sent`: the hook was right already; only the secret was sent again. */
export type HookAction = 'created' | 'updated' | 'secret-sent';

export interface HookPlan {
  project: string;
  action: HookAction;
  hookId?: number;
  spec: HookSpec;
  /** What changed besides the secret, for `updated`. */
  changes: string[];
  /** The hook's state before the install (missing for a new one). */
  before: HookState;
  /** What a test request did for a hook that was disabled, or for every hook on rotation. */
  test?: { ok: true } | { ok: false; error: string; untestable?: true };
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

function changesOf(hook: GHook, spec: HookSpec): string[] {
  const changes: string[] = [];
  if (hook.url !== spec.url) changes.push('url');
  if (
    hook.issues_events !== spec.issuesEvents ||
    hook.confidential_issues_events !== spec.confidentialIssuesEvents ||
    hook.note_events !== spec.noteEvents ||
    hook.confidential_note_events !== spec.confidentialNoteEvents ||
    hook.push_events !== spec.pushEvents
  )
    changes.push('events');
  if (hook.enable_ssl_verification !== spec.enableSslVerification) changes.push('ssl verification');
  return changes;
}

/**
 * Which existing hook is Rhythm's: the one at this URL, else one pointing at a Rhythm receiver
 * path (the service moved). Either way the secret is sent.
 */
export function planHook(project: string, existing: GHook[], spec: HookSpec): HookPlan {
  const hook = rhythmHooks(existing, spec.url)[0] ?? rhythmHooks(existing)[0];
  if (!hook) return { project, action: 'created', spec, changes: [], before: { kind: 'missing' } };
  const changes = changesOf(hook, spec);
  return { project, action: changes.length ? 'updated' : 'secret-sent', hookId: hook.id, spec, changes, before: hookState(hook) };
}

export function configuredProjects(config: RhythmConfig): string[] {
  const projects = new Set(config.boards.map((b) => b.project));
  if (config.signups) projects.add(config.signups.project);
  if (config.programs) projects.add(config.programs.project);
  return [...projects];
}

/** The steps that make every configured project's hook as desired: each one sends the secret. */
export function hookSteps(plans: readonly HookPlan[]): Step[] {
  return plans.map((plan): Step => {
    if (plan.action === 'created') return { kind: 'addHook', project: plan.project, spec: plan.spec };
    return { kind: 'editHook', project: plan.project, hookId: plan.hookId!, spec: plan.spec };
  });
}

/**
 * Reads each project's hooks, plans, applies through the executor, then sends a test request to
 * each hook GitLab had disabled (and, with `verify`, to every hook: the rotation's proof that the
 * service accepts the new secret). Nothing is tested in dry-run.
 */
export async function installHooks(
  door: Door,
  config: RhythmConfig,
  opts: { url: string; secret: string; log: Logger; verify?: boolean },
): Promise<HookPlan[]> {
  const spec = desiredHook(opts.url, opts.secret);
  const plans: HookPlan[] = [];
  for (const project of configuredProjects(config)) plans.push(planHook(project, await door.listHooks(project), spec));
  const report = await apply(hookSteps(plans), { door, config, log: opts.log, enqueue: async () => undefined });
  for (const done of report.applied) {
    const plan = plans.find((p) => 'project' in done.step && p.project === done.step.project);
    if (!plan || !done.sent || !done.hook) continue;
    plan.hookId = done.hook.id;
    if (config.dryRun) continue;
    if (!opts.verify && hookState(done.hook).kind === 'enabled') continue;
    try {
      await door.testHook(plan.project, done.hook.id, 'issues_events');
      plan.test = { ok: true };
    } catch (err) {
      const error = (err as Error).message;
      // GitLab builds the test from the project's first issue: with none, it cannot send one.
      plan.test = /Ensure the project has issues/i.test(error) ? { ok: false, error, untestable: true } : { ok: false, error };
    }
  }
  return plans;
}

/** What `hooks install` prints for one project (the secret itself never). */
export function installLines(plan: HookPlan, dryRun: boolean): string[] {
  const hook = plan.hookId ? `hook ${plan.hookId}` : 'a hook';
  const did = {
    created: dryRun ? `would create ${hook}` : `created ${hook}`,
    updated: dryRun ? `would update ${hook} (${plan.changes.join(', ')})` : `updated ${hook} (${plan.changes.join(', ')})`,
    'secret-sent': dryRun ? `would send the secret token to ${hook}` : `sent the secret token to ${hook}`,
  }[plan.action];
  const secret =
    plan.action === 'secret-sent'
      ? "nothing else to change; GitLab never returns a hook's token, so Rhythm always sends it"
      : dryRun
        ? 'the secret token would be sent'
        : 'secret token sent';
  const lines = [`${plan.project}: ${did} -> ${plan.spec.url} (${secret})`];
  if (plan.before.kind === 'temporarily_disabled' || plan.before.kind === 'disabled') {
    lines.push(`  it was ${describeState(plan.before)}; an edit does not re-enable it${dryRun ? ', a test request would' : ''}`);
  }
  if (plan.test?.ok) lines.push('  test request delivered: the hook is enabled and the service accepted the secret');
  else if (plan.test?.untestable)
    lines.push('  no test request: GitLab builds it from an issue and the project has none (it is sent with the next event)');
  else if (plan.test) lines.push(`  test request failed: ${plan.test.error}`);
  return lines;
}
