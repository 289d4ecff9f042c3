// Owns whether this process's main thread is overloaded: how late its event loop runs (measured by
// @fastify/under-pressure, which app.ts registers and connects here with `watchLoopLag`) and how many HTTP requests
// are being answered (a counter app.ts keeps). Used by the parts that choose to answer a moment-old result rather than
// make an overloaded visitor wait (search/results-cache). Both must say so: a long synchronous task (a test building
// its forum, a migration) makes the loop late without any visitor waiting, and many requests in flight on a fast
// loop cost nobody much.

/** HTTP requests this process has begun and not yet finished (kept by app.ts). */
export const requests = { inFlight: 0 };

let readLagMs: () => number = () => 0;

/**
 * Where the event loop's lag comes from: the mean delay of the last sample interval in milliseconds (a process that
 * registered none is never overloaded).
 */
export function watchLoopLag(read: () => number): void {
  readLagMs = read;
}

/** Stops reading from `read` (its app closed), unless another app has since taken over. */
export function unwatchLoopLag(read: () => number): void {
  if (readLagMs === read) readLagMs = () => 0;
}

/** Whether the main thread is overloaded: many requests in flight and the event loop this late on average. */
export function overloaded(thresholdMs = 50, minInFlight = 16): boolean {
  return requests.inFlight >= minInFlight && readLagMs() > thresholdMs;
}
