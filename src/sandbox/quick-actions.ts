// Turns extracted quick-action commands into issue updates, the way GitLab's InterpretService does:
// each command checks that it applies to the issue as it is, adds to a set of updates, and
// explains itself in one line. Labels must already exist (quick actions never create labels).

import { extractCommands } from './quick-action-extractor.js';
import type { World } from './world.js';
import type { IssueRecord, LabelRecord, UserRecord } from './types.js';

/** Keys as GitLab names them in `commands_changes`. */
export interface CommandUpdates {
  add_label_ids?: number[];
  remove_label_ids?: number[];
  label_ids?: number[];
  assignee_ids?: number[];
  due_date?: string | null;
  state_event?: 'close' | 'reopen';
  title?: string;
}

export interface Interpretation {
  content: string;
  updates: CommandUpdates;
  messages: string[];
  /** How many commands were found (executed or not): a note of only commands is not saved. */
  commandCount: number;
}

/** The issue as a command sees it; `persisted: false` while an issue is being created. */
export interface CommandTarget {
  projectId: number;
  persisted: boolean;
  state: 'opened' | 'closed';
  labelIds: number[];
  assigneeIds: number[];
  dueDate: string | null;
}

export function targetOf(issue: IssueRecord): CommandTarget {
  return {
    projectId: issue.projectId,
    persisted: true,
    state: issue.state,
    labelIds: [...issue.labelIds],
    assigneeIds: [...issue.assigneeIds],
    dueDate: issue.dueDate,
  };
}

export function interpret(world: World, target: CommandTarget, actor: UserRecord, text: string): Interpretation {
  const { content, commands } = extractCommands(text);
  const updates: CommandUpdates = {};
  const messages: string[] = [];
  for (const { name, arg } of commands) {
    const message = run(world, target, actor, updates, name, arg);
    if (message) messages.push(message);
  }
  return { content, updates, messages, commandCount: commands.length };
}

/**
 * Description edits run only the commands that were not already in the previous description
 * (GitLab's execute_with_original_text: update pairs present in both are dropped).
 */
export function interpretEdit(
  world: World,
  target: CommandTarget,
  actor: UserRecord,
  text: string,
  original: string | null,
): Interpretation {
  const fresh = interpret(world, target, actor, text);
  if (original === null) return fresh;
  const old = interpret(world, target, actor, original).updates as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fresh.updates)) {
    if (!(key in old) || JSON.stringify(old[key]) !== JSON.stringify(value)) kept[key] = value;
  }
  return { ...fresh, updates: kept };
}

function run(world: World, t: CommandTarget, actor: UserRecord, u: CommandUpdates, name: string, arg: string | undefined): string | null {
  switch (name) {
    case 'label':
    case 'labels': {
      if (!arg) return null;
      const labels = findLabels(world, t.projectId, arg);
      if (labels.length === 0) return null;
      u.add_label_ids = unique([...(u.add_label_ids ?? []), ...labels.map((l) => l.id)]);
      return `Added ${labels.map(labelReference).join(' ')} ${labels.length === 1 ? 'label' : 'labels'}.`;
    }
    case 'unlabel':
    case 'remove_label': {
      if (t.labelIds.length === 0) return null;
      if (!arg) {
        u.label_ids = [];
        return 'Removed all labels.';
      }
      const labels = findLabels(world, t.projectId, arg);
      if (labels.length === 0) return null;
      u.remove_label_ids = unique([...(u.remove_label_ids ?? []), ...labels.map((l) => l.id)]);
      return `Removed ${labels.map(labelReference).join(' ')} ${labels.length === 1 ? 'label' : 'labels'}.`;
    }
    case 'relabel': {
      if (!arg || t.labelIds.length === 0) return null;
      const labels = findLabels(world, t.projectId, arg);
      if (labels.length === 0) return null;
      u.label_ids = labels.map((l) => l.id);
      return `Replaced all labels with ${labels.map(labelReference).join(' ')} ${labels.length === 1 ? 'label' : 'labels'}.`;
    }
    case 'assign': {
      if (!arg) return null;
      const found = findUsers(world, actor, arg);
      if ('missing' in found) return `Failed to find users for ${found.missing.join(', ')}.`;
      // On Free (one assignee per issue) /assign replaces the assignee with the first user named.
      if (world.tier === 'free') {
        u.assignee_ids = found.users.slice(0, 1).map((x) => x.id);
        return `Assigned ${found.users
          .slice(0, 1)
          .map((x) => '@' + x.username)
          .join(', ')}.`;
      }
      u.assignee_ids = unique([...(u.assignee_ids ?? t.assigneeIds), ...found.users.map((x) => x.id)]);
      return `Assigned ${found.users.map((x) => '@' + x.username).join(', ')}.`;
    }
    case 'unassign': {
      if (t.assigneeIds.length === 0) return null;
      if (!arg) {
        u.assignee_ids = [];
        return 'Removed all assignees.';
      }
      const found = findUsers(world, actor, arg);
      if ('missing' in found) return `Failed to find users for ${found.missing.join(', ')}.`;
      const drop = new Set(found.users.map((x) => x.id));
      u.assignee_ids = (u.assignee_ids ?? t.assigneeIds).filter((id) => !drop.has(id));
      return `Removed assignee ${found.users.map((x) => '@' + x.username).join(', ')}.`;
    }
    case 'due': {
      if (!arg) return null;
      const date = parseDueDate(arg, world.now());
      if (!date) return 'Failed to set due date because the date format is invalid.';
      u.due_date = date;
      return `Set the due date to ${mediumDate(date)}.`;
    }
    case 'remove_due_date': {
      if (t.dueDate === null) return null;
      u.due_date = null;
      return 'Removed the due date.';
    }
    case 'close': {
      if (!t.persisted || t.state !== 'opened') return null;
      u.state_event = 'close';
      return 'Closed this issue.';
    }
    case 'reopen': {
      if (!t.persisted || t.state !== 'closed') return null;
      u.state_event = 'reopen';
      return 'Reopened this issue.';
    }
    case 'title': {
      if (!t.persisted || !arg) return null;
      u.title = arg;
      return `Changed the title to "${arg}".`;
    }
    default:
      return null;
  }
}

