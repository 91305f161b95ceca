// `rhythm serve` as a real child process (node bin/rhythm.js), for crash and replica tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO, SECRET } from './world.js';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Every JSON log line so far. */
  lines: Record<string, unknown>[];
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnServe(opts: {
  gitlabUrl: string;
  databaseUrl: string;
  env?: Record<string, string>;
  args?: string[];
}): Promise<ServeProcess> {
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
    },
  );
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rhythm serve did not start:\n${stderr}`)), 30_000);
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
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rhythm serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    child,
    url,
    lines,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A small Issue Hook body, shaped like GitLab's (test/fixtures has a full one). */
export function issueHook(project: { id: number; path: string }, issue: { id: number; iid: number }, n: number) {
  return JSON.stringify({
    object_kind: 'issue',
    event_type: 'issue',
    user: { id: 2, name: 'Alice', username: 'alice' },
    project: { id: project.id, path_with_namespace: project.path },
    object_attributes: { id: issue.id, iid: issue.iid, action: 'update', title: `edit ${n}` },
    changes: { title: { previous: `edit ${n - 1}`, current: `edit ${n}` } },
    labels: [],
  });
}

export async function deliver(url: string, body: string, key: string): Promise<number> {
  try {
    const res = await fetch(`${url}/webhooks/gitlab`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Issue Hook',
        'x-gitlab-token': SECRET,
        'idempotency-key': key,
      },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // connection refused or reset: the receiver died
  }
}

/** Per key, the [start, end] of every run from the logs; a run cut short by a kill ends at `killedAt`. */
export function runIntervals(lines: Record<string, unknown>[], killedAt = Infinity) {
  const open = new Map<string, { key: string; start: number }>();
  const runs: { key: string; start: number; end: number }[] = [];
  for (const line of lines) {
    if (line.msg === 'job started') open.set(line.claim as string, { key: line.key as string, start: line.at as number });
    if (line.msg === 'job finished') {
      const run = open.get(line.claim as string);
      if (run) runs.push({ ...run, end: line.at as number });
      open.delete(line.claim as string);
    }
  }
  for (const run of open.values()) runs.push({ ...run, end: killedAt });
  return runs;
}

export function overlaps(runs: { key: string; start: number; end: number }[]) {
  const byKey = new Map<string, { start: number; end: number }[]>();
  for (const r of runs) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const found: string[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i += 1) if (list[i]!.start < list[i - 1]!.end) found.push(key);
  }
  return found;
}
