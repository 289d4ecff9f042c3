// Look-alike usernames share a skeleton; different names do not.
import { describe, expect, it } from 'vitest';
import { usernameSkeleton } from '../../src/features/accounts/confusables.ts';

describe('usernameSkeleton', () => {
  it.each([
    ['laura.ondara', 'Iaura.ondara'],
    ['laura.ondara', '1aura.ondara'],
    ['laura.ondara', 'LAURA.ONDARA'],
    ['laura.ondara', 'laura.0ndara'],
    ['laura.ondara', 'laura_ondara'],
    ['laura.ondara', 'laura-ondara'],
    ['laura.ondara', 'Laura__Ondara'],
    ['maria', 'rnaria'],
    ['maria', 'RNaria'],
    ['admin', 'adrnin'],
    ['bill', 'BiII'],
    ['bill', 'bi11'],
    ['soporte', 'S0P0RTE'],
  ])('%s and %s look alike', (a, b) => {
    expect(usernameSkeleton(b)).toBe(usernameSkeleton(a));
  });

  it.each([
    ['laura.ondara', 'laura.ondara2'],
    ['laura', 'lara'],
    ['maria', 'mario'],
    ['ana', 'anna'],
    ['bill', 'bili'],
  ])('%s and %s do not', (a, b) => {
    expect(usernameSkeleton(b)).not.toBe(usernameSkeleton(a));
  });

  it('is lower-case and stable: the skeleton of a skeleton is itself', () => {
    for (const name of ['Iaura.ondara', 'RNaria', 'X0_1-Y', 'Zoë']) {
      const skeleton = usernameSkeleton(name);
      expect(skeleton).toBe(skeleton.toLowerCase());
      expect(usernameSkeleton(skeleton)).toBe(skeleton);
    }
    expect(usernameSkeleton('Zoë')).toBe('zoe');
  });
});
