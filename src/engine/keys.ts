// Work keys: what the queue serializes and coalesces on, one spelling for the receiver, the sweep
// and the commands. A key names a kind of work; the registry (registry.ts) says which handler
// does it. An issue key is a card or a sign-up issue depending on which project it lives in.
import type { RhythmConfig } from '../config/types.js';

export type SignupKind = 'webinars' | 'labs';

export type WorkKey =
  | { kind: 'card'; project: string; iid: number }
  | { kind: 'signupIssue'; project: string; iid: number }
  | { kind: 'column'; project: string; label: string }
  | { kind: 'signupReminders' }
  | { kind: 'signupMonth'; signup: SignupKind; month: string }
  | { kind: 'onboarding'; project: string }
  | { kind: 'dashboard'; board: string }
  | { kind: 'chat'; board: string }
  | { kind: 'calendar'; board: string }
  | { kind: 'program'; project: string; iid: number };

export type WorkKind = WorkKey['kind'];

/** The spelled key as stored, before the config says whose issue it is. */
export type SpelledKey = { kind: 'issue'; project: string; iid: number } | Exclude<WorkKey, { kind: 'card' | 'signupIssue' | 'program' }>;

export const issueKey = (project: string, iid: number) => `issue:${project}#${iid}`;
export const columnKey = (project: string, label: string) => `column:${project}:${label}`;
export const calendarKey = (board: string) => `calendar:${board}`;
export const signupMonthKey = (signup: SignupKind, month: string) => `signups:month:${month}:${signup}`;
/** A board's onboarding issue (handlers/onboarding/). */
export const onboardingKey = (project: string) => `onboarding:${project}`;

/** A board's dashboard issue, by the board's name: one key, so a burst of card changes is one refresh. */
export const dashboardKey = (board: string) => `dashboard:${board}`;
/** A board's chat notices: one key per board, so two notices for one board never race. */
export const chatKey = (board: string) => `chat:${board}`;

/** The sign-up reminders pass: one key, so only one runs at a time across replicas. */
export const SIGNUP_REMINDERS_KEY = 'signups:reminders';

export function parseKey(key: string): SpelledKey | null {
  if (key === SIGNUP_REMINDERS_KEY) return { kind: 'signupReminders' };
  const month = /^signups:month:(\d{4}-(?:0[1-9]|1[0-2])):(webinars|labs)$/.exec(key);
  if (month) return { kind: 'signupMonth', month: month[1]!, signup: month[2] as SignupKind };
  const onboarding = /^onboarding:([^:#]+)$/.exec(key);
  if (onboarding) return { kind: 'onboarding', project: onboarding[1]! };
  const dashboard = /^dashboard:([a-z0-9][a-z0-9-]*)$/.exec(key);
  if (dashboard) return { kind: 'dashboard', board: dashboard[1]! };
  const chat = /^chat:([a-z0-9][a-z0-9-]*)$/.exec(key);
  if (chat) return { kind: 'chat', board: chat[1]! };
  const calendar = /^calendar:([a-z0-9][a-z0-9-]*)$/.exec(key);
  if (calendar) return { kind: 'calendar', board: calendar[1]! };
  const issue = /^issue:(.+)#([1-9]\d{0,14})$/.exec(key);
  if (issue) return { kind: 'issue', project: issue[1]!, iid: Number(issue[2]) };
  // Project paths never contain ':', labels may (status:scheduled, cse-events::sign-up).
  const column = /^column:([^:]+):(.+)$/.exec(key);
  if (column) return { kind: 'column', project: column[1]!, label: column[2]! };
  return null;
}

const sameProject = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Which work a key is under this configuration, or why there is none. */
export function resolveKey(key: string, config: RhythmConfig): WorkKey | { skip: string } {
  const spelled = parseKey(key);
  if (!spelled) return { skip: 'unknown key' };
  if (spelled.kind !== 'issue') return spelled;
  if (config.boards.some((b) => b.kind === 'skills-exchange' && sameProject(b.project, spelled.project))) {
    return { kind: 'card', project: spelled.project, iid: spelled.iid };
  }
  const signupProject =
    (config.signups && sameProject(config.signups.project, spelled.project)) ||
    config.boards.some((b) => b.kind === 'signups' && sameProject(b.project, spelled.project));
  if (signupProject) return { kind: 'signupIssue', project: spelled.project, iid: spelled.iid };
  // Program plans live in their own project (handlers/program).
  if (config.programs && sameProject(config.programs.project, spelled.project)) {
    return { kind: 'program', project: spelled.project, iid: spelled.iid };
  }
  return { skip: 'project is not configured' };
}
