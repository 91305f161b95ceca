// The reachability probe names the cause a person can act on: a self-signed certificate, plain
// HTTP on a TLS port, a name that does not resolve. Against real local servers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttps, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reachGitLab } from '../../src/gitlab/reach.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const openssl = hasOpenssl();
let dir: string;
let server: Server | undefined;
let port = 0;

beforeAll(async () => {
  if (!openssl) return;
  dir = mkdtempSync(join(tmpdir(), 'rhythm-reach-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  server = createHttps({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reaching GitLab', () => {
  it.skipIf(!openssl)('names a self-signed certificate as a TLS problem', async () => {
    const reach = await reachGitLab(`https://127.0.0.1:${port}`, 't', 5000);
    expect(reach).toMatchObject({ ok: false, tls: true, tlsProblem: true, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    if (!reach.ok) expect(reach.cause).toBe('the certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)');
  });

  it.skipIf(!openssl)('says the server closed the connection when plain HTTP is spoken to a TLS port', async () => {
    const reach = await reachGitLab(`http://127.0.0.1:${port}`, 't', 5000);
    expect(reach).toMatchObject({ ok: false, tls: false, cause: 'the connection was closed (UND_ERR_SOCKET)' });
  });

  it('names a host that does not resolve', async () => {
    const reach = await reachGitLab('https://gitlab.invalid', 't', 5000);
    expect(reach).toMatchObject({ ok: false, host: 'gitlab.invalid' });
    if (!reach.ok) expect(reach.cause).toMatch(/does not resolve|could not be resolved/);
  });
});
