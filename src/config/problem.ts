// One thing wrong with a config file, before it is given a file:line:col. Every check (YAML,
// interpolation, schema, semantics) reports in this shape so one place turns them into lines.

/** Keys and indexes from the top of the document down to a value. */
export type KeyPath = ReadonlyArray<string | number>;

export interface ConfigProblem {
  path: KeyPath;
  /** Point at the key itself (unknown keys) rather than at its value. */
  on?: 'key' | 'value';
  /** Absolute character offset, when the checker already knows it (YAML syntax errors). */
  offset?: number;
  message: string;
}

const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `boards[0].rules.moderator.mode`, the way a person would point at it in rhythm.yml. */
export function showPath(path: KeyPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (plainKey.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out === '' ? 'the top level' : out;
}
