// Owns how loaded this process's main thread is: how late a 25 ms timer fires (the event loop's lag, smoothed over
// the last few hundred milliseconds) and how many HTTP requests are being answered. Cheap (a timer, unref'd, started
// on first use; a counter the app keeps) and used by the parts that choose to answer a moment-old result rather
// than make an overloaded visitor wait (search/results-cache). Both must say so: a long synchronous task (a test
// building its forum, a migration) makes timers late without any visitor waiting, and many requests in flight on
// a fast loop cost nobody much.
const TICK_MS = 25;
/** Weight of the newest sample: about the last 10 ticks count. */
const SMOOTHING = 0.1;

let lagMs = 0;
let timer: NodeJS.Timeout | undefined;
let last = 0;

function start(): void {
  last = performance.now();
  timer = setInterval(() => {
    const now = performance.now();
    const late = Math.max(0, now - last - TICK_MS);
    last = now;
    lagMs += (late - lagMs) * SMOOTHING;
  }, TICK_MS);
  timer.unref();
}

/** The smoothed event-loop lag in milliseconds (0 on an idle or lightly loaded process). */
export function loopLagMs(): number {
  if (!timer) start();
  return lagMs;
}

/** HTTP requests this process has begun and not yet finished (kept by app.ts). */
export const requests = { inFlight: 0 };

/** Whether the main thread is overloaded: many requests in flight and timers this late on average. */
export function overloaded(thresholdMs = 50, minInFlight = 16): boolean {
  return requests.inFlight >= minInFlight && loopLagMs() > thresholdMs;
}
