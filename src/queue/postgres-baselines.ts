// The baselines (baselines.ts) in the shared PostgreSQL database: the first replica to record a
// board's baseline wins, and every replica reads that one.
import type pg from 'pg';
import { baselineProject, type Baselines } from './baselines.js';

export class PostgresBaselines implements Baselines {
  constructor(private readonly pool: pg.Pool) {}

  async ensure(project: string, at: number): Promise<number> {
    const key = baselineProject(project);
    await this.pool.query('INSERT INTO rhythm_baselines (project, baseline_at) VALUES ($1, $2) ON CONFLICT (project) DO NOTHING', [
      key,
      at,
    ]);
    return (await this.get(project))!;
  }

  async get(project: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ baseline_at: number }>('SELECT baseline_at FROM rhythm_baselines WHERE project = $1', [
      baselineProject(project),
    ]);
    return rows[0] ? Number(rows[0].baseline_at) : null;
  }
}
