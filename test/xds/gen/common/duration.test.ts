import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../../../src/xds/gen/common/duration.js';

describe('parseGoDuration', () => {
  it('reads whole seconds', () => expect(parseGoDuration('10s')).toEqual({ seconds: 10 }));
  it('reads fractional seconds exactly', () => expect(parseGoDuration('1.5s')).toEqual({ seconds: 1, nanos: 500_000_000 }));
  it('reads milliseconds', () => expect(parseGoDuration('250ms')).toEqual({ seconds: 0, nanos: 250_000_000 }));
  it('adds up compound durations', () => expect(parseGoDuration('1h2m3s')).toEqual({ seconds: 3723 }));
  it('accepts a bare zero', () => expect(parseGoDuration('0')).toEqual({ seconds: 0 }));
  it('rejects text that is not a duration', () => {
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('abc')).toBeUndefined();
    expect(parseGoDuration('5s garbage')).toBeUndefined();
    expect(parseGoDuration('')).toBeUndefined();
  });
});
