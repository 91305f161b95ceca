// People's words inside a chat message. Slack reads `<…>` as links and mentions (`<!channel>`,
// `<@U123>`, `<https://x|text>`) and wants `&`, `<`, `>` escaped; Mattermost translates the same
// and also renders Markdown and links every @mention and raw URL. So a title is escaped for both:
// the three characters as entities, `@` followed by a zero-width space, URLs and Markdown links
// broken the same way, one line, hidden and bidi characters removed.
import { removeInvisible } from '../markdown/quote.js';

const ZWSP = '\u200B';
const LIMIT = 200;

/** Text a person wrote, safe to put anywhere in a message. */
export function chatText(text: string, limit = LIMIT): string {
  const one = removeInvisible(text).replace(/[\s]+/g, ' ').trim();
  const cut = [...one].length > limit ? `${[...one].slice(0, limit).join('')}…` : one;
  return cut
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('@', `@${ZWSP}`)
    .replaceAll('://', `:${ZWSP}//`)
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}${ZWSP}.`)
    .replaceAll('](', `]${ZWSP}(`)
    .replace(/[*_~`|]/g, (c) => `${c}${ZWSP}`);
}

/** A link in the `<url|text>` form both Slack and Mattermost read; the URL is GitLab's own. */
export function chatLink(url: string, text: string): string {
  const safeUrl = url.replace(/[<>|\s]/g, encodeURIComponent);
  return `<${safeUrl}|${chatText(text)}>`;
}

/** A username as people read it, pinging no one. */
export const chatPerson = (username: string) => chatText(`@${username.replace(/^@/, '')}`);
