// Whether a session's recording has been posted: a link to a video, not to a channel or playlist
// (the bot's own checklist links the YouTube channel, and that is no recording). Links are cut out
// of the text first and then read with the URL parser: one pass, however the text is built.
import { stripHtmlComments } from '../markdown/index.js';

const LINK = /https?:\/\/[^\s<>"'()[\]{}|\\^`]+/gi;
const MAX_LINK = 4096;
const VIDEO_FILE = /\.(?:mp4|webm|mov|m4v|mkv)$/i;
const ID = /^[\w-]{6,}$/;

function isVideo(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/^(?:www|m|music)\./, '');
  const parts = url.pathname.split('/').filter(Boolean);
  const [first, second] = parts;
  if (host === 'youtube.com') {
    if (first === 'watch') return ID.test(url.searchParams.get('v') ?? '');
    return ['live', 'embed', 'shorts', 'v'].includes(first ?? '') && ID.test(second ?? '');
  }
  if (host === 'youtu.be') return ID.test(first ?? '');
  if (host === 'youtube-nocookie.com') return first === 'embed' && ID.test(second ?? '');
  if (host === 'vimeo.com' || host === 'player.vimeo.com') return /^\d+$/.test(first === 'video' ? (second ?? '') : (first ?? ''));
  if (host === 'loom.com') return first === 'share' && Boolean(second);
  if (host === 'zoom.us' || host.endsWith('.zoom.us')) return first === 'rec' && (second === 'share' || second === 'play');
  return VIDEO_FILE.test(url.pathname);
}

// Sentence punctuation after a link is not part of it (trimmed by hand: a regex anchored at the
// end would backtrack over long runs).
function withoutTrailingPunctuation(link: string): string {
  let end = link.length;
  while (end > 0 && '.,;:!?*_~'.includes(link[end - 1]!)) end--;
  return link.slice(0, end);
}

export function hasRecordingLink(texts: readonly string[]): boolean {
  for (const text of texts) {
    for (const [link] of stripHtmlComments(text).matchAll(LINK)) {
      if (link.length > MAX_LINK) continue;
      let url: URL;
      try {
        url = new URL(withoutTrailingPunctuation(link));
      } catch {
        continue;
      }
      if (isVideo(url)) return true;
    }
  }
  return false;
}
