// The one way out to chat: a Slack-compatible incoming webhook (Slack, Mattermost), posted
// `{"text": …}` as JSON. Retried here for what a retry can fix — no answer within the timeout,
// a network error, a 5xx, a 429 (after its Retry-After) — a few times; then the failure is the
// job's, whose retry (with the queue's backoff) comes back later. The URL is a secret (whoever has
// it can post to the channel): it is never logged, nor put in an error message.

export interface ChatPostOptions {
  /** Per attempt, ms (a webhook that hangs ends the attempt). */
  timeoutMs?: number;
  attempts?: number;
  /** The longest Retry-After waited out here; a longer one is left to the job's retry. */
  maxWaitMs?: number;
  signal?: AbortSignal;
  /** Sleeps between attempts (injectable for tests that do not wait). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The chat webhook refused the notice for good (4xx other than 429): retrying will not help. */
export class ChatRefused extends Error {
  override name = 'ChatRefused';
}

/** The chat webhook did not take the notice now (timeouts, 5xx, 429): a later retry may. */
export class ChatUnavailable extends Error {
  override name = 'ChatUnavailable';
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

const sleepFor = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });

/** Retry-After as ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A webhook URL as Rhythm accepts it: http(s), nothing else. Never echoes the URL. */
export function checkWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChatRefused('the chat webhook URL is not a URL (check chat.webhookUrl; its value is not shown, it is a secret)');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ChatRefused('the chat webhook URL must start with https:// or http://');
  }
  return parsed;
}

/** Posts one message; resolves once the webhook answered 2xx. */
export async function postChat(url: string, text: string, o: ChatPostOptions = {}): Promise<void> {
  const target = checkWebhookUrl(url);
  const attempts = o.attempts ?? 3;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const maxWaitMs = o.maxWaitMs ?? 30_000;
  const sleep = o.sleep ?? sleepFor;
  const body = JSON.stringify({ text });
  let last: ChatUnavailable | null = null;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const signals = [AbortSignal.timeout(timeoutMs), ...(o.signal ? [o.signal] : [])];
    let wait = Math.min(maxWaitMs, 500 * 2 ** (attempt - 1));
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any(signals),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      if (res.status === 429 || res.status >= 500) {
        const after = retryAfterMs(res.headers.get('retry-after'));
        last = new ChatUnavailable(`the chat webhook answered ${res.status}`, after);
        if (after !== null) {
          // Longer than we wait here: the job's retry comes back after it.
          if (after > maxWaitMs) throw last;
          wait = after;
        }
      } else {
        throw new ChatRefused(`the chat webhook refused the notice (${res.status}); check chat.webhookUrl`);
      }
    } catch (err) {
      if (err instanceof ChatRefused || err === last) throw err;
      if (o.signal?.aborted) throw err;
      // Only the kind of failure is told: an error from fetch may carry the URL.
      const timedOut: boolean = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      last = new ChatUnavailable(
        timedOut ? `the chat webhook did not answer within ${timeoutMs} ms` : 'the chat webhook could not be reached',
        null,
      );
    }
    if (attempt < attempts) await sleep(wait, o.signal);
  }
  throw last ?? new ChatUnavailable('the chat webhook could not be reached', null);
}
