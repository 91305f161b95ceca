// When GitLab cannot be reached or keeps failing, every error names the host and the cause (fetch
// says only "fetch failed"), and each retry is said at warn as it happens, never a silent wait.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDoor } from '../../src/gitlab/door.js';
import { gitlabUnavailable, Transport } from '../../src/gitlab/transport.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { recordingLog } from '../support/run-key.js';
import { REPO } from '../support/world.js';

/** A loopback port nothing listens on (taken, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let sandbox: Sandbox;
let closed: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  closed = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(async () => {
  sandbox?.faults.clear();
  await sandbox?.close();
});

const doorAt = (url: string, log = recordingLog(), retries = 2) =>
  createDoor({
    url,
    token: 'sandbox-rhythm-bot-token',
    log,
    transport: new Transport({ log, retries, minBackoffMs: 5, maxBackoffMs: 10 }),
  });

describe('a GitLab that cannot be reached', () => {
  it('a read on a closed loopback port fails naming the host and ECONNREFUSED, each retry said at warn', async () => {
    const log = recordingLog();
    const error = await doorAt(closed, log)
      .currentUser()
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    const port = new URL(closed).port;
    expect(error?.message).toMatch(
      new RegExp(`GitLab at ${closed.replace(/[./]/g, '\\$&')} is unreachable: ECONNREFUSED 127\\.0\\.0\\.1:${port}`),
    );
    expect(error?.message).not.toMatch(/^fetch failed$/);
    // The worker still takes it for GitLab being away (retried, never dead for it).
    expect(gitlabUnavailable(error)).toEqual({ waitMs: 0 });
    const retries = log.lines.filter((l) => l.level === 'warn');
    expect(retries).toHaveLength(2);
    for (const line of retries) {
      expect(line.obj).toMatchObject({ host: closed, route: '/user' });
      expect(line.msg).toMatch(/is unreachable: ECONNREFUSED .*trying again/);
    }
  });

  it('a note POST on a closed port is not resent, and says nothing was sent', async () => {
    const error = await doorAt(closed)
      .createNote('a/b', 1, 'hello')
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(
      /GitLab at http:\/\/127\.0\.0\.1:\d+ is unreachable: ECONNREFUSED 127\.0\.0\.1:\d+; POST .* was not sent/,
    );
  });

  it('a name that does not resolve fails at once, without retries', async () => {
    const log = recordingLog();
    const error = await doorAt('http://rhythm-no-such-host.invalid', log, 5)
      .currentUser()
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(/GitLab at http:\/\/rhythm-no-such-host\.invalid is unreachable: (ENOTFOUND|EAI_AGAIN)/);
    expect(log.lines.filter((l) => l.level === 'warn').length).toBeLessThanOrEqual(error?.message.includes('EAI_AGAIN') ? 5 : 0);
  });

  it('a sandbox that answers 500: each retry at warn with the host and GitLab’s answer, and the last answer in the error', async () => {
    sandbox.faults.add({ kind: 'status', status: 500, message: 'boom inside', path: 'GET /user' });
    const log = recordingLog();
    const error = await doorAt(sandbox.url, log)
      .currentUser()
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    sandbox.faults.clear();
    expect(error?.message).toMatch(new RegExp(`GitLab at ${sandbox.url.replace(/[./]/g, '\\$&')} answered 500 to GET /user`));
    const retries = log.lines.filter((l) => l.level === 'warn');
    expect(retries).toHaveLength(2);
    expect(retries[0]!.obj).toMatchObject({ host: sandbox.url, attempt: 1, of: 3 });
    expect(sandbox.calls().filter((c) => c.route === 'GET /user' && c.status === 500)).toHaveLength(3);
  });

  it('rhythm sweep against a closed port: the error on stderr names the host and the cause, and the retries were said', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GITLAB_URL: closed,
      GITLAB_TOKEN: 'sandbox-rhythm-bot-token',
      RHYTHM_CONFIG: join(REPO, 'rhythm.yml'),
    };
    delete env.RHYTHM_DATABASE_URL;
    delete env.RHYTHM_LOG_LEVEL;
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, [join(REPO, 'bin/rhythm.js'), 'sweep', '--only', 'issues'], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += String(d)));
      child.on('exit', (code) => resolve({ code, err }));
    });
    expect(r.code).toBe(1);
    const port = new URL(closed).port;
    expect(r.err).toMatch(
      new RegExp(`rhythm: .*GitLab at http://127\\.0\\.0\\.1:${port} is unreachable: ECONNREFUSED 127\\.0\\.0\\.1:${port}`),
    );
    // At the default level: each retry, as a warn line with the host.
    const warned = r.err.split('\n').filter((l) => l.includes('"level":"warn"') && l.includes('trying again'));
    expect(warned.length).toBeGreaterThan(0);
    expect(warned[0]).toContain(`"host":"http://127.0.0.1:${port}"`);
  }, 60_000);
});
