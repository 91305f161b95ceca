// Turns what GitLab says about an issue into the snapshot rules judge. Pure.
import type { GIssue, GLabelEvent } from '../gitlab/types.js';
import type { IssueSnapshot, LabelChange } from './types.js';

export function toSnapshot(project: string, issue: GIssue): IssueSnapshot {
  return {
    project,
    id: issue.id,
    iid: issue.iid,
    title: issue.title,
    description: issue.description ?? '',
    state: issue.state,
    labels: [...issue.labels],
    assignees: issue.assignees.map((a) => a.username),
    author: issue.author?.username ?? '',
    dueDate: issue.due_date,
    confidential: issue.confidential,
    webUrl: issue.web_url,
  };
}

/**
 * GitLab records one resource label event per label; a person's single edit that swaps two labels
 * yields two events with the same user and timestamp. Group them back into one change.
 */
export function labelHistoryFromEvents(events: GLabelEvent[]): LabelChange[] {
  const sorted = [...events].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  const changes: LabelChange[] = [];
  for (const event of sorted) {
    if (!event.label) continue; // the label was deleted since
    const by = event.user?.username ?? '';
    let last = changes[changes.length - 1];
    if (!last || last.at !== event.created_at || last.by !== by) {
      last = { at: event.created_at, by, added: [], removed: [] };
      changes.push(last);
    }
    (event.action === 'add' ? last.added : last.removed).push(event.label.name);
  }
  return changes;
}
