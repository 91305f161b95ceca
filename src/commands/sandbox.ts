// `rhythm sandbox`: the built-in GitLab sandbox until SIGTERM or SIGINT; its base URL first. It
// plays GitLab.com's rate limits (2,000 API requests a minute per user; 60 notes and 200 issues
// created a minute), so what works against it paces itself as GitLab.com needs.
import { GITLAB_COM_LIMITS, PLACEMENT_DELAY_MS, SEED_LABELS, startSandbox, type SandboxTier } from '../sandbox/index.js';

export interface SandboxOptions {
  port: string;
  /** 'free': GitLab Free (one assignee per issue); default premium. */
  tier?: SandboxTier;
}

export async function serveSandbox(o: SandboxOptions): Promise<void> {
  const sandbox = await startSandbox({
    port: Number(o.port),
    ...GITLAB_COM_LIMITS,
    // The labels the shipped rhythm.yml names, as a team would have made them.
    labels: SEED_LABELS,
    // A new issue's relative_position stays null a moment, as GitLab's placement worker leaves it.
    placementDelayMs: PLACEMENT_DELAY_MS,
    ...(o.tier ? { tier: o.tier } : {}),
  });
  process.stdout.write(`${sandbox.url}\n`);
  process.stdout.write(
    `GitLab API at ${sandbox.url}/api/v4 — tokens: sandbox-<username>-token (rhythm-bot, alice, bob, carol, dave); board at ${sandbox.url}/; tier ${sandbox.tier}${sandbox.tier === 'free' ? ' (one assignee per issue)' : ''}\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => void sandbox.close().then(done, done);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
