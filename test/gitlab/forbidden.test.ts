// A 403 names what the bot lacks: GitLab's roles enforced by the sandbox, read through the door.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../src/gitlab/answer.js';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
let sandbox: Sandbox;
let logged: Array<Record<string, unknown>>;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

function door(token = 'sandbox-rhythm-bot-token') {
  logged = [];
  const log = createLogger({
    level: 'error',
    destination: { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return createDoor({ url: sandbox.url, token, log, transport: new Transport({ log, retries: 0 }) });
}

const spec = {
  url: 'http://127.0.0.1:9/webhooks/gitlab',
  token: 's',
  issuesEvents: true,
  confidentialIssuesEvents: true,
  noteEvents: true,
  confidentialNoteEvents: true,
  pushEvents: false,
  enableSslVerification: true,
};

describe('GitLab answering 403', () => {
  it('names the Maintainer role a Developer bot lacks for project hooks, in the error and the log', async () => {
    sandbox.setRole(SKILLS, 'rhythm-bot', 'developer');
    try {
      const err = await door()
        .addHook(SKILLS, spec)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ForbiddenError);
      expect((err as ForbiddenError).role).toBe('Maintainer');
      expect((err as Error).message).toBe(
        `GitLab answered 403 Forbidden to POST /projects/:id/hooks: the bot needs at least the Maintainer role on ${SKILLS} to add project webhooks`,
      );
      expect(logged.map((l) => l['msg'])).toContain((err as Error).message);
    } finally {
      sandbox.setRole(SKILLS, 'rhythm-bot', 'maintainer');
    }
  });

  it('names the Reporter role a Guest bot lacks to label a card', async () => {
    const [iid] = sandbox.seedIssues(SKILLS, [{ title: 'card' }]);
    sandbox.setRole(SKILLS, 'rhythm-bot', 'guest');
    try {
      const err = await door()
        .editIssue(SKILLS, iid!, { addLabels: ['status:plan'] })
        .catch((e: unknown) => e);
      expect((err as ForbiddenError).role).toBe('Reporter');
      expect((err as Error).message).toMatch(/the bot needs at least the Reporter role on .* to change labels, assignees and dates/);
    } finally {
      sandbox.setRole(SKILLS, 'rhythm-bot', 'maintainer');
    }
  });

  it('says a read_api token needs the api scope, not a role', async () => {
    const [iid] = sandbox.seedIssues(SKILLS, [{ title: 'card' }]);
    const err = await door(sandbox.addToken('rhythm-bot', { scopes: ['read_api'] }))
      .createNote(SKILLS, iid!, 'hello')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ role: null, scope: 'api' });
    expect((err as Error).message).toMatch(/the token's scopes do not allow it: give the bot a token with the api scope/);
  });
});
