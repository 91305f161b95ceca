// Turns what GitLab says about an issue into the snapshot rules judge. Pure.
import type { GIssue, GLabelEvent } from '../gitlab/types.js';
import type { IssueSnapshot, LabelChange } from '../rules/types.js';

export function toSnapshot(project: string, issue: GIssue, labelHistory: LabelChange[] = []): IssueSnapshot {
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
    labelHistory,
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

interface LabelObject {
  title?: string;
  name?: string;
}

/** The label move a webhook describes (`changes.labels`), as label titles before and after. */
export function labelChangeFromPayload(payload: unknown): { previous: string[]; current: string[]; by: string; at: string } | null {
  const p = payload as {
    changes?: { labels?: { previous?: LabelObject[]; current?: LabelObject[] } };
    user?: { username?: string };
    object_attributes?: { updated_at?: string };
  };
  const labels = p?.changes?.labels;
  if (!labels || !Array.isArray(labels.previous) || !Array.isArray(labels.current)) return null;
  const titles = (list: LabelObject[]) => list.map((l) => l.title ?? l.name ?? '').filter(Boolean);
  return {
    previous: titles(labels.previous),
    current: titles(labels.current),
    by: p.user?.username ?? '',
    at: p.object_attributes?.updated_at ?? '',
  };
}
