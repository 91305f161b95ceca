// One month's webinar or lab DRI sign-up issue: opened once from its template, updated when the
// calendar changes (people's claims and ticks kept by the merge), left alone when nothing changed.
// Rendering happens in load, so a broken template or calendar stops the run before any write.
import type { SignupsConfig } from '../../config/types.js';
import type { HandlerFor } from '../../engine/handler.js';
import type { GIssue, IssueEdit } from '../../gitlab/types.js';
import { sessionsIn, type SessionKind } from '../../signups/calendar.js';
import { findByMarker, SignupLists } from '../../signups/find.js';
import { publicHolidays, yearsAround } from '../../signups/holidays.js';
import type { SignupKind } from '../../signups/markers.js';
import { mergeSignupDescription } from '../../signups/merge.js';
import { renderSignup, type RenderedSignup } from '../../signups/render.js';

export const KINDS: SignupKind[] = ['webinars', 'labs'];
export const SESSION_KIND: Record<SignupKind, SessionKind> = { webinars: 'webinar', labs: 'lab' };

export interface SignupMonthState {
  project: string;
  rendered: RenderedSignup;
  /** The bot's issue for this month and kind, as GitLab has it right now. */
  existing: GIssue | null;
}

export function renderMonth(signups: SignupsConfig, kind: SignupKind, month: string, configDir: string): RenderedSignup {
  const calendar = signups[kind];
  const holidays = signups.holidays ? publicHolidays(signups.holidays, yearsAround(month)) : undefined;
  return renderSignup({
    kind,
    month,
    calendar,
    sessions: sessionsIn(calendar, SESSION_KIND[kind], month),
    reminders: signups.reminders,
    configDir,
    ...(holidays ? { holidays } : {}),
  });
}

export const signupMonth: HandlerFor<'signupMonth', SignupMonthState> = {
  kind: 'signupMonth',

  async load(key, _events, ctx) {
    const signups = ctx.config.signups;
    if (!signups) return { skip: 'no sign-up calendars configured' };
    if (!signups[key.signup].enabled) return { skip: `signups.${key.signup} is disabled` };
    const rendered = renderMonth(signups, key.signup, key.month, ctx.configDir);
    const lists = new SignupLists(ctx.gitlab, signups.project, 'all', ctx.listings);
    const found = findByMarker(
      await lists.withLabel(signups[key.signup].labels[0]),
      rendered.marker,
      ctx.config.gitlab.botUsername,
      ctx.log,
    );
    // The list may be a moment old; merge against what the issue says right now.
    const existing = found ? await ctx.gitlab.getIssue(signups.project, found.iid) : null;
    return { state: { project: signups.project, rendered, existing } };
  },

  decide({ project, rendered: r, existing }) {
    const what = `the ${r.kind} sign-up issue for ${r.month}`;
    if (!existing) {
      return {
        steps: [{ kind: 'createIssue', project, issue: { title: r.title, description: r.description, labels: r.labels }, what }],
        summary: 'created',
      };
    }
    const before = existing.description ?? '';
    const merged = mergeSignupDescription(before, r.description, r.sessions);
    if (merged === before) return { steps: [], summary: 'unchanged', facts: { iid: existing.iid, url: existing.web_url } };
    const edit: IssueEdit = { description: merged };
    if (existing.title !== r.title) edit.title = r.title;
    const missing = r.labels.filter((l) => !existing.labels.includes(l));
    if (missing.length > 0) edit.addLabels = missing;
    return {
      steps: [{ kind: 'editIssue', project, iid: existing.iid, edit, because: ['calendar'] }],
      summary: 'updated',
      facts: { iid: existing.iid, url: existing.web_url },
    };
  },
};
