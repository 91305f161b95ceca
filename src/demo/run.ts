// `rhythm demo`: the sandbox GitLab and `rhythm serve` (SQLite, the shipped rhythm.yml) in one
// process, and the team's workflow played as people would play it, each step followed by what the
// bot did in answer. The people act through the same REST API a browser session would use.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { loadConfig } from '../config/load.js';
import type { RhythmConfig, SkillsExchangeBoard } from '../config/types.js';
import { createDoor, type CountingDoor } from '../gitlab/door.js';
import { Transport } from '../gitlab/transport.js';
import type { GIssue } from '../gitlab/types.js';
import { createLogger } from '../observability/log.js';
import { startService, type Service } from '../service.js';
import { startDemoChat } from './chat-receiver.js';
import { installHooks } from '../hooks/install.js';
import { generateSignups } from '../handlers/signup-month/generate.js';
import { nextMonth } from '../signups/calendar.js';
import { SEED_LABELS, startSandbox } from '../sandbox/index.js';

export interface DemoOptions {
  exit: boolean;
  sandboxPort: number;
  configPath: string;
  /** Where transcript lines go (stdout by default). */
  say?: (line: string) => void;
}

export interface DemoResult {
  sandboxUrl: string;
  boardUrl: string;
  seconds: number;
}

const BOT_TOKEN = 'sandbox-rhythm-bot-token';
const tokenOf = (user: string) => `sandbox-${user}-token`;

