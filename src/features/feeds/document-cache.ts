// Owns keeping the crawler documents (sitemaps, feeds): each is made once and kept, with its gzip, until the
// content changes — the same signal that drops the signed-out page cache (questions/content-version.ts).
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.ts';
import { acceptsGzip } from '../../lib/gzip-splice.ts';
import { contentVersion } from '../questions/content-version.ts';

interface Kept {
  version: number;
  body: Buffer;
  gzip?: Buffer;
  status: number;
}

/** Memory for kept documents; a full sitemap file of 50,000 URLs is about 7 MB (under 1 MB gzipped). */
const MAX_BYTES = 32 * 1024 * 1024;

export class DocumentCache {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;

  constructor(private readonly db: Db) {}

  private size(entry: Kept): number {
    return entry.body.length + (entry.gzip?.length ?? 0);
  }

  private drop(key: string): void {
    const entry = this.kept.get(key);
    if (!entry) return;
    this.kept.delete(key);
    this.bytes -= this.size(entry);
  }

  private store(key: string, entry: Kept): void {
    this.drop(key);
    if (this.size(entry) > MAX_BYTES / 2) return;
    for (const oldKey of this.kept.keys()) {
      if (this.bytes + this.size(entry) <= MAX_BYTES) break;
      this.drop(oldKey);
    }
    this.kept.set(key, entry);
    this.bytes += this.size(entry);
  }

  /**
   * Sends the document at `key`: the kept one while the content is unchanged, else the one `make` produces
   * (undefined means there is none: 404), kept for the next request. Gzipped when the client accepts it.
   */
  async send(request: FastifyRequest, reply: FastifyReply, key: string, type: string, make: () => Promise<Buffer | undefined>): Promise<FastifyReply | undefined> {
    const version = contentVersion(this.db);
    let entry = this.kept.get(key);
    if (!entry || entry.version !== version) {
      const body = await make();
      if (body === undefined) return undefined;
      entry = { version, body, status: 200 };
      this.store(key, entry);
    }
    // Feeds are in the visitor's language (their route says Vary: Accept-Language); sitemaps in none.
    const vary = reply.getHeader('vary');
    reply.type(type).header('cache-control', 'public, max-age=300').header('vary', vary ? `${vary}` : 'Accept-Encoding');
    if (acceptsGzip(request.headers['accept-encoding'])) {
      if (!entry.gzip) {
        const before = this.size(entry);
        entry.gzip = gzipSync(entry.body);
        if (this.kept.get(key) === entry) this.bytes += this.size(entry) - before;
      }
      return reply.header('content-encoding', 'gzip').send(entry.gzip);
    }
    return reply.send(entry.body);
  }
}

/** Collects a readable stream's bytes (the sitemap streams end by themselves once written). */
export async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
