// What GitLab does on each issue and note write: quick actions, state changes, label events,
// system notes, relative positions, and the webhook events that follow (handed to `emit`).

import {
  changesBetween,
  creationChanges,
  discussionId,
  issueHookPayload,
  noteHookPayload,
  snapshot,
  type Payload,
} from './hook-payloads.js';
import { interpret, interpretEdit, MONTHS_LONG, targetOf, type CommandUpdates } from './quick-actions.js';
import { endPosition, moveBetween } from './relative-position.js';
import type { World } from './world.js';
import type { IssueRecord, NoteRecord, ProjectRecord, SandboxTier, UserRecord } from './types.js';

export interface HookEvent {
  projectId: number;
  kind: 'issue' | 'note';
  /** Confidential issue or internal note: only hooks with the confidential_* flag get it. */
  confidential: boolean;
  payload: Payload;
}
export type Emit = (event: HookEvent) => void;

/** A resolved change to an issue (label names already turned into ids). */
export interface IssueChange {
  title?: string;
  description?: string | null;
  labelIds?: number[];
  addLabelIds?: number[];
  removeLabelIds?: number[];
  assigneeIds?: number[];
  dueDate?: string | null;
  stateEvent?: 'close' | 'reopen';
  confidential?: boolean;
  discussionLocked?: boolean;
}

export interface NewIssueInput {
  title: string;
  description?: string | null;
  labelIds?: number[];
  assigneeIds?: number[];
  dueDate?: string | null;
  confidential?: boolean;
  discussionLocked?: boolean;
  /** Default 'issue'. */
  workItemType?: 'issue' | 'task';
  /** Placed at once (an import), not after the placement delay. */
  placeNow?: boolean;
}

export interface IssueServiceOptions {
  tier?: SandboxTier;
  placementDelayMs?: number;
}

export interface CommandsResult {
  commands_changes: CommandUpdates;
  summary: string[];
}

export class IssueService {
  constructor(
    private readonly world: World,
    private readonly opts: IssueServiceOptions = {},
  ) {}

  /**
   * The assignees GitLab keeps: on Free only the first of several (filter_assignees_using_checks
   * takes `first(1)` unless the project allows multiple assignees), whichever form asked for them.
   */
  private allowedAssignees(ids: number[]): number[] {
    const unique = [...new Set(ids)];
    return this.opts.tier === 'free' ? unique.slice(0, 1) : unique;
  }

  createIssue(project: ProjectRecord, actor: UserRecord, input: NewIssueInput, emit: Emit): IssueRecord {
    const w = this.world;
    const at = w.now();
    let change: IssueChange = {};
    let description = input.description ?? null;
    if (description !== null) {
      const target = {
        projectId: project.id,
        persisted: false,
        state: 'opened' as const,
        labelIds: input.labelIds ?? [],
        assigneeIds: input.assigneeIds ?? [],
        dueDate: input.dueDate ?? null,
      };
      const qa = interpret(w, target, actor, description);
      description = qa.content;
      change = commandsToChange(qa.updates);
    }
    let labelIds = [...new Set(input.labelIds ?? [])];
    if (change.labelIds) labelIds = change.labelIds;
    labelIds = [...new Set([...labelIds, ...(change.addLabelIds ?? [])])].filter((id) => !(change.removeLabelIds ?? []).includes(id));
    const issue: IssueRecord = {
      id: w.newIssueId(),
      iid: project.nextIid++,
      projectId: project.id,
      title: input.title,
      description,
      state: 'opened',
      labelIds,
      assigneeIds: this.allowedAssignees(change.assigneeIds ?? input.assigneeIds ?? []),
      authorId: actor.id,
      dueDate: change.dueDate !== undefined ? change.dueDate : (input.dueDate ?? null),
      confidential: input.confidential ?? false,
      discussionLocked: input.discussionLocked ?? null,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      closedById: null,
      updatedById: null,
      lastEditedAt: null,
      lastEditedById: null,
      relativePosition: null,
      placeAt: null,
      workItemType: input.workItemType ?? 'issue',
    };
    // The position comes later (Issues::PlacementWorker), unless there is no delay to play.
    const delay = input.placeNow ? 0 : (this.opts.placementDelayMs ?? 0);
    if (delay <= 0) issue.relativePosition = endPosition(w.positionScope(project.id), issue);
    else issue.placeAt = at + delay;
    w.issues.set(issue.id, issue);
    for (const id of issue.labelIds) w.addLabelEvent(issue.id, actor.id, id, 'add', at);
    emit(this.issueEvent(issue, actor, 'open', creationChanges(snapshot(w, issue))));
    return issue;
  }

