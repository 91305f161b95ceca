// Every kind of work, one line each. A new kind is a folder under src/handlers/, its config
// `$def` in the schema, and a line here; the key spelling goes in keys.ts.
import { calendar } from '../handlers/calendar/index.js';
import { card } from '../handlers/card/index.js';
import { chat } from '../handlers/chat/index.js';
import { column } from '../handlers/column/index.js';
import { dashboard } from '../handlers/dashboard/index.js';
import { onboarding } from '../handlers/onboarding/index.js';
import { program } from '../handlers/program/index.js';
import { signupIssue } from '../handlers/signup-issue/index.js';
import { signupMonth } from '../handlers/signup-month/index.js';
import { signupReminders } from '../handlers/signup-reminders/index.js';
import { work, type Work } from './handler.js';
import type { WorkKey, WorkKind } from './keys.js';

export type KeyOf<K extends WorkKind> = Extract<WorkKey, { kind: K }>;

const registry: { [K in WorkKind]: Work<KeyOf<K>> } = {
  card: work(card),
  column: work(column),
  signupIssue: work(signupIssue),
  signupReminders: work(signupReminders),
  signupMonth: work(signupMonth),
  onboarding: work(onboarding),
  dashboard: work(dashboard),
  chat: work(chat),
  calendar: work(calendar),
  program: work(program),
};

/** The work for a key's kind (the key and its handler agree by construction). */
export function workFor<K extends WorkKind>(kind: K): Work<KeyOf<K>> {
  return registry[kind];
}
