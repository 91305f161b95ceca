// Which chat notices a board owes, and their words. Pure. Each notice has an id naming what it
// announces (the card and its date, the week of a digest): the ledger remembers the ids sent, so
// each goes out once, and a card moved to another date is announced again. Confidential cards
// never appear, not even counted.
import { DateTime } from 'luxon';
import type { DashboardCard } from '../dashboard/render.js';
import { weekStarts } from '../dashboard/render.js';
import { chatLink, chatPerson, chatText as chatLinkless } from '../../chat/text.js';

export interface Notice {
  id: string;
  text: string;
}

export interface NoticeInput {
  /** The board's name as people read it in the messages. */
  board: string;
  today: string;
  soonDays: number;
  cards: readonly DashboardCard[];
  dashboardUrl: string | null;
  /** Sign-up sessions coming soon (a sign-up board). */
  sessions?: Array<{
    id: string;
    title: string;
    region: string;
    localDate: string;
    localTime: string;
    timezone: string;
    dri: string | null;
    issueUrl: string | null;
  }>;
}

const day = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' });
const fullDay = (iso: string) => day(iso).toFormat('cccc d LLLL yyyy');
const shortDay = (iso: string) => day(iso).toFormat('ccc d LLL');
const link = (c: DashboardCard) => chatLink(c.webUrl, c.title);
const speakers = (c: DashboardCard) => (c.speakers.length > 0 ? c.speakers.map(chatPerson).join(', ') : 'no speaker yet');
const moderator = (c: DashboardCard) => (c.moderator ? chatPerson(c.moderator) : 'no moderator yet');

/** The ISO week a day is in, e.g. 2026-W49: the digest's id. */
export const isoWeek = (today: string) => day(today).toFormat("kkkk-'W'WW");

export function dueNotices(input: NoticeInput): Notice[] {
  const { today } = input;
  const soon = day(today).plus({ days: input.soonDays }).toISODate()!;
  const cards = input.cards.filter((c) => !c.confidential);
  const notices: Notice[] = [];
  for (const c of cards) {
    if (!c.dueDate) continue;
    // A session coming soon without a moderator, planned or scheduled: a call for a volunteer.
    if (c.dueDate >= today && c.dueDate <= soon && !c.moderator) {
      notices.push({
        id: `unstaffed:${c.iid}:${c.dueDate}`,
        text: `${link(c)} on ${fullDay(c.dueDate)} has no moderator yet. Can you moderate? Add a line "Moderator:" with your username to the issue.`,
      });
    }
    if (c.column !== 'scheduled') continue;
    if (c.dueDate >= today) {
      notices.push({
        id: `scheduled:${c.iid}:${c.dueDate}`,
        text: `New session scheduled: ${link(c)} on ${fullDay(c.dueDate)}. Speaker: ${speakers(c)}. Moderator: ${moderator(c)}.`,
      });
    } else if (!c.waiting.includes('recording')) {
      notices.push({ id: `recording:${c.iid}`, text: `The recording of ${link(c)} is posted: find the link on the issue.` });
    }
  }
  for (const s of input.sessions ?? []) {
    if (s.dri || s.localDate < today || s.localDate > soon) continue;
    const where = s.issueUrl ? ` Sign up on ${chatLink(s.issueUrl, 'the sign-up issue')}.` : '';
    notices.push({
      id: `no-dri:${s.id}`,
      text: `${chatLinkless(s.title)} (${chatLinkless(s.region)}) on ${fullDay(s.localDate)} at ${s.localTime} ${s.timezone} has no DRI yet.${where}`,
    });
  }
  notices.push({ id: `digest:${isoWeek(today)}`, text: digest(input, cards) });
  return notices;
}

/** Days a dated notice is kept after its day: far more than any time zone or clock skew needs. */
export const LAPSE_GRACE_DAYS = 7;
/** How long an undated notice (a recording posted) is kept once it is no longer owed. */
export const UNDATED_KEPT_MS = 90 * 24 * 3600_000;

