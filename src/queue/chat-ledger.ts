// Which chat notices were sent, kept beside the queue in the same database. Unlike the card memory
// this is no cache: it is what makes a notice go out once. A notice is recorded right after the
// chat webhook said 2xx; a crash between the two can send one notice twice (a webhook takes no
// idempotency key), never lose one.

export interface ChatLedger {
  /** The notice ids recorded for a board, each with when it was recorded (ms since the epoch). */
  sent(board: string): Promise<Map<string, number>>;
  /** Records notices as sent (recording one again changes nothing, not even its time). */
  record(board: string, notices: readonly string[], at: number): Promise<void>;
  /**
   * Forgets notices of a board that can never be owed again (the chat handler decides which:
   * handlers/chat/notices.ts `lapsedNotices`), so the ledger does not grow for ever. Returns how many went.
   */
  forget(board: string, notices: readonly string[]): Promise<number>;
}

/** The one-process ledger (the in-memory store). */
export class MapChatLedger implements ChatLedger {
  private readonly boards = new Map<string, Map<string, number>>();

  async sent(board: string): Promise<Map<string, number>> {
    return new Map(this.boards.get(board) ?? []);
  }

  async record(board: string, notices: readonly string[], at: number): Promise<void> {
    const sent = this.boards.get(board) ?? new Map<string, number>();
    for (const n of notices) if (!sent.has(n)) sent.set(n, at);
    this.boards.set(board, sent);
  }

  async forget(board: string, notices: readonly string[]): Promise<number> {
    const sent = this.boards.get(board);
    return sent ? notices.filter((n) => sent.delete(n)).length : 0;
  }
}
