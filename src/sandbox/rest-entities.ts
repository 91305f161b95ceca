// The JSON GitLab's REST API v4 returns for each record (lib/api/entities/*), built from the world.
// relative_position is deliberately absent from issues: GitLab only shows it in webhooks.

import { createHash } from 'node:crypto';
import { restTime } from './time-format.js';
import type { AlertStatus } from './hook-health.js';
import type { World } from './world.js';
import type {
  HookRecord,
  IssueRecord,
  LabelEventRecord,
  LabelRecord,
  NoteRecord,
  ProjectRecord,
  TokenRecord,
  UserRecord,
} from './types.js';

export function avatarUrl(user: UserRecord): string {
  const md5 = createHash('md5').update(user.email).digest('hex');
  return `https://www.gravatar.com/avatar/${md5}?s=80&d=identicon`;
}

export function userBasic(world: World, user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: 'active',
    locked: false,
    avatar_url: avatarUrl(user),
    web_url: `${world.baseUrl}/${user.username}`,
  };
}

/**
 * GET /user: Entities::UserPublic (lib/api/entities/user_public.rb < user.rb < user_basic.rb <
 * user_safe.rb), every field GitLab answers a non-admin about themselves
 * (doc/api/users.md, "Retrieve the current user").
 */
export function currentUser(world: World, user: UserRecord): Record<string, unknown> {
  const used = [...world.tokens.values()]
    .filter((t) => t.userId === user.id && t.lastUsedAt !== null)
    .reduce<number | null>((best, t) => Math.max(best ?? 0, t.lastUsedAt as number), null);
  const signedIn = used ?? user.createdAt;
  return {
    ...userBasic(world, user),
    created_at: restTime(user.createdAt),
    bio: '',
    location: '',
    public_email: null,
    skype: '',
    linkedin: '',
    twitter: '',
    discord: '',
    website_url: '',
    organization: '',
    job_title: '',
    pronouns: null,
    bot: user.bot,
    work_information: null,
    followers: 0,
    following: 0,
    is_followed: false,
    local_time: null,
    last_sign_in_at: restTime(signedIn),
    confirmed_at: restTime(user.createdAt),
    last_activity_on: restTime(signedIn).slice(0, 10),
    email: user.email,
    theme_id: 3,
    color_scheme_id: 1,
    projects_limit: 100000,
    current_sign_in_at: restTime(signedIn),
    identities: [],
    can_create_group: true,
    can_create_project: true,
    two_factor_enabled: false,
    external: false,
    private_profile: false,
    commit_email: user.email,
    preferred_language: 'en',
    is_admin: false,
    note: null,
    namespace_id: user.id,
    created_by: null,
    email_reset_offered_at: null,
  };
}

/** GET /personal_access_tokens/self: Entities::PersonalAccessToken (doc/api/personal_access_tokens.md). */
export function tokenEntity(world: World, t: TokenRecord): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    revoked: t.revoked,
    created_at: restTime(t.createdAt),
    description: null,
    scopes: [...t.scopes],
    user_id: t.userId,
    last_used_at: restTime(t.lastUsedAt),
    active: world.isActive(t),
    expires_at: t.expiresAt,
  };
}

/** A project member: Entities::Member (doc/api/members.md), user fields and the access level. */
export function memberEntity(world: World, project: ProjectRecord, user: UserRecord): Record<string, unknown> {
  return {
    ...userBasic(world, user),
    access_level: world.accessLevel(project, user.id),
    created_at: restTime(project.createdAt),
    created_by: null,
    expires_at: null,
    group_saml_identity: null,
    membership_state: 'active',
  };
}

/**
 * GET /namespaces/:id (doc/api/namespaces.md). `plan` is GitLab.com's subscription of the
 * top-level namespace; the sandbox plays GitLab.com, so it always says it.
 */
