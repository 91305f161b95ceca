// The baselines (baselines.ts) in the SQLite store's file, on its main connection.
import type Database from 'better-sqlite3';
import { baselineProject, type Baselines } from './baselines.js';

export class SqliteBaselines implements Baselines {
  constructor(private readonly db: Database.Database) {}

  async ensure(project: string, at: number): Promise<number> {
    const key = baselineProject(project);
    this.db.prepare('INSERT INTO rhythm_baselines (project, baseline_at) VALUES (?, ?) ON CONFLICT (project) DO NOTHING').run(key, at);
    return (await this.get(project))!;
  }

  async get(project: string): Promise<number | null> {
    const row = this.db.prepare('SELECT baseline_at FROM rhythm_baselines WHERE project = ?').get(baselineProject(project)) as
      { baseline_at: number } | undefined;
    return row ? row.baseline_at : null;
  }
}