  /**
   * GitLab's Issues::UpdateService: description quick actions first, then a state event
   * (its own close/reopen hook), then everything else (one update hook if anything changed).
   */
  updateIssue(issue: IssueRecord, actor: UserRecord, input: IssueChange, emit: Emit): IssueRecord {
    const w = this.world;
    let change = { ...input };
    if (change.description !== undefined && change.description !== null) {
      const qa = interpretEdit(w, targetOf(issue), actor, change.description, issue.description);
      change = { ...change, ...commandsToChange(qa.updates), description: qa.content };
    }
    if (change.stateEvent) this.changeState(issue, actor, change.stateEvent, emit);

    const before = snapshot(w, issue);
    const at = w.now();
    let labelIds = change.labelIds ?? [...issue.labelIds];
    labelIds = [...new Set([...labelIds, ...(change.addLabelIds ?? [])])];
    labelIds = labelIds.filter((id) => !(change.removeLabelIds ?? []).includes(id));
    const removed = issue.labelIds.filter((id) => !labelIds.includes(id));
    const added = labelIds.filter((id) => !issue.labelIds.includes(id));
    if (removed.length > 0 || added.length > 0) issue.labelIds = labelIds;

    const assignees = change.assigneeIds ? this.allowedAssignees(change.assigneeIds) : issue.assigneeIds;
    const oldAssignees = issue.assigneeIds;
    const assigneesChanged = !sameSet(assignees, oldAssignees);
    if (assigneesChanged) issue.assigneeIds = assignees;

    const notes: string[] = [];
    let edited = false;
    if (change.title !== undefined && change.title !== issue.title) {
      notes.push(`changed title from **${issue.title}** to **${change.title}**`);
      issue.title = change.title;
      edited = true;
    }
    if (change.description !== undefined && change.description !== issue.description) {
      issue.description = change.description;
      notes.push('changed the description');
      edited = true;
    }
    if (change.dueDate !== undefined && change.dueDate !== issue.dueDate) {
      issue.dueDate = change.dueDate;
      notes.push(change.dueDate === null ? 'removed due date' : `changed due date to ${longDate(change.dueDate)}`);
    }
    if (change.confidential !== undefined && change.confidential !== issue.confidential) {
      issue.confidential = change.confidential;
      notes.push(change.confidential ? 'made the issue confidential' : 'made the issue visible to everyone');
    }
    if (change.discussionLocked !== undefined && change.discussionLocked !== issue.discussionLocked) {
      issue.discussionLocked = change.discussionLocked;
    }
    if (assigneesChanged) notes.unshift(assigneeNote(w, oldAssignees, assignees));

    const after = snapshot(w, issue);
    if (Object.keys(changesBetween(before, after)).length === 0) return issue;
    // updated_at always moves on a real update, even within the same millisecond.
    issue.updatedAt = Math.max(at, issue.updatedAt + 1);
    issue.updatedById = actor.id;
    if (edited) {
      issue.lastEditedAt = issue.updatedAt;
      issue.lastEditedById = actor.id;
    }
    // GitLab writes the label events after the issue is saved (ResourceEvents::ChangeLabelsService,
    // created_at: Time.current): a moment after the updated_at the issue and its hook carry.
    for (const id of added) w.addLabelEvent(issue.id, actor.id, id, 'add', issue.updatedAt + 1);
    for (const id of removed) w.addLabelEvent(issue.id, actor.id, id, 'remove', issue.updatedAt + 1);
    for (const body of notes) this.addSystemNote(issue, actor, body);
    emit(this.issueEvent(issue, actor, 'update', changesBetween(before, snapshot(w, issue))));
    return issue;
  }

  private changeState(issue: IssueRecord, actor: UserRecord, event: 'close' | 'reopen', emit: Emit): void {
    if ((event === 'close') !== (issue.state === 'opened')) return; // already there: nothing happens
    const before = snapshot(this.world, issue);
    const at = this.world.now();
    if (event === 'close') {
      issue.state = 'closed';
      issue.closedAt = at;
      issue.closedById = actor.id;
    } else {
      issue.state = 'opened';
      issue.closedAt = null;
      issue.closedById = null;
    }
    issue.updatedAt = Math.max(at, issue.updatedAt + 1);
    emit(this.issueEvent(issue, actor, event, changesBetween(before, snapshot(this.world, issue))));
  }

  /**
   * PUT …/reorder. `beforeId` ends up immediately before (above) the issue, `afterId` immediately
   * after it. Returns false when GitLab would answer 422. Timestamps are untouched (GitLab's
   * update_timestamp? is false for a pure move), so the hook's changes hold only relative_position.
   */
  reorder(issue: IssueRecord, actor: UserRecord, beforeId: number | undefined, afterId: number | undefined, emit: Emit): boolean {
    const w = this.world;
    const scope = w.positionScope(issue.projectId);
    const find = (id: number | undefined): IssueRecord | undefined | null => {
      if (id === undefined) return undefined;
      const other = w.issues.get(id);
      return other && other !== issue && scope.includes(other) ? other : null;
    };
    const before = find(beforeId);
    const after = find(afterId);
    if (before === null || after === null || (!before && !after) || (before && before === after)) return false;
    const prior = snapshot(w, issue);
    moveBetween(scope, issue, before, after);
    const changes = changesBetween(prior, snapshot(w, issue));
    if (Object.keys(changes).length > 0) emit(this.issueEvent(issue, actor, 'update', changes));
    return true;
  }

