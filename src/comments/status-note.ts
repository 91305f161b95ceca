// The one status note per card: what is wrong, why, how to fix it, and what the bot fixed itself
// (and how to undo that). Deterministic — no clock, stable order — so the engine can skip the
// write when nothing changed.
import { DateTime } from 'luxon';
import type { SkillsExchangeBoard } from '../config/types.js';
import { rules } from '../rules/index.js';
import { statusOf } from '../card/status.js';
import type { Finding, Fix, IssueSnapshot, Rule } from '../rules/types.js';
import { noteMarker } from './marker.js';
import { guardNote, noteTemplate } from './note-template.js';
import { quoteUserText } from '../markdown/index.js';

export interface StatusNoteInput {
  issue: IssueSnapshot;
  /** Everything the rules found (may include the applied ones). */
  findings: Finding[];
  /** Findings whose fix is applied (a dry run logs the note and sends nothing). */
  applied: Finding[];
  board: SkillsExchangeBoard;
  /** The team's time zone: the day each fix was made is told in it (absent: no day is told). */
  timezone?: string;
}

const EXCERPT_LIMIT = 300;

/** The day a fix was made, as people read it ("1 Dec 2026"), in the team's zone. */
function dayOf(at: string | undefined, timezone: string | undefined): string {
  if (!at || !timezone) return '';
  const day = DateTime.fromISO(at, { zone: timezone });
  return day.isValid ? day.toFormat('d LLL yyyy') : '';
}
const sameFinding = (f: Finding) => `${f.rule}\u0000${f.message}`;
const ruleOf = (f: Finding): Rule | undefined => rules.find((r) => r.id === f.rule);
const order = (f: Finding) => {
  const index = rules.findIndex((r) => r.id === f.rule);
  return index === -1 ? rules.length : index;
};
const byRule = (a: Finding, b: Finding) =>
  order(a) - order(b) || a.severity.localeCompare(b.severity) || a.message.localeCompare(b.message);

function whyLink(board: SkillsExchangeBoard, rule: Rule | undefined): string {
  const base = board.handbookUrl.split('#')[0] ?? board.handbookUrl;
  return `${base}${rule?.anchor ?? ''}`;
}

function describeFix(fix: Fix): string {
  if (fix.kind === 'assign') return `Assigned ${fix.usernames.length === 1 ? 'one person' : `${fix.usernames.length} people`}.`;
  const parts = [...fix.add.map((l) => `added \`${l}\``), ...fix.remove.map((l) => `removed \`${l}\``)];
  const text = parts.join(', ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');

function columnName(issue: IssueSnapshot, board: SkillsExchangeBoard): string {
  switch (statusOf(issue.labels, board)) {
    case 'backlog':
      return 'the backlog';
    case 'plan':
      return `\`${board.labels.plan}\``;
    case 'scheduled':
      return `\`${board.labels.scheduled}\``;
    case 'both':
      return 'two columns';
  }
}

export function renderStatusNote(input: StatusNoteInput): string {
  const { issue, board } = input;
  const appliedKeys = new Set(input.applied.map(sameFinding));
  const open = input.findings.filter((f) => !appliedKeys.has(sameFinding(f))).sort(byRule);
  const applied = [...new Map(input.applied.map((f) => [sameFinding(f), f])).values()].sort(byRule);

  const openItem = (f: Finding) => {
    const rule = ruleOf(f);
    // A confidential card's own words never go into a note, whatever a finding carries.
    const excerpt = !issue.confidential && f.excerpt ? indent(quoteUserText(f.excerpt, EXCERPT_LIMIT), '  ') : '';
    return { title: rule?.title ?? f.rule, message: f.message, howToFix: f.howToFix, why: whyLink(board, rule), excerpt };
  };
  const fixedItem = (f: Finding) => {
    const rule = ruleOf(f);
    return {
      title: rule?.title ?? f.rule,
      when: dayOf(f.at, input.timezone),
      done: f.done ?? (f.fix ? describeFix(f.fix) : f.message),
      undo: f.undo ?? '',
      why: whyLink(board, rule),
    };
  };
  const problems = open.filter((f) => f.severity === 'problem').map(openItem);
  const warnings = open.filter((f) => f.severity !== 'problem').map(openItem);
  const fixed = applied.map(fixedItem);

  const body = noteTemplate('note.md.hbs')({
    marker: noteMarker('status'),
    // One state at the top: what blocks the card, or that nothing does (never "all pass" above a list).
    problemCount: problems.length === 1 ? 'One thing' : `${problems.length} things`,
    column: columnName(issue, board),
    hasProblems: problems.length > 0,
    problems,
    hasWarnings: warnings.length > 0,
    warnings,
    hasFixed: fixed.length > 0,
    fixed,
    handbookUrl: board.handbookUrl,
  });
  return guardNote(body);
}
