import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../../src/lib/memo.ts';

describe('boundedMemo', () => {
  it('computes each key once, undefined answers included, and forgets everything once full', () => {
    const asked: string[] = [];
    const lengthOrNothing = boundedMemo(3, (key: string) => {
      asked.push(key);
      return key === 'none' ? undefined : key.length;
    });
    expect([lengthOrNothing('ab'), lengthOrNothing('ab'), lengthOrNothing('none'), lengthOrNothing('none')]).toEqual([2, 2, undefined, undefined]);
    expect(asked).toEqual(['ab', 'none']);
    lengthOrNothing('abc'); // third key: still room
    expect(lengthOrNothing('ab')).toBe(2);
    expect(asked).toEqual(['ab', 'none', 'abc']);
    lengthOrNothing('abcd'); // full: all forgotten, then this one kept
    lengthOrNothing('ab');
    expect(asked).toEqual(['ab', 'none', 'abc', 'abcd', 'ab']);
  });
});
