// `rhythm explain <issue URL | project#iid>`: what the bot sees of one issue and what it would do,
// without doing it. The issue goes through the handler's own load and decide (the registry's
// kinds, engine/registry.ts), exactly as a job of `rhythm serve` would, and the plan is printed
// with the full content of every write; nothing is sent (the loader gets GitLab's reads only).
import { existsSync } from 'node:fs';
import { CommanderError } from 'commander';
import type { RhythmConfig } from '../config/types.js';
import { ColumnCache } from '../engine/column-cache.js';
import type { Decision, LoadContext } from '../engine/handler.js';
import { issueKey, resolveKey, type WorkKey } from '../engine/keys.js';
import type { GitLabReader } from '../gitlab/types.js';
import type { Baselines } from '../queue/baselines.js';
import type { CardMemory } from '../queue/card-memory.js';
import type { Store } from '../queue/contract.js';
import { openStore, storeLocation, storeOptions } from '../queue/open.js';
import { card, ruleContextOf, type CardState } from '../handlers/card/index.js';
import { readMemo } from '../handlers/card/memory.js';
import { signupIssue, type SignupIssueState } from '../handlers/signup-issue/index.js';
import { SESSION_KIND } from '../handlers/signup-month/index.js';
import { parseModeratorLines, statusOf } from '../card/index.js';
import { checkIssue } from '../rules/index.js';
import { sessionsIn } from '../signups/calendar.js';
import { parseClaims } from '../signups/claims.js';
import { isWrite } from '../engine/steps.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';
import { Failure } from './failure.js';
import { writeText } from './write-text.js';

/** The issue as given: a project path and iid, or a URL to be read against the configured GitLab. */
export type IssueArgument = { kind: 'ref'; project: string; iid: number } | { kind: 'url'; url: URL };

const IID = /^[1-9]\d{0,14}$/;

/** `group/project#12` or an issue's URL; anything else is a usage error (exit 2, before the config). */
export function parseIssueArgument(arg: string): IssueArgument {
  const text = arg.trim();
  const ref = /^([A-Za-z0-9_.][A-Za-z0-9_.\-/]*[A-Za-z0-9_])#(\d+)$/.exec(text);
  if (ref && IID.test(ref[2]!)) return { kind: 'ref', project: ref[1]!, iid: Number(ref[2]) };
  if (/^https?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      if (/\/(?:-\/)?(?:issues|work_items)\/[1-9]\d{0,14}\/?$/.test(url.pathname)) return { kind: 'url', url };
    } catch {
      // not a URL: the usage error below
    }
  }
  throw new CommanderError(
    2,
    'usage',
    `explain takes an issue as group/project#12 or as its URL (https://gitlab.example.com/group/project/-/issues/12); got "${arg}"`,
  );
}

/** The project path and iid an argument names, once the configured GitLab is known. */
export function issueOf(arg: IssueArgument, gitlabUrl: string): { project: string; iid: number } {
  if (arg.kind === 'ref') return { project: arg.project, iid: arg.iid };
  const base = new URL(gitlabUrl);
  if (arg.url.origin !== base.origin) {
    throw new Failure(`${arg.url.href} is on ${arg.url.origin}, but this configuration's GitLab is ${base.origin}`);
  }
  // A GitLab under a path (https://host/gitlab): the project path starts after it.
  const prefix = base.pathname.replace(/\/+$/, '');
  const path = decodeURIComponent(arg.url.pathname).slice(prefix.length);
  const match = /^\/(.+?)\/(?:-\/)?(?:issues|work_items)\/(\d+)\/?$/.exec(path);
  if (!match) throw new Failure(`${arg.url.href} is not an issue of the GitLab at ${gitlabUrl}`);
  return { project: match[1]!, iid: Number(match[2]) };
}

/** GitLab's reads only: `load` is given no way to write, whatever it calls. */
function readerOf(door: GitLabReader): GitLabReader {
  return {
    currentUser: () => door.currentUser(),
    findUser: (u) => door.findUser(u),
    getIssue: (p, i) => door.getIssue(p, i),
    listIssues: (p, q) => door.listIssues(p, q),
    listNotes: (p, i) => door.listNotes(p, i),
    labelEvents: (p, i) => door.labelEvents(p, i),
    listHooks: (p) => door.listHooks(p),
  };
}

