import { describe, expect, it } from 'vitest';
import { columnKey, issueKey, parseKey, resolveKey, signupMonthKey, SIGNUP_REMINDERS_KEY } from '../../src/engine/keys.js';
import { labelHistoryFromEvents } from '../../src/card/snapshot.js';
import { shippedConfig } from '../support/run-key.js';
import type { GLabelEvent } from '../../src/gitlab/types.js';

const event = (id: number, at: string, by: string, action: 'add' | 'remove', name: string): GLabelEvent => ({
  id,
  created_at: at,
  user: { id: 1, username: by, name: by },
  label: { id: id * 10, name },
  action,
});

describe('label history', () => {
  it("groups one person's simultaneous label events into one change, oldest first", () => {
    const history = labelHistoryFromEvents([
      event(3, '2026-11-02T10:00:00Z', 'bob', 'add', 'status:scheduled'),
      event(4, '2026-11-02T10:00:00Z', 'bob', 'remove', 'status:plan'),
      event(1, '2026-11-01T09:00:00Z', 'alice', 'add', 'status:plan'),
    ]);
    expect(history).toEqual([
      { at: '2026-11-01T09:00:00Z', by: 'alice', added: ['status:plan'], removed: [] },
      { at: '2026-11-02T10:00:00Z', by: 'bob', added: ['status:scheduled'], removed: ['status:plan'] },
    ]);
  });

  it('skips events whose label was deleted since', () => {
    expect(labelHistoryFromEvents([{ ...event(1, '2026-11-01T00:00:00Z', 'a', 'add', 'x'), label: null }])).toEqual([]);
  });
});

describe('work keys', () => {
  it('round-trip, with labels that contain colons', () => {
    expect(parseKey(issueKey('g/p', 12))).toEqual({ kind: 'issue', project: 'g/p', iid: 12 });
    expect(parseKey(columnKey('g/p', 'status:scheduled'))).toEqual({ kind: 'column', project: 'g/p', label: 'status:scheduled' });
    expect(parseKey(columnKey('g/p', 'cse-events::sign-up'))).toEqual({ kind: 'column', project: 'g/p', label: 'cse-events::sign-up' });
    expect(parseKey(SIGNUP_REMINDERS_KEY)).toEqual({ kind: 'signupReminders' });
    expect(parseKey(signupMonthKey('labs', '2027-01'))).toEqual({ kind: 'signupMonth', signup: 'labs', month: '2027-01' });
    expect(parseKey('nonsense')).toBeNull();
    // Keys no one could have meant are unknown, not jobs that fail for ever.
    for (const key of ['signups:month:2027-13:labs', 'signups:month:2027-00:labs', 'issue:g/p#0', 'issue:g/p#99999999999999999'])
      expect(parseKey(key)).toBeNull();
  });

  it('name their kind of work by the project the configuration puts them in', () => {
    const config = shippedConfig();
    const skills = config.boards.find((b) => b.kind === 'skills-exchange')!.project;
    const content = config.signups!.project;
    expect(resolveKey(issueKey(skills, 3), config)).toEqual({ kind: 'card', project: skills, iid: 3 });
    expect(resolveKey(issueKey(content.toUpperCase(), 4), config)).toEqual({ kind: 'signupIssue', project: content.toUpperCase(), iid: 4 });
    expect(resolveKey(issueKey('other/project', 5), config)).toEqual({ skip: 'project is not configured' });
    expect(resolveKey('nonsense', config)).toEqual({ skip: 'unknown key' });
  });
});
