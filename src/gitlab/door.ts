// The one door to GitLab. Everything Rhythm reads or writes on GitLab passes through a Door made
// here: gitbeaker resources on top of the shared Transport (retries, Retry-After, concurrency,
// pacing, counting). A Door is cheap; the engine makes one per reconcile with that event's
// X-Gitlab-Event-UUID (so GitLab blocks the recursive deliveries our own writes would cause) and
// its logger, and reads the door's own read/write counts afterwards. Every answer is read through
// its schema (entities.ts, answer.ts): what GitLab answers is verified here, not assumed later.
import {
  IssueLabelEvents,
  IssueNotes,
  Issues,
  Metadata,
  Namespaces,
  PersonalAccessTokens,
  ProjectHooks,
  ProjectLabels,
  ProjectMembers,
  Projects,
  Users,
} from '@gitbeaker/rest';
import type { AllIssuesOptions, CreateIssueOptions, EditIssueOptions } from '@gitbeaker/rest';
import { createRequesterFn, type BaseResourceOptions, type RequestHandlerFn, type ResponseBodyTypes } from '@gitbeaker/requester-utils';
import { ForbiddenError, GitLabAnswerError, readList, readOne, type Call } from './answer.js';
import {
  hookEntity,
  hookEventEntity,
  issueEntity,
  labelEntity,
  labelEventEntity,
  memberEntity,
  metadataEntity,
  namespaceEntity,
  noteCommandsEntity,
  noteEntity,
  projectEntity,
  tokenEntity,
  userEntity,
} from './entities.js';
import type { Logger } from '../observability/log.js';
import { GitLabError, isGone, type Transport } from './transport.js';
import type { Door, DoorChecks, GIssue, GUser, HookSpec, IssueEdit, IssueQuery, NewIssue } from './types.js';

export interface DoorOptions {
  url: string;
  token: string;
  log: Logger;
  transport: Transport;
  eventUuid?: string | null;
  /** Ends every call of this door at once (the job is being stopped). */
  signal?: AbortSignal;
  /** The counts of the doors this one was made from (forEvent), which count its calls too. */
  countsInto?: { reads: number; writes: number }[];
  /** Shared between doors of one transport: username → user, for a few minutes. */
  userCache?: Map<string, { user: GUser | null; until: number }>;
  /**
   * Shared between doors: per project (lower-case path or id), whether GitLab keeps one assignee
   * per issue there or several, once an answer or a check told.
   */
  assignees?: AssigneeFacts;
}

/** What is known of each project's assignees per issue: 'one' on GitLab Free, else 'several'. */
export type AssigneeFacts = Map<string, 'one' | 'several'>;

export interface CountingDoor extends Door {
  readonly reads: number;
  readonly writes: number;
  /** A door for one event: same transport and caches, its own counts (also added to this door's), UUID and logger. */
  forEvent(ctx: { eventUuid?: string | null; log?: Logger; signal?: AbortSignal }): CountingDoor;
}

/** The door createDoor makes: it also reads what the preflight checks need. */
export type CheckingDoor = CountingDoor & DoorChecks & { singleAssignee(project: string): boolean };

const USER_TTL_MS = 10 * 60_000;
const PER_PAGE = 100;

/**
 * The routes the door reaches, named as the transport names them (for errors a person can act
 * on), with the least role GitLab asks of the caller for each (doc/user/permissions.md): a 403
 * names it.
 */
