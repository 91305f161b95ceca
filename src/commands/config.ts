// The configuration a command runs with: loaded, validated, every problem on stderr when it is bad
// (and every warning on stderr when it is not).
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { RhythmConfig } from '../config/types.js';
import { Failure } from './failure.js';

export interface Loaded {
  config: RhythmConfig;
  configDir: string;
}

export function load(path: string, dryRun = false): Loaded {
  const result = loadConfig(path, process.env);
  if (!result.ok) {
    for (const line of result.errors) process.stderr.write(`${line}\n`);
    throw new Failure(`${path}: ${result.errors.length} problem(s); nothing was done`);
  }
  // Warnings never stop a command, but whoever starts it should see them, not only check-config.
  for (const line of result.warnings) process.stderr.write(`${line}\n`);
  const config = dryRun ? { ...result.config, dryRun: true } : result.config;
  return { config, configDir: dirname(resolve(path)) };
}
