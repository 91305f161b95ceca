// The sign-up issues' edge: everything here reaches GitLab through the Door, and everything it
// decides comes from the pure modules next to it. Rendering happens before the first write, so a
// broken template or calendar stops the run with nothing sent.
import { publicHolidays, yearsAround } from './holidays.js';
import type { RhythmConfig, SignupsConfig } from '../config/types.js';
import type { Door, GIssue, GNote, IssueEdit } from '../gitlab/types.js';
import { monthOf, nextMonth, sessionsIn, type SessionKind } from './calendar.js';
import { parseClaims } from './claims.js';
import { ISSUE_MARKER, issueMarker, REMINDER_MARKERS, STATUS_MARKER, type SignupKind } from './markers.js';
import { mergeSignupDescription } from './merge.js';
import { dueReminders } from './reminders.js';
import { renderSignup, type RenderedSignup } from './render.js';
import { renderSignupSummary } from './summary.js';

/** The part of pino's logger this module uses. */
export interface Logger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface GenerateOptions {
  month: string;
  only?: SignupKind;
  dryRun: boolean;
  /** The config file's directory: a calendar's `template` path is relative to it. */
  configDir: string;
  log: Logger;
  print?: (s: string) => void;
  /** Extra non-business days (YYYY-MM-DD) for the MP4 due date. */
  holidays?: Set<string>;
}

export interface GenerateResult {
  kind: SignupKind;
  action: 'created' | 'updated' | 'unchanged' | 'dry-run';
  iid?: number;
  url?: string;
}

/** GitLab refused or failed a call; the message says what Rhythm was doing and GitLab's reason. */
export class SignupGitLabError extends Error {
  override name = 'SignupGitLabError';
}

const KINDS: SignupKind[] = ['webinars', 'labs'];
const SESSION_KIND: Record<SignupKind, SessionKind> = { webinars: 'webinar', labs: 'lab' };

export async function generateSignups(
  door: Door,
  config: RhythmConfig,
  opts: GenerateOptions,
): Promise<{ results: GenerateResult[]; writes: number }> {
  const signups = requireSignups(config);
  const dryRun = opts.dryRun || config.dryRun;
  const kinds = (opts.only ? [opts.only] : KINDS).filter((kind) => {
    if (!signups[kind].enabled) opts.log.info({ kind }, `signups.${kind} is disabled; not generating it`);
    return signups[kind].enabled;
  });
  const holidays = opts.holidays ?? (signups.holidays ? publicHolidays(signups.holidays, yearsAround(opts.month)) : undefined);
  const rendered = kinds.map((kind) => render(signups, kind, opts.month, opts.configDir, holidays));

  if (dryRun) {
    const print = opts.print ?? ((s: string) => process.stdout.write(s));
    for (const r of rendered) print(dryRunText(r, signups.project));
    return { results: rendered.map((r) => ({ kind: r.kind, action: 'dry-run' })), writes: 0 };
  }

  const project = signups.project;
  const lists = new SignupLists(door, project, 'all');
  const results: GenerateResult[] = [];
  let writes = 0;
  for (const r of rendered) {
    const found = findByMarker(await lists.withLabel(signups[r.kind].labels[0]), r.marker, config.gitlab.botUsername, opts.log);
    if (!found) {
      const created = await call(`create the ${r.kind} sign-up issue for ${r.month} in ${project}`, () =>
        door.createIssue(project, { title: r.title, description: r.description, labels: r.labels }),
      );
      if (!created) {
        results.push({ kind: r.kind, action: 'dry-run' });
        continue;
      }
      writes += 1;
      opts.log.info({ kind: r.kind, month: r.month, iid: created.iid }, 'sign-up issue created');
      results.push({ kind: r.kind, action: 'created', iid: created.iid, url: created.web_url });
      continue;
    }
    // The list may be a moment old; merge against what the issue says right now.
    const issue = await call(`read ${project}#${found.iid}`, () => door.getIssue(project, found.iid));
    const before = issue.description ?? '';
    const merged = mergeSignupDescription(before, r.description, r.sessions);
    if (merged === before) {
      results.push({ kind: r.kind, action: 'unchanged', iid: issue.iid, url: issue.web_url });
      continue;
    }
    const edit: IssueEdit = { description: merged };
    if (issue.title !== r.title) edit.title = r.title;
    const missing = r.labels.filter((l) => !issue.labels.includes(l));
    if (missing.length > 0) edit.addLabels = missing;
    const edited = await call(`update ${project}#${issue.iid} (${r.kind} sign-up for ${r.month})`, () =>
      door.editIssue(project, issue.iid, edit),
    );
    if (edited) writes += 1;
    opts.log.info({ kind: r.kind, month: r.month, iid: issue.iid }, 'sign-up issue updated from the calendar');
    results.push({ kind: r.kind, action: edited ? 'updated' : 'dry-run', iid: issue.iid, url: issue.web_url });
  }
  return { results, writes };
}

