// `rhythm serve` as a real child process, for tests that watch how it ends: its exit code and
// signal, when it exited, every log line, and its stderr, also when it never got to serving
// (test/support/serve-process.ts wraps it for tests that only need it running).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO, SECRET } from './world.js';

export interface ServeChild {
  child: ChildProcess;
  /** Every JSON log line so far. */
  lines: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the base URL once it logs 'rhythm is serving'; rejects if it exits first. */
  serving: Promise<string>;
  /** Resolves when it has exited, however. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends `signal` (unless it already exited) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function startServeChild(opts: {
  gitlabUrl: string;
  databaseUrl: string;
  env?: Record<string, string>;
  /** More arguments for `rhythm serve`. */
  args?: string[];
  /** Run as this user and group (a test running as root uses it to be refused a read-only file). */
  uid?: number;
  gid?: number;
  startTimeoutMs?: number;
}): ServeChild {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin/rhythm.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--no-sweep-on-start', ...(opts.args ?? [])],
    {
      cwd: REPO,
      env: {
        ...process.env,
        GITLAB_URL: opts.gitlabUrl,
        GITLAB_TOKEN: 'sandbox-rhythm-bot-token',
        RHYTHM_WEBHOOK_SECRET: SECRET,
        RHYTHM_DATABASE_URL: opts.databaseUrl,
        RHYTHM_CONFIG: join(REPO, 'rhythm.yml'),
        RHYTHM_LOG_LEVEL: 'debug',
        RHYTHM_LEASE_MS: '2000',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    },
  );
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const serving = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rhythm serve did not start:\n${stderr}`)), opts.startTimeoutMs ?? 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      lines.push(parsed);
      if (parsed.msg === 'rhythm is serving') {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${parsed.port as number}`);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`rhythm serve exited (code ${code}, signal ${signal}) before serving:\n${stderr}`));
    });
  });
  serving.catch(() => undefined); // a test that expects a failed start reads `exited` instead
  return {
    child,
    lines,
    stderr: () => stderr,
    serving,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until a log line satisfies `ok`; returns it. */
export async function logLine(
  serve: ServeChild,
  ok: (line: Record<string, unknown>) => boolean,
  what: string,
  ms = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = serve.lines.find(ok);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no log line ${what} within ${ms} ms; last lines:\n${serve.lines
          .slice(-10)
          .map((l) => JSON.stringify(l))
          .join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A webhook request that never finishes: its headers promise a body that never fully comes. The
 * server holds such a connection open until its request timeout; shutdown must not wait for it.
 */
export async function halfSentWebhook(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined); // the server cutting it off is the point
  socket.write(
    [
      'POST /webhooks/gitlab HTTP/1.1',
      `Host: ${hostname}:${port}`,
      'Content-Type: application/json',
      'X-Gitlab-Event: Issue Hook',
      `X-Gitlab-Token: ${SECRET}`,
      'Content-Length: 100000',
      '',
      '{"object_kind":',
    ].join('\r\n'),
  );
  return socket;
}
