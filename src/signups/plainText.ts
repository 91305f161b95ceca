// Text from the config or from people, made safe to place in the bot's Markdown: one line, no
// formatting, no working @mentions or references, never a quick action.

// Markdown and GitLab reference characters; a backslash makes each one literal text.
const SPECIAL = /[\\`*_[\]<>#|~&!$%{}]/g;
// Control, bidi-override and zero-width characters that could hide or reorder text.
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Config or user text as one line of literal Markdown text. */
export function plainText(text: string): string {
  const line = text.replace(/\r\n?|\n/g, ' ').replace(HIDDEN, '').replace(/\s+/g, ' ').trim();
  return breakMentions(line.replace(SPECIAL, (c) => `\\${c}`)).replace(/^([/+=>-])/, '\\$1');
}

/**
 * A zero-width space right after every @ so GitLab sees no username to notify (@all included).
 * It goes after the @, not before: GitLab only needs a non-word character in front of the @.
 */
export function breakMentions(text: string): string {
  return text.replace(/@/g, '@\u200b');
}

/** A username as a person reads it, without notifying them. */
export function quietUsername(username: string): string {
  return breakMentions(`@${username.replace(/^@/, '')}`);
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
