// The sweep: GitLab never redelivers a webhook it failed to deliver (or dropped while the hook was
// auto-disabled), so every open card of every board is reconciled again on a timer and from the
// scheduled pipeline. It names the keys; `rhythm sweep` runs them here and now, `rhythm serve`
// puts them on the queue so they are serialized with webhook work.
import type { RhythmConfig } from '../config/types.js';
import type { GitLabReader } from '../gitlab/types.js';
import { columnKey, issueKey, SIGNUP_REMINDERS_KEY } from './keys.js';

export type SweepPart = 'issues' | 'order' | 'reminders';
export const SWEEP_PARTS: SweepPart[] = ['issues', 'order', 'reminders'];

export async function sweepKeys(door: GitLabReader, config: RhythmConfig, parts: SweepPart[] = SWEEP_PARTS): Promise<string[]> {
  const keys: string[] = [];
  for (const board of config.boards) {
    if (board.kind !== 'skills-exchange') continue;
    if (parts.includes('issues')) {
      const open = await door.listIssues(board.project, { state: 'opened', orderBy: 'created_at', sort: 'asc' });
      for (const issue of open) keys.push(issueKey(board.project, issue.iid));
    }
    if (parts.includes('order') && board.order.enabled) keys.push(columnKey(board.project, board.labels.scheduled));
  }
  if (config.signups && parts.includes('reminders')) {
    const labels = [...new Set([...config.signups.webinars.labels, ...config.signups.labs.labels])];
    const seen = new Set<number>();
    for (const label of labels) {
      const open = await door.listIssues(config.signups.project, { state: 'opened', labels: [label] });
      for (const issue of open) {
        if (seen.has(issue.iid)) continue;
        seen.add(issue.iid);
        keys.push(issueKey(config.signups.project, issue.iid));
      }
    }
    keys.push(SIGNUP_REMINDERS_KEY);
  }
  return keys;
}
