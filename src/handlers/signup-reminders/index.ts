// The reminders due on this and next month's sign-up issues (no DRI yet, lab environment, MP4),
// each once: the bot's earlier notes carry the markers of what was sent.
import { fitToLimit } from '../../comments/limit.js';
import type { SignupsConfig } from '../../config/types.js';
import type { HandlerFor } from '../../engine/handler.js';
import type { Step } from '../../engine/steps.js';
import { monthOf, nextMonth, sessionsIn, type Session } from '../../signups/calendar.js';
import { parseClaims } from '../../signups/claims.js';
import { findByMarker, postedMarkers, SignupLists } from '../../signups/find.js';
import { publicHolidays, yearsAround } from '../../signups/holidays.js';
import { issueMarker, type SignupKind } from '../../signups/markers.js';
import { dueReminders } from '../../signups/reminders.js';
import { KINDS, SESSION_KIND } from '../signup-month/index.js';

interface SignupIssueSeen {
  project: string;
  iid: number;
  sessions: Session[];
  description: string;
  posted: Set<string>;
  /** The DRIs named on it, as GitLab answered for each name (null: no such user). */
  people: Record<string, { username: string } | null>;
}

export interface SignupRemindersState {
  now: Date;
  timezone: string;
  reminders: SignupsConfig['reminders'];
  holidays?: Set<string>;
  issues: SignupIssueSeen[];
}

export const signupReminders: HandlerFor<'signupReminders', SignupRemindersState> = {
  kind: 'signupReminders',

  async load(_key, _events, ctx) {
    const { config } = ctx;
    const signups = config.signups;
    if (!signups) return { skip: 'no sign-up calendars configured' };
    const months = [monthOf(ctx.now, config.timezone), nextMonth(ctx.now, config.timezone)];
    const holidays = signups.holidays ? publicHolidays(signups.holidays, [...new Set(months.flatMap(yearsAround))]) : undefined;
    const lists = new SignupLists(ctx.gitlab, signups.project, 'opened', ctx.listings);
    const issues: SignupIssueSeen[] = [];
    for (const month of months) {
      for (const kind of KINDS.filter((k: SignupKind) => signups[k].enabled)) {
        const issue = findByMarker(
          await lists.withLabel(signups[kind].labels[0]),
          issueMarker(kind, month),
          config.gitlab.botUsername,
          ctx.log,
        );
        if (!issue) continue;
        const notes = await ctx.gitlab.listNotes(signups.project, issue.iid);
        const sessions = sessionsIn(signups[kind], SESSION_KIND[kind], month);
        const description = issue.description ?? '';
        // A reminder pings its DRI only as the user GitLab answers for the name (not a group, not the bot).
        const people: SignupIssueSeen['people'] = {};
        const bot = config.gitlab.botUsername.toLowerCase();
        for (const dri of new Set(parseClaims(description, sessions).sessions.flatMap((c) => (c.dri ? [c.dri.toLowerCase()] : [])))) {
          const user = dri === bot ? null : await ctx.gitlab.findUser(dri);
          people[dri] = user ? { username: user.username } : null;
        }
        issues.push({
          project: signups.project,
          iid: issue.iid,
          sessions,
          description,
          posted: postedMarkers(notes, config.gitlab.botUsername),
          people,
        });
      }
    }
    return { state: { now: ctx.now, timezone: config.timezone, reminders: signups.reminders, ...(holidays ? { holidays } : {}), issues } };
  },

  decide(state) {
    const steps: Step[] = [];
    let reminders = 0;
    for (const issue of state.issues) {
      const due = dueReminders({
        sessions: issue.sessions,
        claims: parseClaims(issue.description, issue.sessions),
        now: state.now,
        timezone: state.timezone,
        reminders: state.reminders,
        posted: issue.posted,
        people: issue.people,
        ...(state.holidays ? { holidays: state.holidays } : {}),
      });
      if (due.length === 0) continue;
      reminders += due.length;
      // One note per issue and pass: several reminders falling due together arrive as one.
      const body = fitToLimit(due.map((r) => r.body).join('\n\n---\n\n'));
      steps.push({ kind: 'createNote', project: issue.project, iid: issue.iid, marker: due.map((r) => r.marker).join(' '), body });
    }
    return { steps, summary: `${reminders} reminders due`, facts: { reminders } };
  },
};
