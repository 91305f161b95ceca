// GitLab REST API v4 routes the sandbox serves, with GitLab's parameters, status codes and errors.

import { issueHookPayload, noteHookPayload, snapshot, creationChanges } from './hook-payloads.js';
import type { Emit, IssueChange, IssueService } from './issue-service.js';
import { paginate } from './pagination.js';
import { ApiError, invalid, missing, notFound, type Params } from './params.js';
import { FORBIDDEN, issueEditRights } from './roles.js';
import {
  currentUser,
  memberEntity,
  namespaceEntity,
  tokenEntity,
  hookEntity,
  issueEntity,
  labelEntity,
  labelEventEntity,
  noteEntity,
  projectEntity,
  userBasic,
} from './rest-entities.js';
import { Router } from './router.js';
import type { Trigger, WebhookDelivery } from './webhook-delivery.js';
import type { World } from './world.js';
import { ACCESS_LEVELS } from './types.js';
import type { DeliveryRecord, HookRecord, IssueRecord, NoteRecord, ProjectRecord, SandboxTier, TokenRecord, UserRecord } from './types.js';

export interface ApiContext {
  world: World;
  service: IssueService;
  delivery: WebhookDelivery;
  user: UserRecord;
  /** The token the request came with. */
  token: TokenRecord;
  tier: SandboxTier;
  params: Params;
  path: Record<string, string>;
  url: URL;
  emit: Emit;
}

export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type ApiHandler = (ctx: ApiContext) => ApiReply | Promise<ApiReply>;

// GitLab's text limits, in characters as Ruby counts them (code points, not UTF-16 units):
// Issuable::DESCRIPTION_LENGTH_MAX (1.megabyte), Note's MAX_TEXT_SIZE_LIMIT, Issuable::TITLE_LENGTH_MAX.
const MAX_DESCRIPTION = 1_048_576;
const MAX_NOTE = 1_000_000;
const MAX_TITLE = 255;

/** More than `max` characters, counted the way GitLab does (a surrogate pair is one). */
function tooLong(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let chars = text.length;
  for (let i = 0; i < text.length - 1; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) continue;
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      chars -= 1;
      i += 1;
    }
  }
  return chars > max;
}

/**
 * A note over the limit: GitLab answers 400 with the note's validation errors as Ruby prints them
 * (`bad_request!("Note #{note.errors.messages}")`, lib/api/helpers/notes_helpers.rb).
 */
function checkNoteLength(body: string): void {
  if (tooLong(body, MAX_NOTE)) {
    throw new ApiError(400, { message: `400 Bad request - Note {:note=>["is too long (maximum is ${MAX_NOTE} characters)"]}` });
  }
}
const ISSUE_UPDATE_KEYS = [
  'assignee_id',
  'assignee_ids',
  'confidential',
  'created_at',
  'description',
  'discussion_locked',
  'due_date',
  'labels',
  'add_labels',
  'remove_labels',
  'milestone_id',
  'state_event',
  'title',
  'issue_type',
];

const ok = (body: unknown, status = 200): ApiReply => ({ status, body });

function list<T>(ctx: ApiContext, items: readonly T[], render: (t: T) => unknown): ApiReply {
  const page = paginate(items, ctx.url);
  return { status: 200, body: page.items.map(render), headers: page.headers };
}

function projectOf(ctx: ApiContext): ProjectRecord {
  const p = ctx.world.projectByRef(ctx.path['id'] ?? '');
  // Non-members get the same 404 as for a project that does not exist, as in GitLab.
  if (!p || !p.memberIds.includes(ctx.user.id)) throw notFound('Project');
  return p;
}

function issueOf(ctx: ApiContext, project: ProjectRecord): IssueRecord {
  const iid = Number(ctx.path['issue_iid']);
  const issue = Number.isInteger(iid) ? ctx.world.issueByIid(project.id, iid) : undefined;
  if (!issue) throw notFound('Issue');
  return issue;
}

function noteOf(ctx: ApiContext, issue: IssueRecord): NoteRecord {
  const note = ctx.world.notes.get(Number(ctx.path['note_id']));
  if (!note || note.issueId !== issue.id) throw notFound('Note');
  return note;
}

function hookOf(ctx: ApiContext, project: ProjectRecord): HookRecord {
  const hook = ctx.world.hooks.get(Number(ctx.path['hook_id']));
  if (!hook || hook.projectId !== project.id) throw notFound('Hook');
  return hook;
}

