// The preflight checks of `rhythm doctor` (and of the start of `rhythm serve`): each one reads
// GitLab (or the configuration) and says, in one line, what holds or what is wrong and how to fix
// it. They only read; what they find out about GitLab's assignees is told to the door, so the
// moderator rule knows it from the first card on.
import { IANAZone } from 'luxon';
import type { RhythmConfig, SkillsExchangeBoard } from '../config/types.js';
import type { CheckingDoor } from '../gitlab/door.js';
import { reachGitLab, type Reach } from '../gitlab/reach.js';
import { GitLabError } from '../gitlab/transport.js';
import { monthOf, sessionsIn } from '../signups/calendar.js';
import { IdentityError, sameUser } from './identity.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Short name of the check: reachable, token, identity, role, labels, hook, assignees, calendars. */
  check: string;
  status: CheckStatus;
  /** What was found, one sentence. */
  message: string;
  /** How to fix it, when it failed (or warns). */
  fix?: string;
  /** The failure matters only to project hooks (registering them, seeing them): serve can run. */
  hooksOnly?: boolean;
}

/** A token that expires within this many days fails the check: rotate it now. */
export const TOKEN_EXPIRY_DAYS = 14;

/** GitLab's access levels (Gitlab::Access) and their names. */
export const ROLES: ReadonlyArray<[level: number, name: string]> = [
  [50, 'Owner'],
  [40, 'Maintainer'],
  [30, 'Developer'],
  [20, 'Reporter'],
  [10, 'Guest'],
  [5, 'Minimal Access'],
];
export const roleName = (level: number): string => ROLES.find(([l]) => level >= l)?.[1] ?? 'no role';

const DAY_MS = 86_400_000;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Every project the configuration touches: its boards' and the sign-up project (hooks go on each). */
export function configuredProjects(config: RhythmConfig): string[] {
  const seen = new Map<string, string>();
  for (const b of config.boards) if (!seen.has(b.project.toLowerCase())) seen.set(b.project.toLowerCase(), b.project);
  if (config.signups && !seen.has(config.signups.project.toLowerCase()))
    seen.set(config.signups.project.toLowerCase(), config.signups.project);
  return [...seen.values()];
}

