// When Rhythm first met each board: its baseline. Moves made before it are never judged (so never
// reverted), and a card nobody has changed since gets no note (handlers/onboarding/). Unlike the
// card memory (a cache that may be dropped at any time), the baseline is a fact about the past:
// lost, the next decision would take a new one, so it would protect more, never punish the past
// again. It lives in its own table, which the memory's clear() and its self-healing never touch.

export interface Baselines {
  /**
   * The board's baseline (epoch ms), recorded as `at` when the board has none yet. Several
   * processes may race to record it: the first to commit wins and every caller gets that one.
   */
  ensure(project: string, at: number): Promise<number>;
  /** The board's baseline, or null when Rhythm has not met the board yet. */
  get(project: string): Promise<number | null>;
}

/** One spelling per project, as GitLab compares paths (case-insensitively). */
export const baselineProject = (project: string): string => project.toLowerCase();

/** Migration 4 (sqlite-schema.ts). Only ever changed through a new migration. */
export const SQLITE_BASELINES_TABLE = `
  CREATE TABLE rhythm_baselines (
    project     TEXT PRIMARY KEY,
    baseline_at INTEGER NOT NULL
  );
`;

/** Migration 4 (postgres-schema.ts). Only ever changed through a new migration. */
export const POSTGRES_BASELINES_TABLE = `
  CREATE TABLE rhythm_baselines (
    project     text PRIMARY KEY,
    baseline_at bigint NOT NULL
  );
`;

/** The in-process store's (one-shot commands, tests): as long-lived as the process. */
export class MapBaselines implements Baselines {
  private readonly at = new Map<string, number>();

  async ensure(project: string, at: number): Promise<number> {
    const key = baselineProject(project);
    const known = this.at.get(key);
    if (known !== undefined) return known;
    this.at.set(key, at);
    return at;
  }

  async get(project: string): Promise<number | null> {
    return this.at.get(baselineProject(project)) ?? null;
  }
}

/**
 * A process's view of a store's baselines: a recorded baseline never changes, so each board's is
 * read once per process, not once per job.
 */
export class RememberedBaselines implements Baselines {
  private readonly known = new Map<string, Promise<number>>();

  constructor(private readonly store: Baselines) {}

  ensure(project: string, at: number): Promise<number> {
    const key = baselineProject(project);
    let found = this.known.get(key);
    if (!found) {
      found = this.store.ensure(project, at);
      this.known.set(key, found);
      found.catch(() => this.known.delete(key));
    }
    return found;
  }

  async get(project: string): Promise<number | null> {
    const found = this.known.get(baselineProject(project));
    return found ? await found : this.store.get(project);
  }
}