/** The service's store when there is one here (never created: explain writes nothing). */
async function serviceStore(env: NodeJS.ProcessEnv, cwd: string): Promise<Store | null> {
  const url = env.RHYTHM_DATABASE_URL?.trim();
  const where = storeLocation(url, cwd);
  if (where.kind === 'sqlite' && (where.path === ':memory:' || !existsSync(where.path))) return null;
  return openStore(url, cwd, storeOptions(process.env));
}

function configuredProjects(config: RhythmConfig): string {
  const projects = [...config.boards.map((b) => b.project), ...(config.signups ? [config.signups.project] : [])];
  return [...new Set(projects)].join(', ') || '(none)';
}

const out = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);
const orNone = (items: readonly string[]) => (items.length ? items.join(', ') : '(none)');

export async function explain(configPath: string, issueArg: string): Promise<void> {
  const arg = parseIssueArgument(issueArg);
  const { config, configDir } = load(configPath);
  const { project, iid } = issueOf(arg, config.gitlab.url);
  const keyName = issueKey(project, iid);
  const key = resolveKey(keyName, config);
  if ('skip' in key) {
    throw new Failure(`${project} is not a project of ${configPath} (its projects: ${configuredProjects(config)}); nothing to explain`);
  }
  const log = commandLogger();
  const door = doorFor(config, log);
  const ctx: LoadContext = {
    gitlab: readerOf(door),
    config,
    configDir,
    now: new Date(),
    log,
    columns: new ColumnCache(),
    listings: new Map(),
    // Decided from a full read of GitLab, as a job that remembers nothing would; the memory is shown apart.
    memory: null,
    fullRead: true,
  };
  if (key.kind === 'card') await explainCard(key, ctx, keyName);
  else if (key.kind === 'signupIssue') await explainSignupIssue(key, ctx);
  process.stdout.write(`GitLab calls: ${door.reads} reads, ${door.writes} writes (explain writes nothing)\n`);
}

function gone(project: string, iid: number): Failure {
  return new Failure(`GitLab has no issue ${project}#${iid} (or the bot cannot see it)`);
}

/**
 * The board's baseline as the service's database has it, read only: a card from before it is
 * held (no note), as the bot's own jobs decide. No baseline yet: none is recorded (explain writes
 * nothing), and the card is judged as it would be with none.
 */
async function recordedBaselines(project: string): Promise<Baselines | null> {
  let store: Store | null;
  try {
    store = await serviceStore(process.env, process.cwd());
  } catch {
    return null; // memorySays reports the database that cannot be opened
  }
  if (!store) return null;
  try {
    const at = await store.baselines.get(project);
    return at === null ? null : { ensure: async () => at, get: async () => at };
  } finally {
    await store.close();
  }
}

async function explainCard(key: Extract<WorkKey, { kind: 'card' }>, ctx: LoadContext, keyName: string): Promise<void> {
  const loaded = await card.load(key, [], { ...ctx, baselines: await recordedBaselines(key.project) });
  if ('skip' in loaded) {
    if (loaded.skip === 'issue is gone') throw gone(key.project, key.iid);
    out([`${keyName}: the bot does nothing (${loaded.skip})`]);
    return;
  }
  const { state } = loaded;
  const decision = card.decide(state);
  out([...cardSeen(state), '', ...(await memorySays(keyName)), '', ...cardDecided(state, decision)]);
}

