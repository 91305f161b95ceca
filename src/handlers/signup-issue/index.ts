// A sign-up issue changed (someone claimed a session, ticked a box): keep the bot's one summary
// note on it current. The description belongs to people between calendar changes, so it is never
// written here. The summary is capped (signups/summary.ts), so whatever people write, GitLab takes it.
import type { SignupsConfig } from '../../config/types.js';
import type { HandlerFor } from '../../engine/handler.js';
import type { GNote } from '../../gitlab/types.js';
import { isGone } from '../../gitlab/transport.js';
import { sessionsIn } from '../../signups/calendar.js';
import { parseClaims } from '../../signups/claims.js';
import { botNotes, isBotAuthor } from '../../signups/find.js';
import { DUPLICATE_MARKER, ISSUE_MARKER, STATUS_MARKER, type SignupKind } from '../../signups/markers.js';
import { renderSignupSummary } from '../../signups/summary.js';
import { SESSION_KIND } from '../signup-month/index.js';

export interface SignupIssueState {
  project: string;
  iid: number;
  kind: SignupKind;
  month: string;
  description: string;
  signups: SignupsConfig;
  /** The bot's own notes on the issue. */
  notes: GNote[];
}

export const signupIssue: HandlerFor<'signupIssue', SignupIssueState> = {
  kind: 'signupIssue',

  async load(key, _events, ctx) {
    const signups = ctx.config.signups;
    if (!signups) return { skip: 'no sign-up calendars configured' };
    let issue;
    try {
      issue = await ctx.gitlab.getIssue(key.project, key.iid);
    } catch (err) {
      if (isGone(err)) return { skip: 'issue is gone' };
      throw err;
    }
    const found = ISSUE_MARKER.exec(issue.description ?? '');
    // Only the bot's own sign-up issues: a person's issue quoting the marker is not one.
    if (!found || !isBotAuthor(issue.author?.username, ctx.config.gitlab.botUsername)) return { skip: 'not a sign-up issue' };
    const notes = botNotes(await ctx.gitlab.listNotes(key.project, key.iid), ctx.config.gitlab.botUsername);
    // A second issue for the month that the bot closed: people sign up on the kept one.
    if (issue.state === 'closed' && notes.some((n) => n.body.includes(DUPLICATE_MARKER)))
      return { skip: 'closed as a second sign-up issue' };
    return {
      state: {
        project: key.project,
        iid: key.iid,
        kind: found[1] === 'labs' ? 'labs' : 'webinars',
        month: found[2] ?? '',
        description: issue.description ?? '',
        signups,
        notes,
      },
    };
  },

  decide(state) {
    const sessions = sessionsIn(state.signups[state.kind], SESSION_KIND[state.kind], state.month);
    const claims = parseClaims(state.description, sessions);
    const body = renderSignupSummary({ kind: state.kind, month: state.month, sessions, claims });
    const mine = state.notes.filter((n) => n.body.includes(STATUS_MARKER)).sort((a, b) => a.id - b.id)[0];
    const { project, iid } = state;
    if (mine && mine.body.trimEnd() === body) return { steps: [], summary: 'unchanged' };
    if (mine) return { steps: [{ kind: 'editNote', project, iid, noteId: mine.id, marker: STATUS_MARKER, body }], summary: 'updated' };
    return { steps: [{ kind: 'createNote', project, iid, marker: STATUS_MARKER, body }], summary: 'created' };
  },
};