// GitLab's label reference: ~name (word characters, - ? . &, scoped ::) or ~"any name".
const LABEL_REFERENCE = /~(?:"([^"]+)"|([A-Za-z0-9_\-?.&]+(?:::[A-Za-z0-9_\-?.&]+)*))/g;

function findLabels(world: World, projectId: number, arg: string): LabelRecord[] {
  const names: string[] = [];
  if (arg.includes('~')) {
    for (const m of arg.matchAll(LABEL_REFERENCE)) names.push((m[1] ?? m[2]) as string);
  } else {
    // Without a tilde, GitLab matches whole names: '"A B" C' => ['A B', 'C'].
    for (const m of arg.matchAll(/"([^"]+)"|([^ ]+)/g)) names.push((m[1] ?? m[2]) as string);
  }
  const labels: LabelRecord[] = [];
  for (const n of names) {
    const l = world.labelByName(projectId, n);
    if (l && !labels.includes(l)) labels.push(l);
  }
  return labels;
}

export function labelReference(label: LabelRecord): string {
  return /^\w+$/.test(label.name) ? `~${label.name}` : `~"${label.name}"`;
}

function findUsers(world: World, actor: UserRecord, arg: string): { users: UserRecord[] } | { missing: string[] } {
  const users: UserRecord[] = [];
  const missing: string[] = [];
  for (const word of arg.split(/[\s,]+/)) {
    if (word === '' || word.toLowerCase() === 'and') continue;
    const u = word.toLowerCase() === 'me' ? actor : world.userByUsername(word.replace(/^@/, ''));
    if (u) {
      if (!users.includes(u)) users.push(u);
    } else missing.push(word.startsWith('@') ? word : '@' + word);
  }
  return missing.length > 0 ? { missing } : { users };
}

/** A subset of what Chronic understands: ISO dates, today, tomorrow, "in N days|weeks", "Jan 5, 2025". */
export function parseDueDate(text: string, nowMs: number): string | null {
  const s = text.trim().toLowerCase();
  const day = 86_400_000;
  const today = Math.floor(nowMs / day) * day;
  let ms: number | null = null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (iso) {
    ms = Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));
    if (new Date(ms).toISOString().slice(0, 10) !== s) return null;
  } else if (s === 'today') ms = today;
  else if (s === 'tomorrow') ms = today + day;
  else {
    const rel = /^in (\d+) (day|days|week|weeks)$/.exec(s);
    if (rel) ms = today + Number(rel[1]) * (rel[2]?.startsWith('week') ? 7 : 1) * day;
    else if (/[a-z]/.test(s) && /\d/.test(s)) {
      const parsed = Date.parse(`${text.trim()} UTC`);
      if (!Number.isNaN(parsed)) ms = parsed;
    }
  }
  return ms === null ? null : new Date(ms).toISOString().slice(0, 10);
}

const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const MONTHS_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function mediumDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${MONTHS_SHORT[(m as number) - 1]} ${d}, ${y}`;
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}
