// Small, hand-written fixtures for the rule tests: one board as the workflow spec describes it,
// one card, one context. Each test overrides only what it is about.
import type { RuleMode, SkillsExchangeBoard } from '../../src/config/types.js';
import type { IssueSnapshot, RuleContext } from '../../src/rules/types.js';

export function aBoard(modes: Partial<Record<keyof SkillsExchangeBoard['rules'], RuleMode>> = {}): SkillsExchangeBoard {
  const setting = (id: keyof SkillsExchangeBoard['rules']) => ({ enabled: true, mode: modes[id] ?? 'comment' });
  return {
    kind: 'skills-exchange',
    name: 'skills-exchange',
    project: 'gitlab-com/sales-team/cs-skills-exchange',
    dryRun: false,
    labels: { plan: 'status:plan', scheduled: 'status:scheduled' },
    rules: {
      moderator: setting('moderator'),
      assignees: setting('assignees'),
      dueDate: setting('dueDate'),
      transition: setting('transition'),
      template: {
        ...setting('template'),
        required: ['Topic', 'Why is this valuable', 'Speaker'],
        optional: ['Audience', 'Links'],
        needsInfoLabel: 'needs-info',
      },
      conflict: setting('conflict'),
    },
    order: { enabled: true, debounceMs: 2000 },
    reminders: { beforeDays: 2, afterUntilRecording: true },
    calendar: { enabled: true, durationMinutes: 60, cacheSeconds: 60, cancelledDays: 60 },
    handbookUrl: 'https://handbook.example/skills-exchange/',
  };
}

export const FILLED_REQUEST = [
  '## Topic',
  'Runners on Kubernetes, from zero to autoscaling.',
  '## Why is this valuable',
  'Customers ask about it every week.',
  '## Speaker',
  'alice',
].join('\n');

export function aCard(over: Partial<IssueSnapshot> = {}): IssueSnapshot {
  return {
    project: 'gitlab-com/sales-team/cs-skills-exchange',
    id: 1012,
    iid: 12,
    title: 'Runners on Kubernetes',
    description: `${FILLED_REQUEST}\n\nModerator: @bob`,
    state: 'opened',
    labels: ['status:scheduled'],
    assignees: ['alice', 'bob'],
    author: 'alice',
    dueDate: '2026-03-12',
    confidential: false,
    webUrl: 'https://gitlab.example/gitlab-com/sales-team/cs-skills-exchange/-/issues/12',
    ...over,
  };
}

export const PEOPLE: RuleContext['users'] = {
  alice: { id: 1, username: 'alice' },
  bob: { id: 2, username: 'bob' },
  carol: { id: 3, username: 'carol' },
  ghost: null,
};

export function aContext(over: Partial<RuleContext> = {}): RuleContext {
  return {
    board: aBoard(),
    now: new Date('2026-03-10T18:00:00Z'),
    timezone: 'America/Los_Angeles',
    users: PEOPLE,
    scheduledPeers: [],
    ...over,
  };
}
