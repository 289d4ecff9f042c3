// The form body parser: everything a browser encodes comes back as typed; a broken escape is a 400.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFormBody } from '../../src/lib/form-body.ts';
import { AppError } from '../../src/lib/errors.ts';

describe('parseFormBody', () => {
  it('reads back any fields a browser encodes (URLSearchParams), Unicode, +, % and & included', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', minLength: 1 }), fc.string({ unit: 'binary' })), (fields) => {
        // Lone surrogates cannot be encoded as UTF-8; browsers replace them, and so does URLSearchParams.
        const encoded = new URLSearchParams(Object.entries(fields)).toString();
        const expected = Object.fromEntries(new URLSearchParams(encoded));
        expect({ ...parseFormBody(encoded) }).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a field sent twice as an array, and __proto__ as an ordinary name', () => {
    const fields = parseFormBody('a=1&a=2&__proto__=x&b');
    expect(fields.a).toEqual(['1', '2']);
    expect(fields.__proto__).toBe('x');
    expect(fields.b).toBe('');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each(['a=%', 'a=%2', 'a=%zz', 'a=%E9', 'a=%C3', 'a%=1', 'a=ok&b=100%'])('refuses %s with a 400', (body) => {
    try {
      parseFormBody(body);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).statusCode).toBe(400);
    }
  });
});