  /** POST …/notes. A note of only commands is not saved: the caller answers 202 with the result. */
  createNote(
    issue: IssueRecord,
    actor: UserRecord,
    body: string,
    internal: boolean,
    emit: Emit,
  ): { note: NoteRecord | null; commands: CommandsResult } {
    const qa = interpret(this.world, targetOf(issue), actor, body);
    const commands = { commands_changes: qa.updates, summary: qa.messages };
    let note: NoteRecord | null = null;
    if (qa.commandCount === 0 || qa.content.trim() !== '') {
      note = this.saveNote(issue, actor, qa.commandCount > 0 ? qa.content : body, internal, false);
      emit(this.noteEvent(note, issue, 'create'));
    }
    this.applyCommands(issue, actor, qa.updates, emit);
    return { note, commands };
  }

  /** PUT …/notes/:note_id. Quick actions run on edits too; an edit down to only commands deletes the note. */
  editNote(note: NoteRecord, actor: UserRecord, body: string, emit: Emit): { note: NoteRecord | null; commands: CommandsResult } {
    const issue = this.world.issues.get(note.issueId) as IssueRecord;
    const qa = interpret(this.world, targetOf(issue), actor, body);
    const commands = { commands_changes: qa.updates, summary: qa.messages };
    const text = qa.commandCount > 0 ? qa.content : body;
    if (qa.commandCount > 0 && text.trim() === '') {
      this.world.notes.delete(note.id);
      this.applyCommands(issue, actor, qa.updates, emit);
      return { note: null, commands };
    }
    if (text !== note.body) {
      note.body = text;
      note.updatedAt = this.world.now();
      note.updatedById = actor.id;
      issue.updatedAt = note.updatedAt;
      emit(this.noteEvent(note, issue, 'update'));
    }
    this.applyCommands(issue, actor, qa.updates, emit);
    return { note, commands };
  }

  private applyCommands(issue: IssueRecord, actor: UserRecord, updates: CommandUpdates, emit: Emit): void {
    if (Object.keys(updates).length > 0) this.updateIssue(issue, actor, commandsToChange(updates), emit);
  }

  private saveNote(issue: IssueRecord, author: UserRecord, body: string, internal: boolean, system: boolean): NoteRecord {
    const id = this.world.newNoteId();
    const at = this.world.now();
    const note: NoteRecord = {
      id,
      issueId: issue.id,
      projectId: issue.projectId,
      body,
      authorId: author.id,
      system,
      internal,
      discussionId: discussionId(id),
      createdAt: at,
      updatedAt: at,
      updatedById: null,
    };
    this.world.notes.set(id, note);
    // A comment bumps the issue's updated_at without going through the update service (no hook).
    issue.updatedAt = at;
    return note;
  }

  /** System notes never reach Note Hooks (GitLab's post-process service skips them). */
  private addSystemNote(issue: IssueRecord, actor: UserRecord, body: string): void {
    this.saveNote(issue, actor, body, false, true);
  }

  private issueEvent(issue: IssueRecord, actor: UserRecord, action: 'open' | 'update' | 'close' | 'reopen', changes: Payload): HookEvent {
    return {
      projectId: issue.projectId,
      kind: 'issue',
      confidential: issue.confidential,
      payload: issueHookPayload(this.world, issue, actor, action, changes),
    };
  }

  private noteEvent(note: NoteRecord, issue: IssueRecord, action: 'create' | 'update'): HookEvent {
    return {
      projectId: issue.projectId,
      kind: 'note',
      confidential: note.internal || issue.confidential,
      payload: noteHookPayload(this.world, note, issue, action),
    };
  }
}

export function commandsToChange(u: CommandUpdates): IssueChange {
  const c: IssueChange = {};
  if (u.label_ids) c.labelIds = u.label_ids;
  if (u.add_label_ids) c.addLabelIds = u.add_label_ids;
  if (u.remove_label_ids) c.removeLabelIds = u.remove_label_ids;
  if (u.assignee_ids) c.assigneeIds = u.assignee_ids;
  if (u.due_date !== undefined) c.dueDate = u.due_date;
  if (u.state_event) c.stateEvent = u.state_event;
  if (u.title !== undefined) c.title = u.title;
  return c;
}

function assigneeNote(world: World, before: number[], after: number[]): string {
  const name = (id: number): string => '@' + world.user(id).username;
  const added = after.filter((id) => !before.includes(id)).map(name);
  const removed = before.filter((id) => !after.includes(id)).map(name);
  const parts: string[] = [];
  if (added.length > 0) parts.push(`assigned to ${joinNames(added)}`);
  if (removed.length > 0) parts.push(`unassigned ${joinNames(removed)}`);
  return parts.join(' and ');
}

function joinNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${MONTHS_LONG[(m as number) - 1]} ${d}, ${y}`;
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
