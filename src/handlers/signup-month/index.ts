// One month's webinar or lab DRI sign-up issue: opened once from its template, updated when the
// calendar changes (people's claims and ticks kept by the merge), left alone when nothing changed.
// Rendering happens in load, so a broken template or calendar stops the run before any write.
// Two runs at once may each open one: the oldest is the month's issue, and a newer open one of
// the bot's with the same marker is closed with a note pointing to it.
import { TEXT_LIMIT } from '../../comments/limit.js';
import type { SignupsConfig } from '../../config/types.js';
import type { HandlerFor } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import type { GIssue, GitLabReader, IssueEdit } from '../../gitlab/types.js';
import { sessionsIn, type SessionKind } from '../../signups/calendar.js';
import { parseClaims } from '../../signups/claims.js';
import { allByMarker, botNotes, SignupLists } from '../../signups/find.js';
import { publicHolidays, yearsAround } from '../../signups/holidays.js';
import { DUPLICATE_MARKER, type SignupKind } from '../../signups/markers.js';
import { mergeSignupDescription } from '../../signups/merge.js';
import { quietUsername } from '../../signups/plainText.js';
import { monthTitle, renderSignup, type RenderedSignup } from '../../signups/render.js';

export const KINDS: SignupKind[] = ['webinars', 'labs'];
export const SESSION_KIND: Record<SignupKind, SessionKind> = { webinars: 'webinar', labs: 'lab' };

export interface SignupMonthState {
  project: string;
  rendered: RenderedSignup;
  /** The bot's issue for this month and kind (the oldest), as GitLab has it right now. */
  existing: GIssue | null;
  /** Newer open issues of the bot's carrying the same marker: a second run opened them. */
  duplicates: DuplicateSeen[];
}

export interface DuplicateSeen {
  iid: number;
  /** The bot's note saying it is a duplicate is there already. */
  noted: boolean;
  /** People who signed up on it anyway (their names go in the note). */
  dris: string[];
}

export function renderMonth(signups: SignupsConfig, kind: SignupKind, month: string, configDir: string): RenderedSignup {
  const calendar = signups[kind];
  const holidays = signups.holidays ? publicHolidays(signups.holidays, yearsAround(month)) : undefined;
  const rendered = renderSignup({
    kind,
    month,
    calendar,
    sessions: sessionsIn(calendar, SESSION_KIND[kind], month),
    reminders: signups.reminders,
    configDir,
    ...(holidays ? { holidays } : {}),
  });
  if (rendered.description.length > TEXT_LIMIT) {
    throw new Error(
      `the ${kind} sign-up issue for ${month} renders to ${rendered.description.length.toLocaleString('en-US')} characters; ` +
        `Rhythm writes at most ${TEXT_LIMIT.toLocaleString('en-US')} (GitLab refuses longer text): shorten signups.${kind}.template`,
    );
  }
  return rendered;
}

/** How many changed lines an update's facts carry for a dry run to show (the rest are counted). */
const DIFF_LINES = 40;

/** What an update changes, for people: the title, labels added, and the description's lines in and out. */
export interface SignupChanges {
  summary: string[];
  added: string[];
  removed: string[];
}

/**
 * The lines of `after` not in `before` and the reverse, counted as multisets (no alignment: a
 * sign-up issue's lines are rows and boxes, whose order the calendar keeps). Pure and linear.
 */
export function changesOf(before: GIssue, edit: IssueEdit): SignupChanges {
  const summary: string[] = [];
  if (edit.title !== undefined) summary.push(`title ${JSON.stringify(before.title)} → ${JSON.stringify(edit.title)}`);
  if (edit.addLabels?.length) summary.push(`labels added: ${edit.addLabels.join(', ')}`);
  const added: string[] = [];
  const removed: string[] = [];
  if (edit.description !== undefined) {
    const count = new Map<string, number>();
    for (const line of (before.description ?? '').split('\n')) count.set(line, (count.get(line) ?? 0) + 1);
    for (const line of edit.description.split('\n')) {
      const n = count.get(line) ?? 0;
      if (n > 0) count.set(line, n - 1);
      else added.push(line);
    }
    for (const [line, n] of count) for (let i = 0; i < n; i += 1) removed.push(line);
    summary.push(`description: ${added.length} line(s) added, ${removed.length} removed (people's sign-ups kept)`);
  }
  return { summary, added: added.slice(0, DIFF_LINES), removed: removed.slice(0, DIFF_LINES) };
}

