// The projects the shipped rhythm.yml configures: the ones `rhythm hooks install` manages. Tests
// that count hooks count these, so a project added to rhythm.yml does not break them.
import { join } from 'node:path';
import { configuredProjects } from '../../src/hooks/install.js';
import { loadConfig } from '../../src/config/load.js';
import { REPO } from './world.js';

export function shippedProjects(): string[] {
  const loaded = loadConfig(join(REPO, 'rhythm.yml'), { GITLAB_TOKEN: 'any-token' });
  if (!loaded.ok) throw new Error(`rhythm.yml does not load: ${loaded.errors.join('; ')}`);
  return configuredProjects(loaded.config);
}