function cardSeen(state: CardState): string[] {
  const { issue, board } = state;
  const lines = [
    `${issue.project}#${issue.iid} ${JSON.stringify(issue.title)}: a card on the board ${board.name}`,
    issue.webUrl,
    '',
    'What the bot sees',
    `  state:       ${issue.state}${issue.confidential ? ' (confidential: its words never go into a note)' : ''}`,
    `  column:      ${columnName(statusOf(issue.labels, board), board)}`,
    `  labels:      ${orNone(issue.labels)}`,
    `  assignees:   ${orNone(issue.assignees.map((a) => `@${a}`))}`,
    `  due date:    ${issue.dueDate ? `${issue.dueDate}${state.dueDateSetAt ? ` (set ${state.dueDateSetAt})` : ''}` : '(none)'}`,
    ...moderatorLines(state),
    `  last move:   ${moveLine(state)}`,
    `  status note: ${statusNoteLine(state)}`,
  ];
  if (state.scheduledPeers.length > 0) {
    const sameDay = state.scheduledPeers.filter((p) => p.dueDate !== null && p.dueDate === issue.dueDate);
    lines.push(
      `  column peers: ${state.scheduledPeers.length} other card(s) in ${board.labels.scheduled}` +
        (sameDay.length ? `; on the same date: ${sameDay.map((p) => `#${p.iid}`).join(', ')}` : ''),
    );
  }
  return lines;
}

function columnName(status: ReturnType<typeof statusOf>, board: CardState['board']): string {
  switch (status) {
    case 'backlog':
      return 'backlog (no status label)';
    case 'plan':
      return board.labels.plan;
    case 'scheduled':
      return board.labels.scheduled;
    case 'both':
      return `both ${board.labels.plan} and ${board.labels.scheduled}`;
  }
}

function moderatorLines(state: CardState): string[] {
  const found = parseModeratorLines(state.issue.description);
  if (found.length === 0) return ['  moderator:   no "Moderator: @username" line in the description'];
  return found.map((line, i) => {
    const who = line.username ? state.users[line.username.toLowerCase()] : undefined;
    const user = !line.username
      ? 'names no one with an @'
      : who
        ? `@${who.username} (user ${who.id})`
        : who === null
          ? `@${line.username}: GitLab has no such user`
          : `@${line.username}`;
    const also = line.alsoNamed.length ? `; also names ${line.alsoNamed.map((n) => `@${n}`).join(', ')}` : '';
    // The card's own words are shown only as JSON (one line, nothing a terminal interprets).
    return `  ${i === 0 ? 'moderator:  ' : '            '} ${JSON.stringify(line.raw)} → ${user}${also}`;
  });
}

function moveLine(state: CardState): string {
  const move = state.lastMove;
  const cols = (labels: string[]) => columnName(statusOf(labels, state.board), state.board);
  if (move) {
    const what = `${cols(move.previous)} → ${cols(move.current)} by @${move.by} at ${move.at}`;
    if (move.by.toLowerCase() === state.botUsername.toLowerCase()) return `${what}: the bot's own move (its explanation stays on the note)`;
    return `${what}: not judged before, judged now`;
  }
  if (state.judgement) {
    return `no new move since the last one judged (${state.judgement.at}${state.judgement.revert ? ', reverted' : ''}); a later edit does not judge it again`;
  }
  return statusOf(state.issue.labels, state.board) === 'backlog'
    ? 'not read (a backlog card has no move to judge)'
    : "none in GitLab's label history to judge";
}

function statusNoteLine(state: CardState): string {
  const notes = 'bot' in state.notes ? state.notes : null;
  const note = notes?.bot['<!-- rhythm:status -->'];
  if (!notes || !note) return 'none yet';
  const fixes = note.applied.length
    ? `; its record lists ${note.applied.length} earlier fix(es): ${note.applied.map((f) => f.rule).join(', ')}`
    : '';
  return `note ${note.id}, last edited ${note.updatedAt}${fixes}`;
}

async function memorySays(keyName: string): Promise<string[]> {
  let store: Store | null;
  try {
    store = await serviceStore(process.env, process.cwd());
  } catch (err) {
    return [`What the card memory says: could not open the database (${(err as Error).message})`];
  }
  if (!store) return ['What the card memory says: no database here (RHYTHM_DATABASE_URL unset and no .rhythm/rhythm.db)'];
  try {
    const memory: CardMemory | undefined = store.memory;
    const row = memory ? await memory.get(keyName) : null;
    if (!row) return ['What the card memory says: nothing (never decided with this database, or being rewritten)'];
    const recalled = readMemo(row);
    if (!recalled)
      return [`What the card memory says: a row from another version of Rhythm (updated_at ${row.updatedAt}); it is read afresh`];
    const { memo } = recalled;
    return [
      'What the card memory says',
      `  as of:       GitLab's updated_at ${row.updatedAt}${row.selfWritten ? ' (then the bot wrote to it)' : ''}`,
      `  labels:      ${orNone(memo.labels)}`,
      `  due date:    ${memo.dueDate ?? '(none)'}`,
      `  state:       ${memo.state}`,
      `  last move:   ${memo.history?.move ? `by @${memo.history.move.by} at ${memo.history.move.at}` : memo.history ? 'none' : 'not remembered'}`,
      `  bot notes:   ${memo.notes ? orNone(Object.keys(memo.notes.bot)) : 'not remembered'}`,
      `  recheck at:  ${row.recheckAt === null ? 'never (only a change wakes it)' : new Date(row.recheckAt).toISOString()}`,
    ];
  } finally {
    await store.close();
  }
}

function cardDecided(state: CardState, decision: Decision): string[] {
  const findings = checkIssue(state.issue, ruleContextOf(state));
  const lines = ['What the bot decides'];
  if (state.held)
    lines.push(
      "  held:        nobody changed the card since the board's baseline: nothing is written on it (the onboarding issue lists it)",
    );
  if (findings.length === 0) lines.push('  findings:    none: every check passes');
  else {
    lines.push('  findings:');
    for (const f of findings) {
      const fix = f.fix ? ` [the bot fixes it: ${f.done ?? f.fix.kind}]` : '';
      lines.push(`    ${f.severity.padEnd(8)} ${f.rule.padEnd(11)} ${f.message}${fix}`);
    }
  }
  return [...lines, ...planLines(decision)];
}

function planLines(decision: Decision): string[] {
  const writes = decision.steps.filter(isWrite).length;
  if (decision.steps.length === 0) return ['  plan:        nothing to write (GitLab already says what the bot would)'];
  const lines = [`  plan:        ${writes} write(s), in the order the executor makes them; explain sends none`];
  decision.steps.forEach((step, i) => {
    const [head, ...body] = writeText(step);
    lines.push(`  ${i + 1}. ${head}`, ...body.map((l) => `  ${l}`));
  });
  return lines;
}

async function explainSignupIssue(key: Extract<WorkKey, { kind: 'signupIssue' }>, ctx: LoadContext): Promise<void> {
  const loaded = await signupIssue.load(key, [], ctx);
  const name = `${key.project}#${key.iid}`;
  if ('skip' in loaded) {
    if (loaded.skip === 'issue is gone') throw gone(key.project, key.iid);
    out([`${name}: in the sign-up project; the bot leaves it alone (${loaded.skip})`]);
    return;
  }
  const { state } = loaded;
  out([...signupSeen(state), '', 'What the bot decides', ...planLines(signupIssue.decide(state))]);
}

function signupSeen(state: SignupIssueState): string[] {
  const sessions = sessionsIn(state.signups[state.kind], SESSION_KIND[state.kind], state.month);
  const claims = parseClaims(state.description, sessions);
  const lines = [
    `${state.project}#${state.iid}: the ${state.kind} sign-up issue for ${state.month}`,
    '',
    'What the bot sees',
    `  bot notes:   ${state.notes.length}`,
    '  sessions:',
  ];
  for (const claim of claims.sessions) {
    const session = sessions.find((s) => s.id === claim.sessionId);
    const when = session ? `${session.localDate} ${session.localTime} ${session.timezone}` : '(no longer in the calendar)';
    const ticked = Object.values(claim.checks).filter(Boolean).length;
    lines.push(
      `    ${claim.sessionId}: ${when}; DRI ${claim.dri ? `@${claim.dri}` : 'open'}; ${ticked}/${Object.keys(claim.checks).length} boxes ticked`,
    );
  }
  for (const problem of claims.problems) lines.push(`  unclear: ${problem.kind} in ${problem.sessionId}`);
  return lines;
}
