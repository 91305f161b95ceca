// Finds quick-action commands in note and description text exactly where GitLab finds them.
// A port of the matching rules in GitLab's lib/gitlab/quick_actions/extractor.rb: a command starts
// at column 0 (`/cmd` or `/cmd args`, any case); fenced code, multi-line inline code, HTML blocks
// and `>>>` quote blocks are skipped whole; `> ` quotes, indented and mid-line text never match.
// Matched command lines are removed from the text, which is then right-trimmed. Linear in the
// text: the regex itself is kept in test/sandbox/ as the reference the reader is checked against.

/** The commands the sandbox understands; other `/words` stay in the text, as unknown commands do in GitLab. */
export const COMMAND_NAMES: readonly string[] = [
  'label',
  'labels',
  'unlabel',
  'remove_label',
  'relabel',
  'assign',
  'unassign',
  'due',
  'remove_due_date',
  'close',
  'reopen',
  'title',
];

export interface ExtractedCommand {
  /** Lower-cased command name as written (aliases not resolved). */
  name: string;
  /** Argument text, trimmed; undefined when absent or blank. */
  arg: string | undefined;
}

/**
 * GitLab's extractor is one regex (code | inline code | HTML | `>>>` | command, tried at each line
 * start; `.` crosses lines). As a JavaScript regex it backtracks: `^.*\`` retries from every line,
 * so a megabyte with inline code froze the sandbox. This reads the same alternatives in one pass,
 * with cursors that only move forward, and finds what the regex finds.
 */
export function extractCommands(input: string): { content: string; commands: ExtractedCommand[] } {
  const text = input.replace(/\r/g, '');
  const n = text.length;
  const commands: ExtractedCommand[] = [];
  const lineEnd = (i: number) => i === n || text.charCodeAt(i) === 10;

  // Inline code: from a line start through the last backtick that ends a line, when a backtick
  // stands at least two characters before it (the regex's greedy `^.*\`` … lazy `.+?` … `\`$`).
  let lastEndTick = -1;
  for (let i = n - 1; i >= 0; i--) {
    if (text.charCodeAt(i) === 96 && lineEnd(i + 1)) {
      lastEndTick = i;
      break;
    }
  }
  let nextTick = text.indexOf('`'); // cursor: the first backtick at or after the scan position
  const tickAtOrAfter = (p: number) => {
    if (nextTick !== -1 && nextTick < p) nextTick = text.indexOf('`', p);
    return nextTick === -1 ? Infinity : nextTick;
  };

  // Fenced blocks (``` and >>>): the first line that is exactly the fence, at least one character
  // after the opening fence. Each kind keeps a cursor over its closing lines.
  const closers = (fence: string) => {
    const at: number[] = [];
    for (let i = text.indexOf(fence); i !== -1; i = text.indexOf(fence, i + 1)) {
      if ((i === 0 || text.charCodeAt(i - 1) === 10) && lineEnd(i + fence.length)) at.push(i);
    }
    let k = 0;
    return (from: number): number => {
      while (k < at.length && at[k]! < from) k++;
      return k < at.length ? at[k]! : -1;
    };
  };
  const codeClose = closers('```');
  const quoteClose = closers('>>>');

  // HTML blocks: `<tag…>` then a newline, up to the first line `</…>` whose first `>` ends a line.
  const htmlClosers: { from: number; end: number }[] = [];
  for (let i = text.indexOf('\n</'); i !== -1; i = text.indexOf('\n</', i + 1)) {
    const gt = text.indexOf('>', i + 3);
    if (gt >= i + 4 && lineEnd(gt + 1)) htmlClosers.push({ from: i, end: gt + 1 });
  }
  let htmlK = 0;
  let nextGt = 0;

  const lower = text.toLowerCase();
  let out = '';
  let copied = 0; // text before this index is in `out` already
  let p = 0;
  while (p < n) {
    let end = -1; // end of a match that is kept as it is
    if (text.startsWith('```', p)) {
      const c = codeClose(p + 5);
      if (c !== -1) end = c + 3;
    }
    if (end === -1 && lastEndTick !== -1 && tickAtOrAfter(p) <= lastEndTick - 2) end = lastEndTick + 1;
    if (end === -1 && text.charCodeAt(p) === 60 /* < */) {
      if (nextGt !== -1 && nextGt < p + 1) nextGt = text.indexOf('>', p + 1);
      if (nextGt >= p + 2 && text.charCodeAt(nextGt + 1) === 10) {
        while (htmlK < htmlClosers.length && htmlClosers[htmlK]!.from < nextGt + 3) htmlK++;
        if (htmlK < htmlClosers.length) end = htmlClosers[htmlK]!.end;
      }
    }
    if (end === -1 && text.startsWith('>>>', p)) {
      const c = quoteClose(p + 5);
      if (c !== -1) end = c + 3;
    }
    if (end === -1 && text.charCodeAt(p) === 47 /* / */) {
      const command = commandAt(p);
      if (command) {
        out += text.slice(copied, p);
        copied = command.end;
        commands.push({ name: command.name, arg: command.arg });
        p = command.end;
        continue;
      }
    }
    if (end !== -1) p = end;
    // The next line start.
    const nl = text.indexOf('\n', p);
    if (nl === -1) break;
    p = nl + 1;
  }
  out += text.slice(copied);
  return { content: out.trimEnd(), commands };

  /** `/name`, `/name args` at p, as the regex's last alternative reads it, with what it consumes. */
  function commandAt(p: number): { name: string; arg: string | undefined; end: number } | null {
    for (const name of COMMAND_NAMES) {
      if (!lower.startsWith(name, p + 1)) continue;
      const e = p + 1 + name.length;
      if (text.charCodeAt(e) === 32) {
        const eol = text.indexOf('\n', e);
        const argEnd = eol === -1 ? n : eol;
        const arg = text.slice(e + 1, argEnd).trim();
        return { name, arg: arg ? arg : undefined, end: afterBlank(argEnd) };
      }
      const after = afterBlank(e);
      if (after !== e || lineEnd(e)) return { name, arg: undefined, end: after };
    }
    return null;
  }

  /** `\s*\n` from i: past the last newline of the whitespace run at i (i itself when none). */
  function afterBlank(i: number): number {
    let last = -1;
    let j = i;
    while (j < n && /\s/.test(text[j]!)) {
      if (text.charCodeAt(j) === 10) last = j;
      j++;
    }
    return last === -1 ? i : last + 1;
  }
}
