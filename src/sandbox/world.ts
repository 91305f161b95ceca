// The sandbox's in-memory GitLab: users, projects, labels, issues, notes, label events, hooks.
// Only storage and lookups live here; the changes GitLab makes on a write live in issue-service.ts.

import { endPosition } from './relative-position.js';
import { ACCESS_LEVELS } from './types.js';
import type {
  LabelEventTiming,
  HookRecord,
  IssueRecord,
  LabelEventRecord,
  LabelRecord,
  NoteRecord,
  ProjectRecord,
  SandboxTier,
  TokenRecord,
  UserRecord,
} from './types.js';

export const SEED_USERS: ReadonlyArray<{ username: string; name: string }> = [
  { username: 'rhythm-bot', name: 'Rhythm Bot' },
  { username: 'alice', name: 'Alice Anders' },
  { username: 'bob', name: 'Bob Brown' },
  { username: 'carol', name: 'Carol Chen' },
  { username: 'dave', name: 'Dave Diaz' },
];

export const SEED_PROJECTS: readonly string[] = [
  'gitlab-com/sales-team/cs-skills-exchange',
  'gitlab-com/customer-success/customer-success-engineering/content',
  // Where the shipped rhythm.yml opens program plans (the CSM internship and accreditation).
  'gitlab-com/customer-success/csm-programs',
];

/**
 * The labels a team has made before installing Rhythm, for the shipped configuration: what
 * `rhythm sandbox` and the demo start with (SandboxOptions.labels). In-process tests start bare.
 */
export const SEED_LABELS: Readonly<Record<string, ReadonlyArray<{ name: string; color: string }>>> = {
  'gitlab-com/sales-team/cs-skills-exchange': [
    { name: 'status:plan', color: '#428BCA' },
    { name: 'status:scheduled', color: '#69D100' },
    { name: 'needs-info', color: '#F0AD4E' },
  ],
  'gitlab-com/customer-success/customer-success-engineering/content': [{ name: 'cse-events::sign-up', color: '#8E44AD' }],
};

/** GitLab's default colour for labels created on the fly. */
export const DEFAULT_LABEL_COLOR = '#6699cc';

/**
 * The role each seeded user has on every project: the bot is a Maintainer (project hooks need
 * it), alice owns the projects, everyone else develops. Users added later are Developers.
 */
export const SEED_ROLES: Readonly<Record<string, number>> = {
  'rhythm-bot': ACCESS_LEVELS.maintainer,
  alice: ACCESS_LEVELS.owner,
};

export function sandboxToken(username: string): string {
  return `sandbox-${username}-token`;
}

/** visibleAt of a label event a holdLabelEvents fault keeps back. */
const HELD = Number.MAX_SAFE_INTEGER;

export class World {
  readonly users = new Map<number, UserRecord>();
  readonly projects = new Map<number, ProjectRecord>();
  readonly labels = new Map<number, LabelRecord>();
  readonly issues = new Map<number, IssueRecord>();
  readonly notes = new Map<number, NoteRecord>();
  readonly labelEvents: LabelEventRecord[] = [];
  /**
   * How late the label events being written now are (a labelEventsLag or holdLabelEvents fault),
   * asked when the request writes its first one: a request that writes none takes no fault.
   */
  labelEventTiming: (() => LabelEventTiming) | undefined;
  readonly hooks = new Map<number, HookRecord>();
  readonly tokens = new Map<number, TokenRecord>();

  // Separate counters so global ids and per-project iids never line up by accident.
  private nextUserId = 1;
  private nextProjectId = 1;
  private nextNamespaceId = 1;
  private nextLabelId = 101;
  private nextIssueId = 1001;
  private nextNoteId = 5001;
  private nextLabelEventId = 1;
  private nextHookId = 1;
  private nextTokenId = 1;
  private readonly namespaces = new Map<string, number>();
  /** The subscription played (SandboxOptions.tier); quick actions read it. */
  tier: SandboxTier = 'premium';

  constructor(
    readonly now: () => number,
    public baseUrl: string,
  ) {}

  seed(): void {
    for (const u of SEED_USERS) this.addUser(u.username, u.name);
    for (const p of SEED_PROJECTS) this.addProject(p);
  }

  /** Labels made in projects (by path), as a team would have made them: no events, no webhooks. */
  seedLabels(labels: Readonly<Record<string, ReadonlyArray<{ name: string; color?: string }>>>): void {
    for (const [path, list] of Object.entries(labels)) {
      const project = this.projectByPath(path);
      if (!project) throw new Error(`no project ${path} to put labels in`);
      for (const l of list) if (!this.labelByName(project.id, l.name)) this.createLabel(project.id, l.name, l.color);
    }
  }