const CALLS = {
  currentUser: { door: 'currentUser', route: 'GET /user' },
  findUser: { door: 'findUser', route: 'GET /users' },
  getIssue: { door: 'getIssue', route: 'GET /projects/:id/issues/:iid', role: 'Guest', to: 'read issues' },
  listIssues: { door: 'listIssues', route: 'GET /projects/:id/issues', role: 'Guest', to: 'read issues' },
  createIssue: { door: 'createIssue', route: 'POST /projects/:id/issues', role: 'Guest', to: 'open issues' },
  editIssue: {
    door: 'editIssue',
    route: 'PUT /projects/:id/issues/:iid',
    role: 'Reporter',
    to: "change labels, assignees and dates (Developer to edit others' descriptions)",
  },
  reorderIssue: { door: 'reorderIssue', route: 'PUT /projects/:id/issues/:iid/reorder', role: 'Reporter', to: 'move cards on the board' },
  listNotes: { door: 'listNotes', route: 'GET /projects/:id/issues/:iid/notes', role: 'Guest', to: 'read notes' },
  createNote: { door: 'createNote', route: 'POST /projects/:id/issues/:iid/notes', role: 'Reporter', to: 'write its notes' },
  editNote: { door: 'editNote', route: 'PUT /projects/:id/issues/:iid/notes/:id', role: 'Reporter', to: 'edit its notes' },
  deleteNote: { door: 'deleteNote', route: 'DELETE /projects/:id/issues/:iid/notes/:id', role: 'Reporter', to: 'delete its own notes' },
  labelEvents: {
    door: 'labelEvents',
    route: 'GET /projects/:id/issues/:iid/resource_label_events',
    role: 'Guest',
    to: 'read label history',
  },
  listHooks: { door: 'listHooks', route: 'GET /projects/:id/hooks', role: 'Maintainer', to: 'read project webhooks' },
  addHook: { door: 'addHook', route: 'POST /projects/:id/hooks', role: 'Maintainer', to: 'add project webhooks' },
  editHook: { door: 'editHook', route: 'PUT /projects/:id/hooks/:id', role: 'Maintainer', to: 'change project webhooks' },
  deleteHook: { door: 'deleteHook', route: 'DELETE /projects/:id/hooks/:id', role: 'Maintainer', to: 'remove project webhooks' },
  testHook: { door: 'testHook', route: 'POST /projects/:id/hooks/:id/test/:trigger', role: 'Maintainer', to: 'test project webhooks' },
  hookEvents: { door: 'hookEvents', route: 'GET /projects/:id/hooks/:id/events', role: 'Maintainer', to: 'read the webhook log' },
  tokenSelf: { door: 'tokenSelf', route: 'GET /personal_access_tokens/self' },
  projectMember: { door: 'projectMember', route: 'GET /projects/:id/members/all/:user_id', role: 'Guest', to: 'see members' },
  getProject: { door: 'getProject', route: 'GET /projects/:id', role: 'Guest', to: 'see the project' },
  listLabels: { door: 'listLabels', route: 'GET /projects/:id/labels', role: 'Guest', to: 'read labels' },
  getNamespace: { door: 'getNamespace', route: 'GET /namespaces/:id' },
  metadata: { door: 'metadata', route: 'GET /metadata' },
} as const satisfies Record<string, Call & { role?: string; to?: string }>;

type CallName = keyof typeof CALLS;

