// Webhook bodies shaped like GitLab's data builders (lib/gitlab/data_builder/issuable.rb, note.rb,
// lib/gitlab/hook_data/issue_builder.rb, note_builder.rb). A payload is a snapshot taken when the
// change happens, not when it is delivered.

import { createHash } from 'node:crypto';
import { avatarUrl } from './rest-entities.js';
import { hookTime, restTime } from './time-format.js';
import type { World } from './world.js';
import type { IssueRecord, LabelRecord, NoteRecord, ProjectRecord, UserRecord } from './types.js';

export type Payload = Record<string, unknown>;

export function userHookAttrs(user: UserRecord): Payload {
  // GitLab redacts the email unless the user made it public; sandbox users have none public.
  return { id: user.id, name: user.name, username: user.username, avatar_url: avatarUrl(user), email: '[REDACTED]' };
}

export function projectHookAttrs(world: World, p: ProjectRecord): Payload {
  const web = world.projectWebUrl(p);
  const ssh = `git@sandbox.invalid:${p.pathWithNamespace}.git`;
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    web_url: web,
    avatar_url: null,
    git_ssh_url: ssh,
    git_http_url: `${web}.git`,
    namespace: p.namespace.name,
    visibility_level: 10,
    path_with_namespace: p.pathWithNamespace,
    default_branch: 'main',
    ci_config_path: null,
    homepage: web,
    url: ssh,
    ssh_url: ssh,
    http_url: `${web}.git`,
  };
}

export function repositoryHookAttrs(world: World, p: ProjectRecord): Payload {
  const web = world.projectWebUrl(p);
  return { name: p.name, url: `git@sandbox.invalid:${p.pathWithNamespace}.git`, description: p.description, homepage: web };
}

export function labelHookAttrs(l: LabelRecord): Payload {
  return {
    id: l.id,
    title: l.name,
    color: l.color,
    project_id: l.projectId,
    created_at: restTime(l.createdAt),
    updated_at: restTime(l.updatedAt),
    template: false,
    description: l.description,
    type: 'ProjectLabel',
    group_id: null,
  };
}

/** The issue as IssueBuilder#build renders it (object_attributes without `action`, and the Note Hook's `issue`). */
export function issueHookAttrs(world: World, issue: IssueRecord): Payload {
  return {
    author_id: issue.authorId,
    closed_at: hookTime(issue.closedAt),
    confidential: issue.confidential,
    created_at: hookTime(issue.createdAt),
    description: issue.description,
    discussion_locked: issue.discussionLocked,
    due_date: issue.dueDate,
    id: issue.id,
    iid: issue.iid,
    last_edited_at: hookTime(issue.lastEditedAt),
    last_edited_by_id: issue.lastEditedById,
    milestone_id: null,
    moved_to_id: null,
    duplicated_to_id: null,
    project_id: issue.projectId,
    relative_position: issue.relativePosition,
    state_id: issue.state === 'opened' ? 1 : 2,
    time_estimate: 0,
    title: issue.title,
    updated_at: hookTime(issue.updatedAt),
    updated_by_id: issue.updatedById,
    weight: null,
    health_status: null,
    type: issue.workItemType === 'task' ? 'Task' : 'Issue',
    url: world.issueWebUrl(issue),
    total_time_spent: 0,
    time_change: 0,
    human_total_time_spent: null,
    human_time_change: null,
    human_time_estimate: null,
    assignee_ids: [...issue.assigneeIds],
    assignee_id: issue.assigneeIds[0] ?? null,
    labels: issue.labelIds.map((id) => labelHookAttrs(world.label(id))),
    state: issue.state,
    severity: 'unknown',
    customer_relations_contacts: [],
  };
}

/** What `changes` can be computed from: the safe attributes plus the label and assignee relations. */
export interface IssueSnapshot {
  attrs: Payload;
  labels: Payload[];
  assignees: Payload[];
  labelIds: number[];
  assigneeIds: number[];
  /** Timestamps in ms: the payload strings have whole seconds, but a change within a second is still a change. */
  times: Record<string, number | null>;
}

export function snapshot(world: World, issue: IssueRecord): IssueSnapshot {
  return {
    attrs: issueHookAttrs(world, issue),
    labels: issue.labelIds.map((id) => labelHookAttrs(world.label(id))),
    assignees: issue.assigneeIds.map((id) => userHookAttrs(world.user(id))),
    labelIds: [...issue.labelIds],
    assigneeIds: [...issue.assigneeIds],
    times: { updated_at: issue.updatedAt, closed_at: issue.closedAt, last_edited_at: issue.lastEditedAt },
  };
}

