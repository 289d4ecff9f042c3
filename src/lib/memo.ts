// Owns remembering the answers of a pure function of a string (or number) that is asked the same few keys again and
// again: request headers, user agents, words. At most `max` answers are kept; when full, all are forgotten at once
// (cheaper than tracking which is oldest, and the few common keys come back at once).

/** `compute`, with up to `max` of its answers remembered by key. */
export function boundedMemo<K, V>(max: number, compute: (key: K) => V): (key: K) => V {
  const answers = new Map<K, V>();
  return (key: K): V => {
    let value = answers.get(key);
    if (value !== undefined || answers.has(key)) return value as V;
    value = compute(key);
    if (answers.size >= max) answers.clear();
    answers.set(key, value);
    return value;
  };
}
