// A GitLab issue as the door returns it, for the card handler's tests: a scheduled card with a
// speaker (alice) and a moderator (bob) assigned and a date, changed by `over`.
import type { GIssue } from '../../src/gitlab/types.js';

export const person = (id: number, username: string) => ({ id, username, name: username });

export function anIssue(over: Partial<GIssue> = {}): GIssue {
  return {
    id: 1012,
    iid: 12,
    project_id: 1,
    title: 'Runners on Kubernetes',
    description: 'Moderator: @bob',
    state: 'opened',
    labels: ['status:scheduled'],
    assignees: [person(1, 'alice'), person(2, 'bob')],
    author: person(1, 'alice'),
    due_date: '2026-12-12',
    confidential: false,
    web_url: 'http://x/12',
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    closed_at: null,
    ...over,
  };
}
