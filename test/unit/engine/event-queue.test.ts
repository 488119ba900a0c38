import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type EventHandle } from '../../../src/engine/event-queue.js';
import { Simulator } from '../../../src/engine/simulator.js';

type Op = { kind: 'schedule'; time: number } | { kind: 'cancel'; pick: number } | { kind: 'pop' };

const op: fc.Arbitrary<Op> = fc.oneof(
  // Few distinct times, so ties are common and their order is exercised.
  fc.record({ kind: fc.constant('schedule' as const), time: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('pop' as const) }),
);

describe('EventQueue', () => {
  it('dispatches a stable sort by time of what was scheduled and not cancelled, for any interleaving', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new EventQueue<number>();
        // The model: a list of live entries; pops take the earliest time, ties in insertion order.
        const model: { time: number; id: number }[] = [];
        // Handles of every event ever scheduled, dispatched ones too: cancelling those (their
        // slots reused by later events) must do nothing.
        const handles: { handle: EventHandle; id: number }[] = [];
        let id = 0;
        for (const o of ops) {
          if (o.kind === 'schedule') {
            handles.push({ handle: q.schedule(o.time, id), id });
            model.push({ time: o.time, id });
            id++;
          } else if (o.kind === 'cancel' && handles.length > 0) {
            const h = handles[o.pick % handles.length]!;
            q.cancel(h.handle);
            const at = model.findIndex((m) => m.id === h.id);
            if (at >= 0) model.splice(at, 1);
          } else if (o.kind === 'pop') {
            const expectedNext = model.reduce((t, m) => Math.min(t, m.time), Infinity);
            expect(q.nextTime).toBe(expectedNext);
            const got = q.pop();
            let best = -1;
            for (let i = 0; i < model.length; i++) {
              if (best < 0 || model[i]!.time < model[best]!.time) best = i;
            }
            if (best < 0) {
              expect(got).toBeUndefined();
            } else {
              expect(got).toBe(model[best]!.id);
              expect(q.lastTime).toBe(model[best]!.time);
              model.splice(best, 1);
            }
          }
          expect(q.size).toBe(model.length);
        }
        const rest: number[] = [];
        for (let e = q.pop(); e !== undefined; e = q.pop()) rest.push(e);
        const expected = [...model].sort((a, b) => a.time - b.time || a.id - b.id).map((m) => m.id);
        expect(rest).toEqual(expected);
      }),
      { seed: 20261126, numRuns: 300 },
    );
  });

  it('ignores a second cancel and a cancel after dispatch', () => {
    const q = new EventQueue<string>();
    const a = q.schedule(1, 'a');
    const b = q.schedule(2, 'b');
    q.cancel(a);
    q.cancel(a);
    expect(q.size).toBe(1);
    expect(q.pop()).toBe('b');
    q.cancel(b);
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
    // Slots are reused: the old handles name nothing in the new events.
    q.schedule(3, 'c');
    q.schedule(4, 'd');
    q.cancel(a);
    q.cancel(b);
    expect(q.size).toBe(2);
    expect([q.pop(), q.pop()]).toEqual(['c', 'd']);
  });

  it('grows past its first capacity and keeps the order of thousands of ties', () => {
    const q = new EventQueue<number>();
    for (let i = 0; i < 5000; i++) q.schedule(i % 7, i);
    const out: number[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e);
    const expected = Array.from({ length: 5000 }, (_, i) => i).sort(
      (x, y) => (x % 7) - (y % 7) || x - y,
    );
    expect(out).toEqual(expected);
  });

  it('rejects a NaN time', () => {
    expect(() => new EventQueue<number>().schedule(NaN, 1)).toThrow(/NaN/);
  });
});

describe('Simulator', () => {
  it('advances the clock to each event and stops at `until`', () => {
    const sim = new Simulator<string>(10);
    const seen: [string, number][] = [];
    sim.at(12, 'b');
    sim.after(1, 'a');
    sim.at(30, 'late');
    sim.run((e, t) => {
      seen.push([e, t]);
      if (e === 'a') sim.after(0, 'a-follow-up');
    }, 20);
    expect(seen).toEqual([
      ['a', 11],
      ['a-follow-up', 11],
      ['b', 12],
    ]);
    expect(sim.now).toBe(20);
    expect(sim.pending).toBe(1);
  });

  it('refuses to schedule in the past', () => {
    const sim = new Simulator<string>(5);
    expect(() => sim.at(4, 'x')).toThrow(/before now/);
  });

  it('stop() ends the run after the current event', () => {
    const sim = new Simulator<number>();
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) sim.at(i, i);
    sim.run((e) => {
      seen.push(e);
      if (e === 2) sim.stop();
    });
    expect(seen).toEqual([0, 1, 2]);
  });
});