const FULL_REQUEST = (topic: string, speaker: string) =>
  [
    '## Topic',
    topic,
    '',
    '## Why is this valuable',
    'Customers ask about it every week and the answers live in too many places.',
    '',
    '## Speaker',
    `@${speaker}`,
    '',
    '## Audience',
    'CSMs and SAs',
  ].join('\n');

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
  const step = (who: string, what: string) => say(`\n${stamp()} ${who} ${what}`);
  const bot = (what: string) => say(`         bot: ${what}`);

  say('Rhythm demo: a sandbox GitLab, the bot on SQLite, and a team working its boards.');
  const sandbox = await startSandbox({ port: opts.sandboxPort, labels: SEED_LABELS }).catch(() =>
    startSandbox({ port: 0, labels: SEED_LABELS }),
  );
  say(`${stamp()} sandbox GitLab is up at ${sandbox.url}`);

  const env = { ...process.env, GITLAB_URL: sandbox.url, GITLAB_TOKEN: BOT_TOKEN };
  const loaded = loadConfig(opts.configPath, env);
  if (!loaded.ok) {
    await sandbox.close();
    throw new Error(`${opts.configPath} has problems:\n${loaded.errors.join('\n')}`);
  }
  // Chat notices go to a local channel that prints them (unless SLACK_WEBHOOK_URL names a real one).
  const demoChat = await startDemoChat(say);
  const chatFor = (b: RhythmConfig['boards'][number]) =>
    b.chat ? { chat: { ...b.chat, webhookUrl: b.chat.webhookUrl || demoChat.url } } : {};
  const quickDashboard = (b: RhythmConfig['boards'][number]) => (b.dashboard ? { dashboard: { ...b.dashboard, debounceMs: 300 } } : {});
  const config: RhythmConfig = {
    ...loaded.config,
    dryRun: false,
    // The story is short: order the column soon after the last card moves.
    boards: loaded.config.boards.map((b) =>
      b.kind === 'skills-exchange'
        ? { ...b, dryRun: false, order: { ...b.order, debounceMs: 300 }, ...quickDashboard(b), ...chatFor(b) }
        : { ...b, ...quickDashboard(b), ...chatFor(b) },
    ),
  };
  const board = config.boards.find((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange');
  if (!board) throw new Error('the demo needs a skills-exchange board in the configuration');

  mkdirSync('.rhythm', { recursive: true });
  const dbPath = resolve('.rhythm/demo.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
  const log = createLogger({
    level: 'info',
    destination: (await import('pino')).default.destination({ dest: '.rhythm/demo.log', sync: false }),
  });
  const secret = randomBytes(24).toString('hex');
  const service = await startService({
    config,
    configDir: dirname(resolve(opts.configPath)),
    log,
    secret,
    databaseUrl: `sqlite:${dbPath}`,
    port: 0,
    host: '127.0.0.1',
    sweepOnStart: false,
    pollMs: 50,
  });
  say(`${stamp()} rhythm serve is up at ${service.url} (SQLite at .rhythm/demo.db, logs in .rhythm/demo.log)`);

  const transport = new Transport({ log });
  const door = (token: string): CountingDoor => createDoor({ url: sandbox.url, token, log, transport });
  const botDoor = door(BOT_TOKEN);
  const hooks = await installHooks(botDoor, config, { url: `${service.url}/webhooks/gitlab`, secret, log });
  say(`${stamp()} webhooks registered through the sandbox's API on ${hooks.map((h) => h.project).join(' and ')}`);

  const people = { alice: door(tokenOf('alice')), bob: door(tokenOf('bob')), carol: door(tokenOf('carol')), dave: door(tokenOf('dave')) };
  const project = board.project;
  const settle = () => waitForQuiet(service, sandbox);
  const noteOf = async (iid: number) => {
    const notes = await botDoor.listNotes(project, iid);
    return notes.find((n) => n.author.username === config.gitlab.botUsername && n.body.includes('rhythm:status'));
  };
  const showNote = async (iid: number) => {
    const note = await noteOf(iid);
    if (!note) return bot('(no note: nothing to say)');
    const lines = note.body
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('<!--'))
      .slice(0, 8);
    bot(`note on #${iid}, edited in place:`);
    for (const line of lines) say(`           │ ${line}`);
  };
  const showIssue = async (iid: number) => {
    const issue = await botDoor.getIssue(project, iid);
    bot(
      `#${iid} labels [${issue.labels.join(', ')}], assignees [${issue.assignees.map((a) => a.username).join(', ')}], due ${issue.due_date ?? '—'}`,
    );
  };
  const today = DateTime.now().setZone(config.timezone);
  const date = (days: number) => today.plus({ days }).toISODate()!;

  // 1. A request without the template's sections.
  step('alice', "opens a request for a session but skips the template's sections");
  const bare = await create(people.alice, project, 'Request: GitLab Duo for CSMs', 'I would like a session on Duo.', []);
  await settle();
  await showNote(bare.iid);

  // 2. Moved to plan with no speaker assigned.
  step('alice', 'opens a full request and moves it to status:plan, but assigns no speaker');
  const noSpeaker = await create(
    people.alice,
    project,
    'Kubernetes agent basics',
    FULL_REQUEST('The GitLab agent for Kubernetes.', 'alice'),
    [board.labels.plan],
  );
  await settle();
  await showNote(noSpeaker.iid);

  // 3. Scheduled without a moderator or a date.
  step('bob', 'plans "Secure your supply chain", assigns himself, then moves it to status:scheduled with no moderator and no date');
  const supply = await create(
    people.bob,
    project,
    'Secure your supply chain',
    FULL_REQUEST('SBOMs, signing and dependency scanning.', 'bob'),
    [board.labels.plan],
  );
  await people.bob.editIssue(project, supply.iid, { assigneeIds: [await idOf(botDoor, 'bob')] });
  await settle();
  await people.bob.editIssue(project, supply.iid, { addLabels: [board.labels.scheduled], removeLabels: [board.labels.plan] });
  await settle();
  await showNote(supply.iid);

  // 4. The fixes.
  step('bob', 'adds "Moderator: @carol" and a due date in two weeks, and moves the card to status:scheduled again');
  await people.bob.editIssue(project, supply.iid, {
    description: `${supply.description ?? ''}\n\nModerator: @carol`,
    dueDate: date(14),
  });
  await settle();
  await people.bob.editIssue(project, supply.iid, { addLabels: [board.labels.scheduled], removeLabels: [board.labels.plan] });
  await settle();
  await showIssue(supply.iid);
  await showNote(supply.iid);
  const checklist = (await botDoor.listNotes(project, supply.iid)).find((n) => n.body.includes('rhythm:checklist'));
  bot(
    checklist
      ? `posted the checklist for speaker and moderator, once: "${
          checklist.body
            .split('\n')
            .find((l) => l.startsWith('####'))
            ?.replace(/^#+\s*/, '') ?? ''
        }"`
      : 'no checklist (the card is not ready)',
  );

  // 5. Backlog straight to scheduled.
  step('dave', 'drags a backlog card straight to status:scheduled, skipping planning');
  const skipper = await create(
    people.dave,
    project,
    'Advanced CI/CD caching',
    FULL_REQUEST('Caches, artifacts and when to use which.', 'dave'),
    [],
  );
  await settle();
  await people.dave.editIssue(project, skipper.iid, { addLabels: [board.labels.scheduled] });
  await settle();
  await showIssue(skipper.iid);
  await showNote(skipper.iid);

  // 6. A shuffled scheduled column.
  step('carol', 'schedules five more sessions, in no particular date order');
  const offsets = [35, 21, 49, 28, 42];
  for (const [i, days] of offsets.entries()) {
    const speaker = (['alice', 'bob', 'dave', 'alice', 'bob'] as const)[i]!;
    const issue = await create(
      people.carol,
      project,
      `Session ${i + 1}: topic ${String.fromCharCode(65 + i)}`,
      `${FULL_REQUEST(`Topic ${String.fromCharCode(65 + i)}`, speaker)}\n\nModerator: @carol`,
      [board.labels.plan],
    );
    await people.carol.editIssue(project, issue.iid, {
      assigneeIds: [await idOf(botDoor, speaker), await idOf(botDoor, 'carol')],
      dueDate: date(days),
    });
    await people.carol.editIssue(project, issue.iid, { addLabels: [board.labels.scheduled], removeLabels: [board.labels.plan] });
  }
  await settle();
  const column = await botDoor.listIssues(project, {
    labels: [board.labels.scheduled],
    state: 'opened',
    orderBy: 'relative_position',
    sort: 'asc',
  });
  bot(`ordered the status:scheduled column by date: ${column.map((i) => `#${i.iid} ${i.due_date ?? '—'}`).join(' · ')}`);

  // 7. The monthly sign-up issues.
  if (config.signups) {
    const month = nextMonth(new Date(), config.timezone);
    step('the scheduled pipeline', `runs \`rhythm generate\` for ${month}`);
    const deps = { config, configDir: dirname(resolve(opts.configPath)), door: botDoor, log };
    const report = await generateSignups(deps, { month });
    for (const r of report.results) bot(`${r.kind} sign-up issue ${r.action}${r.iid ? ` as #${r.iid}` : ''}${r.url ? ` (${r.url})` : ''}`);
    const again = await generateSignups(deps, { month });
    bot(`a second run changes nothing: ${again.results.map((r) => `${r.kind} ${r.action}`).join(', ')} (${again.writes} writes)`);
  }

  // The dashboard issue the bot keeps on the board (refreshed after each burst of card changes).
  await settle();
  const dashboard = (await botDoor.listIssues(project, { state: 'opened', search: 'Dashboard' })).find(
    (i) => i.author?.username === config.gitlab.botUsername && (i.description ?? '').includes('<!-- rhythm:dashboard:'),
  );
  if (dashboard) bot(`keeps the dashboard issue #${dashboard.iid}: ${dashboard.web_url}`);

  const boardUrl = `${sandbox.url}/-/boards/${project}`;
  // The final board, as data, for whoever wants to check the story's end (the demo's own test).
  const finalBoard = await fetch(`${boardUrl}?format=json`).then((r) => r.text());
  writeFileSync('.rhythm/demo-board.json', finalBoard);
  const seconds = (Date.now() - started) / 1000;
  say(`\n${stamp()} done. Watch the board at ${boardUrl} (final state also in .rhythm/demo-board.json)`);
  const calls = (await service.metrics.gitlabCalls.get()).values.reduce((sum, v) => sum + v.value, 0);
  say(`         the bot made ${calls} GitLab API calls in all; its metrics are at ${service.url}/metrics`);
  // The boards' calendar feeds: what a team subscribes to from its calendar app.
  for (const id of config.boards.filter((b) => b.calendar.enabled && !b.calendar.token).map((b) => b.id ?? b.name)) {
    const ics = await fetch(`${service.url}/calendar/${id}.ics`).then((r) => r.text());
    say(
      `         calendar feed: ${service.url}/calendar/${id}.ics (${ics.split('BEGIN:VEVENT').length - 1} events; subscribe from a calendar app)`,
    );
  }

  if (!opts.exit) {
    say('         The sandbox and the bot keep running; press Ctrl-C to stop.');
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
  }
  await service.stop(2000);
  await demoChat.close();
  await sandbox.close();
  return { sandboxUrl: sandbox.url, boardUrl, seconds };
}

async function create(door: CountingDoor, project: string, title: string, description: string, labels: string[]): Promise<GIssue> {
  return door.createIssue(project, { title, description, labels });
}

async function idOf(door: CountingDoor, username: string): Promise<number> {
  const user = await door.findUser(username);
  if (!user) throw new Error(`no user ${username} in the sandbox`);
  return user.id;
}

/** Until the sandbox has delivered every webhook and the bot's queue is empty, twice in a row. */
async function waitForQuiet(service: Service, sandbox: { idle(): Promise<void> }): Promise<void> {
  let quiet = 0;
  const deadline = Date.now() + 30_000;
  while (quiet < 2 && Date.now() < deadline) {
    await sandbox.idle();
    const stats = await service.store.stats(Date.now());
    if (stats.pending === 0 && stats.running === 0 && service.worker.busy === 0) quiet += 1;
    else quiet = 0;
    await new Promise((r) => setTimeout(r, 60));
  }
}
