// A real receiver with a real SQLite store in a temp dir, served on loopback, and a small HTTP
// client that tolerates what hostile requests provoke (early answers, closed connections).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/queue/sqlite.js';
import type { Store } from '../../src/queue/contract.js';
import { createLogger } from '../../src/observability/log.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { Metrics } from '../../src/observability/metrics.js';
import { createReceiver, listen } from '../../src/webhook/receiver.js';
import type { ReadyReport, ReceiverOptions } from '../../src/webhook/receiver.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** GitLab's documentation examples, shared read-only beside the repo; absent on a stranger's machine. */
export const gitlabDocsDir = resolve(repoRoot, '../shared/fixtures/gitlab-docs');
export const hasGitlabDocs = existsSync(join(gitlabDocsDir, 'issue-hook.json'));
export const gitlabDocsSkipNote = `skipped: ${gitlabDocsDir} is absent`;

export function gitlabDoc(name: string): string {
  return readFileSync(join(gitlabDocsDir, name), 'utf8');
}

export function fixture(name: string): string {
  return readFileSync(join(repoRoot, 'test/fixtures', name), 'utf8');
}

export const SECRET = 'test-hook-secret-4f1c9a';
export const BOT = 'rhythm-bot';
export const PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';

export interface Harness {
  url: string;
  store: Store;
  metrics: Metrics;
  logs: string[];
  stored: (string | null)[];
  server: Server;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<ReceiverOptions> & { wrapStore?: (s: Store) => Store } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'rhythm-webhook-'));
  const realStore = await openSqliteStore(join(dir, 'rhythm.db'));
  await realStore.migrate();
  const store = overrides.wrapStore ? overrides.wrapStore(realStore) : realStore;
  const logs: string[] = [];
  const stored: (string | null)[] = [];
  const metrics = createMetrics();
  const ready = async (): Promise<ReadyReport> => {
    await realStore.ping();
    return { ok: true, checks: { database: true, gitlab: true } };
  };
  const { handler } = createReceiver({
    store,
    secret: SECRET,
    projects: new Set([PROJECT]),
    botUsername: BOT,
    log: createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } }),
    metrics,
    ready,
    onStored: (key) => stored.push(key),
    ...overrides,
  });
  const server = await listen(handler, 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store: realStore,
    metrics,
    logs,
    stored,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await realStore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface Send {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in chunks without Content-Length (chunked transfer). */
  chunked?: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/**
 * One HTTP request. Resolves with the answer even when the server closes the connection while
 * the body is still being written (as it does for a 413); rejects only when no answer came.
 */
export function send(baseUrl: string, s: Send, retried = false): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const headers: Record<string, string | number> = { ...s.headers };
    if (s.body !== undefined && !s.chunked && headers['content-length'] === undefined) {
      headers['content-length'] = Buffer.byteLength(s.body);
    }
    let answered = false;
    const req = request(`${baseUrl}${s.path ?? '/webhooks/gitlab'}`, { method: s.method ?? 'POST', headers, agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('close', () =>
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return;
      // The keep-alive race Node documents: the server closed an idle socket as we reused it.
      if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) send(baseUrl, s, true).then(resolvePromise, reject);
      else reject(err);
    });
    if (s.body === undefined) req.end();
    else if (!s.chunked) req.end(s.body);
    else {
      const body = Buffer.isBuffer(s.body) ? s.body : Buffer.from(s.body);
      const step = 1024 * 1024;
      let at = 0;
      const pump = (): void => {
        while (at < body.length && !req.destroyed) {
          const ok = req.write(body.subarray(at, at + step));
          at += step;
          if (!ok) {
            req.once('drain', pump);
            return;
          }
        }
        if (!req.destroyed) req.end();
      };
      pump();
    }
  });
}

/** The headers GitLab sends with a delivery, for the hook's secret. */
export function hookHeaders(event: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitLab/17.9.0',
    'x-gitlab-event': event,
    'x-gitlab-token': SECRET,
    'x-gitlab-instance': 'https://gitlab.example.com',
    ...extra,
  };
}
