// Chat notices under `rhythm serve`: a person schedules a card, the channel hears it once; the
// service restarts on the same database and sweeps, and the channel hears nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RhythmConfig } from '../../src/config/types.js';
import { fullRequest, startWorld, type World } from '../support/world.js';
import { startChatReceiver, type ChatReceiver } from '../chat/receiver.js';

let world: World;
let chat: ChatReceiver;
beforeAll(async () => {
  chat = await startChatReceiver();
  world = await startWorld({
    configure: (config): RhythmConfig => ({
      ...config,
      // The Skills Exchange board only: the content board would send its own first digest.
      boards: config.boards.map((b) =>
        b.kind === 'skills-exchange' ? { ...b, chat: { webhookUrl: chat.url, timeoutSeconds: 1, soonDays: 7 } } : { ...b, chat: undefined },
      ),
    }),
  });
});
afterAll(async () => {
  await world?.close();
  await chat?.close();
});

describe('chat notices under rhythm serve', () => {
  it('bob schedules a card: one notice, and none again after a restart and a sweep', async () => {
    const { plan, scheduled } = world.board.labels;
    const card = await world.create('bob', 'Observability 101', `${fullRequest('Metrics and traces.', 'bob')}\n\nModerator: @carol`, [
      plan,
    ]);
    await world.as.bob.editIssue(world.project, card.iid, {
      assigneeIds: [await world.userId('bob'), await world.userId('carol')],
      dueDate: world.date(10),
    });
    await world.settle();
    expect(chat.texts.filter((t) => t.includes('New session scheduled'))).toEqual([]);
    await world.as.bob.editIssue(world.project, card.iid, { addLabels: [scheduled], removeLabels: [plan] });
    await world.settle();
    const announced = chat.texts.filter((t) => t.includes(`<${card.web_url}|Observability 101>`));
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatch(/^New session scheduled: .* Speaker: @\u200Bbob\. Moderator: @\u200Bcarol\.$/);
    const heard = chat.texts.length;

    await world.stop();
    const service = await world.start();
    await service.sweep({ full: true });
    await world.settle();
    await world.as.alice.createNote(world.project, card.iid, 'Looking forward to it');
    await world.settle();
    expect(chat.texts.slice(heard)).toEqual([]);
  });
});
