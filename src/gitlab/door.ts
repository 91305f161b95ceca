// The one door to GitLab. Everything Rhythm reads or writes on GitLab passes through a Door made
// here: gitbeaker resources on top of the shared Transport (retries, Retry-After, concurrency,
// pacing, counting). A Door is cheap; the engine makes one per reconcile with that event's
// X-Gitlab-Event-UUID (so GitLab blocks the recursive deliveries our own writes would cause) and
// its logger, and reads the door's own read/write counts afterwards.
import { IssueLabelEvents, IssueNotes, Issues, ProjectHooks, Users } from '@gitbeaker/rest';
import { createRequesterFn } from '@gitbeaker/requester-utils';
import type { Transport, TransportLog } from './transport.js';
import type {
  Door,
  GHook,
  GIssue,
  GLabelEvent,
  GNote,
  GUser,
  HookSpec,
  IssueEdit,
  IssueQuery,
  NewIssue,
} from './types.js';

export interface DoorOptions {
  url: string;
  token: string;
  dryRun: boolean;
  log: TransportLog;
  transport: Transport;
  eventUuid?: string | null;
  /** Shared between doors of one transport: username → user, for a few minutes. */
  userCache?: Map<string, { user: GUser | null; until: number }>;
}

export interface CountingDoor extends Door {
  readonly reads: number;
  readonly writes: number;
  readonly dryRun: boolean;
  /**
   * A door for one event: same transport and caches, its own counts, UUID and logger. `dryRun`
   * can only turn dry-run on (a board in dry-run under a live configuration), never off.
   */
  forEvent(ctx: { eventUuid?: string | null; log?: TransportLog; dryRun?: boolean }): CountingDoor;
}

const USER_TTL_MS = 10 * 60_000;
const PER_PAGE = 100;

// gitbeaker's return types are wide unions; Rhythm reads the subset in types.ts.
const as = <T>(value: unknown): T => value as T;

