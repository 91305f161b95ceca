// A card in plan or scheduled has a speaker: at least one person assigned.
import { statusOf } from '../card/status.js';
import type { Finding, Rule } from './types.js';

export const assignees: Rule = {
  id: 'assignees',
  title: 'Speaker',
  anchor: '#scheduling-trainings',
  appliesTo: (issue, ctx) => statusOf(issue.labels, ctx.board) !== 'backlog',
  check(issue, ctx): Finding[] {
    if (issue.assignees.length > 0) return [];
    const scheduled = issue.labels.includes(ctx.board.labels.scheduled);
    return [
      {
        rule: 'assignees',
        severity: 'problem',
        message: 'No one is assigned to the card, so it has no speaker.',
        howToFix: scheduled ? 'Assign the speaker and the moderator.' : 'Assign the speaker.',
      },
    ];
  },
};
