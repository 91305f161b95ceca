// HTML comments hide text when GitLab renders it. One linear scan (indexOf, never a lazy regex:
// `[\s\S]*?-->` retried at every `<!--` of an unclosed run is quadratic).

/**
 * The text with every `<!-- … -->` replaced by `replacement` (an unclosed `<!--` hides the rest,
 * as a browser does). With `keepNewlines`, the newlines inside a comment stay, so lines stay apart.
 */
export function hideHtmlComments(text: string, replacement = '', keepNewlines = false): string {
  let out = '';
  let from = 0;
  for (let open = text.indexOf('<!--', from); open !== -1; open = text.indexOf('<!--', from)) {
    const close = text.indexOf('-->', open + 2);
    const end = close === -1 ? text.length : close + 3;
    out += text.slice(from, open) + replacement;
    if (keepNewlines) out += '\n'.repeat(newlinesIn(text, open, end));
    from = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

// A plain loop: indexOf would search past `to`, once per comment.
function newlinesIn(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Removes HTML comments, keeping the newlines inside them so the lines around stay apart. */
export function stripHtmlComments(text: string): string {
  return hideHtmlComments(text, '', true);
}