// IssueBuilder's safe attributes that a write can change.
const CHANGE_KEYS = [
  'title',
  'description',
  'due_date',
  'state_id',
  'confidential',
  'discussion_locked',
  'relative_position',
  'closed_at',
  'updated_at',
  'updated_by_id',
  'last_edited_at',
  'last_edited_by_id',
] as const;

// Columns set on creation (and so in the creation diff of an `open` event).
const CREATION_KEYS = [
  'author_id',
  'created_at',
  'description',
  'due_date',
  'id',
  'iid',
  'project_id',
  'relative_position',
  'title',
  'updated_at',
] as const;

export function changesBetween(before: IssueSnapshot, after: IssueSnapshot): Payload {
  const changes: Payload = {};
  for (const key of CHANGE_KEYS) {
    const previous = before.attrs[key];
    const current = after.attrs[key];
    const changed = key in before.times ? before.times[key] !== after.times[key] : previous !== current;
    if (changed) changes[key] = { previous, current };
  }
  if (!sameIds(before.labelIds, after.labelIds)) changes['labels'] = { previous: before.labels, current: after.labels };
  if (!sameIds(before.assigneeIds, after.assigneeIds)) changes['assignees'] = { previous: before.assignees, current: after.assignees };
  return changes;
}

export function creationChanges(after: IssueSnapshot): Payload {
  const changes: Payload = {};
  for (const key of CREATION_KEYS) {
    const current = after.attrs[key];
    if (current !== null && current !== undefined) changes[key] = { previous: null, current };
  }
  if (after.attrs['confidential'] === true) changes['confidential'] = { previous: false, current: true };
  return changes;
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export function issueHookPayload(
  world: World,
  issue: IssueRecord,
  actor: UserRecord,
  action: 'open' | 'update' | 'close' | 'reopen',
  changes: Payload,
): Payload {
  const project = world.project(issue.projectId);
  const attrs = issueHookAttrs(world, issue);
  const payload: Payload = {
    // Issue Hooks for every work item type but issues (a task…) say work_item
    // (doc/user/project/integrations/webhook_events.md, "Work item events").
    object_kind: issue.workItemType === 'task' ? 'work_item' : 'issue',
    event_type: issue.workItemType === 'task' ? 'work_item' : issue.confidential ? 'confidential_issue' : 'issue',
    user: userHookAttrs(actor),
    project: projectHookAttrs(world, project),
    object_attributes: { ...attrs, action },
    labels: attrs['labels'],
    changes,
    repository: repositoryHookAttrs(world, project),
  };
  if (issue.assigneeIds.length > 0) {
    const assignees = issue.assigneeIds.map((id) => userHookAttrs(world.user(id)));
    payload['assignees'] = assignees;
    payload['assignee'] = assignees[0];
  }
  return payload;
}

export function discussionId(noteId: number): string {
  return createHash('sha1').update(`sandbox-note-${noteId}`).digest('hex');
}

export function noteHookPayload(world: World, note: NoteRecord, issue: IssueRecord, action: 'create' | 'update'): Payload {
  const project = world.project(issue.projectId);
  const author = world.user(note.authorId);
  return {
    object_kind: 'note',
    event_type: note.internal || issue.confidential ? 'confidential_note' : 'note',
    user: userHookAttrs(author),
    project_id: project.id,
    project: projectHookAttrs(world, project),
    object_attributes: {
      attachment: null,
      author_id: note.authorId,
      change_position: null,
      commit_id: null,
      created_at: hookTime(note.createdAt),
      discussion_id: note.discussionId,
      id: note.id,
      line_code: null,
      note: note.body,
      noteable_id: issue.id,
      noteable_type: 'Issue',
      original_position: null,
      position: null,
      project_id: project.id,
      resolved_at: null,
      resolved_by_id: null,
      resolved_by_push: null,
      st_diff: null,
      system: false,
      type: null,
      updated_at: hookTime(note.updatedAt),
      updated_by_id: note.updatedById,
      internal: note.internal,
      description: note.body,
      url: `${world.issueWebUrl(issue)}#note_${note.id}`,
      action,
    },
    repository: repositoryHookAttrs(world, project),
    issue: issueHookAttrs(world, issue),
  };
}