function oneOf<T extends string>(params: Params, key: string, allowed: readonly T[], fallback: T): T {
  const v = params.str(key);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new ApiError(400, { error: `${key} does not have a valid value` });
  return v as T;
}

function dueDateParam(params: Params): string | null | undefined {
  const v = params.nullableStr('due_date');
  if (v === undefined || v === null) return v;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) throw invalid('due_date');
  return v;
}

function labelIdsFor(world: World, project: ProjectRecord, names: string[] | undefined, create: boolean): number[] | undefined {
  if (names === undefined) return undefined;
  const ids: number[] = [];
  for (const n of names) {
    const label = create ? world.findOrCreateLabel(project.id, n) : world.labelByName(project.id, n);
    if (label && !ids.includes(label.id)) ids.push(label.id);
  }
  return ids;
}

function assigneeIdsParam(ctx: ApiContext, project: ProjectRecord): number[] | undefined {
  let ids = ctx.params.intList('assignee_ids');
  if (ids === undefined) {
    const one = ctx.params.has('assignee_id') ? (ctx.params.int('assignee_id') ?? 0) : undefined;
    ids = one === undefined ? undefined : [one];
  }
  if (ids === undefined) return undefined;
  // 0 means "unassign"; unknown users and non-members are ignored, as GitLab does.
  return ids.filter((id) => id !== 0 && ctx.world.users.has(id) && project.memberIds.includes(id));
}

function checkLengths(title: string | undefined, description: string | null | undefined): void {
  if (title !== undefined && tooLong(title, MAX_TITLE))
    throw new ApiError(400, { message: { title: [`is too long (maximum is ${MAX_TITLE} characters)`] } });
  if (description && tooLong(description, MAX_DESCRIPTION)) {
    throw new ApiError(400, { message: { description: [`is too long (maximum is ${MAX_DESCRIPTION} characters)`] } });
  }
}

// ---------- issues ----------

type OrderBy = 'created_at' | 'updated_at' | 'relative_position' | 'due_date' | 'title';
const ORDER_BY_ACCEPTED = [
  'created_at',
  'updated_at',
  'relative_position',
  'due_date',
  'title',
  'label_priority',
  'milestone_due',
  'popularity',
  'priority',
  'weight',
] as const;

export function filterIssues(world: World, project: ProjectRecord, params: Params): IssueRecord[] {
  const state = oneOf(params, 'state', ['opened', 'closed', 'all'] as const, 'all');
  const requested = oneOf(params, 'order_by', ORDER_BY_ACCEPTED, 'created_at');
  // Orders the sandbox does not model fall back to created_at.
  const orderBy: OrderBy = (['created_at', 'updated_at', 'relative_position', 'due_date', 'title'] as const).includes(requested as OrderBy)
    ? (requested as OrderBy)
    : 'created_at';
  const sort = oneOf(params, 'sort', ['asc', 'desc'] as const, 'desc');
  const labels = params.list('labels');
  const notParams = params.nested('not');
  const notLabels = notParams.list('labels');
  const iids = params.intList('iids');
  const search = params.str('search')?.toLowerCase();
  const searchIn = params.list('in') ?? ['title', 'description'];
  const assigneeRaw = params.str('assignee_id');
  const assigneeNames = params.list('assignee_username');
  const authorId = params.int('author_id');
  const authorName = params.str('author_username');
  const confidential = params.bool('confidential');
  const updatedAfter = instantParam(params, 'updated_after');
  const updatedBefore = instantParam(params, 'updated_before');

  const nameOf = (id: number): string => world.label(id).name;
  let issues = world.projectIssues(project.id).filter((i) => {
    if (state !== 'all' && i.state !== state) return false;
    const names = i.labelIds.map(nameOf);
    if (labels && labels.length > 0) {
      const wild = labels[0]?.toLowerCase();
      if (labels.length === 1 && wild === 'none') {
        if (names.length > 0) return false;
      } else if (labels.length === 1 && wild === 'any') {
        if (names.length === 0) return false;
      } else if (!labels.every((l) => names.includes(l))) return false;
    }
    if (notLabels && notLabels.some((l) => names.includes(l))) return false;
    if (iids && !iids.includes(i.iid)) return false;
    if (search) {
      const hay = [searchIn.includes('title') ? i.title : '', searchIn.includes('description') ? (i.description ?? '') : '']
        .join('\n')
        .toLowerCase();
      if (!hay.includes(search)) return false;
    }
    if (assigneeRaw !== undefined) {
      const a = assigneeRaw.toLowerCase();
      if (a === 'none' ? i.assigneeIds.length > 0 : a === 'any' ? i.assigneeIds.length === 0 : !i.assigneeIds.includes(Number(a)))
        return false;
    }
    if (assigneeNames && !assigneeNames.every((n) => i.assigneeIds.some((id) => world.user(id).username === n))) return false;
    if (authorId !== undefined && i.authorId !== authorId) return false;
    if (authorName !== undefined && world.user(i.authorId).username !== authorName) return false;
    if (confidential !== undefined && i.confidential !== confidential) return false;
    if (updatedAfter !== undefined && i.updatedAt < updatedAfter) return false;
    if (updatedBefore !== undefined && i.updatedAt > updatedBefore) return false;
    return true;
  });
  issues = [...issues].sort(issueOrder(orderBy, sort));
  return issues;
}

