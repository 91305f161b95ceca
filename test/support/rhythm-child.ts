// One `rhythm` command as a real child process (node bin/rhythm.js) against a sandbox GitLab, with
// the shipped rhythm.yml unless RHYTHM_CONFIG says otherwise.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './world.js';

export interface RhythmRun {
  code: number | null;
  out: string;
  err: string;
}

export function runRhythm(
  args: string[],
  opts: { gitlabUrl: string; cwd: string; env?: Record<string, string | undefined> },
): Promise<RhythmRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/rhythm.js'), ...args], {
      cwd: opts.cwd,
      env: {
        ...process.env,
        GITLAB_URL: opts.gitlabUrl,
        GITLAB_TOKEN: 'sandbox-rhythm-bot-token',
        RHYTHM_CONFIG: join(REPO, 'rhythm.yml'),
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}
