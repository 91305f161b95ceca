// A chat webhook on loopback, as Slack or Mattermost answers one: 200 "ok" for a good post. A test
// tells it to fail the next posts (a 500, a 429 with Retry-After, a hang) and reads what it got.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = { status: number; retryAfter?: string } | 'hang';

export interface ChatReceiver {
  url: string;
  /** The texts of the posts it took (2xx), in order. */
  texts: string[];
  /** Every request, taken or failed. */
  requests: number;
  failNext(...faults: Fault[]): void;
  close(): Promise<void>;
}

export async function startChatReceiver(): Promise<ChatReceiver> {
  const faults: Fault[] = [];
  const hanging: ServerResponse[] = [];
  const receiver: ChatReceiver = {
    url: '',
    texts: [],
    requests: 0,
    failNext: (...f) => void faults.push(...f),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests += 1;
      const fault = faults.shift();
      if (fault === 'hang') {
        hanging.push(res);
        return;
      }
      if (fault) {
        res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}).end('no');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown };
      if (req.headers['content-type'] !== 'application/json' || typeof body.text !== 'string') {
        res.writeHead(400).end('invalid_payload');
        return;
      }
      receiver.texts.push(body.text);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-key-abc123`;
  return receiver;
}
