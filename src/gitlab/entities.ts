// What GitLab's REST API v4 answers, as far as Rhythm reads it: one zod schema per answer the door
// reads, checked against GitLab's own entities (gitlabhq lib/api/entities/*.rb) and its database
// schema. The door parses every answer through these, so a GitLab that answers something else
// fails at the door with the route and the field, not deep inside a rule. z.object strips the
// fields Rhythm does not read (an issue answer carries ~40), which also keeps lists of 10,000
// issues small in memory. The types in types.ts are inferred from these schemas.
import { z } from 'zod';

/**
 * Entities::UserBasic (user_basic.rb < user_safe.rb): `id`, `username`, `name` are always there;
 * `name` may be redacted but is still a string. Also the part of GET /user (Entities::UserPublic
 * and up, a superset) and of GET /users?username= that Rhythm reads.
 */
export const userEntity = z.object({
  id: z.number().int(),
  username: z.string(),
  name: z.string(),
});

/**
 * Entities::IssueBasic / Entities::Issue (issuable_entity.rb, issue_basic.rb, issue.rb): the
 * list answer, GET one, POST (create) and PUT (edit) all carry these. `labels` is an array of
 * names unless `with_labels_details` is asked for (the door never asks). Nullable per GitLab:
 * `description` (issues.description is a nullable column), `due_date`, `closed_at`, and `author`
 * (issues.author_id is set to NULL when a user is deleted before the ghost-user migration ran;
 * Rhythm already reads it as `issue.author?.`).
 */
export const issueEntity = z.object({
  id: z.number().int(),
  iid: z.number().int(),
  project_id: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  state: z.enum(['opened', 'closed']),
  labels: z.array(z.string()),
  assignees: z.array(userEntity),
  author: userEntity.nullable(),
  due_date: z.string().nullable(),
  confidential: z.boolean(),
  web_url: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  closed_at: z.string().nullable(),
  /**
   * How many notes people (and bots) wrote on it, system notes aside (Entities::IssueBasic,
   * `user_notes_count`): the card memory tells from it that a note was deleted. Optional: an
   * answer without it only costs the memory that hint.
   */
  user_notes_count: z.number().int().optional(),
  /**
   * The work item type: issue, incident, test_case, task (lowercase, as REST answers it). Tasks
   * are listed with issues but are no board's cards. Optional: older answers lack it.
   */
  issue_type: z.string().optional(),
});

/**
 * Entities::Note (note.rb): list, POST and PUT answer this. `body` is the note text, `system` is
 * true for GitLab's own change notes. (A POST whose body is only quick actions answers 202 with
 * Entities::NoteCommands instead; see noteCommandsEntity.)
 */
export const noteEntity = z.object({
  id: z.number().int(),
  body: z.string(),
  author: userEntity,
  system: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

/**
 * Entities::NoteCommands: the 202 answer to a note made only of quick actions (no note saved).
 * `summary` (the commands' messages) is what tells it from a note, which has no such field.
 */
export const noteCommandsEntity = z.object({
  commands_changes: z.record(z.string(), z.unknown()),
  summary: z.array(z.string()),
});

/**
 * Entities::ResourceLabelEvent (resource_label_event.rb): `label` (Entities::LabelBasic) is null
 * once the label was deleted, and `user` is null when the acting user is gone
 * (doc/api/resource_label_events.md; the gitlab Rust crate types it the same way).
 */
export const labelEventEntity = z.object({
  id: z.number().int(),
  user: userEntity.nullable(),
  created_at: z.string(),
  label: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  action: z.enum(['add', 'remove']),
});

/**
 * Entities::ProjectHook < Entities::Hook (project_hook.rb, hook.rb). In the web_hooks table
 * `push_events`, `issues_events`, `note_events` and `confidential_issues_events` are NOT NULL,
 * but `confidential_note_events` and `enable_ssl_verification` are nullable columns (db/schema.rb),
 * so old hooks can answer null there. `alert_status` exists since GitLab 15.x (auto-disabling).
 * `token` is never returned.
 */
export const hookEntity = z.object({
  id: z.number().int(),
  url: z.string(),
  issues_events: z.boolean(),
  confidential_issues_events: z.boolean(),
  note_events: z.boolean(),
  confidential_note_events: z.boolean().nullable(),
  push_events: z.boolean(),
  enable_ssl_verification: z.boolean().nullable(),
  /** `executable`, `temporarily_disabled` or `disabled` (for good); absent on GitLab before auto-disabling. */
  alert_status: z.string().optional(),
  /** As stored: it stays set (in the past) after a temporary disable ran out, so read it with alert_status. */
  disabled_until: z.string().nullable().optional(),
});

/**
 * Entities::PersonalAccessToken (GET /personal_access_tokens/self, doc/api/personal_access_tokens.md):
 * the calling token's scopes and expiry. `expires_at` is a date (YYYY-MM-DD) or null (never).
 */
export const tokenEntity = z.object({
  id: z.number().int(),
  name: z.string(),
  scopes: z.array(z.string()),
  active: z.boolean(),
  revoked: z.boolean(),
  expires_at: z.string().nullable(),
  user_id: z.number().int(),
});

/** Entities::Member (doc/api/members.md): a member and their role (Gitlab::Access, 10…50). */
export const memberEntity = z.object({
  id: z.number().int(),
  username: z.string(),
  access_level: z.number().int(),
});

/** Entities::Label / ProjectLabel: Rhythm reads only the name. */
export const labelEntity = z.object({
  id: z.number().int(),
  name: z.string(),
});

/** Entities::Project (GET /projects/:id): which namespace the project lives in. */
export const projectEntity = z.object({
  id: z.number().int(),
  path_with_namespace: z.string(),
  namespace: z.object({ id: z.number().int(), full_path: z.string() }),
});

/**
 * Entities::Namespace (GET /namespaces/:id). `plan` (the subscription) is there on GitLab.com for
 * members who may see it, and absent elsewhere.
 */
export const namespaceEntity = z.object({
  id: z.number().int(),
  full_path: z.string(),
  plan: z.string().nullable().optional(),
});

/** GET /metadata (doc/api/metadata.md): `enterprise` is false on the Community Edition. */
export const metadataEntity = z.object({
  version: z.string(),
  enterprise: z.boolean().optional(),
});

/**
 * Entities::WebHookLog, from GET /projects/:id/hooks/:hook_id/events (GitLab 17.3+, the past
 * 7 days, newest first). `response_status` is a string: a code, or 'internal error' when GitLab
 * got no answer (timeout, refused connection).
 */
export const hookEventEntity = z.object({
  id: z.number().int(),
  url: z.string(),
  trigger: z.string(),
  response_status: z.union([z.string(), z.number()]).transform(String),
  created_at: z.string(),
});
