// Which of a project's hooks is Rhythm's, and what state GitLab says it is in. Pure: GitLab's
// answers in, words out (for `hooks status`, `hooks install`, /readyz and /metrics).
import type { GHook, GHookEvent } from '../gitlab/types.js';

/** The receiver's path (src/webhook/receiver.ts WEBHOOK_PATH): a hook pointing at it is Rhythm's. */
const RECEIVER_PATH = /\/webhooks\/gitlab\/?$/;

export type HookState =
  | { kind: 'missing' }
  | { kind: 'enabled' }
  /** GitLab drops events until `until` (1 min doubling per failure, up to a day), then tries again. */
  | { kind: 'temporarily_disabled'; until: string | null }
  /** 40 failures in a row: GitLab drops every event until a test request succeeds. */
  | { kind: 'disabled' };

export const HOOK_STATES = ['enabled', 'temporarily_disabled', 'disabled', 'missing'] as const;

/** Rhythm's hooks: the one at `url` when it is given, else every hook pointing at a Rhythm receiver path. */
export function rhythmHooks(hooks: readonly GHook[], url?: string): GHook[] {
  return hooks.filter((h) => (url === undefined ? RECEIVER_PATH.test(new URL(h.url, 'http://x').pathname) : h.url === url));
}

/** GitLab's alert_status read as a state; a GitLab without auto-disabling has none (always enabled). */
export function hookState(hook: GHook | undefined): HookState {
  if (!hook) return { kind: 'missing' };
  if (hook.alert_status === 'temporarily_disabled') return { kind: 'temporarily_disabled', until: hook.disabled_until ?? null };
  if (hook.alert_status === 'disabled') return { kind: 'disabled' };
  return { kind: 'enabled' };
}

export function describeState(state: HookState): string {
  switch (state.kind) {
    case 'missing':
      return 'not installed';
    case 'enabled':
      return 'enabled';
    case 'temporarily_disabled':
      return `temporarily disabled${state.until ? ` until ${state.until}` : ''} (GitLab drops events until then)`;
    case 'disabled':
      return 'permanently disabled (GitLab drops every event until a test request succeeds)';
  }
}

/** GitLab counts 2xx and 3xx as delivered; anything else (or 'internal error') failed. */
export function deliveryFailed(event: GHookEvent): boolean {
  const code = Number(event.response_status);
  return !(Number.isInteger(code) && code >= 200 && code < 400);
}

/** The hook log in one line: how many of the latest failed, in a row and in all, and the latest failure. */
export function describeEvents(events: readonly GHookEvent[] | null): string {
  if (events === null) return 'recent deliveries: not shown by this GitLab (the hook events API needs GitLab 17.3 or later)';
  if (events.length === 0) return 'recent deliveries: none in the past 7 days';
  const failed = events.filter(deliveryFailed);
  let inARow = 0;
  while (inARow < events.length && deliveryFailed(events[inARow]!)) inARow += 1;
  if (failed.length === 0) return `recent deliveries: the last ${events.length} succeeded`;
  const latest = failed[0]!;
  const streak = inARow > 0 ? `, the latest ${inARow} in a row` : '; the latest succeeded';
  return `recent deliveries: ${failed.length} of the last ${events.length} failed${streak}; latest failure ${latest.response_status} at ${latest.created_at}`;
}