/** `updated_after` and `updated_before`: an ISO 8601 instant, inclusive (GitLab's "on or after"). */
function instantParam(params: Params, name: string): number | undefined {
  const raw = params.str(name);
  if (raw === undefined) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) throw new ApiError(400, { error: `${name} is invalid` });
  return at;
}

function issueOrder(orderBy: OrderBy, sort: 'asc' | 'desc'): (a: IssueRecord, b: IssueRecord) => number {
  const dir = sort === 'asc' ? 1 : -1;
  const byId = (a: IssueRecord, b: IssueRecord): number => dir * (a.id - b.id);
  switch (orderBy) {
    case 'created_at':
      return (a, b) => dir * (a.createdAt - b.createdAt) || byId(a, b);
    case 'updated_at':
      return (a, b) => dir * (a.updatedAt - b.updatedAt) || byId(a, b);
    case 'title':
      return (a, b) => dir * a.title.localeCompare(b.title) || byId(a, b);
    case 'relative_position':
      // ASC NULLS LAST, DESC NULLS FIRST (what Postgres does by default).
      return (a, b) => {
        if (a.relativePosition === null || b.relativePosition === null) {
          if (a.relativePosition === b.relativePosition) return byId(a, b);
          return (a.relativePosition === null ? 1 : -1) * dir;
        }
        return dir * (a.relativePosition - b.relativePosition) || byId(a, b);
      };
    case 'due_date':
      // NULLS LAST both ways.
      return (a, b) => {
        if (a.dueDate === null || b.dueDate === null) {
          if (a.dueDate === b.dueDate) return byId(a, b);
          return a.dueDate === null ? 1 : -1;
        }
        return dir * a.dueDate.localeCompare(b.dueDate) || byId(a, b);
      };
  }
}

function createIssue(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const title = ctx.params.str('title');
  if (title === undefined || title.trim() === '') throw missing('title');
  const description = ctx.params.has('description') ? (ctx.params.str('description') ?? null) : null;
  checkLengths(title, description);
  const issue = ctx.service.createIssue(
    project,
    ctx.user,
    {
      title,
      description,
      labelIds: labelIdsFor(ctx.world, project, ctx.params.list('labels'), true),
      assigneeIds: assigneeIdsParam(ctx, project),
      dueDate: dueDateParam(ctx.params) ?? null,
      confidential: ctx.params.bool('confidential') ?? false,
      discussionLocked: ctx.params.bool('discussion_locked'),
      workItemType:
        oneOf(ctx.params, 'issue_type', ['issue', 'incident', 'test_case', 'task'] as const, 'issue') === 'task' ? 'task' : 'issue',
    },
    ctx.emit,
  );
  return ok(issueEntity(ctx.world, issue), 201);
}

