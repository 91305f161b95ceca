// Two sign-up issues for one month (two `rhythm generate` runs at once made one each): the oldest
// is the month's issue, and a run that finds a newer open one of the bot's closes it with a note
// pointing to the one kept (issue #12, item 12). Against the sandbox, over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RhythmConfig } from '../../src/config/types.js';
import { issueKey } from '../../src/engine/keys.js';
import { createDoor, type CountingDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { generateSignups } from '../../src/handlers/signup-month/generate.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { recordingLog, runKey } from '../support/run-key.js';
import { LABS, REMINDERS, WEBINARS } from './calendars.js';

const PROJECT = 'gitlab-com/customer-success/customer-success-engineering/content';
const MONTH = '2027-03';
const MARKER = `<!-- rhythm:signup:webinars:${MONTH} -->`;
const quiet = recordingLog();

let sandbox: Sandbox;
let transport: Transport;
const doorAs = (username: string): CountingDoor =>
  createDoor({ url: sandbox.url, token: `sandbox-${username}-token`, log: quiet, transport });

const config = (): RhythmConfig => ({
  source: 'rhythm.yml',
  gitlab: { url: sandbox.url, token: 'sandbox-rhythm-bot-token', botUsername: 'rhythm-bot' },
  timezone: 'America/Los_Angeles',
  dryRun: false,
  sweep: { intervalMinutes: 0, fullEveryHours: 24 },
  boards: [],
  signups: { project: PROJECT, webinars: WEBINARS, labs: { ...LABS, enabled: false }, reminders: REMINDERS },
});
const generate = () => generateSignups({ config: config(), configDir: '.', door: doorAs('rhythm-bot'), log: quiet }, { month: MONTH });
const withMarker = () => sandbox.issues(PROJECT).filter((i) => typeof i.description === 'string' && i.description.includes(MARKER));

beforeAll(async () => {
  sandbox = await startSandbox();
  transport = new Transport({ log: quiet, retries: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('a second sign-up issue for the same month', () => {
  it('is closed by the next run, with a note pointing to the oldest, which is kept', async () => {
    const first = await generate();
    const kept = first.results[0]!.iid!;
    const description = (await doorAs('rhythm-bot').getIssue(PROJECT, kept)).description ?? '';
    // What a second run at the same moment made: the same issue, once more, by the bot.
    const bot = doorAs('rhythm-bot');
    const second = await bot.createIssue(PROJECT, { title: 'DRI sign-up: March 2027', description, labels: ['cse-events::sign-up'] });
    // alice found the second one first and signed up there.
    const signed = description.replace(/- \[ \] DRI: (<!-- rhythm:dri:[^>]+ -->)/, '- [x] DRI: @alice $1');
    await doorAs('alice').editIssue(PROJECT, second.iid, { description: signed });
    // A person's issue quoting the marker is none of the bot's business.
    const copy = await doorAs('bob').createIssue(PROJECT, {
      title: 'my notes',
      description: `${MARKER}\nmine`,
      labels: ['cse-events::sign-up'],
    });

    const report = await generate();
    expect(report.results[0]).toMatchObject({ kind: 'webinars', action: 'unchanged', iid: kept, closed: [second.iid] });
    const state = Object.fromEntries(withMarker().map((i) => [i.iid, i.state]));
    expect(state).toEqual({ [kept]: 'opened', [second.iid]: 'closed', [copy.iid]: 'opened' });
    const notes = (await bot.listNotes(PROJECT, second.iid)).filter((n) => !n.system);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.author.username).toBe('rhythm-bot');
    expect(notes[0]!.body.split('\n')[0]).toBe('<!-- rhythm:signup-duplicate -->');
    expect(notes[0]!.body).toContain(`Rhythm keeps the older one, #${kept}, and closes this one. Please sign up on #${kept}.`);
    expect(notes[0]!.body).toContain(`Signed up here: @\u200balice. Please add your name on #${kept} as well.`);
    expect((await bot.listNotes(PROJECT, kept)).filter((n) => !n.system && n.author.username === 'rhythm-bot')).toEqual([]);

    // Once closed, it stays as it is: no second note, no more writes, and no summary on it.
    sandbox.resetCalls();
    const again = await generate();
    expect(again.writes).toBe(0);
    expect(again.results[0]).toMatchObject({ action: 'unchanged', iid: kept });
    expect(again.results[0]!.closed).toBeUndefined();
    const outcome = await runKey(issueKey(PROJECT, second.iid), { config: config(), door: bot });
    expect(outcome.note).toBe('closed as a second sign-up issue');
    expect(sandbox.calls().filter((c) => c.method !== 'GET')).toEqual([]);
  });
});
