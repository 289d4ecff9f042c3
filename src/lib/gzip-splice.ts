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
import { boundedMemo } from './memo.ts';

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
  return header ? acceptsGzipByHeader(header) : false;
}

// Browsers send one of a handful of headers: each is read once.
const acceptsGzipByHeader = boundedMemo(256, readAcceptsGzip);

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

/** Bytes a placeholder may use: control characters HTML text never needs (not NUL, which stands for holes). */
const PLACEHOLDER_BYTES = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127];
/** Farther than this from the token before it, a token is stored again rather than copied (the window is 32 KiB). */
const COPY_REACH = WINDOW - 1024;

/**
 * A placeholder of `length` bytes none of `parts` holds, with no pair of consecutive bytes twice: a back-reference
 * that copies any of it from an earlier copy can then only copy it from the same offset in that copy.
 */
function placeholderFor(parts: Buffer[], length: number): Buffer | undefined {
  if (length === 0) return Buffer.alloc(0);
  const used = new Set<number>();
  for (const part of parts) for (const byte of PLACEHOLDER_BYTES) if (!used.has(byte) && part.includes(byte)) used.add(byte);
  const free = PLACEHOLDER_BYTES.filter((byte) => !used.has(byte));
  if (free.length < 3 || free.length * (free.length - 1) < length) return undefined;
  const out = Buffer.alloc(length);
  const pairs = new Set<number>();
  out[0] = free[0];
  for (let i = 1; i < length; i++) {
    const next = free.find((byte) => byte !== out[i - 1] && !pairs.has(out[i - 1] * 256 + byte));
    if (next === undefined) return undefined;
    pairs.add(out[i - 1] * 256 + next);
    out[i] = next;
  }
  return out;
}

/**
 * Fixed parts with a token of one known length between some of them and values of known lengths ("holes") between
 * others, gzipped as ONE deflate stream compressed once, so that a response costs a copy of the compressed bytes
 * and a few small writes.
 *
 * How: the stream is compressed in runs with the 32 KiB before each as its dictionary. A token's first occurrence
 * (and any farther than COPY_REACH from the one before) is a stored block, filled per response; the compressor sees
 * a placeholder there (`placeholderFor`: bytes no part holds, no pair twice). Later occurrences are compressed with
 * the text around them as that same placeholder, which the compressor copies from an earlier occurrence: decoded,
 * the copy is of the real token. A hole is a stored block too, seen by the compressor as NUL bytes, which no part
 * holds, so nothing is copied from it. The CRC-32 of the body is affine in the token and hole bytes: it is the CRC
 * of the page with zeros in their places, plus each value's own CRC moved by the bytes after it (precomputed).
 * A stream with copies is checked once by decoding it with a probe token (`check`); should a copy have gone wrong,
 * each occurrence is stored instead.
 * A page of 88 KiB with 63 tokens (a member's thread) comes to about the size of gzipping it whole.
 */
export class TokenGzip {
  private template: Buffer = Buffer.alloc(0);
  /** Where the stored copies of the token and the holes' values go in the template. */
  private tokenOffsets: number[] = [];
  private holeOffsets: number[] = [];
  private baseCrc = 0;
  private tokenFactor = 0;
  private holeFactors: number[] = [];
  /** CRC-32 of as many zero bytes as the token and each hole hold (what the base CRC counted in their places). */
  private readonly tokenZeroCrc: number;
  private readonly holeZeroCrcs: number[];
  readonly holeLengths: number[];

  /** Whether these parts can be compressed this way (none holds a NUL byte). */
  static fits(parts: Buffer[]): boolean {
    return parts.every((part) => part.indexOf(0) === -1);
  }

  /**
   * The stream for these parts, token length and hole lengths, or undefined when there can be none (a part holds a NUL
   * byte, or a value is longer than a stored block): the caller then compresses the parts apart (GzipSplice).
   */
  static tryCreate(parts: Buffer[], gaps: ('token' | 'hole')[], tokenLength: number, holeLengths: number[]): TokenGzip | undefined {
    if (!TokenGzip.fits(parts) || tokenLength > STORED_MAX || holeLengths.some((length) => length > STORED_MAX)) return undefined;
    return new TokenGzip(parts, gaps, tokenLength, holeLengths);
  }

