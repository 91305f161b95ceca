// What a valid config may say but probably does not mean. Warnings never stop a file from loading
// (the bot runs as configured); `rhythm check-config` prints them, placed like problems.
import type { ConfigProblem } from './problem.js';
import { showPath } from './problem.js';
import type { ValidatedConfig } from './types.js';

/** Every warning of a config the schema accepted (defaults filled in), in board order. */
export function configWarnings(config: ValidatedConfig): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  config.boards.forEach((board, i) => {
    if (!('rules' in board)) return;
    const template = board.rules.template;
    // A label is a write: the template rule sets it only when it may fix (rules/template.ts).
    if (template.needsInfoLabel !== undefined && template.mode === 'comment') {
      const path = ['boards', i, 'rules', 'template', 'needsInfoLabel'];
      const mode = showPath(['boards', i, 'rules', 'template', 'mode']);
      warnings.push({
        path,
        on: 'key',
        message: `${showPath(path)} is a write, so it applies only in fix or revert mode; under mode: comment the bot adds no label (set ${mode} to fix, or leave the label out)`,
      });
    }
  });
  return warnings;
}
