// The checks `rhythm serve` makes at start, in process against the sandbox: which failures stop
// the start, and what they teach the door about assignees.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { StartCheckError, serveChecks } from '../../src/doctor/start.js';
import { createDoor } from '../../src/gitlab/door.js';
import { Transport } from '../../src/gitlab/transport.js';
import { createLogger } from '../../src/observability/log.js';
import { SEED_LABELS, startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { REPO } from '../support/world.js';

const SKILLS = 'gitlab-com/sales-team/cs-skills-exchange';
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setUp(opts: SandboxOptions = {}, token = 'sandbox-rhythm-bot-token') {
  sandbox = await startSandbox({ labels: SEED_LABELS, ...opts });
  const loaded = loadConfig(join(REPO, 'rhythm.yml'), { GITLAB_URL: sandbox.url, GITLAB_TOKEN: token });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const warnings: string[] = [];
  const log = createLogger({
    level: 'warn',
    destination: { write: (line: string) => warnings.push((JSON.parse(line) as { msg: string }).msg) },
  });
  const door = createDoor({ url: sandbox.url, token, log, transport: new Transport({ log, retries: 0 }) });
  return { config: loaded.config, door, log, warnings };
}

describe("serve's start checks", () => {
  it('pass on the seeded sandbox and learn that several assignees are possible', async () => {
    const { config, door, log } = await setUp();
    const results = await serveChecks(door, config, log);
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(door.singleAssignee(SKILLS)).toBe(false);
  });

  it('on GitLab Free teach the door one assignee per issue, and only warn about the moderator rule', async () => {
    const { config, door, log, warnings } = await setUp({ tier: 'free' });
    await serveChecks(door, config, log);
    expect(door.singleAssignee(SKILLS)).toBe(true);
    expect(warnings.some((w) => /^start check assignees: issues in .* have one assignee only/.test(w))).toBe(true);
  });

  it('stop the start for a token of another user, naming the check', async () => {
    const { config, door, log } = await setUp({}, 'sandbox-dave-token');
    const err = await serveChecks(door, config, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartCheckError);
    expect((err as StartCheckError).failed.map((r) => r.check)).toEqual(['identity']);
  });

  it('let a Developer bot start (notes and labels need Reporter), warning that the hook needs Maintainer', async () => {
    const { config, door, log, warnings } = await setUp();
    sandbox!.setRole(SKILLS, 'rhythm-bot', 'developer');
    await expect(serveChecks(door, config, log)).resolves.toBeDefined();
    expect(warnings).toContain(
      `start check role: rhythm-bot is Developer on ${SKILLS}: enough for notes and labels, but the project hook needs Maintainer`,
    );
    sandbox!.setRole(SKILLS, 'rhythm-bot', 'guest');
    const err = await serveChecks(door, config, log).catch((e: unknown) => e);
    expect((err as StartCheckError).failed.map((r) => r.message)).toEqual([
      `rhythm-bot is Guest on ${SKILLS}: notes and labels need Reporter, the project hook Maintainer`,
    ]);
  });
});
