/**
 * engine/upstream/circuit-breaker.ts: closed → open after consecutive failures or a failure
 * ratio; open fails fast; half-open lets exactly one probe through; the probe decides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerAdmission, type BreakerPermit, type BreakerState } from '../../../engine/upstream/circuit-breaker.js';

function permitOf(admission: BreakerAdmission): BreakerPermit {
  if (!('permit' in admission)) throw new Error(`expected a permit, got rejected for ${admission.rejectedForMs} ms`);
  return admission.permit;
}

function setup(settings: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  const clock = { now: 0 };
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({ failureThreshold: 3, failurePercent: 0, cooldownMs: 1_000, ...settings }, () => clock.now, (s) => changes.push(s));
  const fail = (n = 1) => {
    for (let i = 0; i < n; i++) permitOf(breaker.admit()).failure();
  };
  const succeed = (n = 1) => {
    for (let i = 0; i < n; i++) permitOf(breaker.admit()).success();
  };
  return { clock, changes, breaker, fail, succeed };
}

describe('closed → open', () => {
  it('opens after N consecutive failures', () => {
    const { breaker, fail, changes } = setup();
    fail(2);
    expect(breaker.state()).toBe('closed');
    fail();
    expect(breaker.state()).toBe('open');
    expect(changes).toEqual(['open']);
  });

  it('a success in between resets the count', () => {
    const { breaker, fail, succeed } = setup();
    fail(2);
    succeed();
    fail(2);
    expect(breaker.state()).toBe('closed');
  });

  it('opens on the failure ratio once enough calls are in the window', () => {
    const { breaker, fail, succeed } = setup({ failureThreshold: 0, failurePercent: 50, minCalls: 10, windowMs: 10_000 });
    for (let i = 0; i < 4; i++) {
      succeed();
      fail();
    }
    expect(breaker.state()).toBe('closed'); // 8 calls: below the minimum
    succeed();
    fail();
    expect(breaker.state()).toBe('open'); // 5 of 10 failed
  });

  it('old calls leave the ratio window', () => {
    const { breaker, fail, succeed, clock } = setup({ failureThreshold: 0, failurePercent: 50, minCalls: 4, windowMs: 1_000 });
    fail(3);
    clock.now = 5_000;
    succeed();
    fail();
    expect(breaker.state()).toBe('closed'); // only the last two count
  });

  it('failureThreshold 0 and failurePercent 0 turn the breaker off', () => {
    const { breaker, fail } = setup({ failureThreshold: 0, failurePercent: 0 });
    fail(50);
    expect(breaker.state()).toBe('closed');
    expect('permit' in breaker.admit()).toBe(true);
  });
});

describe('open → half-open → closed or open', () => {
  it('open rejects at once, saying how long it stays open', () => {
    const { breaker, fail, clock } = setup();
    fail(3);
    clock.now = 400;
    expect(breaker.admit()).toEqual({ rejectedForMs: 600 });
  });

  it('after the cool-down exactly one probe goes through; a successful probe closes it', () => {
    const { breaker, fail, clock, changes } = setup();
    fail(3);
    clock.now = 1_000;
    expect(breaker.state()).toBe('half_open');
    const probe = permitOf(breaker.admit());
    expect('rejectedForMs' in breaker.admit()).toBe(true); // a second caller waits for the probe
    probe.success();
    expect(breaker.state()).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('a failed probe opens it again for a new cool-down', () => {
    const { breaker, fail, clock } = setup();
    fail(3);
    clock.now = 1_000;
    permitOf(breaker.admit()).failure();
    expect(breaker.state()).toBe('open');
    clock.now = 1_999;
    expect(breaker.state()).toBe('open');
    clock.now = 2_000;
    expect(breaker.state()).toBe('half_open');
  });

  it('a cancelled probe (the client left) frees the probe slot without a verdict', () => {
    const { breaker, fail, clock } = setup();
    fail(3);
    clock.now = 1_000;
    permitOf(breaker.admit()).cancel();
    expect(breaker.state()).toBe('half_open');
    permitOf(breaker.admit()).success();
    expect(breaker.state()).toBe('closed');
  });

  it('a straggler that started before the breaker opened does not close it', () => {
    const { breaker, fail, clock } = setup();
    const straggler = permitOf(breaker.admit());
    fail(3);
    clock.now = 1_000;
    straggler.success();
    expect(breaker.state()).toBe('half_open');
  });

  it('a permit settles once: a second verdict is ignored', () => {
    const { breaker } = setup({ failureThreshold: 1 });
    const permit = permitOf(breaker.admit());
    permit.success();
    permit.failure();
    expect(breaker.state()).toBe('closed');
  });
});

describe('the failure-ratio window', () => {
  /** The window as first written (an array: push, drop the expired, keep the newest 4 × minCalls): the model. */
  function opensAt(calls: Array<{ dt: number; failed: boolean }>, s: { failurePercent: number; minCalls: number; windowMs: number }): number {
    const window: Array<{ at: number; failed: boolean }> = [];
    let now = 0;
    for (const [i, call] of calls.entries()) {
      now += call.dt;
      window.push({ at: now, failed: call.failed });
      while (window.length > 0 && now - window[0].at > s.windowMs) window.shift();
      if (window.length > 4 * s.minCalls) window.splice(0, window.length - 4 * s.minCalls);
      if (window.length >= s.minCalls && (window.filter((c) => c.failed).length * 100) / window.length >= s.failurePercent) return i;
    }
    return -1;
  }

  it('opens the breaker at the same call as the plain array model, for any sequence of calls', () => {
    fc.assert(
      fc.property(
        fc.record({ failurePercent: fc.integer({ min: 1, max: 100 }), minCalls: fc.integer({ min: 0, max: 6 }), windowMs: fc.integer({ min: 1, max: 60 }) }),
        fc.array(fc.record({ dt: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 12 }) }), failed: fc.boolean() }), { maxLength: 200 }),
        (settings, calls) => {
          const clock = { now: 0 };
          const breaker = new CircuitBreaker({ failureThreshold: 0, cooldownMs: 1_000_000, ...settings }, () => clock.now);
          let opened = -1;
          for (const [i, call] of calls.entries()) {
            clock.now += call.dt;
            const permit = permitOf(breaker.admit());
            if (call.failed) permit.failure();
            else permit.success();
            if (breaker.state() === 'open') {
              opened = i;
              break;
            }
          }
          expect(opened).toBe(opensAt(calls, settings));
        },
      ),
      { numRuns: 300 },
    );
  });
});
