// The door reads GitLab's answers through schemas: against the sandbox every answer it reads
// parses (and loses the fields Rhythm does not read); against a loopback server that answers a
// malformed issue, the error names the call, the route and the field.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLabAnswerError } from '../../src/gitlab/answer.js';
import { createDoor } from '../../src/gitlab/door.js';
import { hookEntity, issueEntity, labelEventEntity } from '../../src/gitlab/entities.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const log = createLogger({ level: 'silent' });
const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';

/** A GitLab issue as GET /projects/:id/issues answers it (trimmed; written for these tests). */
const goodIssue = (iid: number): Record<string, unknown> => ({
  id: 1000 + iid,
  iid,
  project_id: 7,
  title: `Session ${iid}`,
  description: null,
  state: 'opened',
  created_at: '2025-03-01T10:00:00.000Z',
  updated_at: '2025-03-01T10:00:00.000Z',
  closed_at: null,
  closed_by: null,
  labels: ['status:plan'],
  milestone: null,
  assignees: [],
  author: { id: 1, username: 'alice', name: 'Alice', state: 'active', avatar_url: null, web_url: 'http://x/alice' },
  type: 'ISSUE',
  due_date: null,
  confidential: false,
  web_url: `http://x/issues/${iid}`,
  time_stats: { time_estimate: 0 },
});

describe('the door against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('reads every answer it asks for, keeping only the fields Rhythm reads', async () => {
    const transport = new Transport({ log });
    const door = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport });

    const me = await door.currentUser();
    expect(me).toEqual({ id: me.id, username: 'rhythm-bot', name: me.name });
    expect(await door.findUser('Carol')).toMatchObject({ username: 'carol' });
    expect(await door.findUser('nobody-here')).toBeNull();

    const created = await door.createIssue(PROJECT, { title: 'typed door', description: 'x', labels: ['status:plan'] });
    expect(Object.keys(created).sort()).toEqual(Object.keys(issueEntity.shape).sort());
    expect(created).toMatchObject({ title: 'typed door', labels: ['status:plan'], due_date: null, closed_at: null });
    expect('_links' in created).toBe(false);

    const edited = await door.editIssue(PROJECT, created.iid, { addLabels: ['status:scheduled'], dueDate: '2030-01-02' });
    expect(edited.labels).toContain('status:scheduled');
    expect(edited.due_date).toBe('2030-01-02');

    expect((await door.getIssue(PROJECT, created.iid)).iid).toBe(created.iid);
    const listed = await door.listIssues(PROJECT, {
      labels: ['status:scheduled'],
      state: 'opened',
      orderBy: 'relative_position',
      sort: 'asc',
    });
    expect(listed.map((i) => i.iid)).toContain(created.iid);

    const note = await door.createNote(PROJECT, created.iid, 'a note from the typed door');
    expect(note).toMatchObject({ body: 'a note from the typed door', system: false, author: { username: 'rhythm-bot' } });
    expect(Object.keys(note).sort()).toEqual(['author', 'body', 'created_at', 'id', 'system', 'updated_at']);
    expect((await door.editNote(PROJECT, created.iid, note.id, 'edited')).body).toBe('edited');
    const notes = await door.listNotes(PROJECT, created.iid);
    expect(notes.some((n) => n.id === note.id)).toBe(true);

    const events = await door.labelEvents(PROJECT, created.iid);
    expect(events.map((e) => [e.action, e.label?.name])).toContainEqual(['add', 'status:scheduled']);

    const spec = {
      url: 'http://127.0.0.1:9/typed-door',
      token: 't',
      issuesEvents: true,
      confidentialIssuesEvents: true,
      noteEvents: true,
      confidentialNoteEvents: true,
      pushEvents: false,
      enableSslVerification: false,
    };
    const hook = await door.addHook(PROJECT, spec);
    expect(hook).toMatchObject({ url: spec.url, push_events: false, confidential_note_events: true, alert_status: 'executable' });
    expect(Object.keys(hook).sort()).toEqual(Object.keys(hookEntity.shape).sort());
    expect((await door.editHook(PROJECT, hook.id, { ...spec, noteEvents: false })).note_events).toBe(false);
    expect((await door.listHooks(PROJECT)).map((h) => h.id)).toContain(hook.id);
  });

  it('says so when GitLab runs a note as quick actions only and saves none (202)', async () => {
    const transport = new Transport({ log });
    const door = createDoor({ url: sandbox.url, token: 'sandbox-rhythm-bot-token', log, transport });
    const issue = await door.createIssue(PROJECT, { title: 'commands only', description: 'x' });
    const error = await door.createNote(PROJECT, issue.iid, '/label ~"status:plan"').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabAnswerError);
    expect(String(error)).toContain('POST /projects/:id/issues/:iid/notes (createNote)');
    expect(String(error)).toContain('quick actions only');
  });
});

