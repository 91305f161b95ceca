// GitLab's auto-disabling of failing project hooks (app/models/concerns/web_hooks/auto_disabling.rb,
// the 17.11+ rules): a hook counts consecutive failures (`recent_failures`, capped at the permanent
// threshold). From the 4th failure on it is temporarily disabled, 1 min at first and doubling per
// further failure up to 1 day (`disabled_until`); once that time has passed it is executable again
// and its next failure backs it off longer. The 40th failure disables it for good. One successful
// delivery (a real one, or a test request, which is sent even to a disabled hook) resets it all.
// A failure while the hook is not executable (a failed test) changes nothing. Editing a hook does
// not re-enable it (the API's update_hook only assigns the given attributes).

import type { HookRecord } from './types.js';

/** GitLab's `alert_status` as the hooks API shows it (`disabled` is the permanent state). */
export type AlertStatus = 'executable' | 'temporarily_disabled' | 'disabled';

export interface AutoDisabling {
  /** Failures in a row before a hook is temporarily disabled; GitLab's is 4 (a grace of 3). */
  temporaryAfter: number;
  /** Failures in a row before it is disabled for good; GitLab's is 40. */
  permanentAfter: number;
  /** First backoff; GitLab's is 1 minute. */
  initialBackoffMs: number;
  /** Longest backoff; GitLab's is 1 day. */
  maxBackoffMs: number;
}

/** GitLab.com's rules (on self-managed GitLab they apply only with the `auto_disabling_web_hooks` ops flag). */
export const GITLAB_AUTO_DISABLING: AutoDisabling = {
  temporaryAfter: 4,
  permanentAfter: 40,
  initialBackoffMs: 60_000,
  maxBackoffMs: 24 * 3600_000,
};

export class HookHealth {
  /** `null`: auto-disabling is off (self-managed GitLab without the flag): every hook is executable. */
  constructor(private readonly rules: AutoDisabling | null) {}

  status(hook: HookRecord, now: number): AlertStatus {
    const r = this.rules;
    if (!r) return 'executable';
    if (hook.recentFailures >= r.permanentAfter) return 'disabled';
    // temporarily_disabled?: disabled_until >= now and the count past the grace.
    if (hook.recentFailures >= r.temporaryAfter && hook.disabledUntil !== null && hook.disabledUntil >= now) {
      return 'temporarily_disabled';
    }
    return 'executable';
  }

  /** After a delivery was sent: a success enables, a failure backs off (only an executable hook). */
  afterDelivery(hook: HookRecord, ok: boolean, now: number): void {
    const r = this.rules;
    if (!r) return;
    if (ok) {
      hook.recentFailures = 0;
      hook.disabledUntil = null;
      return;
    }
    if (this.status(hook, now) !== 'executable') return;
    const before = hook.recentFailures;
    hook.recentFailures = Math.min(before + 1, r.permanentAfter);
    if (hook.recentFailures >= r.temporaryAfter) {
      // GitLab's next_backoff: INITIAL_BACKOFF * 2 ** (failures before this one - grace).
      const exponent = Math.max(0, before - (r.temporaryAfter - 1));
      hook.disabledUntil = now + Math.min(r.maxBackoffMs, r.initialBackoffMs * 2 ** exponent);
    }
  }
}
