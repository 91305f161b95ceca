// A first sweep over a big board writes a note on every card, and GitLab limits how many notes
// one user creates a minute (60 on GitLab.com), refusing the rest with a 429 that carries no
// RateLimit-* headers. Played here in 2-second windows so it fits a test: the sandbox refuses
// notes past its limit, the bot paces below gitlab.createsPerMinute, and not one call is refused.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { RhythmConfig } from '../../src/config/types.js';
import { ColumnCache } from '../../src/engine/column-cache.js';
import { runOnce } from '../../src/engine/run-once.js';
import { sweepKeys } from '../../src/engine/sweep.js';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { REPO } from '../support/world.js';

const CARDS = 1000;
/** One of GitLab's minutes, played in this many seconds. */
const WINDOW_SEC = 2;
/** The sandbox refuses the 101st note of a window, as GitLab refuses the 61st of a minute. */
const NOTES_LIMIT = 100;
const NOTE_POST = 'POST /projects/:id/issues/:issue_iid/notes';

let sandbox: Sandbox;
let config: RhythmConfig;
beforeAll(async () => {
  sandbox = await startSandbox({
    notesCreateLimit: NOTES_LIMIT,
    applicationLimitPeriodSec: WINDOW_SEC,
    // The request throttle is not what this test is about.
    rateLimitPerMinute: 1_000_000,
  });
  const loaded = loadConfig(join(REPO, 'rhythm.yml'), { GITLAB_URL: sandbox.url, GITLAB_TOKEN: 'sandbox-rhythm-bot-token' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  // The bot's pace for one such window: 80, as 50 is for GitLab.com's 60 a minute.
  config = { ...loaded.config, gitlab: { ...loaded.config.gitlab, createsPerMinute: { notes: 80, issues: 150 } } };
});
afterAll(async () => {
  await sandbox?.close();
});

describe('a first sweep over a big board, under GitLab’s limit on creating notes', () => {
  it('notes every one of 1,000 cards without a single refused call', { timeout: 150_000 }, async () => {
    const board = config.boards.find((b) => b.kind === 'skills-exchange')!;
    // In plan, unassigned, no request sections: every card needs the bot's note.
    const iids = sandbox.seedIssues(
      board.project,
      Array.from({ length: CARDS }, (_, i) => ({ title: `Session idea ${i + 1}`, labels: [board.labels.plan] })),
    );
    expect(iids).toHaveLength(CARDS);

    const log = createLogger({ level: 'silent' });
    const transport = new Transport({ log, createLimits: config.gitlab.createsPerMinute, createWindowMs: WINDOW_SEC * 1000 });
    const door = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport });
    // What `rhythm sweep` does: name every key, then run them through the one-shot worker.
    const keys = await sweepKeys(door, config);
    const report = await runOnce(keys, { config, configDir: REPO, door, log, columns: new ColumnCache() });
    expect(report.failed).toEqual([]);

    const calls = sandbox.calls();
    expect(calls.filter((c) => c.status === 429)).toEqual([]);
    const notes = calls.filter((c) => c.route === NOTE_POST);
    expect(notes.every((c) => c.status === 201)).toBe(true);
    // One note on each card, none twice.
    expect(new Set(notes.map((c) => c.path)).size).toBe(CARDS);
    expect(notes).toHaveLength(CARDS);
  });
});