function updateIssue(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const issue = issueOf(ctx, project);
  const p = ctx.params;
  if (!ISSUE_UPDATE_KEYS.some((k) => p.has(k))) {
    throw new ApiError(400, { error: `${ISSUE_UPDATE_KEYS.join(', ')} are missing, at least one parameter must be provided` });
  }
  // What this member may change here: refused outright when nothing, dropped quietly when it is
  // a Guest author's labels or assignees (GitLab filters those parameters out).
  const rights = issueEditRights(ctx.world.accessLevel(project, ctx.user.id), issue.authorId === ctx.user.id);
  const wantsContent = p.has('title') || p.has('description');
  if ((wantsContent && !rights.content) || (!rights.content && !rights.metadata)) throw new ApiError(403, FORBIDDEN);
  const change: IssueChange = {};
  const title = p.str('title');
  if (title !== undefined) {
    if (title.trim() === '') throw new ApiError(400, { message: { title: ["can't be blank"] } });
    change.title = title;
  }
  if (p.has('description')) change.description = p.str('description') ?? '';
  checkLengths(change.title, change.description);
  const labels = labelIdsFor(ctx.world, project, p.list('labels'), true);
  if (labels !== undefined) change.labelIds = labels;
  const add = labelIdsFor(ctx.world, project, p.list('add_labels'), true);
  if (add !== undefined) change.addLabelIds = add;
  const remove = labelIdsFor(ctx.world, project, p.list('remove_labels'), false);
  if (remove !== undefined) change.removeLabelIds = remove;
  const assignees = assigneeIdsParam(ctx, project);
  if (assignees !== undefined) change.assigneeIds = assignees;
  const due = dueDateParam(p);
  if (due !== undefined) change.dueDate = due;
  if (p.has('state_event')) change.stateEvent = oneOf(p, 'state_event', ['close', 'reopen'] as const, 'close');
  const confidential = p.bool('confidential');
  if (confidential !== undefined) change.confidential = confidential;
  const locked = p.bool('discussion_locked');
  if (locked !== undefined) change.discussionLocked = locked;
  if (!rights.metadata) {
    for (const key of ['labelIds', 'addLabelIds', 'removeLabelIds', 'assigneeIds', 'dueDate', 'confidential', 'discussionLocked'] as const)
      delete change[key];
  }
  ctx.service.updateIssue(issue, ctx.user, change, ctx.emit);
  return ok(issueEntity(ctx.world, issue));
}

function reorderIssue(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const issue = issueOf(ctx, project);
  const after = ctx.params.int('move_after_id');
  const before = ctx.params.int('move_before_id');
  if (after === undefined && before === undefined) {
    throw new ApiError(400, { error: 'move_after_id, move_before_id are missing, at least one parameter must be provided' });
  }
  // GitLab ignores ids <= 0 (ReorderService#move_between_ids).
  const norm = (id: number | undefined): number | undefined => (id !== undefined && id > 0 ? id : undefined);
  if (norm(after) === undefined && norm(before) === undefined) throw new ApiError(422, { message: { error: 'Unprocessable Entity' } });
  if (!ctx.service.reorder(issue, ctx.user, norm(before), norm(after), ctx.emit)) {
    throw new ApiError(422, { message: { error: 'Unprocessable Entity' } });
  }
  return ok(issueEntity(ctx.world, issue));
}

// ---------- notes ----------

function listNotes(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const issue = issueOf(ctx, project);
  const orderBy = oneOf(ctx.params, 'order_by', ['created_at', 'updated_at'] as const, 'created_at');
  const sort = oneOf(ctx.params, 'sort', ['asc', 'desc'] as const, 'desc');
  const dir = sort === 'asc' ? 1 : -1;
  const key = orderBy === 'created_at' ? 'createdAt' : 'updatedAt';
  const notes = ctx.world.issueNotes(issue.id).sort((a, b) => dir * (a[key] - b[key]) || dir * (a.id - b.id));
  return list(ctx, notes, (n) => noteEntity(ctx.world, n));
}

function createNote(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const issue = issueOf(ctx, project);
  const body = ctx.params.str('body');
  if (body === undefined || body.trim() === '') throw missing('body');
  checkNoteLength(body);
  const result = ctx.service.createNote(issue, ctx.user, body, ctx.params.bool('internal') ?? false, ctx.emit);
  if (!result.note) return ok(result.commands, 202);
  return ok(noteEntity(ctx.world, result.note, result.commands.commands_changes as Record<string, unknown>), 201);
}

function editNote(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const issue = issueOf(ctx, project);
  const note = noteOf(ctx, issue);
  const body = ctx.params.str('body');
  if (body === undefined || body.trim() === '') throw missing('body');
  checkNoteLength(body);
  // Only the author may edit a note; system notes have no author to speak of.
  if (note.system || note.authorId !== ctx.user.id) throw new ApiError(403, { message: '403 Forbidden' });
  const result = ctx.service.editNote(note, ctx.user, body, ctx.emit);
  if (!result.note) return ok(result.commands);
  return ok(noteEntity(ctx.world, result.note, result.commands.commands_changes as Record<string, unknown>));
}