/** The last day a notice can be owed, from its id: the session's date, or the digest week's Sunday. */
function lastDayOwed(id: string): string | null {
  const week = /^digest:(\d{4}-W\d{2})$/.exec(id);
  if (week) return DateTime.fromISO(week[1]!, { zone: 'UTC' }).plus({ days: 6 }).toISODate();
  const dated = /^(?:unstaffed|scheduled):\d+:(\d{4}-\d{2}-\d{2})$/.exec(id) ?? /^no-dri:(\d{4}-\d{2}-\d{2})-/.exec(id);
  return dated ? dated[1]! : null;
}

/**
 * The recorded notices the ledger may forget: never one owed now (it would go out again). A dated
 * one (a session, a week's digest) once its day is LAPSE_GRACE_DAYS past: it is owed only up to
 * that day, so nothing can ask for it again. An undated one (`recording:<iid>`, owed while the
 * card stays open after its session) once not owed and recorded more than UNDATED_KEPT_MS ago:
 * only a card reopened after that would announce its recording a second time.
 */
export function lapsedNotices(sent: ReadonlyMap<string, number>, owed: ReadonlySet<string>, today: string, now: number): string[] {
  const cutoff = day(today).minus({ days: LAPSE_GRACE_DAYS }).toISODate()!;
  return [...sent]
    .filter(([id, at]) => {
      if (owed.has(id)) return false;
      const last = lastDayOwed(id);
      return last !== null ? last < cutoff : now - at > UNDATED_KEPT_MS;
    })
    .map(([id]) => id);
}

/** The weekly digest: the dashboard's short form (this week and next, what is waiting). */
function digest(input: NoticeInput, cards: readonly DashboardCard[]): string {
  const lines = [`This week on ${chatLinkless(input.board)}:`];
  const [thisWeek, nextWeek] = weekStarts(input.today, 2);
  for (const [label, start] of [
    ['This week', thisWeek!],
    ['Next week', nextWeek!],
  ] as const) {
    const end = day(start).plus({ days: 7 }).toISODate()!;
    const sessions = cards
      .filter((c) => c.column === 'scheduled' && c.dueDate && c.dueDate >= start && c.dueDate < end)
      .sort((a, b) => a.dueDate!.localeCompare(b.dueDate!) || a.iid - b.iid)
      .map((c) => `${shortDay(c.dueDate!)} ${link(c)} (speaker ${speakers(c)}, moderator ${moderator(c)})`);
    // A sign-up board's week: its calendar's sessions and their DRIs.
    for (const e of (input.sessions ?? []).filter((e) => e.localDate >= start && e.localDate < end)) {
      const dri = e.dri ? `DRI ${chatPerson(e.dri)}` : 'no DRI yet';
      sessions.push(`${shortDay(e.localDate)} ${chatLinkless(e.title)} (${chatLinkless(e.region)}, ${dri})`);
    }
    const what = sessions.length === 0 ? 'no session yet' : sessions.join('; ');
    lines.push(`• ${label}: ${what}`);
  }
  const count = (w: DashboardCard['waiting'][number]) => cards.filter((c) => c.waiting.includes(w)).length;
  const waiting = [
    [count('speaker'), 'a speaker'],
    [count('moderator'), 'a moderator'],
    [count('date'), 'a date'],
    [count('recording'), 'the recording'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} waiting for ${what}`);
  if ((input.sessions ?? []).length > 0) {
    const open = input.sessions!.filter((s) => !s.dri).length;
    if (open > 0) waiting.push(`${open} sessions without a DRI`);
  }
  lines.push(`• Cards: ${waiting.length > 0 ? waiting.join(', ') : 'nothing is waiting'}.`);
  if (input.dashboardUrl) lines.push(`More on the ${chatLink(input.dashboardUrl, 'dashboard')}.`);
  return lines.join('\n');
}
