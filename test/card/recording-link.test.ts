import { describe, expect, it } from 'vitest';
import { hasRecordingLink } from '../../src/card/index.js';

describe('spotting the recording link', () => {
  it.each([
    ['a YouTube watch link', 'Recording: https://www.youtube.com/watch?v=dQw4w9WgXcQ', true],
    ['a YouTube link with more parameters', 'https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ', true],
    ['a short YouTube link', 'https://youtu.be/dQw4w9WgXcQ', true],
    ['a YouTube live link', 'https://www.youtube.com/live/dQw4w9WgXcQ', true],
    ['a Vimeo link', 'https://vimeo.com/123456789', true],
    ['a Loom link', 'https://www.loom.com/share/0123abcd', true],
    ['a Zoom cloud recording', 'https://gitlab.zoom.us/rec/share/AbC-123', true],
    ['a video file', 'see https://files.example.com/s/session.mp4 here', true],
    ['the Unfiltered channel link', 'https://www.youtube.com/channel/UCMtZ0sc1HHNtGGWZFDRTh5A', false],
    ['a playlist', 'https://www.youtube.com/playlist?list=PL05JrBw4t0KorkxIFgZGnzzxjZRCGROt_', false],
    ['a slide deck', 'https://docs.google.com/presentation/d/abc', false],
    ['a link hidden in a comment', '<!-- e.g. https://youtu.be/dQw4w9WgXcQ -->', false],
    ['no link at all', 'We will upload it soon', false],
  ])('%s', (_case, text, expected) => {
    expect(hasRecordingLink(['Description without links', text])).toBe(expected);
  });

  it('finds nothing in nothing', () => {
    expect(hasRecordingLink([])).toBe(false);
  });
});