function deleteNote(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const note = noteOf(ctx, issueOf(ctx, project));
  if (note.system) throw new ApiError(403, FORBIDDEN);
  // Another user's note needs Maintainer to delete (admin_note).
  if (note.authorId !== ctx.user.id && ctx.world.accessLevel(project, ctx.user.id) < ACCESS_LEVELS.maintainer) {
    throw new ApiError(403, FORBIDDEN);
  }
  ctx.world.notes.delete(note.id);
  return { status: 204, body: null };
}

// ---------- hooks ----------

const HOOK_FLAGS: ReadonlyArray<[string, keyof HookRecord]> = [
  ['push_events', 'pushEvents'],
  ['issues_events', 'issuesEvents'],
  ['confidential_issues_events', 'confidentialIssuesEvents'],
  ['note_events', 'noteEvents'],
  ['confidential_note_events', 'confidentialNoteEvents'],
  ['enable_ssl_verification', 'enableSslVerification'],
];

function checkHookUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new ApiError(422, { message: { url: ['is blocked: Only allowed schemes are http, https'] } });
  }
}

function createHook(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const url = ctx.params.str('url');
  if (url === undefined || url === '') throw missing('url');
  checkHookUrl(url);
  const hook: HookRecord = {
    id: ctx.world.newHookId(),
    projectId: project.id,
    url,
    token: ctx.params.str('token') ?? '',
    name: ctx.params.str('name') ?? null,
    description: ctx.params.str('description') ?? null,
    pushEvents: true,
    issuesEvents: false,
    confidentialIssuesEvents: false,
    noteEvents: false,
    confidentialNoteEvents: false,
    enableSslVerification: true,
    createdAt: ctx.world.now(),
    recentFailures: 0,
    disabledUntil: null,
  };
  for (const [param, field] of HOOK_FLAGS) {
    const v = ctx.params.bool(param);
    if (v !== undefined) (hook as unknown as Record<string, unknown>)[field] = v;
  }
  ctx.world.hooks.set(hook.id, hook);
  return ok(hookView(ctx, hook), 201);
}

/** The hook as GitLab's API shows it: never its token. */
const hookView = (ctx: ApiContext, hook: HookRecord) => hookEntity(ctx.world, hook, ctx.delivery.alertStatus(hook));

const HOOK_EDIT_KEYS = ['url', 'token', 'name', 'description', ...HOOK_FLAGS.map(([param]) => param)];

/**
 * PUT …/hooks/:hook_id (update_hook in lib/api/helpers/web_hooks_helpers.rb): `url` is optional
 * since the helper's `optional_url`; nothing given is a 400. Only the given attributes change:
 * an edit does not touch `recent_failures` or `disabled_until`, so it never re-enables a hook.
 */
function editHook(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const hook = hookOf(ctx, project);
  if (!HOOK_EDIT_KEYS.some((k) => ctx.params.has(k))) throw new ApiError(400, { message: 'No parameters provided' });
  const url = ctx.params.has('url') ? ctx.params.str('url') : hook.url;
  if (url === undefined || url === '') throw new ApiError(422, { message: { url: ["can't be blank"] } });
  checkHookUrl(url);
  // Changing the URL drops the secret token unless a new one comes with it (WebHooks::Hook#reset_token).
  if (url !== hook.url && !ctx.params.has('token')) hook.token = '';
  hook.url = url;
  if (ctx.params.has('token')) hook.token = ctx.params.str('token') ?? '';
  if (ctx.params.has('name')) hook.name = ctx.params.str('name') ?? null;
  if (ctx.params.has('description')) hook.description = ctx.params.str('description') ?? null;
  for (const [param, field] of HOOK_FLAGS) {
    const v = ctx.params.bool(param);
    if (v !== undefined) (hook as unknown as Record<string, unknown>)[field] = v;
  }
  return ok(hookView(ctx, hook));
}

