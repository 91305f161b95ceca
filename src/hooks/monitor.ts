// The service's watch on its own hooks. GitLab disables a failing hook and then drops, not queues,
// every event; the service would hear nothing and look healthy. So every few minutes (never per
// request: /readyz and /metrics read the last answer) it lists each project's hooks, keeps each
// Rhythm hook's state for /readyz and a gauge, and when a hook that was off is enabled again it
// asks for a sweep: the deliveries GitLab dropped meanwhile are lost for good.
import { Gauge, type Registry } from 'prom-client';
import type { GitLabReader } from '../gitlab/types.js';
import type { Logger } from '../observability/log.js';
import { describeState, hookState, HOOK_STATES, rhythmHooks, type HookState } from './health.js';

/** `unknown`: the hooks could not be read (the token lacks Maintainer, GitLab is down). */
type Seen = HookState | { kind: 'unknown'; error: string };

export interface HookMonitorOptions {
  door: Pick<GitLabReader, 'listHooks'>;
  projects: readonly string[];
  log: Logger;
  registry: Registry;
  /** Called when a project's hook comes back (disabled or missing before, enabled now). */
  onRecovered: (projects: string[]) => void;
  prefix?: string;
}

/** A new state, or a temporary disable that was extended. */
function changed(before: Seen | undefined, now: Seen): boolean {
  if (!before || before.kind !== now.kind) return true;
  return before.kind === 'temporarily_disabled' && now.kind === 'temporarily_disabled' && before.until !== now.until;
}

export class HookMonitor {
  private readonly seen = new Map<string, Seen>();
  private readonly gauge: Gauge<'project' | 'state'>;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: HookMonitorOptions) {
    this.gauge = new Gauge({
      name: `${opts.prefix ?? 'rhythm_'}webhook_hook_state`,
      help: "1 for the state GitLab reports for each project's Rhythm hook (enabled, temporarily_disabled, disabled, missing; unknown when it could not be read)",
      labelNames: ['project', 'state'] as const,
      registers: [opts.registry],
    });
  }

  /** One pass over every project (a pass already running is joined, not doubled). */
  check(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const recovered: string[] = [];
    for (const project of this.opts.projects) {
      let now: Seen;
      try {
        now = hookState(rhythmHooks(await this.opts.door.listHooks(project))[0]);
      } catch (err) {
        now = { kind: 'unknown', error: (err as Error).message };
      }
      const before = this.seen.get(project);
      this.seen.set(project, now);
      for (const state of [...HOOK_STATES, 'unknown'] as const) this.gauge.set({ project, state }, state === now.kind ? 1 : 0);
      if (!changed(before, now)) continue;
      if (now.kind === 'enabled') {
        if (before && before.kind !== 'unknown') {
          recovered.push(project);
          this.opts.log.info({ project, was: before.kind }, 'the webhook is enabled again: sweeping for the events GitLab dropped');
        }
      } else if (now.kind === 'unknown') {
        this.opts.log.warn({ project, err: now.error }, "could not read the project's hooks");
      } else if (now.kind === 'missing') {
        this.opts.log.warn({ project }, 'no Rhythm webhook on the project: run rhythm hooks install');
      } else {
        this.opts.log.error({ project, state: now }, `the webhook is ${describeState(now)}`);
      }
    }
    if (recovered.length > 0) this.opts.onRecovered(recovered);
  }

  /** Why a hook does not deliver, per project, in words for /readyz; null when all are enabled. */
  reason(): string | null {
    const lines: string[] = [];
    for (const [project, s] of this.seen) {
      if (s.kind === 'enabled') continue;
      if (s.kind === 'unknown') lines.push(`${project}: the hooks could not be read (${s.error})`);
      else if (s.kind === 'missing') lines.push(`${project}: no Rhythm webhook (run rhythm hooks install)`);
      else lines.push(`${project}: the webhook is ${describeState(s)}; see rhythm hooks status`);
    }
    return lines.length ? lines.join('; ') : null;
  }
}