/** The sweep's part: post the reminders that are due on this and next month's sign-up issues. */
export async function signupReminders(
  door: Door,
  config: RhythmConfig,
  now: Date,
  opts: { dryRun: boolean; log: Logger; holidays?: Set<string> },
): Promise<{ posted: number }> {
  const signups = config.signups;
  if (!signups) return { posted: 0 };
  const dryRun = opts.dryRun || config.dryRun;
  const project = signups.project;
  const months = [monthOf(now, config.timezone), nextMonth(now, config.timezone)];
  const holidays =
    opts.holidays ?? (signups.holidays ? publicHolidays(signups.holidays, [...new Set(months.flatMap(yearsAround))]) : undefined);
  const lists = new SignupLists(door, project, 'opened');
  let posted = 0;
  for (const month of months) {
    for (const kind of KINDS.filter((k) => signups[k].enabled)) {
      const issue = findByMarker(await lists.withLabel(signups[kind].labels[0]), issueMarker(kind, month), config.gitlab.botUsername, opts.log);
      if (!issue) continue;
      const sessions = sessionsIn(signups[kind], SESSION_KIND[kind], month);
      const claims = parseClaims(issue.description ?? '', sessions);
      const notes = await call(`read the notes of ${project}#${issue.iid}`, () => door.listNotes(project, issue.iid));
      const due = dueReminders({
        sessions,
        claims,
        now,
        timezone: config.timezone,
        reminders: signups.reminders,
        posted: postedMarkers(notes, config.gitlab.botUsername),
        ...(holidays ? { holidays } : {}),
      });
      if (due.length === 0) continue;
      const markers = due.map((r) => r.marker);
      if (dryRun) {
        opts.log.info({ dryRun: true, project, iid: issue.iid, reminders: markers }, 'dry-run: would post sign-up reminders');
        continue;
      }
      // One note per issue and sweep: several reminders falling due together arrive as one.
      const body = due.map((r) => r.body).join('\n\n---\n\n');
      const note = await call(`post reminders on ${project}#${issue.iid}`, () => door.createNote(project, issue.iid, body));
      if (note) posted += due.length;
      opts.log.info({ project, iid: issue.iid, reminders: markers }, 'sign-up reminders posted');
    }
  }
  return { posted };
}

export interface ReconcileResult {
  action: 'created' | 'updated' | 'unchanged' | 'ignored' | 'dry-run';
  noteId?: number;
}

/**
 * A webhook's part: re-read a sign-up issue and keep the bot's one status note on it current.
 * The description belongs to people between calendar changes, so it is never written here.
 */
