// Owns asking V8 for a full garbage collection in the search threads. Loading a shard parses its file
// (tens of MiB of short-lived objects) and building one allocates several times what it keeps; V8 collects
// such garbage when it sees fit, which on a heap of several hundred MiB means hundreds of MiB later
// (measured at 100,000 questions: 900 MiB in an uncapped build worker that never holds more than 200 MiB).
// Collecting after the big allocations keeps each thread's memory near what it actually holds.
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined;

/** V8's `gc()`: exposed to a new context of this thread only, the flag turned back off at once. */
function gcFunction(): () => void {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') collect = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  return collect;
}

let usedAfterLast = 0;

/** A full collection, when the heap has grown by more than `slackMib` since the last one asked for here. */
export function collectGarbageAbove(slackMib: number): void {
  if (v8.getHeapStatistics().used_heap_size - usedAfterLast < slackMib * 2 ** 20) return;
  gcFunction()();
  usedAfterLast = v8.getHeapStatistics().used_heap_size;
}