/** The marker-led note on a second issue for the month, and closing it. Pure. */
export function closeDuplicate(project: string, kind: SignupKind, month: string, keptIid: number, dup: DuplicateSeen): Step[] {
  const steps: Step[] = [];
  if (!dup.noted) {
    const names = dup.dris.slice(0, 10).map(quietUsername);
    const more = dup.dris.length - names.length;
    const signed =
      names.length === 0
        ? []
        : ['', `Signed up here: ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}. Please add your name on #${keptIid} as well.`];
    const body = [
      DUPLICATE_MARKER,
      `This is a second DRI sign-up issue for the ${kind} of ${monthTitle(month)}: two runs of \`rhythm generate\` ` +
        `opened one each at the same time. Rhythm keeps the older one, #${keptIid}, and closes this one. Please sign up on #${keptIid}.`,
      ...signed,
    ].join('\n');
    steps.push({ kind: 'createNote', project, iid: dup.iid, marker: DUPLICATE_MARKER, body });
  }
  steps.push({ kind: 'editIssue', project, iid: dup.iid, edit: { stateEvent: 'close' }, because: [`duplicate of #${keptIid}`] });
  return steps;
}

/** A newer issue as the duplicate-closing step needs it: the bot's note on it, who signed up. */
export async function seeDuplicate(
  gitlab: Pick<GitLabReader, 'listNotes'>,
  project: string,
  issue: GIssue,
  signups: SignupsConfig,
  kind: SignupKind,
  month: string,
  botUsername: string,
): Promise<DuplicateSeen> {
  const notes = botNotes(await gitlab.listNotes(project, issue.iid), botUsername);
  const sessions = sessionsIn(signups[kind], SESSION_KIND[kind], month);
  const dris = parseClaims(issue.description ?? '', sessions).sessions.flatMap((c) => (c.dri ? [c.dri] : []));
  return { iid: issue.iid, noted: notes.some((n) => n.body.includes(DUPLICATE_MARKER)), dris: [...new Set(dris)] };
}

export const signupMonth: HandlerFor<'signupMonth', SignupMonthState> = {
  kind: 'signupMonth',

  async load(key, _events, ctx) {
    const signups = ctx.config.signups;
    if (!signups) return { skip: 'no sign-up calendars configured' };
    if (!signups[key.signup].enabled) return { skip: `signups.${key.signup} is disabled` };
    const rendered = renderMonth(signups, key.signup, key.month, ctx.configDir);
    const lists = new SignupLists(ctx.gitlab, signups.project, 'all', ctx.listings);
    const bot = ctx.config.gitlab.botUsername;
    const matches = allByMarker(await lists.withLabel(signups[key.signup].labels[0]), rendered.marker, bot);
    if (matches.length > 1) {
      ctx.log.warn(
        { marker: rendered.marker, iids: matches.map((i) => i.iid) },
        'several issues carry the same sign-up marker; keeping the oldest',
      );
    }
    const found = matches[0];
    // The list may be a moment old; merge against what the issue says right now.
    const existing = found ? await ctx.gitlab.getIssue(signups.project, found.iid) : null;
    const duplicates: DuplicateSeen[] = [];
    for (const issue of matches.slice(1)) {
      if (issue.state !== 'opened') continue;
      duplicates.push(await seeDuplicate(ctx.gitlab, signups.project, issue, signups, key.signup, key.month, bot));
    }
    return { state: { project: signups.project, rendered, existing, duplicates } };
  },

  decide({ project, rendered: r, existing, duplicates }) {
    const what = `the ${r.kind} sign-up issue for ${r.month}`;
    if (!existing) {
      return {
        steps: [{ kind: 'createIssue', project, issue: { title: r.title, description: r.description, labels: r.labels }, what }],
        summary: 'created',
      };
    }
    const closing = duplicates.flatMap((d) => closeDuplicate(project, r.kind, r.month, existing.iid, d));
    const facts = {
      iid: existing.iid,
      url: existing.web_url,
      ...(duplicates.length > 0 ? { closedDuplicates: duplicates.map((d) => d.iid) } : {}),
    };
    const before = existing.description ?? '';
    const merged = mergeSignupDescription(before, r.description, r.sessions);
    if (merged === before) return { steps: closing, summary: 'unchanged', facts };
    if (merged.length > TEXT_LIMIT) {
      // People's text and the new calendar together are more than GitLab takes: theirs stays as it is.
      return {
        steps: closing,
        summary: 'skipped',
        facts: {
          ...facts,
          reason: `the updated description would be ${merged.length.toLocaleString('en-US')} characters, over the ${TEXT_LIMIT.toLocaleString('en-US')} Rhythm writes; shorten the issue's description`,
        },
      };
    }
    const edit: IssueEdit = { description: merged };
    if (existing.title !== r.title) edit.title = r.title;
    const missing = r.labels.filter((l) => !existing.labels.includes(l));
    if (missing.length > 0) edit.addLabels = missing;
    return {
      steps: [{ kind: 'editIssue', project, iid: existing.iid, edit, because: ['calendar'] }, ...closing],
      summary: 'updated',
      facts: { ...facts, changes: changesOf(existing, edit) },
    };
  },
};
