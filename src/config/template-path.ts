// Where a template a config names is read from: the config file's folder first (a team's own
// template), then Rhythm's own templates/ for a path under templates/ (the shipped ones), so the
// shipped rhythm.yml works from any folder it is copied to.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Rhythm's own folder (src/config/ or dist/config/ is two levels down). */
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const isFile = (file: string) => existsSync(file) && statSync(file).isFile();

/** The template's file, or null when neither place has it. */
export function templateFile(configDir: string, template: string): string | null {
  const own = resolve(configDir, template);
  if (isFile(own)) return own;
  const normal = template.replaceAll('\\', '/').replace(/^\.\//, '');
  if (!normal.startsWith('templates/')) return null;
  const shipped = resolve(PACKAGE_DIR, normal);
  return shipped.startsWith(resolve(PACKAGE_DIR, 'templates')) && isFile(shipped) ? shipped : null;
}
