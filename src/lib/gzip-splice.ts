// Owns gzip bodies made of fixed parts compressed once and small per-response strings put between them
// (a page kept by the page cache and each visitor's CSRF token), without compressing anything per response.
//
// How (RFC 1951 and 1952): each fixed part is compressed on its own as raw deflate blocks ending with a sync
// flush, so it starts no back-reference before its own start and ends on a byte boundary. Such block runs can
// follow one another in one stream; a per-response string goes between them as a "stored" (uncompressed)
// block; an empty final block ends the stream. The gzip trailer needs the CRC-32 of the whole uncompressed
// body: the CRC of each fixed part is computed once, and CRCs of consecutive pieces are combined with the
// standard identity crc(A‖B) = crc(A)·x^(8·|B|) ⊕ crc(B) over GF(2), where multiplying by x^(8·|B|) is
// precomputed per part. This is what HTTP caches that stitch fragments into gzip responses do.
import zlib from 'node:zlib';

/** The reflected CRC-32 polynomial (gzip, zlib, PNG). */
const POLY = 0xedb88320;

/** a·b modulo the CRC polynomial, in the reflected bit order of CRC-32 (bit 31 is x^0). */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  for (let bit = 0x80000000; bit !== 0 && a !== 0; bit >>>= 1) {
    if (a & bit) {
      product ^= b;
      a ^= bit;
    }
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0…63. */
const X_POW_2K: number[] = [];
for (let k = 0, p = 0x40000000; k < 64; k++, p = multiplyModP(p, p)) X_POW_2K.push(p);

/** x^(8·bytes) modulo the polynomial: the factor that shifts a CRC past `bytes` more bytes. */
export function crcShift(bytes: number): number {
  let result = 0x80000000; // x^0
  for (let n = bytes * 8, k = 0; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) result = multiplyModP(X_POW_2K[k], result);
  }
  return result;
}

/** CRC-32 of A‖B from crc(A), crc(B) and crcShift(|B|). */
export function crcCombine(crcA: number, crcB: number, shiftB: number): number {
  return (multiplyModP(shiftB, crcA) ^ crcB) >>> 0;
}

const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]); // deflate, no name, no time, OS unknown
const FINAL_EMPTY_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);
const STORED_MAX = 0xffff;

export interface Part {
  deflated: Buffer;
  crc: number;
  shift: number;
  length: number;
}

/** Fixed parts compressed once; `body(inserts)` makes the gzip of the parts with the inserts between them. */
export class GzipSplice {
  private readonly parts: Part[];
  private readonly fixedBytes: number;

  constructor(parts: Buffer[], level = 6) {
    this.parts = parts.map((part) => ({
      deflated: zlib.deflateRawSync(part, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
      crc: zlib.crc32(part),
      shift: crcShift(part.length),
      length: part.length,
    }));
    this.fixedBytes = this.parts.reduce((sum, part) => sum + part.length, 0);
  }

  /** Compressed size of the fixed parts. */
  get compressedBytes(): number {
    return this.parts.reduce((sum, part) => sum + part.deflated.length, 0);
  }

  /** The gzip of part0 ‖ inserts[0] ‖ part1 ‖ inserts[1] ‖ … ‖ partN (one insert per gap, or one for all). */
  body(inserts: Buffer | Buffer[]): Buffer {
    const gaps = this.parts.length - 1;
    const list = Array.isArray(inserts) ? inserts : new Array<Buffer>(gaps).fill(inserts);
    if (list.length !== gaps) throw new Error(`gzip splice: ${gaps} gaps, ${list.length} inserts`);
    const pieces: Buffer[] = [HEADER];
    let crc = 0;
    let size = this.fixedBytes;
    this.parts.forEach((part, i) => {
      if (i > 0 && list[i - 1].length > 0) {
        const insert = list[i - 1];
        pieces.push(storedBlocks(insert));
        crc = crcCombine(crc, zlib.crc32(insert), crcShift(insert.length));
        size += insert.length;
      }
      pieces.push(part.deflated);
      crc = i === 0 ? part.crc : crcCombine(crc, part.crc, part.shift);
    });
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size % 2 ** 32, 4);
    pieces.push(FINAL_EMPTY_BLOCK, trailer);
    return Buffer.concat(pieces);
  }
}

/** A fixed piece compressed once (raw deflate ending on a sync flush), with its CRC: see gzipOf. */
export function deflatedPart(part: Buffer, level = 6): Part {
  return { deflated: zlib.deflateRawSync(part, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH }), crc: zlib.crc32(part), shift: crcShift(part.length), length: part.length };
}

