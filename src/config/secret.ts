// Secrets (the GitLab token, and any key named like a token, secret or password) must come from
// the environment, so a committed rhythm.yml never holds one. Messages never repeat the value.
import type { ConfigProblem, KeyPath } from './problem.js';
import { showPath } from './problem.js';

const secretKey = /(token|secret|password)$/i;
const wholeReference = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

export function isSecretKey(key: string | number | undefined): boolean {
  return typeof key === 'string' && secretKey.test(key);
}

/** Whether the value at this path must never be echoed in a message. */
export function isSecretPath(path: KeyPath): boolean {
  return path.some((key) => isSecretKey(key));
}

/** The variable a person would naturally use: gitlab.token → GITLAB_TOKEN. */
export function envNameFor(path: KeyPath): string {
  return path
    .filter((key): key is string => typeof key === 'string')
    .map((key) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_'))
    .join('_')
    .toUpperCase();
}

/** A problem when the secret at `path` is not written as exactly one ${VAR}. */
export function secretProblem(path: KeyPath, value: unknown): ConfigProblem | undefined {
  if (typeof value === 'string' && wholeReference.test(value)) return undefined;
  const where = showPath(path);
  const variable = '${' + envNameFor(path) + '}';
  if (value === null || value === '') {
    return { path, message: `${where} is empty; write ${variable} and set ${envNameFor(path)}` };
  }
  if (typeof value === 'string' && value.includes('${')) {
    return {
      path,
      message: `${where} must be exactly one \${VAR} with no default or other text; write ${variable}`,
    };
  }
  return {
    path,
    message: `${where} is written literally; put it in an environment variable and write ${variable}`,
  };
}