export function namespaceEntity(world: World, project: ProjectRecord, plan: string): Record<string, unknown> {
  const ns = project.namespace;
  return {
    id: ns.id,
    name: ns.name,
    path: ns.path,
    kind: 'group',
    full_path: ns.fullPath,
    parent_id: null,
    avatar_url: null,
    web_url: `${world.baseUrl}/groups/${ns.fullPath}`,
    members_count_with_descendants: project.memberIds.length,
    billable_members_count: project.memberIds.length,
    plan,
    end_date: null,
    trial_ends_on: null,
    trial: false,
    root_repository_size: 0,
    projects_count: [...world.projects.values()].filter((p) => p.namespace.id === ns.id).length,
  };
}

export function projectEntity(world: World, p: ProjectRecord): Record<string, unknown> {
  const web = world.projectWebUrl(p);
  return {
    id: p.id,
    description: p.description,
    name: p.name,
    name_with_namespace: `${p.namespace.name} / ${p.name}`,
    path: p.path,
    path_with_namespace: p.pathWithNamespace,
    created_at: restTime(p.createdAt),
    default_branch: 'main',
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@sandbox.invalid:${p.pathWithNamespace}.git`,
    http_url_to_repo: `${web}.git`,
    web_url: web,
    readme_url: null,
    avatar_url: null,
    forks_count: 0,
    star_count: 0,
    last_activity_at: restTime(p.createdAt),
    namespace: {
      id: p.namespace.id,
      name: p.namespace.name,
      path: p.namespace.path,
      kind: 'group',
      full_path: p.namespace.fullPath,
      parent_id: null,
      avatar_url: null,
      web_url: `${world.baseUrl}/groups/${p.namespace.fullPath}`,
    },
    visibility: 'internal',
    issues_enabled: true,
    open_issues_count: world.projectIssues(p.id).filter((i) => i.state === 'opened').length,
    archived: false,
    _links: {
      self: `${world.baseUrl}/api/v4/projects/${p.id}`,
      issues: `${world.baseUrl}/api/v4/projects/${p.id}/issues`,
      labels: `${world.baseUrl}/api/v4/projects/${p.id}/labels`,
    },
  };
}

export function textColor(color: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(color);
  if (!m) return '#FFFFFF';
  const n = parseInt(m[1] as string, 16);
  const luminance = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luminance > 160 ? '#333333' : '#FFFFFF';
}

export function labelEntity(world: World, l: LabelRecord): Record<string, unknown> {
  const issues = world.projectIssues(l.projectId).filter((i) => i.labelIds.includes(l.id));
  return {
    id: l.id,
    name: l.name,
    color: l.color,
    text_color: textColor(l.color),
    description: l.description,
    description_html: l.description ?? '',
    open_issues_count: issues.filter((i) => i.state === 'opened').length,
    closed_issues_count: issues.filter((i) => i.state === 'closed').length,
    open_merge_requests_count: 0,
    subscribed: false,
    priority: null,
    is_project_label: true,
    archived: false,
  };
}

export function issueEntity(world: World, issue: IssueRecord, withLabelDetails = false): Record<string, unknown> {
  const project = world.project(issue.projectId);
  const labels = issue.labelIds.map((id) => world.label(id)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const assignees = issue.assigneeIds.map((id) => userBasic(world, world.user(id)));
  const notes = world.issueNotes(issue.id).filter((n) => !n.system).length;
  const self = `${world.baseUrl}/api/v4/projects/${project.id}/issues/${issue.iid}`;
  return {
    id: issue.id,
    iid: issue.iid,
    project_id: issue.projectId,
    title: issue.title,
    description: issue.description,
    state: issue.state,
    created_at: restTime(issue.createdAt),
    updated_at: restTime(issue.updatedAt),
    closed_at: restTime(issue.closedAt),
    closed_by: issue.closedById === null ? null : userBasic(world, world.user(issue.closedById)),
    labels: withLabelDetails
      ? labels.map((l) => ({
          id: l.id,
          name: l.name,
          color: l.color,
          description: l.description,
          description_html: l.description ?? '',
          text_color: textColor(l.color),
        }))
      : labels.map((l) => l.name),
    milestone: null,
    assignees,
    author: userBasic(world, world.user(issue.authorId)),
    type: issue.workItemType === 'task' ? 'TASK' : 'ISSUE',
    assignee: assignees[0] ?? null,
    user_notes_count: notes,
    merge_requests_count: 0,
    upvotes: 0,
    downvotes: 0,
    due_date: issue.dueDate,
    confidential: issue.confidential,
    discussion_locked: issue.discussionLocked,
    issue_type: issue.workItemType,
    web_url: world.issueWebUrl(issue),
    time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
    task_completion_status: { count: 0, completed_count: 0 },
    has_tasks: false,
    _links: {
      self,
      notes: `${self}/notes`,
      award_emoji: `${self}/award_emoji`,
      project: `${world.baseUrl}/api/v4/projects/${project.id}`,
      closed_as_duplicate_of: null,
    },
    references: {
      short: `#${issue.iid}`,
      relative: `#${issue.iid}`,
      full: `${project.pathWithNamespace}#${issue.iid}`,
    },
    severity: 'UNKNOWN',
    moved_to_id: null,
    imported: false,
    imported_from: 'none',
    service_desk_reply_to: null,
  };
}