const skillsBoards = (config: RhythmConfig): SkillsExchangeBoard[] =>
  config.boards.filter((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange');

export async function checkReachable(config: RhythmConfig, timeoutMs?: number): Promise<{ result: CheckResult; reach: Reach }> {
  const reach = await reachGitLab(config.gitlab.url, config.gitlab.token, timeoutMs);
  if (reach.ok && !reach.json) {
    return {
      reach,
      result: {
        check: 'reachable',
        status: 'fail',
        message: `${reach.host} answers ${reach.status}, but not as GitLab's API (no JSON at ${reach.url}/api/v4/metadata)`,
        fix: `set gitlab.url (GITLAB_URL) to the instance's root, without /api/v4 (now ${reach.url})`,
      },
    };
  }
  if (reach.ok) {
    const how = reach.tls ? 'HTTPS, certificate trusted' : 'plain HTTP, no TLS';
    return { reach, result: { check: 'reachable', status: 'ok', message: `${reach.host} answers (${how})` } };
  }
  const fix = reach.tlsProblem
    ? "trust the GitLab's CA: point NODE_EXTRA_CA_CERTS at its certificate file (PEM), or fix the server's certificate"
    : `check gitlab.url (GITLAB_URL, now ${reach.url}), the network path to ${reach.host}, and any proxy (HTTPS_PROXY)`;
  return {
    reach,
    result: { check: 'reachable', status: 'fail', message: `cannot reach GitLab at ${reach.host}: ${reach.cause}`, fix },
  };
}

export async function checkToken(door: CheckingDoor, now: Date): Promise<CheckResult> {
  const check = 'token';
  const newToken = 'create a personal access token for the bot user with the api scope and set GITLAB_TOKEN to it';
  let token;
  try {
    token = await door.tokenSelf();
  } catch (err) {
    if (err instanceof GitLabError && err.status === 401) {
      return { check, status: 'fail', message: 'GitLab refused the token (401): it is wrong, expired or revoked', fix: newToken };
    }
    if (err instanceof GitLabError && err.status === 404) {
      return {
        check,
        status: 'warn',
        message:
          'GitLab cannot describe this token (GET /personal_access_tokens/self answered 404: GitLab before 15.5, or not a personal access token), so its scopes and expiry are unknown',
        fix: 'make sure the token has the api scope and note when it expires',
      };
    }
    return { check, status: 'fail', message: `could not read the token: ${errorText(err)}` };
  }
  if (!token.active || token.revoked) {
    return { check, status: 'fail', message: `token "${token.name}" is ${token.revoked ? 'revoked' : 'no longer active'}`, fix: newToken };
  }
  if (!token.scopes.includes('api')) {
    return {
      check,
      status: 'fail',
      message: `token "${token.name}" has the scopes ${token.scopes.join(', ') || '(none)'}; Rhythm writes notes, labels and hooks, which needs the api scope`,
      fix: newToken,
    };
  }
  if (token.expires_at === null) return { check, status: 'ok', message: `token "${token.name}" has the api scope and never expires` };
  const days = Math.floor((Date.parse(`${token.expires_at}T00:00:00Z`) - now.getTime()) / DAY_MS);
  if (days < TOKEN_EXPIRY_DAYS) {
    return {
      check,
      status: 'fail',
      message: `token "${token.name}" expires in ${Math.max(days, 0)} day(s), on ${token.expires_at} (the check wants at least ${TOKEN_EXPIRY_DAYS})`,
      fix: `rotate it before ${token.expires_at}: ${newToken}, then restart rhythm serve`,
    };
  }
  return { check, status: 'ok', message: `token "${token.name}" has the api scope and expires in ${days} days, on ${token.expires_at}` };
}

/** The token's user against gitlab.botUsername; the user when they agree (the role check needs the id). */
export async function checkIdentity(door: CheckingDoor, config: RhythmConfig): Promise<{ result: CheckResult; userId: number | null }> {
  const check = 'identity';
  try {
    const me = await door.currentUser();
    if (sameUser(me.username, config.gitlab.botUsername)) {
      return { userId: me.id, result: { check, status: 'ok', message: `the token is ${me.username}'s, the configured bot user` } };
    }
    const e = new IdentityError(config.gitlab.botUsername, me.username, config.source);
    return {
      userId: me.id,
      result: {
        check,
        status: 'fail',
        message: `the token belongs to "${e.actual}", but gitlab.botUsername is "${e.configured}"`,
        fix: `set gitlab.botUsername: ${e.actual} in ${config.source}, or give Rhythm the token of "${e.configured}"`,
      },
    };
  } catch (err) {
    return { userId: null, result: { check, status: 'fail', message: `could not read the token's user (GET /user): ${errorText(err)}` } };
  }
}

/**
 * The bot's role on each project against what the configuration asks there: Reporter for notes
 * and labels, Maintainer for the project hook every configured project gets (`rhythm hooks install`).
 */
export async function checkRoles(door: CheckingDoor, config: RhythmConfig, userId: number): Promise<CheckResult[]> {
  const bot = config.gitlab.botUsername;
  const out: CheckResult[] = [];
  for (const project of configuredProjects(config)) {
    const check = 'role';
    let member;
    try {
      member = await door.projectMember(project, userId);
    } catch (err) {
      out.push({ check, status: 'fail', message: `could not read ${bot}'s role on ${project}: ${errorText(err)}` });
      continue;
    }
    const grant = `make ${bot} a Maintainer of ${project} (Manage > Members)`;
    if (!member) {
      out.push({ check, status: 'fail', message: `${bot} is not a member of ${project} (or the project does not exist)`, fix: grant });
      continue;
    }
    const level = member.access_level;
    if (level >= 40) {
      out.push({
        check,
        status: 'ok',
        message: `${bot} is ${roleName(level)} on ${project}: enough for notes, labels and the project hook`,
      });
    } else if (level >= 20) {
      out.push({
        check,
        status: 'fail',
        message: `${bot} is ${roleName(level)} on ${project}: enough for notes and labels, but the project hook needs Maintainer`,
        fix: `${grant}, or have a Maintainer register the hook (rhythm hooks install) and accept that this check cannot see it`,
        hooksOnly: true,
      });
    } else {
      out.push({
        check,
        status: 'fail',
        message: `${bot} is ${roleName(level)} on ${project}: notes and labels need Reporter, the project hook Maintainer`,
        fix: grant,
      });
    }
  }
  return out;
}

/** The labels the configuration names, by project. */
export function configuredLabels(config: RhythmConfig): Map<string, string[]> {
  const wanted = new Map<string, Set<string>>();
  const add = (project: string, label: string | undefined) => {
    if (!label) return;
    const set = wanted.get(project) ?? new Set<string>();
    set.add(label);
    wanted.set(project, set);
  };
  for (const b of skillsBoards(config)) {
    add(b.project, b.labels.plan);
    add(b.project, b.labels.scheduled);
    if (b.rules.template.enabled) add(b.project, b.rules.template.needsInfoLabel);
  }
  if (config.signups) {
    for (const calendar of [config.signups.webinars, config.signups.labs]) {
      if (calendar.enabled) for (const l of calendar.labels) add(config.signups.project, l);
    }
  }
  return new Map([...wanted].map(([p, s]) => [p, [...s]]));
}

export async function checkLabels(door: CheckingDoor, config: RhythmConfig): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const [project, labels] of configuredLabels(config)) {
    let names: Set<string>;
    try {
      names = new Set((await door.listLabels(project)).map((l) => l.name));
    } catch (err) {
      out.push({ check: 'labels', status: 'fail', message: `could not read the labels of ${project}: ${errorText(err)}` });
      continue;
    }
    const missing = labels.filter((l) => !names.has(l));
    if (missing.length === 0)
      out.push({ check: 'labels', status: 'ok', message: `${project} has ${labels.map((l) => `"${l}"`).join(', ')}` });
    else
      out.push({
        check: 'labels',
        status: 'fail',
        message: `${project} has no label ${missing.map((l) => `"${l}"`).join(', ')}`,
        fix: `create ${missing.length > 1 ? 'them' : 'it'} in ${project} (Manage > Labels), or change the configuration to the labels the board uses`,
      });
  }
  return out;
}

