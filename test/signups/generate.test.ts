// The sign-up issues end to end: the real door over HTTP against the sandbox GitLab.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RhythmConfig, SignupCalendar, SignupsConfig } from '../../src/config/types.js';
import { createDoor, type CountingDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sessionsIn } from '../../src/signups/calendar.js';
import { parseClaims } from '../../src/signups/claims.js';
import { generateSignups } from '../../src/handlers/signup-month/generate.js';
import { issueKey, SIGNUP_REMINDERS_KEY } from '../../src/engine/keys.js';
import { recordingLog, runKey } from '../support/run-key.js';
import { LABS, REMINDERS, WEBINARS } from './calendars.js';

const PROJECT = 'gitlab-com/customer-success/customer-success-engineering/content';
const MONTH = '2026-12';
const AMER = '2026-12-08-amer-advanced-ci';
const APAC = '2026-12-01-apac-security-scanning';

const quiet = recordingLog();

let sandbox: Sandbox;
let transport: Transport;

function doorAs(username: string): CountingDoor {
  return createDoor({ url: sandbox.url, token: `sandbox-${username}-token`, log: quiet, transport });
}

function configWith(over: Partial<SignupsConfig> = {}, project = PROJECT): RhythmConfig {
  return {
    source: 'rhythm.yml',
    gitlab: { url: sandbox.url, token: 'sandbox-rhythm-bot-token', botUsername: 'rhythm-bot' },
    timezone: 'America/Los_Angeles',
    dryRun: false,
    sweep: { intervalMinutes: 0, fullEveryHours: 24 },
    boards: [],
    signups: { project, webinars: WEBINARS, labs: LABS, reminders: REMINDERS, ...over },
  };
}

const generate = (config: RhythmConfig, extra: { dryRun?: boolean; month?: string } = {}) =>
  generateSignups(
    { config: extra.dryRun ? { ...config, dryRun: true } : config, configDir: '.', door: doorAs('rhythm-bot'), log: quiet },
    { month: extra.month ?? MONTH },
  );

/** The bot's note on a sign-up issue, through the sign-up issue's handler (what a webhook runs). */
async function reconcileSignupIssue(config: RhythmConfig, iid: number) {
  const outcome = await runKey(issueKey(PROJECT, iid), { config, door: doorAs('rhythm-bot') });
  const noteId =
    outcome.applied.flatMap((a) => (a.sent && a.note ? [a.note.id] : []))[0] ??
    outcome.steps.flatMap((s) => (s.kind === 'editNote' ? [s.noteId] : []))[0];
  return { action: outcome.note, noteId };
}

/** The reminders pass at `now` (what the sweep runs): how many reminders went out. */
async function signupReminders(config: RhythmConfig, now: Date, log = recordingLog()) {
  const outcome = await runKey(SIGNUP_REMINDERS_KEY, { config, door: doorAs('rhythm-bot'), now, log });
  const sent = outcome.applied.filter((a) => a.sent && a.step.kind === 'createNote');
  return { posted: sent.reduce((n, a) => n + ('marker' in a.step ? a.step.marker.split(' ').length : 0), 0) };
}

const writes = () => sandbox.calls().filter((c) => c.method !== 'GET');
const signupIssue = (kind: 'webinars' | 'labs', month = MONTH) =>
  sandbox
    .issues(PROJECT)
    .find((i) => typeof i.description === 'string' && i.description.includes(`<!-- rhythm:signup:${kind}:${month} -->`));

/** alice edits the description the way a person does: her name on a DRI line, a box ticked. */
async function aliceSignsUp(iid: number, id: string, tick?: string) {
  const alice = doorAs('alice');
  const issue = await alice.getIssue(PROJECT, iid);
  let text = (issue.description ?? '').replace(`- [ ] DRI: <!-- rhythm:dri:${id} -->`, `- [x] DRI: @alice <!-- rhythm:dri:${id} -->`);
  if (tick) text = text.replace(new RegExp(`- \\[ \\](.*<!-- rhythm:check:${tick}:${id} -->)`), '- [x]$1');
  await alice.editIssue(PROJECT, iid, { description: text });
}

