// `rhythm sandbox`: the built-in GitLab sandbox until SIGTERM or SIGINT; its base URL first.
import { startSandbox } from '../sandbox/index.js';

export interface SandboxOptions {
  port: string;
}

export async function serveSandbox(o: SandboxOptions): Promise<void> {
  const sandbox = await startSandbox({ port: Number(o.port) });
  process.stdout.write(`${sandbox.url}\n`);
  process.stdout.write(
    `GitLab API at ${sandbox.url}/api/v4 — tokens: sandbox-<username>-token (rhythm-bot, alice, bob, carol, dave); board at ${sandbox.url}/\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => void sandbox.close().then(done, done);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