/**
 * The project hook Rhythm receives on: one with issue and comment events, not disabled. GitLab says
 * a hook's state in `alert_status` (executable, temporarily_disabled, disabled) and, while it is
 * temporarily disabled, `disabled_until`; a GitLab that says neither is taken as enabled.
 */
export async function checkHooks(door: CheckingDoor, config: RhythmConfig): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const install = 'run rhythm hooks install --url https://<rhythm host>/webhooks/gitlab';
  for (const project of configuredProjects(config)) {
    let hooks;
    try {
      hooks = await door.listHooks(project);
    } catch (err) {
      out.push({ check: 'hook', status: 'fail', message: `could not read the hooks of ${project}: ${errorText(err)}`, hooksOnly: true });
      continue;
    }
    const receiving = hooks.filter((h) => h.issues_events && h.note_events);
    const ours = receiving.filter((h) => /\/webhooks\/gitlab\/?$/.test(h.url));
    const candidates = ours.length > 0 ? ours : receiving;
    if (candidates.length === 0) {
      out.push({ check: 'hook', status: 'fail', message: `${project} has no webhook sending issue and comment events`, fix: install });
      continue;
    }
    for (const hook of candidates) {
      const status = hook.alert_status ?? 'executable';
      const until = hook.disabled_until ?? null;
      const where = `hook ${hook.id} on ${project} (${hook.url})`;
      if (status === 'disabled') {
        out.push({
          check: 'hook',
          status: 'fail',
          message: `${where} is disabled: GitLab stopped it after repeated failures`,
          fix: 'fix what made the deliveries fail (the secret, the URL, the service), then enable it again: Settings > Webhooks, or rhythm hooks install',
        });
      } else if (status === 'temporarily_disabled') {
        out.push({
          check: 'hook',
          status: 'fail',
          message: `${where} is temporarily disabled${until ? ` until ${until}` : ''} after failed deliveries`,
          fix: 'fix what made the deliveries fail (the secret, the URL, the service); GitLab tries again after that time',
        });
      } else {
        out.push({ check: 'hook', status: 'ok', message: `${where} is installed and enabled` });
        out.push(await recentDeliveries(door, project, hook.id, where));
      }
    }
  }
  return out;
}