beforeAll(async () => {
  sandbox = await startSandbox();
  transport = new Transport({ log: quiet, retries: 0 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.resetCalls();
});

describe('rhythm generate, against the sandbox', () => {
  it('on a dry run, reads GitLab, says it would create both issues, and sends nothing', async () => {
    const report = await generate(configWith(), { dryRun: true });
    expect(report.results.map((r) => [r.kind, r.action])).toEqual([
      ['webinars', 'dry-run'],
      ['labs', 'dry-run'],
    ]);
    expect(report.writes).toBe(0);
    expect(writes()).toEqual([]);
    const steps = report.results.flatMap((r) => r.outcome.steps);
    expect(steps.map((s) => s.kind)).toEqual(['createIssue', 'createIssue']);
    const first = steps[0]!;
    expect(first.kind === 'createIssue' && first.issue.description).toContain('<!-- rhythm:signup:webinars:2026-12 -->');
    expect(first.kind === 'createIssue' && first.issue.title).toBe('DRI sign-up: December 2026');
  });

  it('opens the two sign-up issues on the first run', async () => {
    const report = await generate(configWith());
    expect(report.writes).toBe(2);
    expect(report.results.map((r) => r.action)).toEqual(['created', 'created']);
    const webinars = signupIssue('webinars');
    expect(webinars?.iid).toBe(report.results[0]?.iid);
    expect(webinars?.labels).toEqual(['cse-events::sign-up']);
    expect(webinars?.title).toBe('DRI sign-up: December 2026');
    expect(signupIssue('labs')?.description).toContain('- Deck title: Hands-on GitLab CI - AMER - 2026-12-17');
  });

  it('changes nothing on a second run for the same month', async () => {
    const report = await generate(configWith());
    expect(report.writes).toBe(0);
    expect(report.results.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
    expect(writes()).toEqual([]);
  });

  it('keeps the bot note current as alice signs up, and writes nothing when nothing changed', async () => {
    const iid = signupIssue('webinars')!.iid;
    await aliceSignsUp(iid, AMER, 'webinar-mp4');
    const bot = doorAs('rhythm-bot');
    const first = await reconcileSignupIssue(configWith(), iid);
    expect(first.action).toBe('created');
    const notes = await bot.listNotes(PROJECT, iid);
    const status = notes.find((n) => n.id === first.noteId);
    expect(status?.body).toContain('1 of 3 webinars in December 2026 have a DRI.');
    sandbox.resetCalls();
    expect((await reconcileSignupIssue(configWith(), iid)).action).toBe('unchanged');
    expect(writes()).toEqual([]);
    // The rerun of generate still leaves alice's edit alone.
    expect((await generate(configWith())).writes).toBe(0);
  });

  it('updates the issue when the calendar changes, keeping alice and her ticked box', async () => {
    const moved: SignupCalendar = {
      ...WEBINARS,
      sessions: WEBINARS.sessions.map((s) => (s.region === 'EMEA' ? { ...s, time: '16:00' } : s)),
    };
    const report = await generate(configWith({ webinars: moved }));
    expect(report.results.map((r) => r.action)).toEqual(['updated', 'unchanged']);
    expect(report.writes).toBe(1);
    const text = String(signupIssue('webinars')?.description);
    expect(text).toContain('16:00 Europe/London');
    const claim = parseClaims(text, sessionsIn(moved, 'webinar', MONTH)).sessions.find((c) => c.sessionId === AMER);
    expect(claim).toMatchObject({ dri: 'alice', checks: { 'webinar-mp4': true } });
    expect((await generate(configWith({ webinars: moved }))).writes).toBe(0);
  });

  it('keeps a session alice claimed after it leaves the calendar, and says so in the note', async () => {
    const iid = signupIssue('webinars')!.iid;
    await aliceSignsUp(iid, APAC);
    const withoutApac: SignupCalendar = { ...WEBINARS, sessions: WEBINARS.sessions.filter((s) => s.region !== 'APAC') };
    const config = configWith({ webinars: withoutApac });
    expect((await generate(config)).results[0]?.action).toBe('updated');
    const text = String(signupIssue('webinars')?.description);
    expect(text).toContain(`<!-- rhythm:removed:${APAC} -->`);
    const result = await reconcileSignupIssue(config, iid);
    expect(result.action).toBe('updated');
    const note = (await doorAs('rhythm-bot').listNotes(PROJECT, iid)).find((n) => n.id === result.noteId);
    expect(note?.body).toContain(`\`${APAC}\` is no longer in the calendar, but @\u200balice had signed up for it.`);
  });

  it("fails with GitLab's reason when GitLab refuses the issue as spam, and opens nothing", async () => {
    sandbox.faults.add({
      kind: 'status',
      status: 400,
      message: 'Your issue has been recognized as spam.',
      method: 'POST',
      path: '/projects/:id/issues',
    });
    const before = sandbox.issues(PROJECT).length;
    const run = await generate(configWith(), { month: '2027-01' });
    expect(run.failed.map((f) => f.error)).toEqual([
      expect.stringMatching(/create the webinars sign-up issue for 2027-01 .*400.*recognized as spam/),
      expect.stringMatching(/create the labs sign-up issue for 2027-01 .*400.*recognized as spam/),
    ]);
    expect(sandbox.issues(PROJECT).length).toBe(before);
  });

  it('fails on a broken template before anything is sent', async () => {
    const broken = configWith({ labs: { ...LABS, template: 'does-not-exist.md.hbs' } });
    await expect(generate(broken, { month: '2027-02' })).rejects.toThrow(/cannot read template/);
    expect(sandbox.calls()).toEqual([]);
  });
});

describe('rhythm sweep: sign-up reminders, against the sandbox', () => {
  // December's labs issue exists from the runs above; nobody has claimed a lab. The first lab is
  // on Thursday 3 Dec in Berlin: the no-DRI reminder falls due on 23 Nov (team zone Los Angeles).
  const remindersOf = async () => {
    const iid = signupIssue('labs')!.iid;
    const notes = await doorAs('rhythm-bot').listNotes(PROJECT, iid);
    return notes.flatMap((n) => [...n.body.matchAll(/<!-- (rhythm:reminder:[^ ]+) -->/g)].map((m) => m[1]));
  };

  it('posts nothing the day before a reminder is due', async () => {
    const { posted } = await signupReminders(configWith(), new Date('2026-11-23T07:59:00Z'));
    expect(posted).toBe(0);
    expect(await remindersOf()).toEqual([]);
  });

  it('posts a due reminder on its day, once', async () => {
    const day = new Date('2026-11-23T08:00:00Z');
    const { posted } = await signupReminders(configWith(), day);
    expect(posted).toBe(1);
    expect(await remindersOf()).toEqual(['rhythm:reminder:no-dri:2026-12-03-emea-security-and-compliance']);
    sandbox.resetCalls();
    const again = await signupReminders(configWith(), new Date('2026-11-24T18:00:00Z'));
    expect(again.posted).toBe(0);
    expect(writes()).toEqual([]);
  });

  it('logs instead of posting on a dry run', async () => {
    const log = recordingLog();
    const { posted } = await signupReminders({ ...configWith(), dryRun: true }, new Date('2026-12-07T18:00:00Z'), log);
    expect(posted).toBe(0);
    expect(writes()).toEqual([]);
    expect(log.lines.map((l) => l.obj)).toContainEqual(
      expect.objectContaining({ dryRun: true, write: 'createNote', marker: 'rhythm:reminder:no-dri:2026-12-17-amer-hands-on-gitlab-ci' }),
    );
  });
});
