// Text from the config or from people, made safe to place in the bot's Markdown: one line, no
// formatting, no working @mentions, references or links, never a quick action. The hidden
// characters and mentions are handled by src/markdown, as for every other text the bot posts.
import { defuseUrls, neutraliseMentions, removeInvisible } from '../markdown/index.js';

// Markdown and GitLab reference characters; a backslash makes each one literal text.
const SPECIAL = /[\\`*_[\]<>#|~&!$%{}]/g;

/** Config or user text as one line of literal Markdown text. */
export function plainText(text: string): string {
  const line = removeInvisible(text.replace(/\r\n?|[\n\u0085]/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  // A leading `/` would be a quick action, `+ = > -` a list, heading underline or quote.
  return defuseUrls(neutraliseMentions(line.replace(SPECIAL, (c) => `\\${c}`))).replace(/^([/+=>-])/, '\\$1');
}

/** A username as a person reads it, without notifying them. */
export function quietUsername(username: string): string {
  return neutraliseMentions(`@${username.replace(/^@/, '')}`);
}

/** An http(s) URL safe inside <…>, or null when the text is not one. */
export function safeUrl(text: string | undefined): string | null {
  if (!text) return null;
  try {
    const url = new URL(text.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return /[\s<>]/.test(url.href) ? null : url.href;
  } catch {
    return null;
  }
}
