// The Skills Exchange rules, in the order their findings are shown, and the one way to run them.
import { assignees } from './assignees.js';
import { conflict } from './conflict.js';
import { dueDate } from './due-date.js';
import { moderator } from './moderator.js';
import { template } from './template.js';
import { transition } from './transition.js';
import type { SkillsExchangeBoard } from '../config/types.js';
import type { Finding, IssueSnapshot, Rule, RuleContext, RuleId } from './types.js';

export const rules: Rule[] = [transition, assignees, moderator, dueDate, template, conflict];

/** Whether a name is one of the rules (text read back from a note says so, or not). */
export function isRuleId(name: string): name is RuleId {
  return rules.some((rule) => rule.id === name);
}

/** The rules a board has switched on. */
export function enabledRules(board: SkillsExchangeBoard): Rule[] {
  return rules.filter((rule) => board.rules[rule.id].enabled);
}

/**
 * Runs every enabled rule that applies, each in its configured mode. A closed card is done: there
 * is nothing to nag about (a reopened one is judged again, as it is open).
 */
export function checkIssue(issue: IssueSnapshot, ctx: RuleContext): Finding[] {
  if (issue.state !== 'opened') return [];
  const findings: Finding[] = [];
  for (const rule of rules) {
    const setting = ctx.board.rules[rule.id];
    if (!setting.enabled || !rule.appliesTo(issue, ctx)) continue;
    findings.push(...rule.check(issue, ctx, setting.mode));
  }
  return findings;
}

export { assignees, conflict, dueDate, moderator, template, transition };
export { isNewJudgement, judgeMove, moveToJudge } from './transition.js';
export type { MoveEvidence } from './transition.js';
export { readinessProblems } from './readiness.js';
export { TEMPLATE_HINTS, isFilled, unfilledSections } from './template.js';
export type * from './types.js';