/**
 * Whether the hook's latest delivery succeeded, from GitLab's hook log (GitLab 17.3+, the past
 * 7 days). A GitLab without the log, or a quiet week, says nothing either way: skip, not fail.
 */
async function recentDeliveries(door: CheckingDoor, project: string, hookId: number, where: string): Promise<CheckResult> {
  const check = 'delivered';
  let events;
  try {
    events = await door.hookEvents(project, hookId);
  } catch (err) {
    return { check, status: 'warn', message: `could not read the delivery log of ${where}: ${errorText(err)}` };
  }
  if (events === null) return { check, status: 'skip', message: `${where}: this GitLab keeps no hook delivery log (before 17.3)` };
  const last = events[0];
  if (!last) return { check, status: 'skip', message: `${where} delivered nothing in the past 7 days` };
  const failed = events.filter((e) => !/^2\d\d$/.test(e.response_status)).length;
  if (/^2\d\d$/.test(last.response_status)) {
    const also = failed > 0 ? ` (${failed} of the latest ${events.length} failed)` : '';
    return { check, status: 'ok', message: `${where}: the latest delivery (${last.created_at}) succeeded${also}` };
  }
  return {
    check,
    status: 'fail',
    message: `${where}: the latest delivery (${last.created_at}) failed with ${last.response_status}; ${failed} of the latest ${events.length} failed`,
    fix: 'a 401 means the service has another secret (run rhythm hooks install, which sends it); otherwise check that the service is up at that URL: rhythm hooks status shows the log',
  };
}

/**
 * Whether an issue may have several assignees in each board's project. GitLab says its
 * subscription in GET /namespaces/:id `plan` (GitLab.com) and its edition in GET /metadata
 * (`enterprise: false` is the Community Edition: Free); what is found is told to the door.
 */
export async function checkAssignees(door: CheckingDoor, config: RhythmConfig): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const board of skillsBoards(config)) {
    const rule = board.rules.moderator;
    let allowed: 'one' | 'several' | null = door.singleAssignee(board.project) ? 'one' : null;
    let how = 'GitLab kept only the first assignee of an edit';
    try {
      if (!allowed) {
        const project = await door.getProject(board.project);
        const ns = await door.getNamespace(project.namespace.id).catch(() => null);
        if (typeof ns?.plan === 'string' && ns.plan !== '') {
          allowed = ['free', 'default'].includes(ns.plan) ? 'one' : 'several';
          how = `the namespace's plan is ${ns.plan}`;
        } else {
          const meta = await door.metadata();
          if (meta.enterprise === false) {
            allowed = 'one';
            how = `GitLab ${meta.version} is the Community Edition`;
          }
        }
      }
    } catch (err) {
      out.push({ check: 'assignees', status: 'fail', message: `could not tell the subscription of ${board.project}: ${errorText(err)}` });
      continue;
    }
    if (allowed) door.learnAssignees(board.project, allowed);
    const needsSeveral = rule.enabled && (rule.mode === 'fix' || rule.mode === 'revert');
    if (allowed === 'several') {
      out.push({ check: 'assignees', status: 'ok', message: `issues in ${board.project} may have several assignees (${how})` });
    } else if (allowed === 'one') {
      if (needsSeveral) {
        out.push({
          check: 'assignees',
          status: 'fail',
          message: `issues in ${board.project} have one assignee only (${how}), so the moderator cannot be assigned beside the speaker (rules.moderator.mode: ${rule.mode})`,
          fix: `set boards[${config.boards.indexOf(board)}].rules.moderator.mode: comment (the note then names the moderator from the Moderator line), or move the project to a paid tier`,
        });
      } else {
        out.push({
          check: 'assignees',
          status: 'ok',
          message: `issues in ${board.project} have one assignee only (${how}); the moderator rule (${rule.enabled ? rule.mode : 'off'}) does not assign`,
        });
      }
    } else {
      out.push({
        check: 'assignees',
        status: needsSeveral ? 'warn' : 'ok',
        message: `GitLab does not say whether ${board.project} allows several assignees (no plan on its namespace, an Enterprise Edition)${needsSeveral ? '' : '; the moderator rule does not assign'}`,
        ...(needsSeveral
          ? {
              fix: 'on a Free subscription set rules.moderator.mode: comment; Rhythm also learns it from the first edit GitLab answers with one assignee',
            }
          : {}),
      });
    }
  }
  return out;
}

