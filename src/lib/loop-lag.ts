// Owns one measure of how busy this process's main thread is: how late a 25 ms timer fires (the event loop's lag),
// smoothed over the last few hundred milliseconds. Cheap (a timer, unref'd, started on first use) and used by the
// parts that choose to answer a moment-old result rather than make an overloaded visitor wait (search/results-cache).
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

/** Whether the main thread is overloaded: timers fire this late on average. */
export function overloaded(thresholdMs = 50): boolean {
  return loopLagMs() > thresholdMs;
}
