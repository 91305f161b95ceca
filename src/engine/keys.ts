// Work keys: what the queue serializes and coalesces on. One issue, or one board column.

export type WorkKey =
  | { kind: 'issue'; project: string; iid: number }
  | { kind: 'column'; project: string; label: string }
  | { kind: 'signupReminders' };

export const issueKey = (project: string, iid: number) => `issue:${project}#${iid}`;
export const columnKey = (project: string, label: string) => `column:${project}:${label}`;

/** The sign-up reminders pass: one key, so only one runs at a time across replicas. */
export const SIGNUP_REMINDERS_KEY = 'signups:reminders';

export function parseKey(key: string): WorkKey | null {
  if (key === SIGNUP_REMINDERS_KEY) return { kind: 'signupReminders' };
  const issue = /^issue:(.+)#(\d+)$/.exec(key);
  if (issue) return { kind: 'issue', project: issue[1]!, iid: Number(issue[2]) };
  // Project paths never contain ':', labels may (status:scheduled, cse-events::sign-up).
  const column = /^column:([^:]+):(.+)$/.exec(key);
  if (column) return { kind: 'column', project: column[1]!, label: column[2]! };
  return null;
}