/** Entities::WebHookLog. A delivery that never got an HTTP answer shows GitLab's 'internal error' and an empty body. */
function hookEventEntity(r: DeliveryRecord): Record<string, unknown> {
  return {
    id: r.id,
    url: r.url,
    trigger: r.trigger,
    request_headers: r.requestHeaders,
    request_data: r.body,
    response_headers: r.responseHeaders,
    response_body: r.responseStatus === null ? '' : r.responseBody,
    execution_duration: r.durationMs / 1000,
    response_status: r.responseStatus === null ? 'internal error' : String(r.responseStatus),
    created_at: r.at,
  };
}

const HOOK_LOG_DAYS = 7; // "events … in the past 7 days" (doc/api/project_webhooks.md)
const HOOK_EVENTS_PER_PAGE = 20; // lib/api/hooks/events.rb: per_page values 1..20, default 20

/** `status` of the events API: a code, or successful / client_failure / server_failure (internal errors count as server). */
function statusFilter(raw: string[] | undefined): ((r: DeliveryRecord) => boolean) | null {
  if (!raw || raw.length === 0) return null;
  const tests = raw.map((s): ((r: DeliveryRecord) => boolean) => {
    const code = (r: DeliveryRecord) => r.responseStatus ?? -1;
    if (s === 'successful') return (r) => code(r) >= 200 && code(r) < 300;
    if (s === 'client_failure') return (r) => code(r) >= 400 && code(r) < 500;
    if (s === 'server_failure') return (r) => r.responseStatus === null || (code(r) >= 500 && code(r) < 600);
    if (/^[1-5]\d\d$/.test(s)) return (r) => code(r) === Number(s);
    throw new ApiError(400, { error: 'status does not have a valid value' });
  });
  return (r) => tests.some((t) => t(r));
}

/** GET …/hooks/:hook_id/events (GitLab 17.3+): the hook's log of the past week, newest first. */
function hookEvents(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const hook = hookOf(ctx, project);
  const perPage = ctx.params.int('per_page');
  if (perPage !== undefined && (perPage < 1 || perPage > HOOK_EVENTS_PER_PAGE)) {
    throw new ApiError(400, { error: 'per_page does not have a valid value' });
  }
  const wanted = statusFilter(ctx.params.list('status'));
  const since = ctx.world.now() - HOOK_LOG_DAYS * 24 * 3600_000;
  // Only deliveries that were actually attempted appear in GitLab's hook log.
  const sent = ctx.delivery
    .deliveries(hook.id)
    .filter((r) => r.outcome === 'delivered' || r.outcome === 'failed')
    .filter((r) => Date.parse(r.at) >= since && (!wanted || wanted(r)))
    .reverse();
  return list(ctx, sent, hookEventEntity);
}

const TEST_TRIGGERS: Record<string, Trigger> = {
  push_events: 'push_hooks',
  issues_events: 'issue_hooks',
  confidential_issues_events: 'confidential_issue_hooks',
  note_events: 'note_hooks',
  confidential_note_events: 'confidential_note_hooks',
};

async function testHook(ctx: ApiContext): Promise<ApiReply> {
  const project = projectOf(ctx);
  const hook = hookOf(ctx, project);
  const trigger = TEST_TRIGGERS[ctx.path['trigger'] ?? ''];
  if (!trigger) throw new ApiError(400, { error: 'trigger does not have a valid value' });
  const w = ctx.world;
  let payload: Record<string, unknown>;
  if (trigger === 'push_hooks') {
    payload = pushSample(w, project, ctx.user);
  } else if (trigger === 'issue_hooks' || trigger === 'confidential_issue_hooks') {
    const issue = w.projectIssues(project.id)[0];
    if (!issue) throw new ApiError(422, { message: 'Ensure the project has issues.' });
    payload = issueHookPayload(w, issue, ctx.user, 'open', creationChanges(snapshot(w, issue)));
  } else {
    const note = [...w.notes.values()].find((n) => n.projectId === project.id && !n.system);
    if (!note) throw new ApiError(422, { message: 'Ensure the project has notes.' });
    payload = noteHookPayload(w, note, w.issues.get(note.issueId) as IssueRecord, 'create');
  }
  const record = await ctx.delivery.test(hook, trigger, payload);
  if (record.outcome !== 'delivered' || (record.responseStatus ?? 0) >= 300) {
    throw new ApiError(422, { message: record.error ?? `Hook execution failed: ${record.responseStatus}` });
  }
  return ok({ message: '201 Created' }, 201);
}