  addUser(username: string, name = username, token = sandboxToken(username)): UserRecord {
    if (this.userByUsername(username)) throw new Error(`user ${username} already exists`);
    const user: UserRecord = {
      id: this.nextUserId++,
      username,
      name,
      email: `${username}@sandbox.example`,
      token,
      createdAt: this.now(),
      bot: username.endsWith('-bot'),
    };
    this.users.set(user.id, user);
    this.addToken(user.id, { token, name: `${username} (sandbox)` });
    // Everybody is a member of every project, as in the seed.
    for (const p of this.projects.values()) {
      p.memberIds.push(user.id);
      p.accessLevels.set(user.id, seedRole(username));
    }
    return user;
  }

  /** A personal access token for the user: scope `api` and no expiry unless said otherwise. */
  addToken(userId: number, opts: { token?: string; name?: string; scopes?: string[]; expiresAt?: string | null } = {}): TokenRecord {
    const id = this.nextTokenId++;
    const record: TokenRecord = {
      id,
      userId,
      name: opts.name ?? `token ${id}`,
      token: opts.token ?? `sandbox-token-${id}-${userId}`,
      scopes: opts.scopes ?? ['api'],
      expiresAt: opts.expiresAt ?? null,
      revoked: false,
      createdAt: this.now(),
      lastUsedAt: null,
    };
    this.tokens.set(id, record);
    return record;
  }

  /** A token that still works now: not revoked, not past its expiry date (UTC). */
  isActive(token: TokenRecord): boolean {
    if (token.revoked) return false;
    return token.expiresAt === null || new Date(this.now()).toISOString().slice(0, 10) < token.expiresAt;
  }

  /** The member's access level on the project; 0 when not a member. */
  accessLevel(project: ProjectRecord, userId: number): number {
    return project.memberIds.includes(userId) ? (project.accessLevels.get(userId) ?? 0) : 0;
  }

  /** Sets a member's access level; 0 takes the user out of the project. */
  setAccessLevel(project: ProjectRecord, userId: number, level: number): void {
    project.memberIds = project.memberIds.filter((id) => id !== userId);
    project.accessLevels.delete(userId);
    if (level <= 0) return;
    project.memberIds.push(userId);
    project.accessLevels.set(userId, level);
  }

  /**
   * Issues::PlacementWorker: issues whose placement came due get their position at the end, in
   * the order they were made. Run before anything reads the world, so time alone places them.
   */
  placeDue(): void {
    const at = this.now();
    const due = [...this.issues.values()].filter((i) => i.placeAt !== null && i.placeAt <= at).sort((a, b) => a.id - b.id);
    for (const issue of due) {
      issue.placeAt = null;
      if (issue.relativePosition === null) issue.relativePosition = endPosition(this.positionScope(issue.projectId), issue);
    }
  }

  addProject(pathWithNamespace: string, description = ''): ProjectRecord {
    if (this.projectByPath(pathWithNamespace)) throw new Error(`project ${pathWithNamespace} already exists`);
    const parts = pathWithNamespace.split('/').filter((s) => s.length > 0);
    const path = parts.pop();
    const top = parts[0];
    if (!path || !top) throw new Error(`project path needs a namespace: ${pathWithNamespace}`);
    const nsFull = parts.join('/');
    let nsId = this.namespaces.get(nsFull);
    if (nsId === undefined) {
      nsId = this.nextNamespaceId++;
      this.namespaces.set(nsFull, nsId);
    }
    const nsPath = parts[parts.length - 1] ?? top;
    const project: ProjectRecord = {
      id: this.nextProjectId++,
      name: titleize(path),
      path,
      pathWithNamespace: parts.concat(path).join('/'),
      namespace: { id: nsId, name: titleize(nsPath), path: nsPath, fullPath: nsFull },
      topNamespace: top,
      description,
      createdAt: this.now(),
      nextIid: 1,
      memberIds: [...this.users.keys()],
      accessLevels: new Map([...this.users.values()].map((u) => [u.id, seedRole(u.username)])),
    };
    this.projects.set(project.id, project);
    return project;
  }

  userByToken(token: string): UserRecord | undefined {
    for (const u of this.users.values()) if (u.token === token) return u;
    return undefined;
  }

  userByUsername(username: string): UserRecord | undefined {
    const wanted = username.toLowerCase();
    for (const u of this.users.values()) if (u.username.toLowerCase() === wanted) return u;
    return undefined;
  }

