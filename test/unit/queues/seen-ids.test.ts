import { describe, expect, it } from 'vitest';
import { SeenIds } from '../../../lib/queues/sidekiq/seen-ids.js';

/** A small deterministic generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('SeenIds', () => {
  it('answers as a Set would for dense, sparse and huge ids mixed, through every change of form', () => {
    const random = lcg(20261203);
    for (const spread of [50, 5_000, 1_000_000, 2 ** 33]) {
      const seen = new SeenIds();
      const truth = new Set<number>();
      for (let i = 0; i < 20_000; i++) {
        // Mostly near the start, some far out, a few past 2^31 (where bits would wrap).
        const r = random();
        const id = r < 0.9 ? Math.floor(random() * spread) : r < 0.98 ? Math.floor(random() * 2 ** 30) : 2 ** 31 + Math.floor(random() * 1e6);
        const before = truth.has(id);
        truth.add(id);
        expect(seen.add(id), `spread ${spread}, id ${id}`).toBe(before);
        expect(seen.size).toBe(truth.size);
      }
      for (const id of truth) expect(seen.add(id), `spread ${spread}, id ${id} again`).toBe(true);
    }
  });

  it('ids 0 to 7 share a byte, and 2^31 − 1 and 2^31 are told apart', () => {
    const seen = new SeenIds();
    for (let id = 0; id < 8; id++) expect(seen.add(id)).toBe(false);
    for (let id = 0; id < 8; id++) expect(seen.add(id)).toBe(true);
    expect(seen.add(2 ** 31 - 1)).toBe(false);
    expect(seen.add(2 ** 31)).toBe(false);
    expect(seen.add(2 ** 31 + 8)).toBe(false);
    expect(seen.add(2 ** 31)).toBe(true);
    expect(seen.size).toBe(11);
  });
});