export async function reconcileSignupIssue(
  door: Door,
  config: RhythmConfig,
  project: string,
  iid: number,
  // `now` is accepted for callers that pass one context everywhere; the note does not depend on it.
  opts: { dryRun: boolean; log: Logger; now?: Date },
): Promise<ReconcileResult> {
  const signups = config.signups;
  if (!signups) return { action: 'ignored' };
  const issue = await call(`read ${project}#${iid}`, () => door.getIssue(project, iid));
  const found = ISSUE_MARKER.exec(issue.description ?? '');
  // Only the bot's own sign-up issues: a person's issue quoting the marker is not one.
  if (!found || issue.author?.username.toLowerCase() !== config.gitlab.botUsername.toLowerCase()) return { action: 'ignored' };
  const kind = found[1] as SignupKind;
  const month = found[2] ?? '';
  const sessions = sessionsIn(signups[kind], SESSION_KIND[kind], month);
  const claims = parseClaims(issue.description ?? '', sessions);
  const body = renderSignupSummary({ kind, month, sessions, claims });

  const notes = await call(`read the notes of ${project}#${iid}`, () => door.listNotes(project, iid));
  const mine = notes
    .filter((n) => !n.system && isBot(n, config.gitlab.botUsername) && n.body.includes(STATUS_MARKER))
    .sort((a, b) => a.id - b.id)[0];
  if (mine && mine.body.trimEnd() === body) return { action: 'unchanged', noteId: mine.id };
  if (opts.dryRun || config.dryRun) {
    opts.log.info({ dryRun: true, project, iid, noteId: mine?.id, body }, 'dry-run: would write the sign-up status note');
    return { action: 'dry-run', ...(mine ? { noteId: mine.id } : {}) };
  }
  if (mine) {
    await call(`update the status note on ${project}#${iid}`, () => door.editNote(project, iid, mine.id, body));
    return { action: 'updated', noteId: mine.id };
  }
  const note = await call(`post the status note on ${project}#${iid}`, () => door.createNote(project, iid, body));
  return note ? { action: 'created', noteId: note.id } : { action: 'dry-run' };
}

function requireSignups(config: RhythmConfig): SignupsConfig {
  if (!config.signups) throw new Error(`${config.source}: no "signups" section, so there is nothing to generate`);
  return config.signups;
}

function render(signups: SignupsConfig, kind: SignupKind, month: string, configDir: string, holidays?: Set<string>): RenderedSignup {
  const calendar = signups[kind];
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

/**
 * Sign-up issues carry their calendar's first label; the marker, not the title, says which is
 * which. One list per label per run, shared by the calendars that use the same label.
 */
class SignupLists {
  private readonly byLabel = new Map<string, Promise<GIssue[]>>();
  constructor(
    private readonly door: Door,
    private readonly project: string,
    private readonly state: 'all' | 'opened',
  ) {}

  withLabel(label: string | undefined): Promise<GIssue[]> {
    const key = label ?? '';
    let list = this.byLabel.get(key);
    if (!list) {
      list = call(`list the sign-up issues of ${this.project}`, () =>
        this.door.listIssues(this.project, { ...(label ? { labels: [label] } : {}), state: this.state, orderBy: 'created_at', sort: 'asc' }),
      );
      this.byLabel.set(key, list);
    }
    return list;
  }
}

/** The bot's own issue carrying the marker: a person's copy of the text (or of the marker) does not count. */
function findByMarker(issues: GIssue[], marker: string, botUsername: string, log: Logger): GIssue | undefined {
  const bot = botUsername.toLowerCase();
  const matches = issues
    .filter((i) => (i.description ?? '').includes(marker) && i.author?.username.toLowerCase() === bot)
    .sort((a, b) => a.iid - b.iid);
  if (matches.length > 1) {
    log.warn({ marker, iids: matches.map((i) => i.iid) }, 'several issues carry the same sign-up marker; using the oldest');
  }
  return matches[0];
}

function isBot(note: GNote, botUsername: string): boolean {
  return note.author.username.toLowerCase() === botUsername.toLowerCase();
}

/** Reminder markers in the bot's own notes: those reminders were sent already. */
function postedMarkers(notes: GNote[], botUsername: string): Set<string> {
  const seen = new Set<string>();
  for (const note of notes) {
    if (note.system || !isBot(note, botUsername)) continue;
    for (const m of note.body.matchAll(REMINDER_MARKERS)) if (m[1]) seen.add(m[1]);
  }
  return seen;
}

function dryRunText(r: RenderedSignup, project: string): string {
  return [
    `--- dry run: the ${r.kind} sign-up issue for ${r.month} in ${project} (nothing is sent) ---`,
    `Title: ${r.title}`,
    `Labels: ${r.labels.join(', ') || '(none)'}`,
    '',
    r.description,
    '',
    '',
  ].join('\n');
}

/** Runs one GitLab call; a refusal becomes an error that says what was being done and why not. */
async function call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new SignupGitLabError(`could not ${doing}: ${reasonOf(err)}`, { cause: err });
  }
}

function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { status?: number; description?: string };
  if (typeof e.status === 'number' && e.description) return `GitLab answered ${e.status}: ${e.description}`;
  return e.message;
}
