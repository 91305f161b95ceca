// `rhythm hooks install|status|uninstall`: the project webhooks Rhythm needs, kept healthy.
// --url is checked by src/cli.ts (parseHttpUrl) while the arguments are parsed.
import { installHooks, installLines, configuredProjects } from '../hooks/install.js';
import { hookStatuses, healthy, statusLines } from '../hooks/status.js';
import { uninstallHooks, uninstallLines } from '../hooks/uninstall.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';
import { Failure } from './failure.js';
import { ensureBotIdentity } from '../doctor/start.js';

export interface HooksInstallOptions {
  url: string;
  rotateSecret?: boolean;
  dryRun?: boolean;
}

export interface HooksStatusOptions {
  url?: string;
}

export interface HooksUninstallOptions {
  url?: string;
  dryRun?: boolean;
}

const ROTATION_STEPS =
  'rotation: 1. start the service with the new secret in RHYTHM_WEBHOOK_SECRET and the old one in RHYTHM_WEBHOOK_SECRET_PREVIOUS; ' +
  '2. run `rhythm hooks install --url URL --rotate-secret` with the same two variables; ' +
  '3. restart the service without RHYTHM_WEBHOOK_SECRET_PREVIOUS';

/** The secret comes from the environment only, and is never printed. */
function secrets(rotate: boolean): string {
  const secret = process.env.RHYTHM_WEBHOOK_SECRET;
  if (!secret) throw new Failure('RHYTHM_WEBHOOK_SECRET is not set: the hook needs the secret token the service checks');
  if (!rotate) return secret;
  const previous = process.env.RHYTHM_WEBHOOK_SECRET_PREVIOUS;
  if (!previous) throw new Failure(`--rotate-secret needs the old secret in RHYTHM_WEBHOOK_SECRET_PREVIOUS (${ROTATION_STEPS})`);
  if (previous === secret) {
    throw new Failure(`RHYTHM_WEBHOOK_SECRET and RHYTHM_WEBHOOK_SECRET_PREVIOUS are the same: nothing to rotate (${ROTATION_STEPS})`);
  }
  return secret;
}

export async function hooksInstall(configPath: string, o: HooksInstallOptions): Promise<void> {
  const rotate = o.rotateSecret === true;
  const secret = secrets(rotate);
  const { config } = load(configPath, o.dryRun);
  const log = commandLogger();
  const door = doorFor(config, log);
  await ensureBotIdentity(door, config);
  // On rotation every hook gets a test request: the proof that the service accepts the new secret.
  const plans = await installHooks(door, config, { url: o.url, secret, log, verify: rotate });
  for (const plan of plans) process.stdout.write(installLines(plan, config.dryRun).join('\n') + '\n');
  // A disabled hook with no way to test it stays disabled: that fails too.
  const failed = plans.filter(
    (p) => p.test && !p.test.ok && (!p.test.untestable || p.before.kind === 'disabled' || p.before.kind === 'temporarily_disabled'),
  );
  if (failed.length > 0) {
    throw new Failure(
      rotate
        ? `the test request failed on ${failed.map((p) => p.project).join(', ')}: is the service at ${o.url} running with the new secret in RHYTHM_WEBHOOK_SECRET?`
        : `still disabled on ${failed.map((p) => p.project).join(', ')}: the test request failed (is the service at ${o.url} up, with this RHYTHM_WEBHOOK_SECRET?)`,
    );
  }
  if (rotate && !config.dryRun) {
    process.stdout.write('every hook has the new secret: restart the service without RHYTHM_WEBHOOK_SECRET_PREVIOUS\n');
  }
}

/** Exit 1 when a hook is missing or disabled, so a pipeline or a person can act on it. */
export async function hooksStatus(configPath: string, o: HooksStatusOptions): Promise<void> {
  const { config } = load(configPath);
  const log = commandLogger();
  const statuses = await hookStatuses(doorFor(config, log), configuredProjects(config), o.url);
  for (const s of statuses) process.stdout.write(statusLines(s).join('\n') + '\n');
  const sick = statuses.filter((s) => !healthy(s));
  if (sick.length > 0) throw new Failure(`${sick.length} of ${statuses.length} project(s) have no enabled Rhythm hook`);
}

export async function hooksUninstall(configPath: string, o: HooksUninstallOptions): Promise<void> {
  const { config } = load(configPath, o.dryRun);
  const log = commandLogger();
  const door = doorFor(config, log);
  await ensureBotIdentity(door, config);
  const removals = await uninstallHooks(door, config, { ...(o.url ? { url: o.url } : {}), log });
  for (const r of removals) process.stdout.write(uninstallLines(r, config.dryRun).join('\n') + '\n');
}
