// Which chat notices were sent, kept beside the queue in the same database. Unlike the card memory
// this is no cache: it is what makes a notice go out once. A notice is recorded right after the
// chat webhook said 2xx; a crash between the two can send one notice twice (a webhook takes no
// idempotency key), never lose one.

export interface ChatLedger {
  /** The notice ids recorded for a board. */
  sent(board: string): Promise<Set<string>>;
  /** Records notices as sent (recording one again changes nothing). */
  record(board: string, notices: readonly string[], at: number): Promise<void>;
}

/** The one-process ledger (the in-memory store). */
export class MapChatLedger implements ChatLedger {
  private readonly boards = new Map<string, Set<string>>();

  async sent(board: string): Promise<Set<string>> {
    return new Set(this.boards.get(board) ?? []);
  }

  async record(board: string, notices: readonly string[]): Promise<void> {
    const set = this.boards.get(board) ?? new Set<string>();
    for (const n of notices) set.add(n);
    this.boards.set(board, set);
  }
}
