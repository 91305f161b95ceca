// Public shapes of the sandbox and the records it keeps in memory.
// The sandbox imports nothing from the rest of src/: it may one day be published alone.

import type { AutoDisabling } from './hook-health.js';

export interface SandboxOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default true: the users, tokens and projects of the design. */
  seed?: boolean;
  /**
   * Requests per user per throttle period (Rack::Attack's throttle_authenticated_api); default
   * 2000, GitLab.com's authenticated API limit per minute.
   */
  rateLimitPerMinute?: number;
  /**
   * Length of that throttle's window in seconds; default 60 (GitLab.com's). Self-managed GitLab
   * lets an admin set it ("rate limit period in seconds"); tests shorten it so a window passes quickly.
   */
  rateLimitPeriodSec?: number;
  /**
   * GitLab's application limit on creating notes (`notes_create_limit`): POSTs to an issue's notes
   * per user per window, refused with a 429 that carries no RateLimit-* headers. Default 0: off.
   * GitLab.com allows 60 a minute, self-managed GitLab 300 unless an admin changes it.
   */
  notesCreateLimit?: number;
  /**
   * GitLab's application limit on creating issues (`issues_create_limit`): POSTs of issues per
   * project and user per window, refused like notes. Default 0: off (GitLab.com allows 200 a minute).
   */
  issuesCreateLimit?: number;
  /**
   * Window of the application limits in seconds; default 60 (GitLab fixes it at one minute). Tests
   * shorten it to play a minute's limit in seconds.
   */
  applicationLimitPeriodSec?: number;
  /** Default 10000, GitLab.com's webhook timeout. */
  webhookTimeoutMs?: number;
  /**
   * GitLab's auto-disabling of failing hooks; default GitLab.com's rules (temporarily disabled from
   * the 4th failure in a row, 1 min doubling up to 1 day, disabled for good at the 40th). Tests may
   * lower the thresholds; `false` is self-managed GitLab without the `auto_disabling_web_hooks` flag.
   */
  webhookAutoDisabling?: Partial<AutoDisabling> | false;
  /** Source of randomness for fault probabilities; default a seeded PRNG so runs repeat. */
  random?: () => number;
  /** Clock in epoch ms; default Date.now. Lets tests move past a hook's disabled_until. */
  now?: () => number;
  /** Value of X-Gitlab-Instance and the base of web_url; default the sandbox's own URL. */
  instanceUrl?: string;
  /**
   * The subscription every namespace has. 'free': an issue keeps only the first of several
   * assignees, as GitLab Free does (IssuableBaseService#filter_assignees_using_checks, `first(1)`
   * unless the project allows multiple assignees). Default 'premium' (several assignees).
   */
  tier?: SandboxTier;
  /**
   * How long a new issue's relative_position stays null (ms): GitLab sets it later, in
   * Issues::PlacementWorker, after the create commits. Default 0 in process (placed at once, so
   * tests that do not ask for it stay deterministic); `rhythm sandbox` plays PLACEMENT_DELAY_MS.
   * Issues put in by seedIssues (an import) are always placed at once.
   */
  placementDelayMs?: number;
  /** Labels to make in projects at the start, by project path (SEED_LABELS: the shipped config's). */
  labels?: Readonly<Record<string, ReadonlyArray<{ name: string; color?: string }>>>;
}

export type SandboxTier = 'free' | 'premium';

/** The placement delay `rhythm sandbox` plays: small, but long enough to be seen. */
export const PLACEMENT_DELAY_MS = 200;

/** GitLab's access levels (Gitlab::Access): Guest 10, Reporter 20, Developer 30, Maintainer 40, Owner 50. */
export const ACCESS_LEVELS = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;
export type AccessLevelName = keyof typeof ACCESS_LEVELS;

