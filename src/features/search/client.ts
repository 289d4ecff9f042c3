// Owns the request thread's side of search: a client of the search worker, with timeouts, so that a
// slow or missing index answers "search unavailable" instead of hanging or failing a page.
import type { Worker } from 'node:worker_threads';
import { AppError } from '../../lib/errors.ts';
import { startTypeScriptWorker } from '../../lib/workers.ts';
import type { SearchOptions, SearchResult } from './engine.ts';
import type { WorkerConfig, WorkerRequest, WorkerStatus } from './worker.ts';

/**
 * Queries waiting for the worker at most. A query costs the worker well under a millisecond on a forum of a few
 * thousand questions (a few ms at 100,000), so this many is a fraction of a second of work queued: more than 200
 * clients searching at once (the same query asked together waits for one answer: results-cache.ts), while a
 * flood is told to come back (503, Retry-After: 1) instead of waiting seconds. 64 refused searches in the mixed
 * 200-client load while the worker rebuilt its delta index.
 */
export const MAX_PENDING = 256;

/** Too many queries waiting already. */
class Busy extends Error {
  constructor() {
    super('search busy');
  }
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
type Log = (level: 'info' | 'error', message: string) => void;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class SearchClient {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readyPromise: Promise<WorkerStatus>;
  private markReady!: (status: WorkerStatus) => void;

  constructor(
    private readonly config: WorkerConfig,
    private readonly log: Log = () => undefined,
  ) {
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
  }

  start(): void {
    if (this.worker) return;
    const worker = startTypeScriptWorker(new URL('./worker.ts', import.meta.url), this.config);
    worker.on('message', (message: { id?: number; type?: string; result?: unknown; error?: string; status?: WorkerStatus; level?: 'info' | 'error'; message?: string }) => {
      if (message.type === 'ready') {
        this.log('info', `search index ready: ${message.status!.documents} questions in ${message.status!.shards} shards (${Math.round(message.status!.loadMs ?? 0)} ms)`);
        this.markReady(message.status!);
        return;
      }
      if (message.type === 'log') {
        this.log(message.level ?? 'info', message.message ?? '');
        return;
      }
      const pending = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id!);
      clearTimeout(pending.timer);
      if (message.error) pending.reject(new Error(message.error));
      else pending.resolve(message.result);
    });
    worker.on('error', (error) => this.log('error', `search worker failed: ${error.stack ?? error.message}`));
    worker.on('exit', () => {
      for (const pending of this.pending.values()) {
        clearTimeout(pending.timer);
        pending.reject(new Error('search worker stopped'));
      }
      this.pending.clear();
      this.worker = undefined;
    });
    this.worker = worker;
  }

  private call<T>(request: DistributiveOmit<WorkerRequest, 'id'>, timeoutMs: number): Promise<T> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('search worker not running'));
    // Overloaded: more queries waiting than the worker answers in a moment. Refusing at once (503 + Retry-After)
    // beats queueing them for seconds behind each other until clients and the page's timeout give up.
    if (request.type === 'search' && this.pending.size >= MAX_PENDING) return Promise.reject(new Busy());
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('search timed out'));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      worker.postMessage({ ...request, id });
    });
  }

  /** Resolves once the index is loaded (or built); `timeoutMs` bounds the wait. */
  async ready(timeoutMs = 60_000): Promise<WorkerStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('search index not ready')), timeoutMs)));
    try {
      return await Promise.race([this.readyPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a query; 503 when the index is not available within the time a page can wait. `slice`: only those hits come back. */
  async search(options: SearchOptions, timeoutMs = 3_000, slice?: { from: number; to: number }): Promise<SearchResult> {
    try {
      return await this.call<SearchResult>({ type: 'search', options, slice }, timeoutMs);
    } catch (error) {
      if (error instanceof Busy) {
        this.refused++;
        // One line a second at most: an overload refuses thousands of queries.
        const now = Date.now();
        if (now - this.lastBusyLog >= 1_000) {
          this.lastBusyLog = now;
          this.log('error', `search busy: ${MAX_PENDING} queries waiting, ${this.refused} refused so far (503 + Retry-After)`);
        }
        throw new AppError(503, 'search_unavailable', 'search.unavailable', { retryAfter: 1 });
      }
      this.log('error', `search failed: ${(error as Error).message}`);
      throw new AppError(503, 'search_unavailable', 'search.unavailable');
    }
  }

  /** Queries refused because too many were waiting (see MAX_PENDING). */
  refused = 0;
  private lastBusyLog = 0;

  status(): Promise<WorkerStatus> {
    return this.call<WorkerStatus>({ type: 'status' }, 5_000);
  }

  /** Waits until every change written so far is searchable (tests, CLI, benchmarks). */
  async sync(timeoutMs = 10_000): Promise<WorkerStatus & { latestChangeId: number }> {
    await this.ready(timeoutMs);
    return this.call({ type: 'sync' }, timeoutMs);
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    try {
      await this.call({ type: 'stop' }, 5_000);
    } catch {
      // already gone
    }
    await worker.terminate();
    this.worker = undefined;
  }
}