export function noteEntity(world: World, note: NoteRecord, commandsChanges: Record<string, unknown> = {}): Record<string, unknown> {
  const issue = world.issues.get(note.issueId);
  return {
    id: note.id,
    type: null,
    body: note.body,
    author: userBasic(world, world.user(note.authorId)),
    created_at: restTime(note.createdAt),
    updated_at: restTime(note.updatedAt),
    system: note.system,
    noteable_id: note.issueId,
    noteable_type: 'Issue',
    project_id: note.projectId,
    resolvable: false,
    confidential: note.internal,
    internal: note.internal,
    imported: false,
    imported_from: 'none',
    noteable_iid: issue?.iid ?? null,
    commands_changes: commandsChanges,
  };
}

export function labelEventEntity(world: World, e: LabelEventRecord): Record<string, unknown> {
  const label = world.labels.get(e.labelId);
  return {
    id: e.id,
    user: userBasic(world, world.user(e.userId)),
    created_at: restTime(e.createdAt),
    resource_type: 'Issue',
    resource_id: e.issueId,
    label: label
      ? {
          id: label.id,
          name: label.name,
          color: label.color,
          description: label.description,
          description_html: label.description ?? '',
          text_color: textColor(label.color),
        }
      : null,
    action: e.action,
  };
}

/** Entities::ProjectHook: never the token; `disabled_until` as stored (it stays after it ran out). */
export function hookEntity(world: World, hook: HookRecord, status: AlertStatus): Record<string, unknown> {
  return {
    id: hook.id,
    url: hook.url,
    name: hook.name,
    description: hook.description,
    project_id: hook.projectId,
    created_at: restTime(hook.createdAt),
    push_events: hook.pushEvents,
    push_events_branch_filter: null,
    branch_filter_strategy: 'wildcard',
    tag_push_events: false,
    merge_requests_events: false,
    repository_update_events: false,
    issues_events: hook.issuesEvents,
    confidential_issues_events: hook.confidentialIssuesEvents,
    note_events: hook.noteEvents,
    confidential_note_events: hook.confidentialNoteEvents,
    job_events: false,
    pipeline_events: false,
    wiki_page_events: false,
    deployment_events: false,
    feature_flag_events: false,
    releases_events: false,
    emoji_events: false,
    resource_access_token_events: false,
    enable_ssl_verification: hook.enableSslVerification,
    alert_status: status,
    disabled_until: hook.disabledUntil === null ? null : restTime(hook.disabledUntil),
    url_variables: [],
    custom_webhook_template: null,
    custom_headers: [],
  };
}
