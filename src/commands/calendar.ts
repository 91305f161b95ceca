// `rhythm calendar --board ID --out FILE`: write a board's feed to a file, for a scheduled
// pipeline to publish (GitLab Pages, say). Reads only. The file is replaced whole (written beside
// it, then renamed), so a web server never serves half a calendar.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { CommanderError } from 'commander';
import { boardById, boardId } from '../handlers/calendar/index.js';
import { buildFeed } from '../handlers/calendar/feed.js';
import { load } from './config.js';
import { commandLogger, doorFor } from './door.js';

export interface CalendarOptions {
  board: string;
  out: string;
}

export async function calendarCommand(configPath: string, o: CalendarOptions): Promise<void> {
  if (!o.out.trim()) throw new CommanderError(2, 'usage', '--out needs a file name');
  const { config, configDir } = load(configPath);
  const board = boardById(config, o.board);
  if (!board) {
    const ids = config.boards.map(boardId);
    throw new CommanderError(2, 'usage', `--board: no board with id "${o.board}" (the boards are: ${ids.join(', ') || 'none'})`);
  }
  if (!board.calendar.enabled)
    throw new CommanderError(2, 'usage', `--board: the calendar of board "${o.board}" is turned off (calendar.enabled)`);
  const log = commandLogger();
  const door = doorFor(config, log);
  const feed = await buildFeed(board, { config, configDir, gitlab: door, log, now: () => new Date() });
  const temp = join(dirname(o.out), `.${basename(o.out)}.${process.pid}.tmp`);
  writeFileSync(temp, feed.ics);
  renameSync(temp, o.out);
  process.stdout.write(`wrote ${feed.events} events of board ${o.board} to ${o.out}\n`);
  process.stdout.write(`GitLab calls: ${door.reads} reads, ${door.writes} writes\n`);
}
