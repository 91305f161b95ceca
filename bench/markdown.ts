// The readers of GitLab text on the worst shapes found (1 MB each, GitLab's description limit):
// milliseconds per reader. Run alone: npx tsx bench/markdown.ts [shape…]
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { inlineUserText, quoteUserText, readDocument } from '../src/markdown/index.js';
import { pathologicalShapes } from '../src/markdown/pathological.js';
import { hasRecordingLink, parseModeratorLines } from '../src/card/index.js';
import { parseSections } from '../src/markdown/index.js';
import { parseClaims } from '../src/signups/claims.js';
import type { SkillsExchangeBoard } from '../src/config/types.js';
import { card, type CardState } from '../src/handlers/card/index.js';
import { extractCommands } from '../src/sandbox/quick-action-extractor.js';
import { shippedConfig } from '../test/support/run-key.js';

const readers: Record<string, (text: string) => unknown> = {
  document: (t) => readDocument(t),
  moderator: (t) => parseModeratorLines(t),
  sections: (t) => parseSections(t),
  claims: (t) => parseClaims(t, []),
  recording: (t) => hasRecordingLink([t]),
  quote: (t) => quoteUserText(t),
  inline: (t) => inlineUserText(t),
  // The whole card decision (every rule, the plan, the note), and the sandbox's quick actions.
  decide: (t) => card.decide(cardWith(t)),
  sandbox: (t) => extractCommands(t),
};

function cardWith(description: string): CardState {
  const board = shippedConfig().boards.find((b): b is SkillsExchangeBoard => b.kind === 'skills-exchange')!;
  const issue = { project: board.project, id: 1, iid: 1, title: 'A card', description, state: 'opened' as const };
  return {
    board,
    botUsername: 'rhythm-bot',
    timezone: 'UTC',
    now: new Date('2026-03-01T12:00:00Z'),
    issue: {
      ...issue,
      labels: [board.labels.scheduled],
      assignees: ['alice'],
      author: 'alice',
      dueDate: '2026-03-12',
      confidential: false,
      webUrl: 'x',
    },
    assigneeIds: { alice: 1 },
    notes: [],
    users: {},
    scheduledPeers: [],
    lastMove: { previous: [board.labels.plan], current: [board.labels.scheduled], by: 'alice', at: '2026-03-01T11:59:00Z' },
    judgement: { at: '2026-03-01T11:59:00Z', revert: false },
    judgedNow: true,
    events: [],
  };
}

export async function benchMarkdown(only: readonly string[] = []): Promise<void> {
  const shapes = Object.entries(pathologicalShapes(1_000_000)).filter(([name]) => only.length === 0 || only.includes(name));
  console.log(
    `${'shape (1 MB)'.padEnd(26)} ${Object.keys(readers)
      .map((r) => r.padStart(9))
      .join(' ')}   (ms; target < 2000 each)`,
  );
  let worst = 0;
  for (const [name, text] of shapes) {
    const cells: string[] = [];
    for (const [i, read] of Object.values(readers).entries()) {
      const cold = text + '\n'.repeat(i + 1); // a text no reader has read yet: no shared parse
      const start = performance.now();
      read(cold);
      const ms = performance.now() - start;
      worst = Math.max(worst, ms);
      cells.push(ms.toFixed(0).padStart(9));
    }
    console.log(`${name.padEnd(26)} ${cells.join(' ')}`);
  }
  console.log(`worst: ${worst.toFixed(0)} ms — target (< 2000 ms per reader per MB): ${worst < 2000 ? 'met' : 'NOT met'}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchMarkdown(process.argv.slice(2));
