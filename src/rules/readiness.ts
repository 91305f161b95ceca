// "Ready" in the handbook's sense: a speaker, one valid moderator, a date. The transition rule asks
// this when a card enters the scheduled column; the checks are the rules' own, so the two never
// disagree. Only enabled rules count, and a finding the bot fixes itself does not hold a card back.
import { assignees } from './assignees.js';
import { dueDate } from './due-date.js';
import { moderator } from './moderator.js';
import type { Finding, IssueSnapshot, Rule, RuleContext } from './types.js';

const READY_RULES: Rule[] = [assignees, moderator, dueDate];

export function readinessProblems(issue: IssueSnapshot, ctx: RuleContext): Finding[] {
  const problems: Finding[] = [];
  for (const rule of READY_RULES) {
    const setting = ctx.board.rules[rule.id];
    if (!setting.enabled) continue;
    problems.push(...rule.check(issue, ctx, setting.mode).filter((f) => !f.fix && f.severity === 'problem'));
  }
  return problems;
}
