// Runs the project's own .gitlab-ci.yml with gitlab-ci-local, in a throwaway clone of the work tree,
// so the pipeline is exercised as committed (plus uncommitted edits) without touching the repo.
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GITLAB_CI_LOCAL = join(REPO_ROOT, 'node_modules/.bin/gitlab-ci-local');

/** Any URL will do: gitlab-ci-local only reads the remote to derive CI_PROJECT_PATH and friends. */
const ORIGIN_URL = 'https://gitlab.example.com/rhythm/rhythm.git';

/**
 * Job variables that keep the nested `npm ci` short: install from the machine's npm cache and skip
 * install scripts, so better-sqlite3 is not compiled from source (~75 s). The jobs these tests run
 * (the rules subset of the tests, `rhythm generate`) never open a SQLite database, so they need no
 * native module.
 */
export const QUICK_NPM_CI: Record<string, string> = {
  npm_config_ignore_scripts: 'true',
  npm_config_prefer_offline: 'true',
  npm_config_cache: join(homedir(), '.npm'),
};

/**
 * Why gitlab-ci-local cannot run here, or null when it can. On CI (.ci/run installs rsync and git)
 * a missing tool is a failure, not a reason to skip.
 */
export function ciLocalUnavailable(): string | null {
  const missing = ['git', 'rsync'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0);
  let reason: string | null = null;
  if (missing.length > 0) reason = `gitlab-ci-local needs ${missing.join(' and ')} on PATH`;
  else if (spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: REPO_ROOT, stdio: 'ignore' }).status !== 0) {
    reason = `${REPO_ROOT} is not a git work tree, so there is nothing to clone`;
  }
  if (reason && process.env.CI === 'true') throw new Error(`${reason} (required on CI)`);
  return reason;
}

export interface Listed {
  name: string;
  stage: string;
  /** 'never' means the job is not in the pipeline. */
  when: string;
  allow_failure: boolean;
}

export interface JobRun {
  exitCode: number;
  /** gitlab-ci-local's own stdout and stderr, for failure messages. */
  transcript: string;
  /** What the job's script printed, one entry per line, as gitlab-ci-local saved it. */
  log: string[];
}

export interface CiClone {
  dir: string;
  /** The jobs of the pipeline the given variables would create (gitlab-ci-local --list-json). */
  list(variables: Record<string, string>, unset?: string[]): Promise<Listed[]>;
  /** Run one job in shell mode; resolves when gitlab-ci-local exits. */
  runJob(job: string, variables: Record<string, string>, timeoutMs: number): Promise<JobRun>;
  remove(): Promise<void>;
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  // Asynchronous on purpose: some callers serve the sandbox GitLab from this same process.
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (signal) reject(new Error(`${cmd} ${args.join(' ')} ended by ${signal} (limit ${timeoutMs} ms)\n${stdout}\n${stderr}`));
      else resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function git(dir: string, ...args: string[]): Promise<string> {
  // Fixed identity and no signing, so a developer's git config cannot make the snapshot commit fail.
  const identity = ['-c', 'user.name=Rhythm CI test', '-c', 'user.email=ci-test@example.com', '-c', 'commit.gpgsign=false'];
  const r = await run('git', [...identity, ...args], dir, 30_000);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/**
 * The environment gitlab-ci-local (and so the job's shell) inherits: this process's, less what
 * vitest sets for itself (so a nested `npm test` behaves as on a developer's machine)
 * and less Rhythm's own settings (a job sees only the variables a test gives it).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|RHYTHM_|GITLAB_)/.test(key) || key === 'NODE_ENV' || key === 'TEST') continue;
    env[key] = value;
  }
  return env;
}

function variableArgs(variables: Record<string, string>): string[] {
  return Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`]);
}

/**
 * Copies the work tree's tracked and untracked-not-ignored files into a new git repository with a
 * remote named origin (gitlab-ci-local requires one) whose default branch is main.
 */
export async function cloneWorkTree(): Promise<CiClone> {
  const root = await mkdtemp(join(tmpdir(), 'rhythm-ci-'));
  const dir = join(root, 'rhythm');
  // An empty home for gitlab-ci-local, so variables files on this machine cannot leak into jobs.
  const home = join(root, 'home');
  await mkdir(dir);
  await mkdir(home);

  const files = (await git(REPO_ROOT, 'ls-files', '-co', '--exclude-standard', '-z')).split('\0').filter(Boolean);
  for (const file of files) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    try {
      await copyFile(join(REPO_ROOT, file), join(dir, file));
    } catch (e) {
      // A tracked file deleted in the work tree is simply not part of the copy.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '--no-verify', '-m', 'work tree snapshot');
  await git(dir, 'remote', 'add', 'origin', ORIGIN_URL);
  // Lets gitlab-ci-local read the default branch (CI_DEFAULT_BRANCH) from origin/HEAD.
  await git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  await git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');

  const ciLocal = (args: string[], variables: Record<string, string>, timeoutMs: number) =>
    run(
      GITLAB_CI_LOCAL,
      [
        '--no-color',
        '--home',
        home,
        // The tests set CI_PIPELINE_SOURCE and CI_COMMIT_BRANCH on purpose, to play schedules and MRs.
        '--ignore-predefined-vars',
        'CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH',
        ...variableArgs(variables),
        ...args,
      ],
      dir,
      timeoutMs,
      cleanEnv(),
    );

  return {
    dir,
    async list(variables, unset = []) {
      const r = await ciLocal([...unset.flatMap((name) => ['--unset-variable', name]), '--list-json'], variables, 60_000);
      if (r.code !== 0) throw new Error(`gitlab-ci-local --list-json failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
      const start = r.stdout.indexOf('[');
      return JSON.parse(r.stdout.slice(start)) as Listed[];
    },
    async runJob(job, variables, timeoutMs) {
      const logFile = join(dir, '.gitlab-ci-local/output', `${job}.log`);
      // A job that never starts leaves no log, rather than the previous run's.
      await rm(logFile, { force: true });
      const r = await ciLocal(['--force-shell-executor', job], variables, timeoutMs);
      let log: string[] = [];
      try {
        const text = await readFile(logFile, 'utf8');
        // eslint-disable-next-line no-control-regex -- ESC starts the ANSI colour codes this strips
        log = text.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
        while (log.length > 0 && log[log.length - 1]!.trim() === '') log.pop();
      } catch {
        // No log: the job never started; the transcript says why.
      }
      return { exitCode: r.code, transcript: `${r.stdout}\n${r.stderr}`, log };
    },
    async remove() {
      await rm(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
