// The demo's chat channel: a Slack-compatible incoming webhook on loopback that prints each
// message it takes, the way a channel would show it (links `<url|text>` as `text (url)`).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoChat {
  url: string;
  close(): Promise<void>;
}

const readable = (text: string) => text.replace(/<([^|>]+)\|([^>]*)>/g, '$2 ($1)').replaceAll('\u200B', '');

export async function startDemoChat(print: (line: string) => void): Promise<DemoChat> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const { text } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: string };
        for (const line of readable(String(text ?? '')).split('\n')) print(`        chat: ${line}`);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } catch {
        res.writeHead(400).end('invalid_payload');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/demo`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