export function createDoor(opts: DoorOptions): CountingDoor {
  const counts = { reads: 0, writes: 0 };
  const userCache = opts.userCache ?? new Map<string, { user: GUser | null; until: number }>();
  const headers: Record<string, string> = opts.eventUuid ? { 'X-Gitlab-Event-UUID': opts.eventUuid } : {};
  const handler = opts.transport.handler(headers, (method) => {
    if (method === 'GET') counts.reads += 1;
    else counts.writes += 1;
  });
  const requesterFn = createRequesterFn((_service, reqo) => Promise.resolve(reqo), handler as never);
  // gitbeaker's own client-side throttle is replaced by the transport's pacing; its query
  // timeout covers all pages of a list, so it is set far beyond the transport's per-call one.
  const base = {
    host: opts.url.replace(/\/+$/, ''),
    token: opts.token,
    requesterFn,
    queryTimeout: 30 * 60_000,
    rateLimits: {},
  } as const;
  const issues = new Issues(base as never);
  const notes = new IssueNotes(base as never);
  const users = new Users(base as never);
  const hooks = new ProjectHooks(base as never);
  const labelEvents = new IssueLabelEvents(base as never);
  const log = opts.log;

  /** In dry-run a write is logged with its full content and not sent. */
  async function write<T>(what: string, content: object, send: () => Promise<unknown>): Promise<T | null> {
    if (opts.dryRun) {
      log.info({ dryRun: true, write: what, ...content }, `dry-run: would ${what}`);
      return null;
    }
    return as<T>(await send());
  }

  const door: CountingDoor = {
    get reads() {
      return counts.reads;
    },
    get writes() {
      return counts.writes;
    },
    dryRun: opts.dryRun,
    forEvent(ctx) {
      return createDoor({
        ...opts,
        userCache,
        eventUuid: ctx.eventUuid ?? null,
        log: ctx.log ?? opts.log,
        dryRun: opts.dryRun || Boolean(ctx.dryRun),
      });
    },

    async currentUser() {
      return as<GUser>(await users.showCurrentUser());
    },

    async findUser(username) {
      const key = username.toLowerCase();
      const cached = userCache.get(key);
      if (cached && cached.until > Date.now()) return cached.user;
      const found = as<GUser[]>(await users.all({ username, perPage: 20, maxPages: 1 } as never));
      const user = found.find((u) => u.username.toLowerCase() === key) ?? null;
      userCache.set(key, { user, until: Date.now() + USER_TTL_MS });
      return user;
    },

    async getIssue(project, iid) {
      return as<GIssue>(await issues.show(iid, { projectId: project }));
    },

    async listIssues(project, query: IssueQuery) {
      const options: Record<string, unknown> = { projectId: project, perPage: PER_PAGE };
      if (query.labels?.length) options.labels = query.labels.join(',');
      if (query.state) options.state = query.state;
      if (query.orderBy) options.orderBy = query.orderBy;
      if (query.sort) options.sort = query.sort;
      if (query.search) options.search = query.search;
      return as<GIssue[]>(await issues.all(options as never));
    },

    async createIssue(project, issue: NewIssue) {
      const body: Record<string, unknown> = { description: issue.description };
      if (issue.labels?.length) body.labels = issue.labels.join(',');
      if (issue.dueDate) body.dueDate = issue.dueDate;
      if (issue.confidential) body.confidential = true;
      return write<GIssue>('create issue', { project, title: issue.title, ...body }, () =>
        issues.create(project, issue.title, body as never),
      );
    },

    async editIssue(project, iid, edit: IssueEdit) {
      const body: Record<string, unknown> = {};
      if (edit.addLabels?.length) body.addLabels = edit.addLabels.join(',');
      if (edit.removeLabels?.length) body.removeLabels = edit.removeLabels.join(',');
      if (edit.assigneeIds) body.assigneeIds = edit.assigneeIds.length ? edit.assigneeIds : [0];
      if (edit.dueDate !== undefined) body.dueDate = edit.dueDate ?? '';
      if (edit.description !== undefined) body.description = edit.description;
      if (edit.title !== undefined) body.title = edit.title;
      if (edit.stateEvent) body.stateEvent = edit.stateEvent;
      return write<GIssue>('edit issue', { project, iid, ...body }, () => issues.edit(project, iid, body as never));
    },

    async reorderIssue(project, iid, to) {
      await write('reorder issue', { project, iid, ...to }, () => issues.reorder(project, iid, to as never));
    },

    async listNotes(project, iid) {
      return as<GNote[]>(await notes.all(project, iid, { perPage: PER_PAGE, sort: 'desc', orderBy: 'created_at' } as never));
    },

    async createNote(project, iid, body) {
      return write<GNote>('create note', { project, iid, body }, () => notes.create(project, iid, body));
    },

    async editNote(project, iid, noteId, body) {
      return write<GNote>('edit note', { project, iid, noteId, body }, () => notes.edit(project, iid, noteId, { body }));
    },

    async labelEvents(project, iid) {
      return as<GLabelEvent[]>(await labelEvents.all(project, iid, { perPage: PER_PAGE } as never));
    },

    async listHooks(project) {
      return as<GHook[]>(await hooks.all(project, { perPage: PER_PAGE } as never));
    },

    async addHook(project, spec: HookSpec) {
      const { url, ...rest } = spec;
      return write<GHook>('add webhook', { project, url, ...redactToken(rest) }, () =>
        hooks.add(project, url, rest as never),
      );
    },

    async editHook(project, hookId, spec: HookSpec) {
      const { url, ...rest } = spec;
      return write<GHook>('edit webhook', { project, hookId, url, ...redactToken(rest) }, () =>
        hooks.edit(project, hookId, url, rest as never),
      );
    },
  };
  return door;
}

function redactToken<T extends { token?: string }>(spec: T): T {
  return { ...spec, token: spec.token ? '[secret]' : '' };
}
