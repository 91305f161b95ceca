// `rhythm hooks install`: register (or update, never duplicate) the webhook on every project.
import { installHooks } from '../hooks/install.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';
import { Failure } from './failure.js';
import { ensureBotIdentity } from '../doctor/start.js';

export interface HooksInstallOptions {
  url: string;
  dryRun?: boolean;
}

export async function hooksInstall(configPath: string, o: HooksInstallOptions): Promise<void> {
  const { config } = load(configPath, o.dryRun);
  const secret = process.env.RHYTHM_WEBHOOK_SECRET;
  if (!secret) throw new Failure('RHYTHM_WEBHOOK_SECRET is not set: the hook needs the secret token the service checks');
  const log = commandLogger();
  const door = doorFor(config, log);
  await ensureBotIdentity(door, config);
  const results = await installHooks(door, config, { url: o.url, secret, log });
  const would = config.dryRun ? 'dry-run, would be ' : '';
  for (const r of results) {
    const action = r.action === 'unchanged' ? 'unchanged' : `${would}${r.action}`;
    process.stdout.write(`${r.project}: ${action}${r.hookId ? ` (hook ${r.hookId})` : ''} -> ${r.spec.url}\n`);
  }
}