/** The gzip of a sequence of pieces: compressed parts (deflatedPart) as they are, plain buffers as stored blocks. */
export function gzipOf(pieces: (Part | Buffer)[]): Buffer {
  const out: Buffer[] = [HEADER];
  let crc = 0;
  let size = 0;
  for (const piece of pieces) {
    if (Buffer.isBuffer(piece)) {
      if (piece.length === 0) continue;
      out.push(storedBlocks(piece));
      crc = size === 0 ? zlib.crc32(piece) : crcCombine(crc, zlib.crc32(piece), crcShift(piece.length));
      size += piece.length;
    } else {
      if (piece.length === 0) continue;
      out.push(piece.deflated);
      crc = size === 0 ? piece.crc : crcCombine(crc, piece.crc, piece.shift);
      size += piece.length;
    }
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  out.push(FINAL_EMPTY_BLOCK, trailer);
  return Buffer.concat(out);
}

/** Non-final stored blocks holding `data` (a stored block holds at most 65,535 bytes). */
function storedBlocks(data: Buffer): Buffer {
  const pieces: Buffer[] = [];
  for (let from = 0; from < data.length; from += STORED_MAX) {
    const chunk = data.subarray(from, from + STORED_MAX);
    const head = Buffer.alloc(5);
    head[0] = 0x00; // BFINAL 0, BTYPE 00 (stored); we are on a byte boundary after a sync flush
    head.writeUInt16LE(chunk.length, 1);
    head.writeUInt16LE(~chunk.length & 0xffff, 3);
    pieces.push(head, chunk);
  }
  return Buffer.concat(pieces);
}

/** Whether an Accept-Encoding header accepts gzip (RFC 9110 §12.5.3: `gzip`, `x-gzip` or `*`, with q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  // Browsers send one of a handful of headers: each is read once.
  let known = acceptsGzipByHeader.get(header);
  if (known === undefined) {
    known = readAcceptsGzip(header);
    if (acceptsGzipByHeader.size >= 256) acceptsGzipByHeader.clear();
    acceptsGzipByHeader.set(header, known);
  }
  return known;
}

const acceptsGzipByHeader = new Map<string, boolean>();

function readAcceptsGzip(header: string): boolean {
  let star: boolean | undefined;
  for (const item of header.split(',')) {
    const [name, ...params] = item.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (name === 'gzip' || name === 'x-gzip') return accepted;
    if (name === '*') star = accepted;
  }
  return star ?? false;
}

const WINDOW = 32 * 1024;

/**
 * Fixed parts with a token of one known length between some of them (and a value of any length, a "hole",
 * between others), gzipped as ONE deflate stream compressed once: each part is compressed with the 32 KiB before
 * it as its dictionary, the tokens counted in that history as as many NUL bytes. The real token goes in as a
 * stored block of the same length, so every back-reference distance stays right; and since no part contains a NUL
 * byte (checked: `fits`), no back-reference can copy a byte of the placeholder. Where a hole's length is not known,
 * the history starts again; given the holes' lengths (`holeLengths`), holes are placeholders like tokens and the
 * body must then be made with values of exactly those lengths (callers keep one per set of lengths: a view count
 * changes its length rarely). Compresses like the whole page gzipped at once (a member's thread page: about 6 KiB
 * instead of 40 KiB with parts compressed apart), at the cost of compressing once per distinct set of parts.
 */
export class TokenGzip {
  private readonly parts: Part[];
  private readonly tokenShift: number;

  /** Whether these parts can be compressed this way (none holds a NUL byte). */
  static fits(parts: Buffer[]): boolean {
    return parts.every((part) => part.indexOf(0) === -1);
  }

  /** `gaps[i]`, between parts[i] and parts[i + 1], is a token of `tokenLength` bytes or a hole. */
  constructor(
    parts: Buffer[],
    private readonly gaps: ('token' | 'hole')[],
    readonly tokenLength: number,
    readonly holeLengths?: number[],
    level = 6,
  ) {
    if (gaps.length !== parts.length - 1) throw new Error(`token gzip: ${parts.length} parts, ${gaps.length} gaps`);
    const placeholder = Buffer.alloc(tokenLength);
    const holePlaceholders = holeLengths?.map((length) => Buffer.alloc(length));
    let history = Buffer.alloc(0);
    let hole = 0;
    this.parts = parts.map((part, i) => {
      if (i > 0 && gaps[i - 1] === 'hole' && !holePlaceholders) history = Buffer.alloc(0);
      const options: zlib.ZlibOptions = { level, finishFlush: zlib.constants.Z_SYNC_FLUSH };
      if (history.length > 0) options.dictionary = history;
      const deflated = zlib.deflateRawSync(part, options);
      const after = i >= gaps.length ? undefined : gaps[i] === 'token' ? placeholder : holePlaceholders?.[hole++];
      const next = after ? Buffer.concat([history, part, after]) : Buffer.concat([history, part]);
      history = next.length > WINDOW ? next.subarray(next.length - WINDOW) : next;
      return { deflated, crc: zlib.crc32(part), shift: crcShift(part.length), length: part.length };
    });
    this.tokenShift = crcShift(tokenLength);
  }

  /** Compressed size of the fixed parts. */
  get compressedBytes(): number {
    return this.parts.reduce((sum, part) => sum + part.deflated.length, 0);
  }

  /** The gzip body with this token in every token gap and the holes' values in order. */
  body(token: Buffer, holes: Buffer[]): Buffer {
    if (token.length !== this.tokenLength) throw new Error('token gzip: a token of another length');
    const storedToken = storedBlocks(token);
    const tokenCrc = zlib.crc32(token);
    const pieces: Buffer[] = [HEADER];
    let crc = 0;
    let size = 0;
    let hole = 0;
    this.parts.forEach((part, i) => {
      if (i > 0) {
        if (this.gaps[i - 1] === 'token') {
          pieces.push(storedToken);
          crc = crcCombine(crc, tokenCrc, this.tokenShift);
          size += token.length;
        } else {
          const value = holes[hole];
          if (this.holeLengths && value.length !== this.holeLengths[hole]) throw new Error('token gzip: a hole value of another length');
          hole++;
          if (value.length > 0) {
            pieces.push(storedBlocks(value));
            crc = size === 0 ? zlib.crc32(value) : crcCombine(crc, zlib.crc32(value), crcShift(value.length));
            size += value.length;
          }
        }
      }
      if (part.length > 0) {
        pieces.push(part.deflated);
        crc = size === 0 ? part.crc : crcCombine(crc, part.crc, part.shift);
        size += part.length;
      }
    });
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size % 2 ** 32, 4);
    pieces.push(FINAL_EMPTY_BLOCK, trailer);
    return Buffer.concat(pieces);
  }
}
