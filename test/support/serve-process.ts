// `rhythm serve` as a real child process (node bin/rhythm.js), for crash and replica tests.
import type { ChildProcess } from 'node:child_process';
import { startServeChild } from './serve-child.js';
import { SECRET } from './world.js';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Every JSON log line so far. */
  lines: Record<string, unknown>[];
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `rhythm serve` started and serving (it throws, with its stderr, if it exits first). */
export async function spawnServe(opts: {
  gitlabUrl: string;
  databaseUrl: string;
  env?: Record<string, string>;
  args?: string[];
}): Promise<ServeProcess> {
  const serve = startServeChild(opts);
  const url = await serve.serving;
  return { child: serve.child, url, lines: serve.lines, kill: async (signal = 'SIGTERM') => (await serve.kill(signal)).code };
}

/**
 * An Issue Hook claiming a label change on a real card, as anyone who has the secret could send
 * it: `previous` and `current` go into `changes.labels` as given (malformed entries included).
 */
export function labelChangeHook(
  card: { project_id: number; id: number; iid: number },
  projectPath: string,
  change: { by: string; previous: unknown[]; current: unknown[]; labels: string[] },
): string {
  return JSON.stringify({
    object_kind: 'issue',
    event_type: 'issue',
    user: { id: 99, name: change.by, username: change.by },
    project: { id: card.project_id, path_with_namespace: projectPath },
    object_attributes: { id: card.id, iid: card.iid, action: 'update', updated_at: new Date().toISOString() },
    changes: { labels: { previous: change.previous, current: change.current } },
    labels: change.labels.map((title) => ({ title })),
  });
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