  user(id: number): UserRecord {
    const u = this.users.get(id);
    if (!u) throw new Error(`no user ${id}`);
    return u;
  }

  projectByPath(path: string): ProjectRecord | undefined {
    const wanted = path.toLowerCase();
    for (const p of this.projects.values()) if (p.pathWithNamespace.toLowerCase() === wanted) return p;
    return undefined;
  }

  /** `:id` of a project route: numeric id or (already decoded) full path. */
  projectByRef(ref: string): ProjectRecord | undefined {
    if (/^\d+$/.test(ref)) return this.projects.get(Number(ref));
    return this.projectByPath(ref);
  }

  project(id: number): ProjectRecord {
    const p = this.projects.get(id);
    if (!p) throw new Error(`no project ${id}`);
    return p;
  }

  projectLabels(projectId: number): LabelRecord[] {
    return [...this.labels.values()].filter((l) => l.projectId === projectId);
  }

  labelByName(projectId: number, name: string): LabelRecord | undefined {
    // GitLab label titles are unique per project, case-sensitively.
    for (const l of this.labels.values()) if (l.projectId === projectId && l.name === name) return l;
    return undefined;
  }

  label(id: number): LabelRecord {
    const l = this.labels.get(id);
    if (!l) throw new Error(`no label ${id}`);
    return l;
  }

  createLabel(projectId: number, name: string, color = DEFAULT_LABEL_COLOR, description: string | null = null): LabelRecord {
    const at = this.now();
    const label: LabelRecord = { id: this.nextLabelId++, projectId, name, color, description, createdAt: at, updatedAt: at };
    this.labels.set(label.id, label);
    return label;
  }

  findOrCreateLabel(projectId: number, name: string): LabelRecord {
    return this.labelByName(projectId, name) ?? this.createLabel(projectId, name);
  }

  issueByIid(projectId: number, iid: number): IssueRecord | undefined {
    for (const i of this.issues.values()) if (i.projectId === projectId && i.iid === iid) return i;
    return undefined;
  }

  projectIssues(projectId: number): IssueRecord[] {
    return [...this.issues.values()].filter((i) => i.projectId === projectId);
  }

  /** Issues sharing relative_position space with the project: all projects under its top-level namespace. */
  positionScope(projectId: number): IssueRecord[] {
    const top = this.project(projectId).topNamespace;
    return [...this.issues.values()].filter((i) => this.project(i.projectId).topNamespace === top);
  }

  newIssueId(): number {
    return this.nextIssueId++;
  }

  newNoteId(): number {
    return this.nextNoteId++;
  }

  newHookId(): number {
    return this.nextHookId++;
  }

  addLabelEvent(issueId: number, userId: number, labelId: number, action: 'add' | 'remove', at: number): void {
    const timing = this.labelEventTiming?.() ?? null;
    const lag = timing !== null && timing !== 'hold' ? timing.lagMs : 0;
    const createdAt = at + lag;
    this.labelEvents.push({
      id: this.nextLabelEventId++,
      issueId,
      userId,
      labelId,
      action,
      createdAt,
      ...(timing === 'hold' ? { visibleAt: HELD } : lag > 0 ? { visibleAt: createdAt } : {}),
    });
  }

  /** Writes the label events a holdLabelEvents fault kept back, now; returns how many. */
  releaseLabelEvents(): number {
    const now = this.now();
    const held = this.labelEvents.filter((e) => e.visibleAt === HELD);
    for (const e of held) {
      e.createdAt = Math.max(e.createdAt, now);
      e.visibleAt = e.createdAt;
    }
    return held.length;
  }

  /** The label events GitLab has written by now (a lagging one is not there yet). */
  writtenLabelEvents(issueId: number): LabelEventRecord[] {
    const now = this.now();
    return this.labelEvents.filter((e) => e.issueId === issueId && (e.visibleAt === undefined || e.visibleAt <= now));
  }

  issueNotes(issueId: number): NoteRecord[] {
    return [...this.notes.values()].filter((n) => n.issueId === issueId);
  }

  issueWebUrl(issue: IssueRecord): string {
    return `${this.projectWebUrl(this.project(issue.projectId))}/-/issues/${issue.iid}`;
  }

  projectWebUrl(project: ProjectRecord): string {
    return `${this.baseUrl}/${project.pathWithNamespace}`;
  }
}

function seedRole(username: string): number {
  return SEED_ROLES[username] ?? ACCESS_LEVELS.developer;
}

function titleize(path: string): string {
  return path
    .split(/[-_]/)
    .filter((w) => w.length > 0)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
