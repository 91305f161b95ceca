// The REST shapes Rhythm reads from GitLab (subset of API v4), and the door's contract.
// Everything outside src/gitlab/ talks to GitLab through a Door, never through gitbeaker.
import type { z } from 'zod';
import type {
  hookEntity,
  hookEventEntity,
  issueEntity,
  labelEntity,
  labelEventEntity,
  memberEntity,
  metadataEntity,
  namespaceEntity,
  noteEntity,
  projectEntity,
  tokenEntity,
  userEntity,
} from './entities.js';

// The answers are inferred from the schemas the door parses them with (entities.ts).
export type GUser = z.infer<typeof userEntity>;
export type GIssue = z.infer<typeof issueEntity>;
export type GNote = z.infer<typeof noteEntity>;
export type GLabelEvent = z.infer<typeof labelEventEntity>;
export type GHook = z.infer<typeof hookEntity>;
export type GToken = z.infer<typeof tokenEntity>;
export type GMember = z.infer<typeof memberEntity>;
export type GLabel = z.infer<typeof labelEntity>;
export type GProject = z.infer<typeof projectEntity>;
export type GNamespace = z.infer<typeof namespaceEntity>;
export type GMetadata = z.infer<typeof metadataEntity>;
export type GHookEvent = z.output<typeof hookEventEntity>;

export interface IssueQuery {
  labels?: string[];
  state?: 'opened' | 'closed' | 'all';
  orderBy?: 'created_at' | 'updated_at' | 'relative_position' | 'due_date';
  sort?: 'asc' | 'desc';
  search?: string;
  /** Only issues updated at or after this instant (ISO 8601): `updated_after`. */
  updatedAfter?: string;
  /** Only issues carrying none of these labels: `not[labels]`. */
  notLabels?: string[];
}

export interface IssueEdit {
  addLabels?: string[];
  removeLabels?: string[];
  assigneeIds?: number[];
  dueDate?: string | null;
  description?: string;
  title?: string;
  stateEvent?: 'close' | 'reopen';
}

export interface NewIssue {
  title: string;
  description: string;
  labels?: string[];
  dueDate?: string;
  confidential?: boolean;
}

export interface HookSpec {
  url: string;
  token: string;
  issuesEvents: boolean;
  confidentialIssuesEvents: boolean;
  noteEvents: boolean;
  confidentialNoteEvents: boolean;
  pushEvents: boolean;
  enableSslVerification: boolean;
}

/** What a handler's `load` may use: GitLab's reads, and no write. */
export type GitLabReader = Pick<
  Door,
  'currentUser' | 'findUser' | 'getIssue' | 'listIssues' | 'listNotes' | 'labelEvents' | 'listHooks' | 'singleAssignee'
>;

/** The one door to GitLab. Project is a path or numeric id. Lists return every page. */
export interface Door {
  currentUser(): Promise<GUser>;
  findUser(username: string): Promise<GUser | null>;
  getIssue(project: string, iid: number): Promise<GIssue>;
  listIssues(project: string, query: IssueQuery): Promise<GIssue[]>;
  /** Writes are always sent: dry-run is the executor's (engine/apply.ts), which then calls none. */
  createIssue(project: string, issue: NewIssue): Promise<GIssue>;
  editIssue(project: string, iid: number, edit: IssueEdit): Promise<GIssue>;
  reorderIssue(project: string, iid: number, to: { moveAfterId?: number; moveBeforeId?: number }): Promise<void>;
  listNotes(project: string, iid: number): Promise<GNote[]>;
  createNote(project: string, iid: number, body: string): Promise<GNote>;
  editNote(project: string, iid: number, noteId: number, body: string): Promise<GNote>;
  /** Gone already (404) counts as done: deleting is wanted for a duplicate, whoever removed it first. */
  deleteNote(project: string, iid: number, noteId: number): Promise<void>;
  labelEvents(project: string, iid: number): Promise<GLabelEvent[]>;
  listHooks(project: string): Promise<GHook[]>;
  addHook(project: string, spec: HookSpec): Promise<GHook>;
  editHook(project: string, hookId: number, spec: HookSpec): Promise<GHook>;
  /** Gone already (404) counts as done. */
  deleteHook(project: string, hookId: number): Promise<void>;
  /**
   * GitLab's test request (POST …/hooks/:hook_id/test/:trigger): sent even to a disabled hook, and
   * a 2xx from the receiver re-enables it. Throws when the receiver did not answer 2xx (GitLab's 422).
   */
  testHook(project: string, hookId: number, trigger: 'issues_events' | 'note_events'): Promise<void>;
  /** The hook's latest deliveries (one page, newest first); null where GitLab has no such API (before 17.3). */
  hookEvents(project: string, hookId: number): Promise<GHookEvent[] | null>;
  /**
   * Whether GitLab is known to keep only one assignee per issue in this project (GitLab Free):
   * learned from its answer to an edit that asked for more, or told by a check (learnAssignees).
   * Optional: a door that cannot tell says nothing (several assumed).
   */
  singleAssignee?(project: string): boolean;
}

/** The reads of the preflight checks (`rhythm doctor`, the start of commands that write). */
export interface DoorChecks {
  /** The calling token: its scopes and expiry (GET /personal_access_tokens/self). */
  tokenSelf(): Promise<GToken>;
  /** A member of the project with their role, inherited ones included; null when not a member. */
  projectMember(project: string, userId: number): Promise<GMember | null>;
  getProject(project: string): Promise<GProject>;
  listLabels(project: string): Promise<GLabel[]>;
  getNamespace(id: number): Promise<GNamespace>;
  metadata(): Promise<GMetadata>;
  /** Records what a check found out: 'one' assignee per issue in the project, or 'several'. */
  learnAssignees(project: string, allowed: 'one' | 'several'): void;
}
