// The chat webhook URL in rhythm.yml: from the environment, empty meaning no chat; written
// literally it is refused without being echoed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const REPO = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rhythm-chat-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shipped = readFileSync(join(REPO, 'rhythm.yml'), 'utf8');
const env = { GITLAB_TOKEN: 't' };

describe('chat.webhookUrl', () => {
  it('is empty in the shipped file without SLACK_WEBHOOK_URL (no chat), and read from it when set', () => {
    const off = loadConfig(join(REPO, 'rhythm.yml'), env);
    if (!off.ok) throw new Error(off.errors.join('\n'));
    expect(off.config.boards.map((b) => b.chat?.webhookUrl)).toEqual(['', '']);
    const on = loadConfig(join(REPO, 'rhythm.yml'), { ...env, SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x' });
    expect(on.ok && on.config.boards[0]!.chat?.webhookUrl).toBe('https://hooks.slack.com/services/T0/B0/x');
  });

  it('written literally is refused, and the message does not repeat it', () => {
    const file = join(dir, 'rhythm.yml');
    writeFileSync(file, shipped.replace('webhookUrl: ${SLACK_WEBHOOK_URL:-}', 'webhookUrl: https://hooks.slack.com/services/T0/B0/leaked'));
    const result = loadConfig(file, env);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/boards\[0\]\.chat\.webhookUrl is written literally; it is a secret: write \$\{SLACK_WEBHOOK_URL:-\}/);
    expect(errors.join('\n')).not.toContain('leaked');
  });
});
