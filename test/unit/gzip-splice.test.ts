// gzip bodies spliced from parts compressed once (src/lib/gzip-splice.ts): checked against zlib itself.
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, crcCombine, crcShift, GzipSplice } from '../../src/lib/gzip-splice.ts';

describe('CRC-32 combination', () => {
  it('crc(A‖B) from crc(A), crc(B) and |B| equals zlib’s CRC of the whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
        const whole = zlib.crc32(Buffer.concat([a, b]));
        expect(crcCombine(zlib.crc32(a), zlib.crc32(b), crcShift(b.length))).toBe(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('holds for large lengths too (shifts past 64 KiB and 1 MiB)', () => {
    const a = Buffer.from('prefix');
    for (const size of [65_535, 65_536, 1_048_577]) {
      const b = Buffer.alloc(size, 'x');
      expect(crcCombine(zlib.crc32(a), zlib.crc32(b), crcShift(size))).toBe(zlib.crc32(Buffer.concat([a, b])));
    }
  });
});

describe('GzipSplice', () => {
  it('makes a gzip stream that zlib decodes (checking CRC and size) to the parts joined by the insert', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 400 }), { minLength: 1, maxLength: 6 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        (parts, insert) => {
          const splice = new GzipSplice(parts.map((part) => Buffer.from(part)));
          const body = splice.body(Buffer.from(insert));
          expect(zlib.gunzipSync(body).toString('utf8')).toBe(parts.join(insert));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('puts a different insert in each gap', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 40 })), { minLength: 1, maxLength: 5 }), fc.string({ maxLength: 100 }), (pairs, last) => {
        const parts = [...pairs.map(([part]) => part), last];
        const inserts = pairs.map(([, insert]) => insert);
        const body = new GzipSplice(parts.map((part) => Buffer.from(part))).body(inserts.map((insert) => Buffer.from(insert)));
        expect(zlib.gunzipSync(body).toString('utf8')).toBe(parts.map((part, i) => part + (inserts[i] ?? '')).join(''));
      }),
      { numRuns: 200 },
    );
    expect(() => new GzipSplice([Buffer.from('a'), Buffer.from('b')]).body([])).toThrow(/1 gaps, 0 inserts/);
  });

  it('takes inserts larger than one stored block (65,535 bytes), and empty parts', () => {
    const splice = new GzipSplice([Buffer.from('<p>'), Buffer.alloc(0), Buffer.from('</p>')]);
    const insert = Buffer.alloc(150_000, 'é');
    expect(zlib.gunzipSync(splice.body(insert)).equals(Buffer.concat([Buffer.from('<p>'), insert, insert, Buffer.from('</p>')]))).toBe(true);
  });

  it('is about as small as compressing the page whole', () => {
    const page = Buffer.from('<li><a href="/questions/1">How do I reset the router?</a></li>\n'.repeat(300));
    const splice = new GzipSplice([page.subarray(0, 9000), page.subarray(9000)]);
    const body = splice.body(Buffer.from('token-abc_123'));
    expect(body.length).toBeLessThan(zlib.gzipSync(page).length * 2 + 64);
  });
});

describe('acceptsGzip', () => {
  it.each([
    ['gzip, deflate, br, zstd', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['x-gzip', true],
    ['*', true],
    ['GZIP', true],
    ['gzip;q=0', false],
    ['br, *;q=0', false],
    ['*, gzip;q=0', false],
    ['identity', false],
    ['br', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
