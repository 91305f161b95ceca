// Shared by the replicas e2e test and bench/replicas.ts: a burst of Issue Hook deliveries for many
// requests, a round-robin load balancer in front of several `rhythm serve` processes, and the wait
// until the shared queue has drained.
import type { Store } from '../../src/queue/contract.js';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import type { GIssue } from '../../src/gitlab/types.js';
import { createLogger } from '../../src/observability/log.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { BOT } from './world.js';
import { deliver, issueHook, type ServeProcess } from './serve-process.js';

export const SKILLS_PROJECT = 'gitlab-com/sales-team/cs-skills-exchange';

const quiet = createLogger({ level: 'silent' });
const doorAs = (sandbox: Sandbox, token: string) =>
  createDoor({ url: sandbox.url, token, log: quiet, transport: new Transport({ log: quiet }) });

/** `count` requests opened by alice with a bare description: each earns exactly one bot note. */
export async function openBareRequests(sandbox: Sandbox, count: number): Promise<GIssue[]> {
  const alice = doorAs(sandbox, 'sandbox-alice-token');
  const issues: GIssue[] = [];
  for (let i = 0; i < count; i += 1) {
    issues.push(await alice.createIssue(SKILLS_PROJECT, { title: `Request ${i}`, description: 'please' }));
  }
  return issues;
}

export interface Delivery {
  key: string;
  body: string;
}

/**
 * `perIssue` edits of every issue, each with its own Idempotency-Key, interleaved (round n of every
 * issue before round n + 1) so a burst touches all issues from the start.
 */
export function editBurst(issues: GIssue[], perIssue: number, prefix: string): Delivery[] {
  const project = { id: issues[0]!.project_id, path: SKILLS_PROJECT };
  const out: Delivery[] = [];
  for (let n = 0; n < perIssue; n += 1) {
    for (const issue of issues) out.push({ key: `${prefix}-${issue.iid}-${n}`, body: issueHook(project, issue, n + 1) });
  }
  return out;
}

/**
 * Round-robin over the replicas, as a load balancer would: a replica that refuses a connection
 * (or answers 5xx) is taken out of rotation and the delivery goes to the next one still in.
 */
export class RoundRobin {
  private turn = 0;
  readonly out = new Set<number>();
  /** Deliveries that failed on one replica and were sent again to another. */
  resent = 0;
  /** Acknowledged deliveries per replica. */
  readonly acknowledgedBy: number[];

  constructor(private readonly replicas: ServeProcess[]) {
    this.acknowledgedBy = replicas.map(() => 0);
  }

  /** The final status (2xx when some replica acknowledged it; 0 when every replica is out). */
  async send(d: Delivery): Promise<number> {
    let tries = 0;
    let status = 0;
    while (tries < this.replicas.length && this.out.size < this.replicas.length) {
      const index = this.turn++ % this.replicas.length;
      if (this.out.has(index)) continue;
      if (tries > 0) this.resent += 1;
      tries += 1;
      status = await deliver(this.replicas[index]!.url, d.body, d.key);
      if (status >= 200 && status < 300) {
        this.acknowledgedBy[index]! += 1;
        return status;
      }
      if (status === 0 || status >= 500) this.out.add(index);
      else return status; // 4xx: the delivery itself is wrong; another replica would say the same
    }
    return status;
  }
}

/** Sends every delivery through `balancer` from `concurrency` senders; calls `onAck` per 2xx. */
export async function sendAll(
  deliveries: Delivery[],
  balancer: RoundRobin,
  concurrency: number,
  onAck: (d: Delivery) => void = () => undefined,
): Promise<void> {
  let next = 0;
  const sender = async () => {
    while (next < deliveries.length) {
      const d = deliveries[next++]!;
      const status = await balancer.send(d);
      if (status >= 200 && status < 300) onAck(d);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
}

/** Polls until nothing is pending, running or unprocessed; throws with the last stats on timeout. */
export async function waitDrained(store: Store, timeoutMs: number, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await store.stats(Date.now());
    if (stats.pending === 0 && stats.running === 0 && stats.deliveries === 0) return;
    if (Date.now() > deadline) throw new Error(`queue did not drain in ${timeoutMs} ms: ${JSON.stringify(stats)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** How many notes the bot wrote on each issue (system notes aside). */
export async function botNoteCounts(sandbox: Sandbox, issues: GIssue[]): Promise<Map<number, number>> {
  const bot = doorAs(sandbox, 'sandbox-rhythm-bot-token');
  const counts = new Map<number, number>();
  for (const issue of issues) {
    const notes = await bot.listNotes(SKILLS_PROJECT, issue.iid);
    counts.set(issue.iid, notes.filter((n) => n.author.username === BOT && !n.system).length);
  }
  return counts;
}

/** Stops a replica and waits until its stdout is fully read, so its log lines are complete. */
export async function stopReplica(replica: ServeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = replica;
  const closed =
    child.stdout === null || child.stdout.readableEnded || child.stdout.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.stdout!.once('close', () => resolve()));
  await replica.kill(signal);
  await closed;
}
