// Crash safety, shared by the adapters: a child process using the store is killed with SIGKILL
// and the store must still hold everything it acknowledged, and give back what it held.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/queue/open.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const T0 = 1_750_000_000_000;

interface Run {
  /** Complete lines printed so far. */
  lines: string[];
  /** Resolves when a printed line satisfies `ready`. */
  ready: Promise<void>;
  kill(): Promise<void>;
}

function runChild(args: string[], ready: (lines: string[]) => boolean, env: Record<string, string> = {}): Run {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const isReady = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never got ready; stderr: ${stderr}`)), 20_000);
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      // Only whole lines count: a line cut by the kill was never fully reported.
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (ready(lines)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child exited early (${code ?? signal}); stderr: ${stderr}`));
    });
  });
  return {
    lines,
    ready: isReady,
    async kill() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** `location` gives a fresh, empty store location (RHYTHM_DATABASE_URL form) per call. */
/** `env`: the child's environment on top of this one (e.g. RHYTHM_SQLITE_SYNCHRONOUS). */
export function describeCrashSafety(name: string, location: () => Promise<string>, env: Record<string, string> = {}): void {
  describe(`${name} store after kill -9`, () => {
    it('holds every delivery whose accept had resolved', async () => {
      const where = await location();
      const run = runChild(['accept', where], (lines) => lines.length >= 400, env);
      await run.ready;
      await run.kill();

      const acknowledged = run.lines.filter((l) => l.startsWith('stored ')).map((l) => l.slice('stored '.length));
      expect(acknowledged.length).toBeGreaterThanOrEqual(400);
      const store = await openStore(where, repo);
      try {
        const missing: string[] = [];
        for (const id of acknowledged) if (!(await store.hasDelivery(id))) missing.push(id);
        expect(missing).toEqual([]);
        // And the work they woke is all there, once per key.
        const jobs = await store.claim('survivor', 100, 30_000, T0 + 10_000_000);
        expect(jobs.map((j) => j.key).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `issue:g/p#${i}`));
      } finally {
        await store.close();
      }
    });

    it('gives the jobs a killed worker held to another worker once their leases expire', async () => {
      const where = await location();
      const store = await openStore(where, repo);
      try {
        const keys = ['issue:g/p#1', 'issue:g/p#2', 'column:g/p:status:scheduled'];
        await store.accept({
          deliveryId: 'before-crash',
          eventUuid: null,
          event: 'Issue Hook',
          key: 'issue:g/p#1',
          payload: '{}',
          receivedAt: T0,
        });
        for (const key of keys) await store.enqueue(key, T0);

        const run = runChild(['claim', where, String(T0), '60000'], (lines) => lines.includes('holding'), env);
        await run.ready;
        expect(run.lines.filter((l) => l.startsWith('claimed ')).sort()).toEqual(keys.map((k) => `claimed ${k}`).sort());
        await run.kill();

        expect(await store.claim('survivor', 10, 30_000, T0 + 59_999)).toEqual([]);
        const taken = await store.claim('survivor', 10, 30_000, T0 + 60_000);
        expect(taken.map((j) => j.key).sort()).toEqual([...keys].sort());
        expect(taken.find((j) => j.key === 'issue:g/p#1')?.deliveries.map((d) => d.deliveryId)).toEqual(['before-crash']);
      } finally {
        await store.close();
      }
    });
  });
}