type FaultTarget = {
  /** Only requests with this HTTP method (any when absent). */
  method?: string;
  /** Only requests made with this user's token (username; anyone when absent). */
  user?: string;
  /**
   * Which requests the fault hits, matched against the API path after `/api/v4`:
   * - a string with a space, `'PUT /projects/:id/issues/:issue_iid/reorder'`: that exact route pattern;
   * - a string containing `:`, `'/projects/:id/issues'`: that exact route pattern, any method;
   * - any other string: a prefix of the request path (`'/'` hits everything, `'/projects/1/issues'`);
   * - a RegExp: tested against the request path (query string excluded).
   * Prefixes and RegExps are tried on the path as sent and on its decoded form (`%2F` read as `/`).
   * For `dropWebhook`, `holdWebhook` and `duplicateWebhook` the request matched is the API call
   * that caused the event.
   */
  path: string | RegExp;
  /** Chance 0..1 that a matching request is hit; default 1. */
  probability?: number;
  /** Fire this many times, then remove itself; default unlimited. */
  times?: number;
};

export type Fault = FaultTarget &
  (
    | { kind: 'status'; status: number; message?: string }
    | { kind: 'rateLimit'; retryAfterSec: number }
    | { kind: 'latency'; ms: number }
    /**
     * The request is carried out at once (the write is done, its webhooks go out), but its answer
     * is held `ms`, then sent; with `drop: true` the connection is destroyed then instead. What a
     * client sees when GitLab finished a POST after the client's own timeout gave up on it.
     */
    | { kind: 'lateAnswer'; ms: number; drop?: boolean }
    | { kind: 'drop' }
    | { kind: 'dropWebhook' }
    /**
     * The deliveries the matched call causes are held, not sent, until `releaseWebhooks` (or
     * POST /-/sandbox/deliveries/release) lets them go in the order it names: GitLab runs each
     * delivery as its own background job and promises no order between them.
     */
    | { kind: 'holdWebhook' }
    /**
     * Each delivery the matched call causes is sent twice, as when GitLab's background job runs
     * again: the same Idempotency-Key and X-Gitlab-Event-UUID (both are fixed when the event is
     * queued), a fresh X-Gitlab-Webhook-UUID (made per request).
     */
    | { kind: 'duplicateWebhook' }
    /**
     * The label events the matched call writes (a move) are written `ms` after the issue is saved:
     * until then GitLab's issue (labels, updated_at) is new and its label history old. GitLab
     * writes them a moment after the save (issue-service.ts); this stretches that moment. The
     * call's deliveries go out once they are there (GitLab's hook job runs after the update).
     */
    | { kind: 'labelEventsLag'; ms: number }
    /**
     * As labelEventsLag, with no clock: the label events are written (and the call's deliveries
     * go out) only when `releaseLabelEvents` says so. A test then knows a read came in the gap.
     */
    | { kind: 'holdLabelEvents' }
  );

/** How the label events a call writes come late: `lagMs` after the save, held until released, or at once (null). */
export type LabelEventTiming = { lagMs: number } | 'hold' | null;

/** The order held deliveries are let go in: as they happened, reversed, or shuffled by a seed. */
export type ReleaseOrder = 'oldest-first' | 'newest-first' | 'random';

export interface CallRecord {
  method: string;
  /** Route pattern, e.g. 'GET /projects/:id/issues'; 'GET (unknown)' when no route matched. */
  route: string;
  /** Path after /api/v4 as sent (still URL-encoded), without the query string. */
  path: string;
  query: string;
  status: number;
  /** Username of the authenticated caller, null when anonymous or the token was wrong. */
  user: string | null;
  /** When the request arrived. */
  at: string;
  /** When it was answered (later than `at` by any added latency). */
  answeredAt: string;
  /** Set when a fault answered (or dropped) the call instead of the API. */
  fault?: Fault['kind'];
  /** Set when a rate limit refused the call: 'throttle_authenticated_api', 'notes_create'… */
  limit?: string;
}

export type DeliveryOutcome =
  | 'delivered' // sent, 2xx or 3xx
  | 'failed' // sent, other status, timeout or connection error
  | 'dropped' // never sent: a dropWebhook fault, or a non-loopback URL
  | 'disabled' // never sent: the hook was disabled when the event happened
  | 'blocked'; // never sent: recursion detection (hook already fired in this event-UUID chain)

