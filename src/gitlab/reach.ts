// Can Rhythm reach GitLab at all? One plain request to the API, with a short timeout and no
// retries, that says what went wrong in a person's words: the host, whether TLS failed and why,
// or that nothing answers. The door's transport retries quietly; a preflight must not.

export type Reach =
  | { ok: true; url: string; host: string; tls: boolean; status: number; json: boolean }
  | { ok: false; url: string; host: string; tls: boolean; cause: string; code: string | null; tlsProblem: boolean };

/** Node's codes for certificate and TLS failures (node:tls, OpenSSL's X509 verify errors). */
const TLS_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a self-signed certificate (a private CA)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate cannot be verified (missing intermediate or private CA)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate was issued by a CA this machine does not trust',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (check the clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS on this port (http:// instead of https://?)',
  EPROTO: 'the TLS handshake failed',
};

const NET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'the host name does not resolve (DNS)',
  EAI_AGAIN: 'the host name could not be resolved now (DNS unavailable)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was closed',
};

function codeOf(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** One GET of `/api/v4/metadata` with the token; any HTTP answer means GitLab is reachable. */
export async function reachGitLab(baseUrl: string, token: string, timeoutMs = 10_000): Promise<Reach> {
  const base = baseUrl.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(`${base}/api/v4/metadata`);
  } catch {
    return { ok: false, url: base, host: base, tls: false, cause: `"${base}" is not a URL`, code: null, tlsProblem: false };
  }
  const tls = parsed.protocol === 'https:';
  const where = { url: base, host: parsed.host, tls };
  try {
    const res = await fetch(parsed, { headers: { 'PRIVATE-TOKEN': token }, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    // GitLab's API answers JSON, even its 401 and 404; an HTML page is a proxy or a wrong path.
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { ok: true, ...where, status: res.status, json };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') {
      return { ok: false, ...where, cause: `no answer within ${timeoutMs / 1000} s`, code: 'TIMEOUT', tlsProblem: false };
    }
    const code = codeOf(err);
    const tlsProblem = code !== null && (code in TLS_CODES || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'));
    const cause = code
      ? (TLS_CODES[code] ?? NET_CODES[code] ?? code)
      : (((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
    return { ok: false, ...where, cause: code ? `${cause} (${code})` : cause, code, tlsProblem };
  }
}
