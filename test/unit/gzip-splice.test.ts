// gzip bodies spliced from parts compressed once (src/lib/gzip-splice.ts): checked against zlib itself.
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, crcCombine, crcShift, GzipSplice, TokenGzip } from '../../src/lib/gzip-splice.ts';

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

describe('TokenGzip', () => {
  // Parts from a small alphabet repeat themselves (and the token and hole values), so the compressor makes many
  // back-references: any that reached into a placeholder would decode to the wrong bytes.
  const text = (maxLength: number) => fc.string({ unit: fc.constantFrom('a', 'b', 'c', '<', '>', ' ', 'é'), maxLength });
  const page = fc
    .array(fc.record({ part: text(300), hole: fc.boolean(), value: text(12) }), { minLength: 2, maxLength: 8 })
    .chain((pieces) => fc.record({ pieces: fc.constant(pieces), token: text(20).filter((t) => Buffer.byteLength(t) > 0) }));
  const expected = (pieces: { part: string; hole: boolean; value: string }[], token: string) =>
    pieces.map((piece, i) => (i === 0 ? '' : piece.hole ? piece.value : token) + piece.part).join('');

  it('decodes (CRC and size checked) to the parts with the token and hole values between them', () => {
    const knownLengths = true;
    fc.assert(
      fc.property(page, ({ pieces, token }) => {
        const tokenBytes = Buffer.from(token);
        const gaps = pieces.slice(1).map((piece) => (piece.hole ? 'hole' : 'token') as 'hole' | 'token');
        const holes = pieces.slice(1).filter((piece) => piece.hole).map((piece) => Buffer.from(piece.value));
        const parts = pieces.map((piece) => Buffer.from(piece.part));
        expect(TokenGzip.fits(parts)).toBe(true);
        const gzip = new TokenGzip(parts, gaps, tokenBytes.length, knownLengths ? holes.map((hole) => hole.length) : undefined);
        expect(zlib.gunzipSync(gzip.body(tokenBytes, holes)).toString('utf8')).toBe(expected(pieces, token));
        // Another token and other hole values of the same lengths: the same stream, other bytes.
        const other = Buffer.alloc(tokenBytes.length, 'z');
        const otherHoles = holes.map((hole) => (knownLengths ? Buffer.alloc(hole.length, 'y') : Buffer.from('yyy')));
        const decoded = zlib.gunzipSync(gzip.body(other, otherHoles)).toString('latin1');
        let hole = 0;
        const want = pieces.map((piece, i) => (i === 0 ? '' : piece.hole ? otherHoles[hole++].toString('latin1') : other.toString('latin1')) + Buffer.from(piece.part).toString('latin1')).join('');
        expect(decoded).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a token or a hole value of another length than it was made for', () => {
    const gzip = new TokenGzip([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')], ['token', 'hole'], 4, [3]);
    expect(() => gzip.body(Buffer.from('12345'), [Buffer.from('abc')])).toThrow(/length/);
    expect(() => gzip.body(Buffer.from('1234'), [Buffer.from('ab')])).toThrow(/length/);
    expect(zlib.gunzipSync(gzip.body(Buffer.from('1234'), [Buffer.from('xyz')])).toString()).toBe('a1234bxyzc');
  });

  it('does not fit parts holding a NUL byte (the placeholder)', () => {
    expect(TokenGzip.fits([Buffer.from('a\0b')])).toBe(false);
  });

  it('compresses a page with a hole of known length about as small as the whole page gzipped at once', () => {
    const row = (i: number) => `<li class="answer"><p>Answer number ${i} about fermentation and hops.</p></li>\n`;
    const head = '<header>' + Array.from({ length: 40 }, (_, i) => row(i)).join('') + '</header>';
    const rest = Array.from({ length: 200 }, (_, i) => row(i)).join('');
    const parts = [head, '<span>', '</span>' + rest].map((part) => Buffer.from(part));
    const whole = zlib.gzipSync(Buffer.from(head + 'TOKENTOKEN<span>513 views</span>' + rest)).length;
    const known = new TokenGzip(parts, ['token', 'hole'], 10, [9]).body(Buffer.from('TOKENTOKEN'), [Buffer.from('513 views')]).length;
    expect(known).toBeLessThan(whole * 1.1);
  });

  it('copies a token repeated many times from its first occurrence: about the size of the page gzipped whole', () => {
    const token = 'o8CvKiQZ-HJ8yw3oAaqVsyHS5v4CScTDLYppF5gn-Wkv4cUOSKfU';
    const form = (i: number) => `<form method="post" action="/answers/${i}/vote"><input type="hidden" name="_csrf" value="`;
    const parts = [Buffer.from('<main>'), ...Array.from({ length: 63 }, (_, i) => Buffer.from(`">${i % 2 ? 'up' : 'down'}</form><p>Answer ${i} says to rinse the line.</p>${form(i + 1)}`))];
    parts[0] = Buffer.concat([parts[0], Buffer.from(form(0))]);
    const gzip = new TokenGzip(parts, parts.slice(1).map(() => 'token'), token.length);
    const page = parts.map((part) => part.toString()).join(token);
    const body = gzip.body(Buffer.from(token), []);
    expect(zlib.gunzipSync(body).toString()).toBe(page);
    expect(body.length).toBeLessThan(zlib.gzipSync(page).length * 1.15);
    // Another visitor's token, the same stream.
    const other = token.split('').reverse().join('');
    expect(zlib.gunzipSync(gzip.body(Buffer.from(other), [])).toString()).toBe(parts.map((part) => part.toString()).join(other));
  });

  it('stores a token again when the one before is out of reach (more than 31 KiB back), and still decodes', () => {
    const far = Buffer.from('x'.repeat(20_000) + Array.from({ length: 2000 }, (_, i) => `<p>${i}</p>`).join(''));
    const parts = [Buffer.from('a'), far, far, Buffer.from('b')];
    const gzip = new TokenGzip(parts, ['token', 'token', 'token'], 8);
    expect(zlib.gunzipSync(gzip.body(Buffer.from('12345678'), [])).toString()).toBe(['a', far, far, 'b'].join('12345678'));
  });

  it('falls back to storing every token when the parts leave no bytes for a placeholder', () => {
    const every = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);
    const parts = [Buffer.concat([Buffer.from('<p>'), every]), Buffer.from('</p><p>'), Buffer.from('</p>')];
    const gzip = new TokenGzip(parts, ['token', 'token'], 6);
    expect(zlib.gunzipSync(gzip.body(Buffer.from('tokenA'), [])).equals(Buffer.concat([parts[0], Buffer.from('tokenA'), parts[1], Buffer.from('tokenA'), parts[2]]))).toBe(true);
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
