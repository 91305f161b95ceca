#!/usr/bin/env node
// The `rhythm` command. It runs the build (dist/cli.js, from `npm run build`) when there is one and
// no file under src/ is newer than it; otherwise it runs the TypeScript sources through tsx, so a
// fresh checkout needs no build step and a developer who built once and then edited src/ never
// runs stale code. The check is a stat of each file and folder under src/ (a folder's time moves
// when a file in it is added, removed or renamed).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const built = new URL('dist/cli.js', root);

function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsFresh() {
  let builtAt;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return false; // no build
  }
  try {
    return newestUnder(fileURLToPath(new URL('src', root))) <= builtAt;
  } catch {
    return true; // no sources beside the build (an install of the build alone)
  }
}

if (buildIsFresh()) {
  process.setSourceMapsEnabled(true);
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('src/cli.ts', root).href);
}
