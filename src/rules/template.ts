// A request carries the sections of the request template, each filled in with more than the
// template's own hint. Optionally a needs-info label marks requests that still lack something.
import { mayFix } from './mode.js';
import { headingKey, parseSections } from '../markdown/index.js';
import { statusOf } from '../card/status.js';
import type { Finding, Rule } from './types.js';

/**
 * The hints of templates/request-session.md (there as hidden comments). Someone who deletes only
 * the comment markers has still written nothing, so a hint's own words do not fill a section.
 */
export const TEMPLATE_HINTS: readonly string[] = [
  'What will the session teach? One or two sentences.',
  'Who will benefit, and what will they be able to do afterwards?',
  'Who would present? Write @username if you know.',
  'Optional: which teams or roles should attend.',
  'Optional: docs, issues, slides or earlier recordings to build on.',
];

// Words people leave in a section that still say nothing.
const FILLERS = new Set(['tbd', 'tba', 'todo', '...', '…', '-', '?', 'n/a?']);

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
const hints = new Set(TEMPLATE_HINTS.map(normalise));

export function isFilled(body: string): boolean {
  return body
    .split('\n')
    .map((line) => normalise(line.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')))
    .some((line) => line !== '' && !hints.has(line) && !FILLERS.has(line));
}

/** Required headings that are missing or hold only the template's hint, in the configured order. */
export function unfilledSections(description: string, required: readonly string[]): { heading: string; missing: boolean }[] {
  const sections = parseSections(description);
  const result: { heading: string; missing: boolean }[] = [];
  for (const heading of required) {
    const matching = sections.filter((s) => headingKey(s.heading) === headingKey(heading));
    if (matching.length === 0) result.push({ heading, missing: true });
    else if (!matching.some((s) => isFilled(s.body))) result.push({ heading, missing: false });
  }
  return result;
}

export const template: Rule = {
  id: 'template',
  title: 'Request',
  anchor: '#to-request-new-customer-success-skills-exchange-session',
  appliesTo: (issue) => issue.state === 'opened',
  check(issue, ctx, mode): Finding[] {
    const setting = ctx.board.rules.template;
    const gaps = unfilledSections(issue.description, setting.required);
    const label = setting.needsInfoLabel;
    const hasLabel = label !== undefined && issue.labels.includes(label);
    const findings: Finding[] = [];
    if (gaps.length > 0) {
      // The headings come from the configuration, never from the issue.
      const named = gaps.map((g) => `**${g.heading}**${g.missing ? ' (missing)' : ' (not filled in)'}`).join(', ');
      findings.push({
        rule: 'template',
        // Once a card is planned the request was accepted; a gap is then worth a word, not a block.
        severity: statusOf(issue.labels, ctx.board) === 'backlog' ? 'problem' : 'warning',
        message: `Some sections of the request are missing or not filled in: ${named}.`,
        howToFix: 'Write a few words under each of these headings (the request template has them all).',
      });
      if (label && !hasLabel && mayFix(mode)) {
        findings.push({
          rule: 'template',
          severity: 'warning',
          message: `The request needs more information but has no \`${label}\` label.`,
          howToFix: `Add the \`${label}\` label.`,
          fix: { kind: 'labels', add: [label], remove: [] },
          done: `Added the \`${label}\` label; I take it off once the sections are filled in.`,
          undo: `Fill in the sections (I then remove it); removing it by hand only lasts until my next check.`,
        });
      }
    } else if (label && hasLabel && mayFix(mode)) {
      findings.push({
        rule: 'template',
        severity: 'warning',
        message: `Every required section is filled in, but the \`${label}\` label is still on.`,
        howToFix: `Remove the \`${label}\` label.`,
        fix: { kind: 'labels', add: [], remove: [label] },
        done: `Removed the \`${label}\` label: every required section is filled in.`,
        undo: `Switch the template rule to comment mode if the label should stay; I remove it while the sections are complete.`,
      });
    }
    return findings;
  },
};
