// Renders one month's sign-up issue (title and description) from its Handlebars template. Every
// piece of config text is made plain before the template sees it, and the result is checked for
// the markers the bot depends on, so a broken template fails here, before anything is sent.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import type { SignupCalendar, SignupsConfig } from '../config/types.js';
import { businessDaysBefore, daysBefore, parseMonth, type Session } from './calendar.js';
import {
  checkMarker,
  driMarker,
  issueMarker,
  sessionBegin,
  sessionEnd,
  SESSIONS_END,
  versionMarker,
  type CheckKey,
  type SignupKind,
} from './markers.js';
import { plainText, safeUrl } from './plainText.js';
import { quickActionLines } from '../markdown/index.js';

export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates');

const TEMPLATE_FILE: Record<SignupKind, string> = {
  webinars: 'webinar-signup.md.hbs',
  labs: 'lab-signup.md.hbs',
};
const PARTIALS = ['signup-how-to-claim'];

/** The box each kind's reminders read; a template must render it for every session. */
export const REMINDER_CHECK: Record<SignupKind, CheckKey> = {
  webinars: 'webinar-mp4',
  labs: 'lab-environment',
};

export class SignupTemplateError extends Error {
  override name = 'SignupTemplateError';
}

export interface SignupRenderInput {
  kind: SignupKind;
  month: string; // YYYY-MM
  calendar: SignupCalendar;
  sessions: Session[];
  reminders: SignupsConfig['reminders'];
  holidays?: Set<string>;
  /** The config file's directory: `calendar.template` is relative to it. */
  configDir: string;
}

export interface RenderedSignup {
  kind: SignupKind;
  month: string;
  /** The hidden marker the issue is found by. */
  marker: string;
  title: string;
  description: string;
  labels: string[];
  sessions: Session[];
}

export function templatePath(calendar: SignupCalendar, kind: SignupKind, configDir: string): string {
  return calendar.template ? resolve(configDir, calendar.template) : resolve(TEMPLATES_DIR, TEMPLATE_FILE[kind]);
}

export function renderSignup(input: SignupRenderInput): RenderedSignup {
  const { kind, month, calendar, sessions } = input;
  const path = templatePath(calendar, kind, input.configDir);
  for (const name of PARTIALS) {
    const source = readTemplate(resolve(TEMPLATES_DIR, `${name}.md.hbs`));
    if (partialSources.get(name) !== source) {
      hb.registerPartial(name, source);
      partialSources.set(name, source);
    }
  }

  const monthName = monthTitle(month);
  const title = renderTitle(calendar.title, { kind, month, monthName, year: parseMonth(month).year }, kind);
  const view = {
    kind,
    month,
    monthName,
    title: plainText(title),
    count: sessions.length,
    sessions: sessions.map((s) => sessionView(s, kind, input)),
    sessionsEnd: SESSIONS_END,
    reminders: input.reminders,
  };

  let body: string;
  try {
    body = compiled(readTemplate(path))(view);
  } catch (err) {
    throw new SignupTemplateError(`${path}: ${(err as Error).message}`);
  }
  const marker = issueMarker(kind, month);
  const text = `${marker}\n\n${body.trim()}`;
  const description = `${text}\n\n${versionMarker(fingerprint(text))}`;
  checkRendered(description, sessions, kind, path);
  return { kind, month, marker, title, description, labels: [...calendar.labels], sessions };
}

// One Handlebars environment for sign-ups; templates are compiled once per distinct source text.
const hb = Handlebars.create();
const compiledBySource = new Map<string, HandlebarsTemplateDelegate>();
// Handlebars replaces a registered partial's text by its compiled form, so the text is kept here.
const partialSources = new Map<string, string>();

function compiled(source: string): HandlebarsTemplateDelegate {
  let template = compiledBySource.get(source);
  if (!template) {
    template = hb.compile(source, { noEscape: true, strict: true });
    compiledBySource.set(source, template);
  }
  return template;
}

