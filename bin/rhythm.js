#!/usr/bin/env node
// The `rhythm` command. Rhythm ships its TypeScript sources and runs them through tsx, so there is
// no build step between a checkout and a running bot.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
