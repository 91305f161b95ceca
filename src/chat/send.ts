// Carries out a chat notice step (the executor calls this): post it to the board's webhook, then
// record it as sent. The webhook URL is read from the configuration here and goes nowhere else.
import type { RhythmConfig } from '../config/types.js';
import type { ChatLedger } from '../queue/chat-ledger.js';
import type { Step } from '../engine/steps.js';
import { ChatUnavailable, postChat } from './client.js';

export async function sendChatNotice(
  step: Extract<Step, { kind: 'chatNotice' }>,
  config: RhythmConfig,
  ledger: ChatLedger | undefined,
  signal?: AbortSignal,
): Promise<void> {
  if (!ledger) throw new Error('chat notices are recorded in the store; this run has none');
  const chat = config.boards.find((b) => b.name === step.board)?.chat;
  if (step.text !== null) {
    if (!chat?.webhookUrl) throw new Error(`board ${step.board} has no chat webhook any more`);
    await postChat(chat.webhookUrl, step.text, { timeoutMs: chat.timeoutSeconds * 1000, ...(signal ? { signal } : {}) });
  }
  await ledger.record(step.board, [step.notice], Date.now());
}

/** Carries out a forgetChatNotices step: the lapsed notices leave the board's ledger. */
export async function forgetChatNotices(step: Extract<Step, { kind: 'forgetChatNotices' }>, ledger: ChatLedger | undefined): Promise<void> {
  if (!ledger) throw new Error('chat notices are recorded in the store; this run has none');
  await ledger.forget(step.board, step.notices);
}

/** For the worker: a chat webhook that is down is an outage (retried, never parked dead), not a strike. */
export function chatUnavailable(err: unknown): { waitMs: number } | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth += 1) {
    if (e instanceof ChatUnavailable) return { waitMs: e.retryAfterMs ?? 0 };
  }
  return null;
}
