// The bot's one note on a sign-up issue: who runs what, what is still open, and a friendly line
// for each claim it could not read. Same input, same text, so an unchanged issue means no edit.
// Every list in it is capped, so no description (6,000 forged DRI lines) makes it too long for GitLab.
import { atMost, fitToLimit } from '../comments/limit.js';
import type { Session } from './calendar.js';
import type { ClaimProblem, SignupClaims } from './claims.js';
import { STATUS_MARKER, type SignupKind } from './markers.js';
import { plainText, quietUsername } from './plainText.js';
import { dayTitle, monthTitle } from './render.js';

export interface SummaryInput {
  kind: SignupKind;
  month: string;
  sessions: Session[];
  claims: SignupClaims;
}

const NOUN: Record<SignupKind, [string, string]> = { webinars: ['webinar', 'webinars'], labs: ['lab', 'labs'] };

/** Lines under "Needs a look" at most; the rest are counted. */
export const MAX_PROBLEM_LINES = 50;
/** Names on one crowded DRI line at most. */
const MAX_NAMES = 5;
/** A session id from the description is shown at most this long. */
const MAX_ID = 60;

export function renderSignupSummary({ kind, month, sessions, claims }: SummaryInput): string {
  const [one, many] = NOUN[kind];
  const byId = new Map(claims.sessions.map((c) => [c.sessionId, c]));
  const lines = [STATUS_MARKER];
  if (sessions.length === 0) {
    lines.push(`**DRI sign-up status:** there are no ${many} in ${monthTitle(month)}.`);
  } else {
    const claimed = sessions.filter((s) => byId.get(s.id)?.dri).length;
    const verb = sessions.length === 1 ? 'has' : 'have';
    const done = claimed === sessions.length ? ' Thank you, everyone!' : '';
    lines.push(
      `**DRI sign-up status:** ${claimed} of ${sessions.length} ${sessions.length === 1 ? one : many} in ${monthTitle(month)} ${verb} a DRI.${done}`,
      '',
    );
    for (const s of sessions) {
      const dri = byId.get(s.id)?.dri;
      lines.push(`- ${dri ? '✅' : '⬜'} ${sessionName(s)}: ${dri ? quietUsername(dri) : 'no DRI yet'}`);
    }
  }
  const removed = claims.sessions.filter((c) => c.removed);
  // The same line twice (a forged DRI line copied a thousand times) is said once.
  const notes = [
    ...new Set([
      ...inSessionOrder(claims.problems, sessions).map((p) => problemLine(p, sessions)),
      ...removed.map(
        (c) =>
          `- ${sessionId(c.sessionId)} is no longer in the calendar${c.dri ? `, but ${quietUsername(c.dri)} had signed up for it` : ', but it has ticked boxes'}. ` +
          'Rhythm kept its block at the end of the list; delete the block once it is sorted out.',
      ),
    ]),
  ];
  if (notes.length > 0) {
    const more = (left: number) =>
      `- … and ${left.toLocaleString('en-US')} more like these. Rhythm lists the first ${MAX_PROBLEM_LINES}; the rest show here as these are sorted out.`;
    lines.push('', '**Needs a look:**', '', ...atMost(notes, MAX_PROBLEM_LINES, more));
  }
  lines.push('', '_Rhythm keeps this note up to date as people sign up in the description._');
  // The lists are capped above; this is the guarantee for whatever else grows.
  return fitToLimit(lines.join('\n'));
}

/** A session id read from the description, as literal text, shortened when it is long. */
function sessionId(id: string): string {
  return `\`${id.length > MAX_ID ? `${id.slice(0, MAX_ID - 1)}…` : id}\``;
}

/** People named on one line: the first few, and how many more. */
function names(usernames: string[]): string {
  const shown = usernames.slice(0, MAX_NAMES).map(quietUsername);
  const left = usernames.length - shown.length;
  if (left > 0) return `${shown.join(', ')} and ${left.toLocaleString('en-US')} ${left === 1 ? 'other' : 'others'}`;
  return shown.length <= 2 ? shown.join(' and ') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

function inSessionOrder(problems: ClaimProblem[], sessions: Session[]): ClaimProblem[] {
  const rank = (p: ClaimProblem) => {
    const i = sessions.findIndex((s) => s.id === p.sessionId);
    return i < 0 ? sessions.length : i;
  };
  return [...problems].sort((a, b) => rank(a) - rank(b));
}

function sessionName(s: Session): string {
  return `${dayTitle(s.localDate)} · ${plainText(s.region)} · ${plainText(s.title)}`;
}

function problemLine(p: ClaimProblem, sessions: Session[]): string {
  const session = sessions.find((s) => s.id === p.sessionId);
  const where = session ? sessionName(session) : sessionId(p.sessionId);
  switch (p.kind) {
    case 'several-dris':
      return (
        `- ${where}: the DRI line names ${names(p.usernames)}. ` +
        'One DRI per session, please: keep one name there and mention the others in a comment.'
      );
    case 'missing-username':
      return p.text === ''
        ? `- ${where}: the DRI box is ticked but no username follows. Write it as \`DRI: @your-username\`.`
        : `- ${where}: the DRI line says "${quoted(p.text)}", which is not a username. Write it as \`DRI: @your-username\`.`;
    case 'unknown-session':
      return (
        `- A DRI line points at ${sessionId(p.sessionId)}, which is not a session of this month's calendar. ` +
        'Sign up on one of the listed sessions instead (the hidden comment on each DRI line ties it to its session).'
      );
  }
}

function quoted(text: string): string {
  const short = text.length > 80 ? `${text.slice(0, 79)}…` : text;
  return plainText(short).replace(/"/g, "'");
}
