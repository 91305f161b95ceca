// `rhythm serve`: the service until SIGTERM or SIGINT, then a graceful stop.
import { createLogger } from '../observability/log.js';
import { startService } from '../service.js';
import { load } from './config.js';

export interface ServeOptions {
  port?: string;
  host: string;
  dryRun?: boolean;
  sweepOnStart: boolean;
}

export async function serve(configPath: string, o: ServeOptions): Promise<void> {
  const { config, configDir } = load(configPath, o.dryRun);
  const log = createLogger({ level: (process.env.RHYTHM_LOG_LEVEL as 'info' | undefined) ?? 'info' });
  const service = await startService({
    config,
    configDir,
    log,
    secret: process.env.RHYTHM_WEBHOOK_SECRET,
    databaseUrl: process.env.RHYTHM_DATABASE_URL,
    port: Number(o.port ?? process.env.PORT ?? 3000),
    host: o.host,
    sweepOnStart: o.sweepOnStart,
    // How long a dead replica's claimed work waits before another takes it over.
    leaseMs: Number(process.env.RHYTHM_LEASE_MS ?? 60_000),
  });
  await new Promise<void>((done) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'stopping: no new deliveries, finishing work in hand');
      service.stop().then(done, done);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
