// ${VAR} and ${VAR:-default} in string values, read from the environment given (never from
// process.env directly, so tests and `check-config` decide what is set). `$${` is a literal `${`.
// Keys are never interpolated. Secrets are checked here, before their value is known.
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { ConfigProblem, KeyPath } from './problem.js';
import { showPath } from './problem.js';
import { isSecretKey, isSecretPath, secretProblem } from './secret.js';

export type Env = Record<string, string | undefined>;

const reference = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

type Expansion = { ok: true; value: string } | { ok: false; unset: string[]; malformed?: string };

export function expand(text: string, env: Env): Expansion {
  let out = '';
  const unset: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    const inner = close === -1 ? text.slice(i + 2) : text.slice(i + 2, close);
    const match = close === -1 ? null : reference.exec(inner);
    const name = match?.[1];
    const fallback = match?.[2];
    if (!match || name === undefined || fallback?.includes('${')) {
      return { ok: false, unset, malformed: '${' + inner + (close === -1 ? '' : '}') };
    }
    const value = env[name];
    if (fallback !== undefined) out += value === undefined || value === '' ? fallback : value;
    else if (value === undefined) unset.push(name);
    else out += value;
    i = close + 1;
  }
  return unset.length > 0 ? { ok: false, unset } : { ok: true, value: out };
}

function expansionProblem(path: KeyPath, result: Extract<Expansion, { ok: false }>): ConfigProblem {
  const where = showPath(path);
  if (result.malformed !== undefined) {
    const shown = isSecretPath(path) ? '' : ` ${JSON.stringify(result.malformed)}`;
    return {
      path,
      message: `${where} has a malformed reference${shown}; write \${NAME} or \${NAME:-default} (and $\${ for a literal \${)`,
    };
  }
  const names = [...new Set(result.unset)];
  const first = names[0] ?? '';
  const subject =
    names.length === 1
      ? `the environment variable ${first}, which is not set`
      : `the environment variables ${names.join(', ')}, which are not set`;
  const hint = isSecretPath(path) ? '' : ` (set it, or write \${${first}:-value} to give a default)`;
  return { path, message: `${where} needs ${subject}${names.length === 1 ? hint : ''}` };
}

function walk(node: Node | null, path: KeyPath, env: Env, problems: ConfigProblem[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const childPath = [...path, key];
      const child = (pair.value ?? null) as Node | null;
      if (isSecretKey(key) && (child === null || isScalar(child))) {
        const problem = secretProblem(childPath, child === null ? null : child.value);
        if (problem) {
          problems.push(problem);
          continue;
        }
      }
      // A chat webhook URL lets whoever has it post in the channel: from the environment only, though
      // it may be empty (${VAR:-}: no chat), which the secret rule above does not allow.
      if (key === 'webhookUrl' && isScalar(child) && typeof child.value === 'string' && child.value !== '' && !child.value.includes('${')) {
        problems.push({
          path: childPath,
          message: `${showPath(childPath)} is written literally; it is a secret: write \${SLACK_WEBHOOK_URL:-} and set SLACK_WEBHOOK_URL`,
        });
        continue;
      }
      walk(child, childPath, env, problems);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => walk((item ?? null) as Node | null, [...path, index], env, problems));
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
    const result = expand(node.value, env);
    if (result.ok) node.value = result.value;
    else problems.push(expansionProblem(path, result));
  }
}

/** Replace references in place; returns one problem per value that could not be expanded. */
export function interpolateDocument(doc: Document, env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  walk(doc.contents, [], env, problems);
  return problems;
}