  /** Names the lengths a stream is made for: callers keep one stream per token length and hole lengths. */
  static lengthsKey(tokenLength: number, holes: readonly Buffer[]): string {
    let key = String(tokenLength);
    for (const hole of holes) key += ` ${hole.length}`;
    return key;
  }

  /** `gaps[i]`, between parts[i] and parts[i + 1], is a token of `tokenLength` bytes or a hole (`holeLengths`, in order). */
  constructor(
    parts: Buffer[],
    private readonly gaps: ('token' | 'hole')[],
    readonly tokenLength: number,
    holeLengths: number[] = [],
    private readonly level = 6,
  ) {
    if (gaps.length !== parts.length - 1) throw new Error(`token gzip: ${parts.length} parts, ${gaps.length} gaps`);
    if (holeLengths.length !== gaps.filter((gap) => gap === 'hole').length) throw new Error('token gzip: one length per hole');
    if (!TokenGzip.fits(parts)) throw new Error('token gzip: a part holds a NUL byte');
    if (tokenLength > STORED_MAX || holeLengths.some((length) => length > STORED_MAX)) throw new Error('token gzip: a value longer than a stored block');
    this.holeLengths = holeLengths;
    this.tokenZeroCrc = zlib.crc32(Buffer.alloc(tokenLength));
    this.holeZeroCrcs = holeLengths.map((length) => zlib.crc32(Buffer.alloc(length)));
    const placeholder = tokenLength <= 128 ? placeholderFor(parts, tokenLength) : undefined;
    // Storing every token needs no check: the compressor never sees a token or a hole (it sees bytes no part holds
    // there, and never writes them). Copying tokens is checked once by decoding.
    if (placeholder) this.build(parts, placeholder, true);
    if (!(placeholder && this.check(parts))) this.build(parts, Buffer.alloc(tokenLength), false);
  }

  /** Compressed size (the template: every byte of a response but the token and hole values). */
  get compressedBytes(): number {
    return this.template.length;
  }

  /** The gzip body with this token in every token gap and these hole values in order. */
  body(token: Buffer, holes: Buffer[]): Buffer {
    if (token.length !== this.tokenLength) throw new Error('token gzip: a token of another length');
    if (holes.length !== this.holeLengths.length) throw new Error('token gzip: one value per hole');
    const out = Buffer.allocUnsafe(this.template.length);
    this.template.copy(out);
    for (const offset of this.tokenOffsets) token.copy(out, offset);
    let crc = this.baseCrc;
    if (this.tokenLength > 0) crc ^= multiplyModP((zlib.crc32(token) ^ this.tokenZeroCrc) >>> 0, this.tokenFactor);
    holes.forEach((value, h) => {
      if (value.length !== this.holeLengths[h]) throw new Error('token gzip: a hole value of another length');
      value.copy(out, this.holeOffsets[h]);
      if (value.length > 0) crc ^= multiplyModP((zlib.crc32(value) ^ this.holeZeroCrcs[h]) >>> 0, this.holeFactors[h]);
    });
    out.writeUInt32LE(crc >>> 0, out.length - 8);
    return out;
  }

