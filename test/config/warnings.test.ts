// What a config may say but probably does not mean: a warning, placed as file:line:col like a
// problem, that never stops the file from loading.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';

const env = { GITLAB_TOKEN: 'test-token' };

/** A valid head: gitlab on lines 1-3, one board on lines 4-8; the template rule from line 9. */
const head = `gitlab:
  url: http://127.0.0.1:4000
  token: \${GITLAB_TOKEN}
boards:
  - kind: skills-exchange
    name: skills-exchange
    project: gitlab-com/sales-team/cs-skills-exchange
    handbookUrl: https://example.org/handbook
    rules:
      template:
`;

const warningsOf = (text: string) => {
  const result = loadConfigText(text, 'rhythm.yml', env);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.warnings;
};

describe('config warnings', () => {
  it('warns at the key when needsInfoLabel is set under mode: comment, where the label never applies', () => {
    expect(warningsOf(`${head}        mode: comment\n        needsInfoLabel: needs-info\n`)).toEqual([
      'rhythm.yml:12:9 warning: boards[0].rules.template.needsInfoLabel is a write, so it applies only in fix or revert mode; under mode: comment the bot adds no label (set boards[0].rules.template.mode to fix, or leave the label out)',
    ]);
  });

  it('warns too when the mode is left out (comment is the default)', () => {
    expect(warningsOf(`${head}        needsInfoLabel: needs-info\n`)).toEqual([
      expect.stringMatching(/^rhythm\.yml:11:9 warning: boards\[0\]\.rules\.template\.needsInfoLabel .*mode: comment/),
    ]);
  });

  it('says nothing in fix or revert mode, or without the label', () => {
    expect(warningsOf(`${head}        mode: fix\n        needsInfoLabel: needs-info\n`)).toEqual([]);
    expect(warningsOf(`${head}        mode: revert\n        needsInfoLabel: needs-info\n`)).toEqual([]);
    expect(warningsOf(`${head}        mode: comment\n`)).toEqual([]);
  });
});
