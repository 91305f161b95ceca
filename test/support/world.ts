// A whole world for end-to-end tests: the sandbox GitLab and `rhythm serve` in this process, over
// loopback HTTP, with a real SQLite file (or PostgreSQL) and the webhooks registered the way
// `rhythm hooks install` registers them. People act through their own tokens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { loadConfig } from '../../src/config/load.js';
import type { RhythmConfig, SkillsExchangeBoard } from '../../src/config/types.js';
import { createDoor, type CountingDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import type { GIssue, GNote } from '../../src/gitlab/types.js';
import { installHooks } from '../../src/hooks/install.js';
import { createLogger, type Logger } from '../../src/observability/log.js';
import { startService, type Service, type ServiceOptions } from '../../src/service.js';
import { openStore } from '../../src/queue/open.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export const REPO = new URL('../../', import.meta.url).pathname;
export const BOT = 'rhythm-bot';
export const SECRET = 'test-webhook-secret-0123456789';
export type Person = 'alice' | 'bob' | 'carol' | 'dave';

export interface World {
  sandbox: Sandbox;
  service: Service | null;
  config: RhythmConfig;
  board: SkillsExchangeBoard;
  project: string;
  bot: CountingDoor;
  as: Record<Person, CountingDoor>;
  log: Logger;
  dbUrl: string;
  /** How far the bot's clock runs ahead of the real one (rules judge "today" by it). */
  clockOffsetMs: number;
  /** Start (again) the service on the same database. */
  start(extra?: Partial<ServiceOptions>): Promise<Service>;
  stop(): Promise<void>;
  /** Until the sandbox delivered everything and the queue is empty, twice in a row. */
  settle(timeoutMs?: number): Promise<void>;
  /** `today + days` in the team's zone. */
  date(days: number): string;
  userId(name: string): Promise<number>;
  create(who: Person, title: string, description: string, labels?: string[]): Promise<GIssue>;
  botNotes(iid: number, project?: string): Promise<GNote[]>;
  statusNote(iid: number): Promise<GNote | undefined>;
  close(): Promise<void>;
}

/** The boards with their dashboard issue (as the shipped rhythm.yml has), refreshed 100 ms after a change. */
export function withDashboards(config: RhythmConfig): RhythmConfig {
  const shipped = loadConfig(join(REPO, 'rhythm.yml'), { GITLAB_URL: 'http://127.0.0.1:1', GITLAB_TOKEN: 'x' });
  if (!shipped.ok) throw new Error(shipped.errors.join('\n'));
  return {
    ...config,
    boards: config.boards.map((b) => {
      const dashboard = shipped.config.boards.find((s) => s.name === b.name)?.dashboard;
      return dashboard ? { ...b, dashboard: { ...dashboard, debounceMs: 100 } } : b;
    }),
  };
}

export const fullRequest = (topic: string, speaker: string) =>
  ['## Topic', topic, '', '## Why is this valuable', 'Teams keep asking about it.', '', '## Speaker', `@${speaker}`].join('\n');

export async function startWorld(
  opts: {
    configure?: (config: RhythmConfig) => RhythmConfig;
    sandbox?: SandboxOptions;
    databaseUrl?: string;
    service?: Partial<ServiceOptions>;
    startService?: boolean;
    /**
     * The bot met the board when the world began (its baseline is in the database), so the cards a
     * test makes are judged as usual. false: the cards a test makes before the bot first runs are
     * the board's past (handlers/onboarding/).
     */
    baseline?: boolean;
  } = {},
): Promise<World> {
  const sandbox = await startSandbox(opts.sandbox ?? {});
  const loaded = loadConfig(join(REPO, 'rhythm.yml'), { GITLAB_URL: sandbox.url, GITLAB_TOKEN: 'sandbox-rhythm-bot-token' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  let config: RhythmConfig = {
    ...loaded.config,
    boards: loaded.config.boards.map((b) => {
      // No dashboard issue unless a test asks for one (withDashboards): it would take an iid and
      // calls in tests that count them.
      const quiet = { ...b, dashboard: undefined };
      return quiet.kind === 'skills-exchange' ? { ...quiet, order: { ...quiet.order, debounceMs: 100 } } : quiet;
    }),
  };
  if (opts.configure) config = opts.configure(config);
  const board = config.boards.find((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange')!;
  const dir = mkdtempSync(join(tmpdir(), 'rhythm-world-'));
  const dbUrl = opts.databaseUrl ?? `sqlite:${join(dir, 'rhythm.db')}`;
  const log = createLogger({ level: (process.env.RHYTHM_TEST_LOG as 'info' | undefined) ?? 'silent' });
  const transport = new Transport({ log });
  const doorAs = (token: string) => createDoor({ url: sandbox.url, token, log, transport });
  const bot = doorAs('sandbox-rhythm-bot-token');
  const as = {
    alice: doorAs('sandbox-alice-token'),
    bob: doorAs('sandbox-bob-token'),
    carol: doorAs('sandbox-carol-token'),
    dave: doorAs('sandbox-dave-token'),
  };

  const world: World = {
    sandbox,
    service: null,
    config,
    board,
    project: board.project,
    bot,
    as,
    log,
    dbUrl,
    clockOffsetMs: 0,
    async start(extra = {}) {
      const service = await startService({
        config,
        configDir: REPO,
        log,
        secret: SECRET,
        databaseUrl: dbUrl,
        port: 0,
        host: '127.0.0.1',
        sweepOnStart: false,
        pollMs: 20,
        leaseMs: 5000,
        clock: () => new Date(Date.now() + world.clockOffsetMs),
        ...opts.service,
        ...extra,
      });
      world.service = service;
      // The harness registers the hooks as a person would; a test's injected faults may refuse
      // the POST (never resent after a 5xx by design), so the harness asks again.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await installHooks(bot, config, { url: `${service.url}/webhooks/gitlab`, secret: SECRET, log });
          break;
        } catch (err) {
          if (attempt >= 10 || !/GitLab answered 5\d\d/.test(String(err))) throw err;
        }
      }
      return service;
    },
    async stop() {
      await world.service?.stop(5000);
      world.service = null;
    },
    async settle(timeoutMs = 20_000) {
      let quiet = 0;
      const deadline = Date.now() + timeoutMs;
      while (quiet < 3) {
        if (Date.now() > deadline) throw new Error('the world did not settle in time');
        await sandbox.idle();
        const service = world.service;
        const stats = service ? await service.store.stats(Date.now()) : { pending: 0, running: 0 };
        // A timer pass still listing (the start sweep, retrying a faulty GitLab) has not enqueued yet.
        const busy = service ? service.worker.busy + (service.timerBusy() ? 1 : 0) : 0;
        quiet = stats.pending === 0 && stats.running === 0 && busy === 0 ? quiet + 1 : 0;
        await new Promise((r) => setTimeout(r, 40));
      }
    },
    date(days) {
      return DateTime.now().setZone(config.timezone).plus({ days }).toISODate()!;
    },
    async userId(name) {
      const user = await bot.findUser(name);
      if (!user) throw new Error(`no user ${name}`);
      return user.id;
    },
    async create(who, title, description, labels = []) {
      const issue = await as[who].createIssue(board.project, { title, description, labels });
      return issue;
    },
    async botNotes(iid, project = board.project) {
      return (await bot.listNotes(project, iid)).filter((n) => n.author.username === BOT && !n.system);
    },
    async statusNote(iid) {
      return (await world.botNotes(iid)).find((n) => n.body.includes('<!-- rhythm:status -->'));
    },
    async close() {
      await world.stop();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.baseline !== false) {
    const store = await openStore(dbUrl, dir);
    try {
      for (const b of config.boards) if (b.kind === 'skills-exchange') await store.baselines.ensure(b.project, Date.now());
    } finally {
      await store.close();
    }
  }
  if (opts.startService !== false) await world.start();
  return world;
}