  /** Lays out the stream: runs compressed once, stored blocks for the first token of a reach and for holes. */
  private build(parts: Buffer[], placeholder: Buffer, copyTokens: boolean): void {
    const out: Buffer[] = [HEADER];
    let outLength = HEADER.length;
    let history = Buffer.alloc(0);
    let run: Buffer[] = [];
    let plain = 0; // bytes of the page so far
    let lastToken = -Infinity; // where the last token began in the page
    const tokenStarts: number[] = [];
    const holeStarts: number[] = [];
    this.tokenOffsets = [];
    this.holeOffsets = [];
    const remember = (bytes: Buffer) => {
      const next = Buffer.concat([history, bytes]);
      history = next.length > WINDOW ? next.subarray(next.length - WINDOW) : next;
    };
    const flushRun = () => {
      if (run.length === 0) return;
      const text = Buffer.concat(run);
      run = [];
      if (text.length === 0) return;
      const options: zlib.ZlibOptions = { level: this.level, finishFlush: zlib.constants.Z_SYNC_FLUSH };
      if (history.length > 0) options.dictionary = history;
      const deflated = zlib.deflateRawSync(text, options);
      out.push(deflated);
      outLength += deflated.length;
      remember(text);
    };
    const stored = (length: number, seen: Buffer): number => {
      flushRun();
      const head = Buffer.from([0x00, length & 0xff, length >> 8, ~length & 0xff, (~length >> 8) & 0xff]);
      out.push(head, Buffer.alloc(length));
      const offset = outLength + head.length;
      outLength += head.length + length;
      remember(seen);
      return offset;
    };
    let hole = 0;
    parts.forEach((part, i) => {
      run.push(part);
      plain += part.length;
      if (i === parts.length - 1) return;
      if (this.gaps[i] === 'hole') {
        const length = this.holeLengths[hole++];
        holeStarts.push(plain);
        if (length > 0) this.holeOffsets.push(stored(length, Buffer.alloc(length)));
        else this.holeOffsets.push(0);
        plain += length;
        return;
      }
      if (this.tokenLength === 0) return;
      tokenStarts.push(plain);
      if (copyTokens && plain - lastToken <= COPY_REACH) run.push(placeholder);
      else this.tokenOffsets.push(stored(this.tokenLength, placeholder));
      lastToken = plain;
      plain += this.tokenLength;
    });
    flushRun();
    out.push(FINAL_EMPTY_BLOCK, Buffer.alloc(8));
    this.template = Buffer.concat(out);
    this.template.writeUInt32LE(plain % 2 ** 32, this.template.length - 4);
    // The CRC with zeros in every token and hole (zlib continues a CRC across pieces), and how each value's CRC
    // moves to its place.
    let crc = 0;
    let hole2 = 0;
    parts.forEach((part, i) => {
      crc = zlib.crc32(part, crc);
      if (i < parts.length - 1) crc = zlib.crc32(Buffer.alloc(this.gaps[i] === 'token' ? this.tokenLength : this.holeLengths[hole2++]), crc);
    });
    this.baseCrc = crc;
    const after = (start: number, length: number) => crcShift(plain - start - length);
    this.tokenFactor = tokenStarts.reduce((factor, start) => factor ^ after(start, this.tokenLength), 0) >>> 0;
    this.holeFactors = holeStarts.map((start, h) => after(start, this.holeLengths[h]));
  }

  /**
   * Whether the stream decodes to the page with a probe token whose bytes all differ from each other and from every
   * placeholder byte (128 values from 0x80 up; tokens copied are at most 128 bytes). The compressor saw only parts,
   * whose bytes are never placeholder bytes, and placeholders: so a token byte it wrote out as a literal decodes to
   * a placeholder byte, and one copied from the wrong offset decodes to another probe byte; either shows here. zlib
   * checks the CRC and size as it decodes.
   */
  private check(parts: Buffer[]): boolean {
    const token = Buffer.alloc(this.tokenLength);
    for (let i = 0; i < token.length; i++) token[i] = 0x80 + i;
    const holes = this.holeLengths.map((length) => Buffer.alloc(length, 0x2b));
    const expected: Buffer[] = [];
    let hole = 0;
    parts.forEach((part, i) => {
      expected.push(part);
      if (i < parts.length - 1) expected.push(this.gaps[i] === 'token' ? token : holes[hole++]);
    });
    try {
      return zlib.gunzipSync(this.body(token, holes)).equals(Buffer.concat(expected));
    } catch {
      return false;
    }
  }
}
