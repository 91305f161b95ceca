// Which reminders are due on a sign-up issue now. Pure: the sweep passes the clock, the claims it
// read and the reminder markers already posted; each reminder is due from its day on (so a missed
// sweep still sends it later) until its session starts, and only once.
import { DateTime } from 'luxon';
import type { SignupsConfig } from '../config/types.js';
import { businessDaysBefore, daysBefore, localToday, type Session } from './calendar.js';
import type { SignupClaims } from './claims.js';
import { reminderMarker, type ReminderKind } from './markers.js';
import { plainText } from './plainText.js';
import { dayTitle } from './render.js';

export interface Reminder {
  /** rhythm:reminder:<kind>:<session id>; the note carries it as a hidden comment. */
  marker: string;
  kind: ReminderKind;
  sessionId: string;
  /** Markdown for the note, starting with the hidden marker. */
  body: string;
  /** The DRI addressed, when the reminder is for one person. */
  mention?: string;
}

export interface ReminderInput {
  sessions: Session[];
  claims: SignupClaims;
  now: Date;
  /** The team's zone: a reminder's day arrives when the calendar there reaches it. */
  timezone: string;
  reminders: SignupsConfig['reminders'];
  holidays?: Set<string>;
  /** Markers found in the bot's earlier notes on the issue. */
  posted?: ReadonlySet<string>;
  /**
   * The DRIs as GitLab answered for their names (lower-case name → user, null when no user has
   * it). A reminder mentions only a DRI found here: never a group, never a name no one has.
   */
  people?: Readonly<Record<string, { username: string } | null>>;
}

export function dueReminders(input: ReminderInput): Reminder[] {
  const { sessions, claims, now, reminders } = input;
  const today = localToday(now, input.timezone);
  const byId = new Map(claims.sessions.map((c) => [c.sessionId, c]));
  const due: Reminder[] = [];
  const add = (kind: ReminderKind, session: Session, dueDay: string, text: string, named?: string) => {
    const mention = named && input.people ? (input.people[named.toLowerCase()]?.username ?? undefined) : named;
    const marker = reminderMarker(kind, session.id);
    if (today < dueDay || input.posted?.has(marker)) return;
    const lead = mention ? `@${mention} ` : '';
    due.push({ marker, kind, sessionId: session.id, body: `<!-- ${marker} -->\n${lead}${text}`, ...(mention ? { mention } : {}) });
  };
  for (const s of sessions) {
    if (DateTime.fromISO(s.start).toMillis() <= now.getTime()) continue;
    const claim = byId.get(s.id);
    const dri = claim?.dri ?? null;
    const name = `${plainText(s.title)} (${plainText(s.region)}, ${dayTitle(s.localDate)} at ${s.localTime} ${plainText(s.timezone)})`;
    if (!dri) {
      const dueDay = daysBefore(s.localDate, reminders.noDriDaysBefore);
      add(
        'no-dri',
        s,
        dueDay,
        `**No DRI yet** for ${name}. Who can take it? Write \`DRI: @your-username\` on its line in the description.`,
      );
      continue;
    }
    if (s.kind === 'lab' && !claim?.checks['lab-environment']) {
      const dueDay = daysBefore(s.localDate, reminders.labEnvironmentDaysBefore);
      add(
        'lab-environment',
        s,
        dueDay,
        `a friendly reminder for ${name}: please request the lab environment in the Demo Architect portal now (at least ${reminders.labEnvironmentDaysBefore} days ahead), then tick "Lab environment requested" in the description.`,
        dri,
      );
    }
    if (s.kind === 'webinar' && !claim?.checks['webinar-mp4']) {
      const dueDay = businessDaysBefore(s.localDate, reminders.webinarMp4BusinessDaysBefore, input.holidays);
      add(
        'webinar-mp4',
        s,
        dueDay,
        `a friendly reminder for ${name}: please download the recording's MP4 to your computer now (at least ${reminders.webinarMp4BusinessDaysBefore} business days ahead) and do a practice run, then tick "MP4 downloaded" in the description.`,
        dri,
      );
    }
  }
  return due;
}
