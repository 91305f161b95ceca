// Reading GitLab's hook answers: which hook is Rhythm's, its state, and the hook log in one line.
import { describe, expect, it } from 'vitest';
import type { GHook, GHookEvent } from '../../src/gitlab/types.js';
import { describeEvents, describeState, hookState, rhythmHooks } from '../../src/hooks/health.js';

const hook = (id: number, url: string, extra: Partial<GHook> = {}): GHook => ({
  id,
  url,
  issues_events: true,
  confidential_issues_events: true,
  note_events: true,
  confidential_note_events: true,
  push_events: false,
  enable_ssl_verification: true,
  ...extra,
});
const event = (status: string, at: string): GHookEvent => ({
  id: 1,
  url: 'u',
  trigger: 'issue_hooks',
  response_status: status,
  created_at: at,
});

describe('rhythmHooks', () => {
  const hooks = [
    hook(1, 'https://ci.example/notify'),
    hook(2, 'https://rhythm.example/webhooks/gitlab'),
    hook(3, 'https://old.example/webhooks/gitlab/'),
  ];
  it('takes the hook at the given URL only', () => {
    expect(rhythmHooks(hooks, 'https://rhythm.example/webhooks/gitlab').map((h) => h.id)).toEqual([2]);
  });
  it('without a URL, takes every hook pointing at a Rhythm receiver path, never another', () => {
    expect(rhythmHooks(hooks).map((h) => h.id)).toEqual([2, 3]);
  });
});

describe('hookState', () => {
  it.each([
    [undefined, 'not installed'],
    [hook(1, 'u'), 'enabled'],
    [hook(1, 'u', { alert_status: 'executable', disabled_until: '2030-01-01T09:00:00Z' }), 'enabled'],
    [
      hook(1, 'u', { alert_status: 'temporarily_disabled', disabled_until: '2030-01-01T09:01:00Z' }),
      'temporarily disabled until 2030-01-01T09:01:00Z',
    ],
    [hook(1, 'u', { alert_status: 'disabled' }), 'permanently disabled'],
  ])('%o reads as %s', (h, words) => {
    expect(describeState(hookState(h))).toContain(words);
  });
});

describe('describeEvents', () => {
  it('counts the failures, the streak, and names the latest failure', () => {
    const events = [event('401', 'T3'), event('internal error', 'T2'), event('200', 'T1'), event('302', 'T0')];
    expect(describeEvents(events)).toBe('recent deliveries: 2 of the last 4 failed, the latest 2 in a row; latest failure 401 at T3');
    expect(describeEvents([event('200', 'T1'), event('500', 'T0')])).toBe(
      'recent deliveries: 1 of the last 2 failed; the latest succeeded; latest failure 500 at T0',
    );
    expect(describeEvents([event('204', 'T0')])).toBe('recent deliveries: the last 1 succeeded');
    expect(describeEvents([])).toMatch(/none in the past 7 days/);
    expect(describeEvents(null)).toMatch(/GitLab 17\.3/);
  });
});