export interface DeliveryRecord {
  id: number;
  hookId: number;
  /** X-Gitlab-Event value, e.g. 'Issue Hook'. */
  event: string;
  /** GitLab's hook trigger name, e.g. 'issue_hooks', 'confidential_note_hooks'. */
  trigger: string;
  url: string;
  outcome: DeliveryOutcome;
  /** True for deliveries made by POST …/hooks/:hook_id/test/:trigger. */
  test: boolean;
  /** Faults that shaped this delivery: held and let go later, or a second copy of one. */
  faults?: Array<'holdWebhook' | 'duplicateWebhook'>;
  requestHeaders: Record<string, string>;
  body: unknown;
  responseStatus: number | null;
  responseHeaders: Record<string, string>;
  responseBody: string;
  error: string | null;
  durationMs: number;
  at: string;
}

// ---- stored records (times in epoch ms) ----

export interface UserRecord {
  id: number;
  username: string;
  name: string;
  email: string;
  token: string;
  createdAt: number;
  /** Service accounts and project/group bots: GET /user says `bot: true`. */
  bot: boolean;
}

/** A personal access token (doc/api/personal_access_tokens.md). The user's seeded token is one. */
export interface TokenRecord {
  id: number;
  userId: number;
  name: string;
  token: string;
  /** 'api', 'read_api', 'read_user'… */
  scopes: string[];
  /** YYYY-MM-DD (the token stops working at the start of that day, UTC), or null: never. */
  expiresAt: string | null;
  revoked: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface NamespaceRecord {
  id: number;
  name: string;
  path: string;
  fullPath: string;
}

export interface ProjectRecord {
  id: number;
  name: string;
  path: string;
  pathWithNamespace: string;
  namespace: NamespaceRecord;
  /** First segment of the path: relative_position is shared by every project under it. */
  topNamespace: string;
  description: string;
  createdAt: number;
  nextIid: number;
  memberIds: number[];
  /** Each member's access level (ACCESS_LEVELS), by user id; every id in memberIds has one. */
  accessLevels: Map<number, number>;
}

export interface LabelRecord {
  id: number;
  projectId: number;
  name: string;
  color: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface IssueRecord {
  id: number;
  iid: number;
  projectId: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  labelIds: number[];
  assigneeIds: number[];
  authorId: number;
  dueDate: string | null;
  confidential: boolean;
  discussionLocked: boolean | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  closedById: number | null;
  updatedById: number | null;
  lastEditedAt: number | null;
  lastEditedById: number | null;
  relativePosition: number | null;
  /** When Issues::PlacementWorker gives it a position (epoch ms); null once placed (or never due). */
  placeAt: number | null;
  /** The work item type: a task's Issue Hooks carry object_kind "work_item". */
  workItemType: 'issue' | 'task';
}

export interface NoteRecord {
  id: number;
  issueId: number;
  projectId: number;
  body: string;
  authorId: number;
  system: boolean;
  internal: boolean;
  discussionId: string;
  createdAt: number;
  updatedAt: number;
  updatedById: number | null;
}

export interface LabelEventRecord {
  id: number;
  issueId: number;
  userId: number;
  labelId: number;
  action: 'add' | 'remove';
  createdAt: number;
  /** Not listed before this instant (a labelEventsLag fault; a holdLabelEvents one: until released); absent: there at once. */
  visibleAt?: number;
}

export interface HookRecord {
  id: number;
  projectId: number;
  url: string;
  token: string;
  name: string | null;
  description: string | null;
  pushEvents: boolean;
  issuesEvents: boolean;
  confidentialIssuesEvents: boolean;
  noteEvents: boolean;
  confidentialNoteEvents: boolean;
  enableSslVerification: boolean;
  createdAt: number;
  /** Consecutive failed deliveries (GitLab's `recent_failures`, capped at the permanent threshold); one success resets it. */
  recentFailures: number;
  /** Until when a temporarily disabled hook stays off; kept (in the past) after it ran out, as GitLab keeps it. */
  disabledUntil: number | null;
}
