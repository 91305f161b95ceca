// `npx tsx src/sandbox/main.ts --port N`: run the sandbox until stopped.
// The first line of output is the base URL, so a parent process can read it and go.

import { parseArgs } from 'node:util';
import { startSandbox, type Sandbox } from './index.js';

export async function runSandbox(argv: string[] = process.argv.slice(2)): Promise<Sandbox> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (got "${values.port}")`);
  const sandbox = await startSandbox({ port, host: values.host });
  process.stdout.write(`${sandbox.url}\n`);
  process.stdout.write(`API ${sandbox.url}/api/v4; tokens sandbox-<username>-token (rhythm-bot, alice, bob, carol, dave); board ${sandbox.url}/\n`);
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sandbox;
}

// Run when executed directly, not when imported by the CLI.
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/sandbox/main.ts')) {
  runSandbox().catch((e: unknown) => {
    process.stderr.write(`sandbox: ${(e as Error).message}\n`);
    process.exit(2);
  });
}
