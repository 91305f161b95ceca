// One guard against quick actions. GitLab runs `/command` lines of text the bot posts, with the
// bot's permissions (lib/gitlab/quick_actions/extractor.rb: `/` at column 0, outside code). The
// guard is stricter than GitLab on purpose: any line whose first visible character is `/` counts,
// whatever breaks the line, so no rendering or whitespace quirk can turn one into a command.

// Every character that can end a line for GitLab, Markdown or a browser.
const BREAKS = new Set(['\n', '\r', '\u000B', '\u000C', '\u0085', '\u2028', '\u2029']);
// What may stand before the `/` and still leave it first on the line as people see it.
const BLANKS = new Set([' ', '\t', '\u200B', '\uFEFF']);

/** Indexes (in `text`) of every `/` that starts a line once blanks are skipped. */
function commandSlashes(text: string): number[] {
  const found: number[] = [];
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (BREAKS.has(c)) lineStart = true;
    else if (lineStart && c === '/') {
      found.push(i);
      lineStart = false;
    } else if (!BLANKS.has(c)) lineStart = false;
  }
  return found;
}

/** Whether a single line would run as a quick action. */
export function startsQuickAction(line: string): boolean {
  return commandSlashes(line).length > 0;
}

/** 1-based numbers of the `\n`-separated lines of `text` that hold a command start. */
export function quickActionLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let i = 0;
  for (const slash of commandSlashes(text)) {
    for (; i < slash; i++) if (text.charCodeAt(i) === 10) line++;
    if (lines[lines.length - 1] !== line) lines.push(line);
  }
  return lines;
}

/** A backslash before every command's `/`: the text reads the same, and nothing runs. */
export function defuseQuickActions(text: string): string {
  const slashes = commandSlashes(text);
  if (slashes.length === 0) return text;
  let out = '';
  let from = 0;
  for (const at of slashes) {
    out += `${text.slice(from, at)}\\`;
    from = at;
  }
  return out + text.slice(from);
}