function readTemplate(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SignupTemplateError(`cannot read template ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function renderTitle(source: string, data: object, kind: SignupKind): string {
  let title: string;
  try {
    title = compiled(source)(data);
  } catch (err) {
    throw new SignupTemplateError(`signups.${kind}.title: ${(err as Error).message}`);
  }
  title = title.replace(/\s+/g, ' ').trim();
  if (!title) throw new SignupTemplateError(`signups.${kind}.title renders empty`);
  return title.slice(0, 255);
}

/** A short hash of what the bot rendered, so a rerun can tell "nothing changed" exactly. */
export function fingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function monthTitle(month: string): string {
  const { year, month: m } = parseMonth(month);
  return DateTime.fromObject({ year, month: m, day: 1 }, { zone: 'UTC' }).setLocale('en').toFormat('LLLL yyyy');
}

/** "Tue 8 Dec 2026" */
export function dayTitle(localDate: string): string {
  return DateTime.fromISO(localDate, { zone: 'UTC' }).setLocale('en').toFormat('ccc d LLL yyyy');
}

/** The deck's title from the handbook: <Lab Name> - <Region> - <Date>. */
export function deckTitle(session: Session): string {
  return `${session.title} - ${session.region} - ${session.localDate}`;
}

function utcTitle(session: Session): string {
  const utc = DateTime.fromISO(session.start, { zone: 'UTC' }).setLocale('en');
  const sameDay = utc.toFormat('yyyy-MM-dd') === session.localDate;
  return sameDay ? `${utc.toFormat('HH:mm')} UTC` : `${utc.toFormat('ccc d LLL HH:mm')} UTC`;
}

function sessionView(s: Session, kind: SignupKind, input: SignupRenderInput) {
  const r = input.reminders;
  const labEnvironmentBy = dayTitle(daysBefore(s.localDate, r.labEnvironmentDaysBefore));
  const mp4By = dayTitle(businessDaysBefore(s.localDate, r.webinarMp4BusinessDaysBefore, input.holidays));
  const url = safeUrl(s.registrationUrl);
  const box = (key: string, text: string) => `- [ ] ${text} ${checkMarker(key, s.id)}`;
  const checks =
    kind === 'labs'
      ? [
          box('lab-environment', `Lab environment requested (by ${labEnvironmentBy})`),
          box('deck', `Deck copied and titled: ${plainText(deckTitle(s))}`),
          box('codes', 'Registration codes and presenter slide updated'),
          box('run-through', 'Ran through the whole lab once'),
          box('paste-notes', 'Paste-notes doc ready and shared'),
        ]
      : [box('webinar-mp4', `MP4 downloaded (by ${mp4By})`), box('practice', 'Practice session done')];
  return {
    id: s.id,
    begin: sessionBegin(s.id),
    end: sessionEnd(s.id),
    title: plainText(s.title),
    region: plainText(s.region),
    timezone: plainText(s.timezone),
    date: dayTitle(s.localDate),
    localDate: s.localDate,
    localTime: s.localTime,
    utc: utcTitle(s),
    durationMinutes: s.durationMinutes,
    registration: url ? `<${url}>` : 'not published yet',
    registrationUrl: url,
    deckTitle: plainText(deckTitle(s)),
    accessDays: s.accessDays ?? null,
    dri: `- [ ] DRI: ${driMarker(s.id)}`,
    checks,
    due: { labEnvironment: labEnvironmentBy, mp4: mp4By },
  };
}

/** Whatever a template says, the markers the bot reads must be there, once each. */
function checkRendered(description: string, sessions: Session[], kind: SignupKind, path: string): void {
  const problems: string[] = [];
  const count = (needle: string) => description.split(needle).length - 1;
  for (const s of sessions) {
    const needles = [sessionBegin(s.id), sessionEnd(s.id), driMarker(s.id), checkMarker(REMINDER_CHECK[kind], s.id)];
    for (const needle of needles) {
      const n = count(needle);
      if (n !== 1) problems.push(`session ${s.id}: expected ${needle} once, found it ${n} times`);
    }
    const begin = description.indexOf(sessionBegin(s.id));
    const end = description.indexOf(sessionEnd(s.id));
    const dri = description.indexOf(driMarker(s.id));
    if (begin >= 0 && end >= 0 && !(begin < dri && dri < end)) {
      problems.push(`session ${s.id}: the DRI line must sit between the session's begin and end markers`);
    }
  }
  const lastEnd = Math.max(-1, ...sessions.map((s) => description.indexOf(sessionEnd(s.id))));
  if (count(SESSIONS_END) !== 1 || description.indexOf(SESSIONS_END) < lastEnd) {
    problems.push(`expected {{sessionsEnd}} (${SESSIONS_END}) once, after the session list`);
  }
  for (const line of quickActionLines(description)) {
    problems.push(`line ${line} starts with "/", which GitLab would run as a quick action`);
  }
  if (problems.length > 0) {
    throw new SignupTemplateError(`${path} rendered a ${kind} sign-up the bot cannot keep:\n  ${problems.join('\n  ')}`);
  }
}