describe('the door against a GitLab that answers something else', () => {
  let server: http.Server;
  let url = '';
  /** Path (after /api/v4) → JSON answer. */
  const answers = new Map<string, unknown>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const path = (req.url ?? '').replace(/^\/api\/v4/, '').split('?')[0]!;
      const body = answers.get(path);
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { message: '404 Not Found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const door = () => createDoor({ url, token: 't', log, transport: new Transport({ log, retries: 0 }) });

  it('names the route and the field when a listed issue has no labels', async () => {
    const { labels: _dropped, ...noLabels } = goodIssue(2);
    answers.set('/projects/7/issues', [goodIssue(1), noLabels]);
    const error = await door()
      .listIssues('7', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabAnswerError);
    const e = error as GitLabAnswerError;
    expect(e.call.route).toBe('GET /projects/:id/issues');
    expect(e.field).toBe('[1].labels');
    expect(e.message).toBe(
      "GitLab's answer to GET /projects/:id/issues (listIssues) does not match GitLab's REST API: " +
        '[1].labels: expected array, received nothing (field missing) (in the record with id 1002, iid 2)',
    );
  });

  it('names the field when an issue iid is a string', async () => {
    answers.set('/projects/7/issues/3', { ...goodIssue(3), iid: '3' });
    const error = await door()
      .getIssue('7', 3)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitLabAnswerError);
    expect((error as GitLabAnswerError).message).toContain('GET /projects/:id/issues/:iid (getIssue)');
    expect((error as GitLabAnswerError).message).toContain('iid: expected number, received string "3"');
  });

  it('refuses an answer that is not a list where GitLab answers one, and an unknown state', async () => {
    answers.set('/projects/7/issues', { message: 'not a list' });
    expect(
      String(
        await door()
          .listIssues('7', {})
          .catch((e: unknown) => e),
      ),
    ).toContain('(answer): expected a list, received an object');
    answers.set('/projects/7/issues/4', { ...goodIssue(4), state: 'locked' });
    expect(
      String(
        await door()
          .getIssue('7', 4)
          .catch((e: unknown) => e),
      ),
    ).toContain('state: expected one of "opened", "closed"');
  });

  it('keeps what GitLab may answer as null: a deleted label, a gone user, old hooks', async () => {
    answers.set('/projects/7/issues/5/resource_label_events', [
      { id: 1, user: null, created_at: '2025-03-01T10:00:00Z', resource_type: 'Issue', resource_id: 1005, label: null, action: 'remove' },
    ]);
    expect(await door().labelEvents('7', 5)).toEqual([
      { id: 1, user: null, created_at: '2025-03-01T10:00:00Z', label: null, action: 'remove' },
    ]);
    expect(labelEventEntity.safeParse({ id: 1, user: null, created_at: 'x', label: { id: 2 }, action: 'add' }).success).toBe(false);
    answers.set('/projects/7/hooks', [
      {
        id: 9,
        url: 'http://x',
        issues_events: true,
        confidential_issues_events: false,
        note_events: true,
        confidential_note_events: null,
        push_events: false,
        enable_ssl_verification: null,
      },
    ]);
    const [hook] = await door().listHooks('7');
    expect(hook).toMatchObject({ confidential_note_events: null, enable_ssl_verification: null });
    expect(hook!.alert_status).toBeUndefined();
  });
});
