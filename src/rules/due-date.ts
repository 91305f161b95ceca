// A scheduled session has a date, and the date has not passed — judged as a calendar date in the
// team's time zone, so the day of the session itself is fine all day long. A date typed in after
// its day had passed is told apart from a session that took place.
import { calendarToday } from '../card/calendar-day.js';
import { isScheduled } from '../card/status.js';
import type { Finding, Rule, RuleContext } from './types.js';

/** Was the date typed in after its day had passed (a typo, or a date moved into the past)? */
export function setAfterTheDay(due: string, ctx: Pick<RuleContext, 'dueDateSetAt' | 'timezone'>): boolean {
  if (!ctx.dueDateSetAt || !/^\d{4}-\d{2}-\d{2}$/.test(due)) return false;
  const at = new Date(ctx.dueDateSetAt);
  return !Number.isNaN(at.getTime()) && calendarToday(at, ctx.timezone) > due;
}

export const dueDate: Rule = {
  id: 'dueDate',
  title: 'Date',
  anchor: '#scheduling-trainings',
  appliesTo: (issue, ctx) => isScheduled(issue.labels, ctx.board),
  check(issue, ctx): Finding[] {
    if (!issue.dueDate) {
      return [
        {
          rule: 'dueDate',
          severity: 'problem',
          message: 'The card has no due date.',
          howToFix: 'Set the due date to the day of the session.',
        },
      ];
    }
    if (issue.dueDate < calendarToday(ctx.now, ctx.timezone)) {
      if (setAfterTheDay(issue.dueDate, ctx)) {
        return [
          {
            rule: 'dueDate',
            severity: 'problem',
            message: `The due date (${issue.dueDate}) was set after that day had passed, so it is not the day of a session.`,
            howToFix: 'Set the due date to the day the session will take place.',
          },
        ];
      }
      return [
        {
          rule: 'dueDate',
          severity: 'problem',
          message: /^\d{4}-\d{2}-\d{2}$/.test(issue.dueDate) ? `The due date (${issue.dueDate}) has passed.` : 'The due date has passed.',
          howToFix: 'If the session took place, post the recording link and close the card; if it moved, set the new date.',
        },
      ];
    }
    return [];
  },
};
