// The onboarding issue's text (Renovate's onboarding pull request is the model): when Rhythm met
// the board, what that means, and per card what it found and what it would say. Pure and
// deterministic (no clock): the same cards render the same text, so an unchanged board costs no
// edit. Every piece of people's text is quoted (markdown/quote.ts); the status notes it shows were
// rendered by the same code as on the cards, and sit in a block quote.
import type { SkillsExchangeBoard } from '../../config/types.js';
import { fitToLimit, TEXT_LIMIT } from '../../comments/limit.js';
import { guardNote } from '../../comments/note-template.js';
import { inlineUserText } from '../../markdown/index.js';
import { ONBOARDING_MARKER } from './baseline.js';
import type { CardReport } from './report.js';

export const ONBOARDING_TITLE = 'Rhythm onboarding: what Rhythm found on this board';

/** How much of one card's would-be note the issue shows (the rest is on the card once it changes). */
const NOTE_ROOM = 4000;

export interface OnboardingText {
  title: string;
  description: string;
}

const ZWSP = '\u200B';
/**
 * `#12` with a zero-width space after the sign: GitLab would otherwise add a "mentioned in" note
 * on every card listed, which changes the card (and its updated_at) and mails its participants.
 */
const cardRef = (iid: number) => `#${ZWSP}${iid}`;
/** The same for the references a card's note makes (a date clash names the other cards). */
const quietRefs = (text: string) => text.replace(/([#!&])(?=\d)/g, `$1${ZWSP}`);

const when = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
const day = (iso: string) => iso.slice(0, 10);

function columnName(column: CardReport['column'], board: Pick<SkillsExchangeBoard, 'labels'>): string {
  switch (column) {
    case 'backlog':
      return 'the backlog';
    case 'plan':
      return `\`${board.labels.plan}\``;
    case 'scheduled':
      return `\`${board.labels.scheduled}\``;
    case 'both':
      return `both \`${board.labels.plan}\` and \`${board.labels.scheduled}\``;
  }
}

function moveLine(report: CardReport, board: Pick<SkillsExchangeBoard, 'labels'>): string[] {
  const past = report.pastMove;
  if (!past) return [];
  const { plan, scheduled } = board.labels;
  const where = (labels: readonly string[]) => {
    const p = labels.includes(plan);
    const s = labels.includes(scheduled);
    return columnName(p && s ? 'both' : s ? 'scheduled' : p ? 'plan' : 'backlog', board);
  };
  const found = quietRefs(past.findings.map((f) => f.message).join(' '));
  const would = past.findings.flatMap((f) => (f.done ? [quietRefs(f.done)] : []));
  return [
    `**Found, before the baseline:** ${inlineUserText(past.move.by || 'someone')} moved it from ${where(past.move.previous)} to ` +
      `${where(past.move.current)} on ${day(past.move.at)}. ${found} Rhythm leaves that move as it is` +
      (would.length > 0 ? ` (had it been there, it would have answered: ${would.join(' ')})` : '') +
      '.',
    '',
  ];
}

function cardSection(report: CardReport, board: SkillsExchangeBoard): string {
  const title = report.title !== undefined ? inlineUserText(report.title) : '_(a confidential card: its title stays on it)_';
  const lines = [`### ${cardRef(report.iid)} · ${title}`, '', `In ${columnName(report.column, board)}.`, '', ...moveLine(report, board)];
  if (report.note) {
    // The note's own heading and footer say what this issue says already, once per card.
    const body = report.note
      .split('\n')
      .filter((line, i) => !(i === 0 && line.startsWith('#### ')) && !line.startsWith('<sub>'))
      .join('\n')
      .trim();
    const note = fitToLimit(quietRefs(body), {
      limit: NOTE_ROOM,
      notice: (omitted) => `_… and ${omitted.toLocaleString('en-US')} more characters, on the card once it changes._`,
    });
    lines.push('**Rhythm would say on the card:**', '', ...note.split('\n').map((l) => (l.trim() === '' ? '>' : `> ${l}`)), '');
  }
  const also: string[] = [];
  if (report.fixes.length > 0) also.push(`fix it: ${quietRefs(report.fixes.join(' '))}`);
  if (report.checklist) also.push('post the checklist for the speaker and the moderator (it mentions them)');
  if (report.reminders > 0) also.push(report.reminders === 1 ? 'post a reminder' : `post ${report.reminders} reminders`);
  if (also.length > 0) lines.push(`**Rhythm would also** ${also.join('; ')}.`, '');
  return lines.join('\n');
}

const intro = (baseline: string) => [
  ONBOARDING_MARKER,
  '## Rhythm met this board',
  '',
  `Rhythm started keeping this board on **${when(baseline)}** (its baseline). What happened before then is the ` +
    'board’s past: Rhythm moves no card back for a move made before it, and writes nothing on a card nobody has ' +
    'changed since. Every change from then on is judged as usual.',
  '',
];

/** The issue while cards are listed. */
export function renderOnboarding(input: { baseline: string; cards: readonly CardReport[]; board: SkillsExchangeBoard }): OnboardingText {
  const { cards, board } = input;
  const count = cards.length === 1 ? 'One card' : `${cards.length} cards`;
  const head = [
    ...intro(input.baseline),
    'Below is what Rhythm found on the cards nobody has changed since, and what it would say on each. None of it is ' + 'on the cards.',
    '',
    '- A card leaves this list once someone changes it (Rhythm then judges it and writes its note there) or closes it.',
    '- When you are done with this list, close this issue: Rhythm then stops updating it. It closes it itself once no ' +
      'card is left on it.',
    '',
    `**${count}** listed.`,
    '',
    '---',
    '',
  ].join('\n');
  const body = `${head}\n${cards.map((c) => cardSection(c, board)).join('\n')}`;
  const description = fitToLimit(body, {
    limit: TEXT_LIMIT,
    notice: (omitted) =>
      `_Rhythm left out the rest of the list (${omitted.toLocaleString('en-US')} characters): GitLab takes at most ${TEXT_LIMIT.toLocaleString('en-US')}._`,
  });
  return { title: ONBOARDING_TITLE, description: guardNote(description) };
}

/** The issue once every card it listed was dealt with (Rhythm closes it with this text). */
export function renderOnboarded(baseline: string): OnboardingText {
  const body = [
    ...intro(baseline),
    'Every card Rhythm listed here has been dealt with: changed since (and judged as usual) or closed. Rhythm closes ' +
      'this issue and will not open another one for this board.',
  ].join('\n');
  return { title: ONBOARDING_TITLE, description: guardNote(body) };
}