export function createDoor(opts: DoorOptions): CheckingDoor {
  const counts = { reads: 0, writes: 0 };
  // A door made by forEvent counts into its parents too, so a command's totals include every
  // job's calls, failed attempts as well.
  const tally = [counts, ...(opts.countsInto ?? [])];
  const userCache = opts.userCache ?? new Map<string, { user: GUser | null; until: number }>();
  const assignees: AssigneeFacts = opts.assignees ?? new Map<string, 'one' | 'several'>();
  const headers: Record<string, string> = opts.eventUuid ? { 'X-Gitlab-Event-UUID': opts.eventUuid } : {};
  const handler = opts.transport.handler(
    headers,
    (method) => {
      for (const c of tally) {
        if (method === 'GET') c.reads += 1;
        else c.writes += 1;
      }
    },
    opts.signal,
  );
  const requesterFn = createRequesterFn((_service, reqo) => Promise.resolve(reqo), gitbeakerHandler(handler));
  // gitbeaker's own client-side throttle is replaced by the transport's pacing; its query
  // timeout covers all pages of a list, so it is set far beyond the transport's per-call one.
  const base: BaseResourceOptions<false> = {
    host: opts.url.replace(/\/+$/, ''),
    token: opts.token,
    requesterFn,
    queryTimeout: 30 * 60_000,
    rateLimits: {},
  };
  const issues = new Issues(base);
  const notes = new IssueNotes(base);
  const users = new Users(base);
  const hooks = new ProjectHooks(base);
  const labelEvents = new IssueLabelEvents(base);
  const tokens = new PersonalAccessTokens(base);
  const members = new ProjectMembers(base);
  const projects = new Projects(base);
  const labels = new ProjectLabels(base);
  const namespaces = new Namespaces(base);
  const meta = new Metadata(base);

  /**
   * A call, with GitLab's 403 turned into an error that names the role (or the token scope) the
   * bot lacks, logged once where it happened.
   */
  async function call<T>(name: CallName, project: string | null, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof GitLabError) || err.status !== 403) throw err;
      const c: Call & { role?: string; to?: string } = CALLS[name];
      const refused = new ForbiddenError(c, project, err);
      opts.log.error({ route: c.route, project, role: refused.role, scope: refused.scope }, refused.message);
      throw refused;
    }
  }

  // Dry-run is not the door's business: the executor (engine/apply.ts) decides it and never
  // calls a write then. A write here is sent, and GitLab's answer is read back.
  async function write<T>(name: CallName, project: string, send: () => Promise<unknown>, read: (answer: unknown) => T): Promise<T> {
    return read(await call(name, project, send));
  }

  /**
   * An edit that asked for several assignees and got fewer back, the first of them only: GitLab
   * keeps one assignee per issue here (GitLab Free). Remembered, so no rule asks for it again.
   */
  function learnFromAnswer(project: string, iid: number, asked: readonly number[], answer: GIssue): void {
    const kept = answer.assignees.map((a) => a.id);
    if (kept.length === 1 && kept[0] === asked[0]) {
      if (assignees.get(project.toLowerCase()) !== 'one') {
        opts.log.warn(
          { project, iid, asked: asked.length, kept: kept.length },
          'GitLab kept only the first of the assignees asked for: this GitLab allows one assignee per issue (GitLab Free); the moderator rule names the moderator instead of assigning them',
        );
      }
      assignees.set(project.toLowerCase(), 'one');
    } else if (kept.length > 1) assignees.set(project.toLowerCase(), 'several');
  }

  const door: CheckingDoor = {
    get reads() {
      return counts.reads;
    },
    get writes() {
      return counts.writes;
    },
    forEvent(ctx) {
      return createDoor({
        ...opts,
        userCache,
        assignees,
        eventUuid: ctx.eventUuid ?? null,
        log: ctx.log ?? opts.log,
        countsInto: tally,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    },

    async currentUser() {
      return readOne(userEntity, await users.showCurrentUser(), CALLS.currentUser);
    },

    async findUser(username) {
      const key = username.toLowerCase();
      const cached = userCache.get(key);
      if (cached && cached.until > Date.now()) return cached.user;
      const found = readList(userEntity, await users.all({ username, perPage: 20, maxPages: 1 }), CALLS.findUser);
      const user = found.find((u) => u.username.toLowerCase() === key) ?? null;
      userCache.set(key, { user, until: Date.now() + USER_TTL_MS });
      return user;
    },

    async getIssue(project, iid) {
      return readOne(issueEntity, await call('getIssue', project, () => issues.show(iid, { projectId: project })), CALLS.getIssue);
    },

    async listIssues(project, query: IssueQuery) {
      const options: Pick<AllIssuesOptions, 'labels' | 'state' | 'orderBy' | 'sort' | 'search' | 'updatedAfter' | 'not'> = {};
      if (query.labels?.length) options.labels = query.labels.join(',');
      if (query.state) options.state = query.state;
      if (query.orderBy) options.orderBy = query.orderBy;
      if (query.sort) options.sort = query.sort;
      if (query.search) options.search = query.search;
      if (query.updatedAfter) options.updatedAfter = query.updatedAfter;
      if (query.notLabels?.length) options.not = { labels: query.notLabels.join(',') };
      const answer = await call('listIssues', project, () => issues.all({ projectId: project, perPage: PER_PAGE, ...options }));
      return readList(issueEntity, answer, CALLS.listIssues);
    },

    async createIssue(project, issue: NewIssue) {
      const body: CreateIssueOptions = { description: issue.description };
      if (issue.labels?.length) body.labels = issue.labels.join(',');
      if (issue.dueDate) body.dueDate = issue.dueDate;
      if (issue.confidential) body.confidential = true;
      return write(
        'createIssue',
        project,
        () => issues.create(project, issue.title, body),
        (answer) => readOne(issueEntity, answer, CALLS.createIssue),
      );
    },

    async editIssue(project, iid, edit: IssueEdit) {
      const body: EditIssueOptions = {};
      if (edit.addLabels?.length) body.addLabels = edit.addLabels.join(',');
      if (edit.removeLabels?.length) body.removeLabels = edit.removeLabels.join(',');
      if (edit.assigneeIds) body.assigneeIds = edit.assigneeIds.length ? edit.assigneeIds : [0];
      if (edit.dueDate !== undefined) body.dueDate = edit.dueDate ?? '';
      if (edit.description !== undefined) body.description = edit.description;
      if (edit.title !== undefined) body.title = edit.title;
      if (edit.stateEvent) body.stateEvent = edit.stateEvent;
      const edited = await write(
        'editIssue',
        project,
        () => issues.edit(project, iid, body),
        (answer) => readOne(issueEntity, answer, CALLS.editIssue),
      );
      if (edit.assigneeIds && edit.assigneeIds.length > 1) learnFromAnswer(project, iid, edit.assigneeIds, edited);
      return edited;
    },

    async reorderIssue(project, iid, to) {
      // GitLab answers the moved issue; Rhythm reads nothing from it.
      await write(
        'reorderIssue',
        project,
        () => issues.reorder(project, iid, to),
        () => undefined,
      );
    },

    async listNotes(project, iid) {
      const answer = await call('listNotes', project, () =>
        notes.all(project, iid, { perPage: PER_PAGE, sort: 'desc', orderBy: 'created_at' }),
      );
      return readList(noteEntity, answer, CALLS.listNotes);
    },

    async createNote(project, iid, body) {
      return write(
        'createNote',
        project,
        () => notes.create(project, iid, body),
        (answer) => readNoteCreated(answer),
      );
    },

    async editNote(project, iid, noteId, body) {
      return write(
        'editNote',
        project,
        () => notes.edit(project, iid, noteId, { body }),
        (answer) => readOne(noteEntity, answer, CALLS.editNote),
      );
    },

    async deleteNote(project, iid, noteId) {
      try {
        await write(
          'deleteNote',
          project,
          () => notes.remove(project, iid, noteId),
          () => undefined,
        );
      } catch (err) {
        if (!isGone(err)) throw err;
      }
    },

    async labelEvents(project, iid) {
      const answer = await call('labelEvents', project, () => labelEvents.all(project, iid, { perPage: PER_PAGE }));
      return readList(labelEventEntity, answer, CALLS.labelEvents);
    },

    async listHooks(project) {
      return readList(hookEntity, await call('listHooks', project, () => hooks.all(project, { perPage: PER_PAGE })), CALLS.listHooks);
    },

    async addHook(project, spec: HookSpec) {
      const { url, ...rest } = spec;
      return write(
        'addHook',
        project,
        () => hooks.add(project, url, rest),
        (answer) => readOne(hookEntity, answer, CALLS.addHook),
      );
    },

    async editHook(project, hookId, spec: HookSpec) {
      const { url, ...rest } = spec;
      return write(
        'editHook',
        project,
        () => hooks.edit(project, hookId, url, rest),
        (answer) => readOne(hookEntity, answer, CALLS.editHook),
      );
    },

    async tokenSelf() {
      return readOne(tokenEntity, await call('tokenSelf', null, () => tokens.show()), CALLS.tokenSelf);
    },

    async projectMember(project, userId) {
      try {
        const answer = await call('projectMember', project, () => members.show(project, userId, { includeInherited: true }));
        return readOne(memberEntity, answer, CALLS.projectMember);
      } catch (err) {
        if (isGone(err)) return null;
        throw err;
      }
    },

    async deleteHook(project, hookId) {
      try {
        await write(
          'deleteHook',
          project,
          () => hooks.remove(project, hookId),
          () => undefined,
        );
      } catch (err) {
        if (!isGone(err)) throw err;
      }
    },

    // gitbeaker has no call for these two: its requester is relative to …/api/v4/projects/.
    async testHook(project, hookId, trigger) {
      await write(
        'testHook',
        project,
        () => hooks.requester.post(`${encodeURIComponent(project)}/hooks/${hookId}/test/${trigger}`),
        () => undefined,
      );
    },

    async hookEvents(project, hookId) {
      try {
        const answer = await call('hookEvents', project, () =>
          hooks.requester.get(`${encodeURIComponent(project)}/hooks/${hookId}/events`, {
            searchParams: { per_page: 20 },
          }),
        );
        return readList(hookEventEntity, answer.body, CALLS.hookEvents);
      } catch (err) {
        if (isGone(err)) return null;
        throw err;
      }
    },

    async getProject(project) {
      return readOne(projectEntity, await call('getProject', project, () => projects.show(project)), CALLS.getProject);
    },

    async listLabels(project) {
      const answer = await call('listLabels', project, () => labels.all(project, { perPage: PER_PAGE }));
      return readList(labelEntity, answer, CALLS.listLabels);
    },

    async getNamespace(id) {
      return readOne(namespaceEntity, await call('getNamespace', null, () => namespaces.show(id)), CALLS.getNamespace);
    },

    async metadata() {
      return readOne(metadataEntity, await call('metadata', null, () => meta.show()), CALLS.metadata);
    },

    singleAssignee(project) {
      return assignees.get(project.toLowerCase()) === 'one';
    },

    learnAssignees(project, allowed) {
      assignees.set(project.toLowerCase(), allowed);
    },
  };
  return door;
}

/**
 * A note made only of quick actions is run and not saved: GitLab answers 202 with
 * `{ commands_changes, summary }` (Entities::NoteCommands) instead of a note. Rhythm never means
 * to send one (it quotes people's text), so that answer is an error that says what happened.
 */
function readNoteCreated(answer: unknown) {
  const note = noteEntity.safeParse(answer);
  if (note.success) return note.data;
  if (noteCommandsEntity.safeParse(answer).success) {
    throw new GitLabAnswerError(
      CALLS.createNote,
      '(answer)',
      'GitLab ran the note as quick actions only and saved no note (202 with commands_changes and summary)',
    );
  }
  return readOne(noteEntity, answer, CALLS.createNote);
}

type TransportHandler = ReturnType<Transport['handler']>;
type TransportRequest = Parameters<TransportHandler>[1];

/**
 * The one adapter between gitbeaker's requester and the transport. gitbeaker declares a request
 * handler as taking a loose `Record<string, unknown>` (what it really passes is the
 * RequestOptions its defaultOptionsHandler built, plus `rateLimiters`) and answering a union of
 * JSON shapes; the transport takes typed options and answers `unknown`, which the door then
 * parses. Here the options are checked field by field and the body handed back untouched.
 */
function gitbeakerHandler(send: TransportHandler): RequestHandlerFn {
  return async (endpoint, options = {}) => {
    const response = await send(endpoint, transportRequest(options));
    return { body: responseBody(response.body), headers: response.headers, status: response.status };
  };
}

function transportRequest(options: Record<string, unknown>): TransportRequest {
  const { method, prefixUrl, searchParams, headers, body, signal } = options;
  if (typeof method !== 'string') throw new TypeError('gitbeaker built a request without a method');
  if (body !== undefined && typeof body !== 'string') throw new TypeError(`the door sends JSON bodies only (got ${typeof body})`);
  const stringHeaders: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') stringHeaders[name] = value;
  }
  return {
    ...options,
    method,
    prefixUrl: typeof prefixUrl === 'string' ? prefixUrl : undefined,
    searchParams: typeof searchParams === 'string' ? searchParams : undefined,
    headers: stringHeaders,
    body,
    signal: signal instanceof AbortSignal ? signal : undefined,
  };
}

/** The transport's parsed JSON (or text) as gitbeaker's body type; gitbeaker only checks for arrays. */
function responseBody(body: unknown): ResponseBodyTypes {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string' || typeof body === 'number') return body;
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  if (typeof body === 'object') return Object.fromEntries(Object.entries(body));
  // What is left of parsed JSON is true or false.
  return body === true ? 'true' : 'false';
}
