// `rhythm sweep` as a real child process (node bin/rhythm.js), as a scheduled pipeline runs it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './world.js';

export interface SweepRun {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs `rhythm sweep` in `cwd` against `gitlabUrl`. RHYTHM_DATABASE_URL is passed only when
 * given (`databaseUrl`): without it, and without `.rhythm/rhythm.db` in `cwd`, the sweep has no
 * shared store, like a pipeline job without a database.
 */
export function runSweep(opts: {
  gitlabUrl: string;
  cwd: string;
  databaseUrl?: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<SweepRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITLAB_URL: opts.gitlabUrl,
    GITLAB_TOKEN: 'sandbox-rhythm-bot-token',
    RHYTHM_CONFIG: join(REPO, 'rhythm.yml'),
    RHYTHM_LOG_LEVEL: 'info',
  };
  delete env.RHYTHM_DATABASE_URL;
  if (opts.databaseUrl) env.RHYTHM_DATABASE_URL = opts.databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/rhythm.js'), 'sweep', ...(opts.args ?? [])], {
      cwd: opts.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rhythm sweep did not end in time:\n${out}\n${err}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