function pushSample(world: World, project: ProjectRecord, user: UserRecord): Record<string, unknown> {
  return {
    object_kind: 'push',
    event_name: 'push',
    before: '0000000000000000000000000000000000000000',
    after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    ref: 'refs/heads/main',
    user_id: user.id,
    user_name: user.name,
    user_username: user.username,
    project_id: project.id,
    project: { id: project.id, name: project.name, web_url: world.projectWebUrl(project), path_with_namespace: project.pathWithNamespace },
    commits: [],
    total_commits_count: 0,
  };
}

function resendHookEvent(ctx: ApiContext): ApiReply {
  const project = projectOf(ctx);
  const hook = hookOf(ctx, project);
  const record = ctx.delivery.record(Number(ctx.path['hook_event_id']));
  if (!record || record.hookId !== hook.id || record.test) throw notFound('Hook log');
  ctx.delivery.resend(record);
  return ok({ message: '201 Created' }, 201);
}

// ---------- the table ----------

export function apiRoutes(): Router<ApiHandler> {
  const r = new Router<ApiHandler>();
  r.add('GET', '/user', (ctx) => ok(currentUser(ctx.world, ctx.user)));
  r.add('GET', '/personal_access_tokens/self', (ctx) => ok(tokenEntity(ctx.world, ctx.token)));
  r.add('GET', '/metadata', () =>
    ok({
      version: '18.6.0-ee',
      revision: 'sandbox',
      kas: { enabled: false, externalUrl: null, externalK8sProxyUrl: null, version: null },
      enterprise: true,
    }),
  );
  r.add('GET', '/namespaces/:namespace_id', (ctx) => {
    const ref = ctx.path['namespace_id'] ?? '';
    const project = [...ctx.world.projects.values()].find(
      (p) =>
        (String(p.namespace.id) === ref || p.namespace.fullPath.toLowerCase() === ref.toLowerCase()) && p.memberIds.includes(ctx.user.id),
    );
    if (!project) throw notFound('Namespace');
    return ok(namespaceEntity(ctx.world, project, ctx.tier));
  });
  r.add('GET', '/users', (ctx) => {
    const username = ctx.params.str('username')?.toLowerCase();
    const search = ctx.params.str('search')?.toLowerCase();
    const users = [...ctx.world.users.values()].filter(
      (u) =>
        (username === undefined || u.username.toLowerCase() === username) &&
        (search === undefined || u.username.toLowerCase().includes(search) || u.name.toLowerCase().includes(search)),
    );
    return list(ctx, users, (u) => userBasic(ctx.world, u));
  });
  r.add('GET', '/users/:user_id', (ctx) => {
    const u = ctx.world.users.get(Number(ctx.path['user_id']));
    if (!u) throw notFound('User');
    return ok(userBasic(ctx.world, u));
  });
  r.add('GET', '/projects', (ctx) => {
    const search = ctx.params.str('search')?.toLowerCase();
    const projects = [...ctx.world.projects.values()]
      .filter((p) => p.memberIds.includes(ctx.user.id))
      .filter((p) => search === undefined || p.pathWithNamespace.toLowerCase().includes(search))
      .sort((a, b) => b.id - a.id);
    return list(ctx, projects, (p) => projectEntity(ctx.world, p));
  });
  r.add('GET', '/projects/:id', (ctx) => ok(projectEntity(ctx.world, projectOf(ctx))));

  // Members with their roles; `all` includes inherited members (the sandbox has none other).
  for (const base of ['/projects/:id/members/all', '/projects/:id/members']) {
    r.add('GET', base, (ctx) => {
      const project = projectOf(ctx);
      const members = project.memberIds.map((id) => ctx.world.user(id)).sort((a, b) => a.id - b.id);
      return list(ctx, members, (u) => memberEntity(ctx.world, project, u));
    });
    r.add('GET', `${base}/:user_id`, (ctx) => {
      const project = projectOf(ctx);
      const id = Number(ctx.path['user_id']);
      if (!project.memberIds.includes(id)) throw notFound('Member');
      return ok(memberEntity(ctx.world, project, ctx.world.user(id)));
    });
  }

  r.add('GET', '/projects/:id/labels', (ctx) => {
    const project = projectOf(ctx);
    const labels = ctx.world.projectLabels(project.id).sort((a, b) => a.name.localeCompare(b.name));
    return list(ctx, labels, (l) => labelEntity(ctx.world, l));
  });
  r.add('POST', '/projects/:id/labels', (ctx) => {
    const project = projectOf(ctx);
    const name = ctx.params.str('name')?.trim();
    if (!name) throw missing('name');
    const color = ctx.params.str('color')?.trim();
    if (!color) throw missing('color');
    if (!/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(color) && !/^[a-z]+$/i.test(color)) {
      throw new ApiError(400, { message: { color: ['must be a valid color code'] } });
    }
    if (ctx.world.labelByName(project.id, name)) throw new ApiError(409, { message: 'Label already exists' });
    const label = ctx.world.createLabel(project.id, name, color, ctx.params.str('description') ?? null);
    return ok(labelEntity(ctx.world, label), 201);
  });
  r.add('GET', '/projects/:id/labels/:label_id', (ctx) => {
    const project = projectOf(ctx);
    const ref = ctx.path['label_id'] ?? '';
    const label = /^\d+$/.test(ref) ? ctx.world.labels.get(Number(ref)) : ctx.world.labelByName(project.id, ref);
    if (!label || label.projectId !== project.id) throw notFound('Label');
    return ok(labelEntity(ctx.world, label));
  });

  r.add('GET', '/projects/:id/issues', (ctx) => {
    const project = projectOf(ctx);
    const details = ctx.params.bool('with_labels_details') ?? false;
    return list(ctx, filterIssues(ctx.world, project, ctx.params), (i) => issueEntity(ctx.world, i, details));
  });
  r.add('POST', '/projects/:id/issues', createIssue);
  r.add('GET', '/projects/:id/issues/:issue_iid', (ctx) => ok(issueEntity(ctx.world, issueOf(ctx, projectOf(ctx)))));
  r.add('PUT', '/projects/:id/issues/:issue_iid', updateIssue);
  r.add('PUT', '/projects/:id/issues/:issue_iid/reorder', reorderIssue);
  r.add('GET', '/projects/:id/issues/:issue_iid/resource_label_events', (ctx) => {
    const issue = issueOf(ctx, projectOf(ctx));
    const events = ctx.world.writtenLabelEvents(issue.id);
    return list(ctx, events, (e) => labelEventEntity(ctx.world, e));
  });
  r.add('GET', '/projects/:id/issues/:issue_iid/resource_label_events/:event_id', (ctx) => {
    const issue = issueOf(ctx, projectOf(ctx));
    const e = ctx.world.writtenLabelEvents(issue.id).find((x) => x.id === Number(ctx.path['event_id']));
    if (!e) throw notFound('Resource label event');
    return ok(labelEventEntity(ctx.world, e));
  });

  r.add('GET', '/projects/:id/issues/:issue_iid/notes', listNotes);
  r.add('POST', '/projects/:id/issues/:issue_iid/notes', createNote);
  r.add('GET', '/projects/:id/issues/:issue_iid/notes/:note_id', (ctx) => {
    const note = noteOf(ctx, issueOf(ctx, projectOf(ctx)));
    return ok(noteEntity(ctx.world, note));
  });
  r.add('PUT', '/projects/:id/issues/:issue_iid/notes/:note_id', editNote);
  r.add('DELETE', '/projects/:id/issues/:issue_iid/notes/:note_id', deleteNote);

  r.add('GET', '/projects/:id/hooks', (ctx) => {
    const project = projectOf(ctx);
    const hooks = [...ctx.world.hooks.values()].filter((h) => h.projectId === project.id);
    return list(ctx, hooks, (h) => hookView(ctx, h));
  });
  r.add('POST', '/projects/:id/hooks', createHook);
  r.add('GET', '/projects/:id/hooks/:hook_id', (ctx) => ok(hookView(ctx, hookOf(ctx, projectOf(ctx)))));
  r.add('PUT', '/projects/:id/hooks/:hook_id', editHook);
  r.add('DELETE', '/projects/:id/hooks/:hook_id', (ctx) => {
    const hook = hookOf(ctx, projectOf(ctx));
    ctx.world.hooks.delete(hook.id);
    return { status: 204, body: null };
  });
  r.add('GET', '/projects/:id/hooks/:hook_id/events', hookEvents);
  r.add('POST', '/projects/:id/hooks/:hook_id/test/:trigger', testHook);
  r.add('POST', '/projects/:id/hooks/:hook_id/events/:hook_event_id/resend', resendHookEvent);
  return r;
}
