import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../src/CircuitBreaker.js';

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one trial through after the cooldown, closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker(3, 1000, () => now);
    expect(b.failure('e1')).toBe(false);
    expect(b.failure('e2')).toBe(false);
    expect(b.failure('e3')).toBe(true);
    expect(b.allow()).toBe(false);
    now = 999;
    expect(b.allow()).toBe(false);
    now = 1000;
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false); // only one trial while half-open
    b.success();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
  });

  it('a failed trial opens it again at once; disable() never lets a request through', () => {
    let now = 0;
    const b = new CircuitBreaker(1, 10, () => now);
    b.failure('x');
    now = 10;
    expect(b.allow()).toBe(true);
    expect(b.failure('again')).toBe(true);
    expect(b.allow()).toBe(false);
    b.disable('bad credentials');
    now = 1e12;
    expect(b.allow()).toBe(false);
    expect(b.disabled).toBe(true);
  });
});