/** The team's time zone and every calendar's sessions for this month and the next two resolve. */
export function checkCalendars(config: RhythmConfig, now: Date): CheckResult[] {
  const out: CheckResult[] = [];
  if (!IANAZone.isValidZone(config.timezone)) {
    out.push({
      check: 'calendars',
      status: 'fail',
      message: `the time zone "${config.timezone}" is not an IANA time zone`,
      fix: 'use a name like Europe/Berlin',
    });
    return out;
  }
  out.push({
    check: 'calendars',
    status: 'ok',
    message: `time zone ${config.timezone} resolves (this month there: ${monthOf(now, config.timezone)})`,
  });
  const signups = config.signups;
  if (!signups) return out;
  for (const [kind, calendar] of [
    ['webinar', signups.webinars],
    ['lab', signups.labs],
  ] as const) {
    if (!calendar.enabled) continue;
    const months = [0, 1, 2].map((offset) => monthOf(now, config.timezone, offset));
    try {
      const counts = months.map((m) => `${sessionsIn(calendar, kind, m).length} in ${m}`);
      out.push({ check: 'calendars', status: 'ok', message: `the ${kind} calendar resolves: ${counts.join(', ')}` });
    } catch (err) {
      out.push({
        check: 'calendars',
        status: 'fail',
        message: `the ${kind} calendar does not resolve: ${errorText(err)}`,
        fix: 'check its sessions (rrule, dates, time, timezone) with rhythm check-config',
      });
    }
  }
  return out;
}

/** The checks a command that writes cannot go without: what `rhythm serve` runs at start. */
export const ESSENTIAL = new Set(['reachable', 'token', 'identity', 'role']);

export interface DoctorOptions {
  now?: Date;
  /** Which checks to run (default all, in the order of the doctor). */
  only?: ReadonlySet<string>;
  reachTimeoutMs?: number;
}

/** Every check in order; those that need GitLab are skipped when it cannot be reached. */
export async function runChecks(door: CheckingDoor, config: RhythmConfig, opts: DoctorOptions = {}): Promise<CheckResult[]> {
  const now = opts.now ?? new Date();
  const want = (name: string) => !opts.only || opts.only.has(name);
  const results: CheckResult[] = [];
  const { result: reach } = await checkReachable(config, opts.reachTimeoutMs);
  results.push(reach);
  const gitlabChecks = ['token', 'identity', 'role', 'labels', 'hook', 'assignees'].filter(want);
  if (reach.status !== 'ok') {
    for (const check of gitlabChecks) results.push({ check, status: 'skip', message: 'not checked: GitLab cannot be reached' });
  } else {
    if (want('token')) results.push(await checkToken(door, now));
    const identity = await checkIdentity(door, config);
    if (want('identity')) results.push(identity.result);
    if (want('role')) {
      if (identity.userId === null) results.push({ check: 'role', status: 'skip', message: "not checked: the token's user is unknown" });
      else results.push(...(await checkRoles(door, config, identity.userId)));
    }
    if (want('labels')) results.push(...(await checkLabels(door, config)));
    if (want('hook')) results.push(...(await checkHooks(door, config)));
    if (want('assignees')) results.push(...(await checkAssignees(door, config)));
  }
  if (want('calendars')) results.push(...checkCalendars(config, now));
  return results;
}

/** One line per result: status, check, message; the fix indented below a failure or warning. */
export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  const tag: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };
  return results
    .map((r) => {
      const line = `${tag[r.status]}  ${r.check.padEnd(width)}  ${r.message}`;
      return r.fix && r.status !== 'ok' ? `${line}\n${' '.repeat(width + 8)}fix: ${r.fix}` : line;
    })
    .join('\n');
}
