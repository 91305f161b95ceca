// The series is weekly: two scheduled sessions on one date are probably a mistake. Each card of
// the pair gets the warning, since each sees the other among its peers.
import { isScheduled } from '../card/status.js';
import type { Finding, Rule } from './types.js';

export const conflict: Rule = {
  id: 'conflict',
  title: 'Date clash',
  anchor: '#how-the-cs-skills-exchange-runs',
  needs: { columnPeers: (issue, board) => isScheduled(issue.labels, board) && issue.dueDate !== null },
  appliesTo: (issue, ctx) => isScheduled(issue.labels, ctx.board) && issue.dueDate !== null,
  check(issue, ctx): Finding[] {
    const same = ctx.scheduledPeers
      .filter((peer) => peer.iid !== issue.iid && peer.dueDate === issue.dueDate)
      .map((peer) => peer.iid)
      .sort((a, b) => a - b);
    if (same.length === 0 || !issue.dueDate || !/^\d{4}-\d{2}-\d{2}$/.test(issue.dueDate)) return [];
    // Peers are named by number only: their titles are other people's text (and may be confidential).
    const refs = same.map((iid) => `#${iid}`).join(', ');
    return [
      {
        rule: 'conflict',
        severity: 'warning',
        message: `${same.length === 1 ? 'Another scheduled session is' : 'Other scheduled sessions are'} on the same date (${issue.dueDate}): ${refs}.`,
        howToFix: 'Sessions are weekly: move one of them to another date, or leave both if that day really has two.',
      },
    ];
  },
};
