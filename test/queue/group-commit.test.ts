import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/queue/group-commit.js';

function recorder(fail?: (items: number[]) => boolean, maxInFlight = 1) {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  let hold = false;
  const group = new GroupCommit<number, string>(
    async (items) => {
      batches.push(items);
      if (hold) await new Promise<void>((r) => releases.push(r));
      if (fail?.(items)) throw new Error(`batch ${items.join(',')} failed`);
      return items.map((i) => `ok ${i}`);
    },
    50,
    maxInFlight,
  );
  return {
    group,
    batches,
    holdNext: () => (hold = true),
    releaseHeld: () => {
      hold = false;
      for (const release of releases.splice(0)) release();
    },
  };
}

describe('group commit', () => {
  it('commits writes that arrive in the same tick together, answering each its own result', async () => {
    const { group, batches } = recorder();
    const results = await Promise.all([1, 2, 3, 4].map((i) => group.add(i)));
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(results).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4']);
  });

  it('gathers writes that arrive during a commit into the next batch', async () => {
    const r = recorder();
    r.holdNext();
    const first = r.group.add(1);
    await new Promise((res) => setImmediate(res));
    const later = [2, 3, 4].map((i) => r.group.add(i));
    await new Promise((res) => setImmediate(res));
    expect(r.batches).toEqual([[1]]); // still committing the first
    r.releaseHeld();
    expect(await first).toBe('ok 1');
    expect(await Promise.all(later)).toEqual(['ok 2', 'ok 3', 'ok 4']);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits a burst larger than the batch limit', async () => {
    const { group, batches } = recorder();
    await Promise.all(Array.from({ length: 120 }, (_, i) => group.add(i)));
    expect(batches.map((b) => b.length)).toEqual([50, 50, 20]);
  });

  it('rejects every write of a failed batch and keeps going for the next', async () => {
    const { group } = recorder((items) => items.includes(2));
    const settled = await Promise.allSettled([1, 2].map((i) => group.add(i)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await group.add(3)).toBe('ok 3');
  });

  it('drains: resolves once everything added so far is committed', async () => {
    const r = recorder();
    r.holdNext();
    const writes = [1, 2].map((i) => r.group.add(i));
    let drained = false;
    const draining = r.group.drain().then(() => (drained = true));
    await new Promise((res) => setImmediate(res));
    await new Promise((res) => setImmediate(res));
    expect(drained).toBe(false);
    r.releaseHeld();
    await draining;
    expect(await Promise.all(writes)).toEqual(['ok 1', 'ok 2']);
  });

  it('with two in flight, hands the next batch over while the first is still committing, and no third', async () => {
    const r = recorder(undefined, 2);
    r.holdNext();
    const first = r.group.add(1);
    await new Promise((res) => setImmediate(res));
    const second = r.group.add(2);
    await new Promise((res) => setImmediate(res));
    const third = [3, 4].map((i) => r.group.add(i));
    await new Promise((res) => setImmediate(res));
    expect(r.batches).toEqual([[1], [2]]); // both held; 3 and 4 wait for one of them
    r.releaseHeld();
    expect(await Promise.all([first, second, ...third])).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4']);
    expect(r.batches).toEqual([[1], [2], [3, 4]]);
    await r.group.drain();
  });
});
