// Bench helper: a realistic mix of readers and writers against a running forum, from many concurrent clients
// (each one request at a time, over its own keep-alive connection): 50 % page reads by signed-out browsers that
// keep their cookies (home, lists, a tag, threads, search), 5 % API reads, 45 % writes (answers, comments, votes)
// by members through bearer tokens. Every client has its own address (X-Forwarded-For; the server must trust the
// proxy), so per-address rate limits see 200 people, not one. Latencies are kept per kind of request.
import http from 'node:http';

export const BROWSER_HEADERS: Record<string, string> = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'accept-language': 'es-ES,es;q=0.9,en;q=0.8',
  'accept-encoding': 'gzip, deflate, br, zstd',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
};

const QUERIES = ['how long does beer stay fresh', 'ipa hops bitterness', 'cerveza', 'stout temperature', 'bottle conditioning', 'lager vs ale', 'guinness', 'wheat beer glass'];

type Kind = 'home' | 'list' | 'tag' | 'thread' | 'search' | 'api-question' | 'api-search' | 'answer' | 'comment' | 'vote';
/** Out of 100: 50 page reads, 5 API reads, 45 writes. */
const MIX: [Kind, number][] = [
  ['home', 10],
  ['list', 5],
  ['tag', 5],
  ['thread', 20],
  ['search', 10],
  ['api-question', 3],
  ['api-search', 2],
  ['answer', 15],
  ['comment', 15],
  ['vote', 15],
];
export const WRITE_KINDS: Kind[] = ['answer', 'comment', 'vote'];

export interface MixedOptions {
  origin: string;
  clients: number;
  durationSec: number;
  /** Members' bearer tokens (writes are spread over them). */
  tokens: string[];
  /** Questions to read and write on. */
  questionIds: number[];
  /** Thread pages' paths by question id (the canonical URL, so no redirect is measured). */
  threadPath: (id: number) => string;
  tag?: string;
  /** Called every `tickMs` while the run goes on (soak: memory figures). */
  onTick?: (elapsedMs: number, sofar: MixedResult) => void | Promise<void>;
  tickMs?: number;
}

export interface KindStats {
  count: number;
  latencies: number[];
  statuses: Record<string, number>;
}

export interface MixedResult {
  durationMs: number;
  requests: number;
  /** Socket errors, timeouts and 5xx. */
  errors: number;
  byKind: Partial<Record<Kind, KindStats>>;
  all: number[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(agent: http.Agent, origin: string, method: string, path: string, headers: Record<string, string>, payload?: unknown): Promise<Answer> {
  const url = new URL(path, origin);
  const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs the members in through the API: `login` → bearer token. */
export async function signIn(origin: string, logins: { login: string; password: string }[]): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true });
  const tokens: string[] = [];
  for (const [i, { login, password }] of logins.entries()) {
    const answer = await request(agent, origin, 'POST', '/api/v1/session', { 'x-forwarded-for': `10.9.0.${i + 1}` }, { login, password });
    if (answer.status !== 200) throw new Error(`sign-in of ${login}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
    tokens.push((JSON.parse(answer.body.toString()) as { token: string }).token);
  }
  agent.destroy();
  return tokens;
}

/** The ids and canonical paths of the forum's questions (through the API, newest first). */
export async function questionPaths(origin: string, max = 2000): Promise<Map<number, string>> {
  const agent = new http.Agent({ keepAlive: true });
  const paths = new Map<number, string>();
  for (let page = 1; paths.size < max; page++) {
    const answer = await request(agent, origin, 'GET', `/api/v1/questions?sort=newest&page=${page}`, {});
    const items = (JSON.parse(answer.body.toString()) as { items: { id: number; url: string }[] }).items;
    if (items.length === 0) break;
    for (const item of items) paths.set(item.id, new URL(item.url, origin).pathname);
  }
  agent.destroy();
  return paths;
}

export async function runMixed(options: MixedOptions): Promise<MixedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  const result: MixedResult = { durationMs: 0, requests: 0, errors: 0, byKind: {}, all: [] };
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  const pick = (): Kind => {
    let roll = Math.random() * total;
    for (const [kind, weight] of MIX) if ((roll -= weight) < 0) return kind;
    return MIX[0][0];
  };
  const any = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
  const started = Date.now();
  const deadline = started + options.durationSec * 1000;
  let serial = 0;

  const client = async (index: number) => {
    const address = `10.${1 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;
    const cookies = new Map<string, string>();
    const token = options.tokens[index % options.tokens.length];
    while (Date.now() < deadline) {
      const kind = pick();
      const question = any(options.questionIds);
      const browser = () => ({ ...BROWSER_HEADERS, 'x-forwarded-for': address, ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}) });
      const member = { authorization: `Bearer ${token}`, 'x-forwarded-for': address, 'accept-encoding': 'gzip' };
      const n = ++serial;
      let call: Promise<Answer>;
      switch (kind) {
        case 'home': call = request(agent, options.origin, 'GET', '/', browser()); break;
        case 'list': call = request(agent, options.origin, 'GET', '/questions?sort=active', browser()); break;
        case 'tag': call = request(agent, options.origin, 'GET', `/questions?tag=${encodeURIComponent(options.tag ?? 'router')}`, browser()); break;
        case 'thread': call = request(agent, options.origin, 'GET', options.threadPath(question), browser()); break;
        case 'search': call = request(agent, options.origin, 'GET', `/search?q=${encodeURIComponent(any(QUERIES))}`, browser()); break;
        case 'api-question': call = request(agent, options.origin, 'GET', `/api/v1/questions/${question}`, { 'x-forwarded-for': address, 'accept-encoding': 'gzip' }); break;
        case 'api-search': call = request(agent, options.origin, 'GET', `/api/v1/search?q=${encodeURIComponent(any(QUERIES))}`, { 'x-forwarded-for': address, 'accept-encoding': 'gzip' }); break;
        case 'answer': call = request(agent, options.origin, 'POST', `/api/v1/questions/${question}/answers`, member, { body: `Load answer ${n}: keep it cold, away from light, and drink it within a few months of bottling.` }); break;
        case 'comment': call = request(agent, options.origin, 'POST', '/api/v1/comments', member, { postType: 'question', postId: question, body: `Load comment ${n}: same here.` }); break;
        case 'vote': call = request(agent, options.origin, 'POST', '/api/v1/votes', member, { postType: 'question', postId: question, value: any([1, -1, 0]) }); break;
      }
      const at = performance.now();
      const stats = (result.byKind[kind] ??= { count: 0, latencies: [], statuses: {} });
      try {
        const answer = await call;
        const latency = performance.now() - at;
        stats.latencies.push(latency);
        result.all.push(latency);
        stats.statuses[answer.status] = (stats.statuses[answer.status] ?? 0) + 1;
        if (answer.status >= 500) result.errors++;
        for (const header of [answer.headers['set-cookie'] ?? []].flat()) {
          const [pair] = header.split(';');
          const eq = pair.indexOf('=');
          if (eq > 0) cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
        }
      } catch {
        stats.statuses.error = (stats.statuses.error ?? 0) + 1;
        result.errors++;
      }
      stats.count++;
      result.requests++;
    }
  };

  let ticker: NodeJS.Timeout | undefined;
  if (options.onTick) {
    const tick = options.onTick;
    ticker = setInterval(() => void tick(Date.now() - started, result), options.tickMs ?? 30_000);
  }
  try {
    await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i + 1)));
  } finally {
    if (ticker) clearInterval(ticker);
    agent.destroy();
  }
  result.durationMs = Date.now() - started;
  return result;
}

/** One line per kind: count, p50, p99, statuses. */
export function summarize(result: MixedResult): string[] {
  const lines: string[] = [];
  const sortedAll = [...result.all].sort((a, b) => a - b);
  lines.push(
    `all: ${result.requests} requests in ${(result.durationMs / 1000).toFixed(0)} s = ${((result.requests * 1000) / result.durationMs).toFixed(0)}/s, ` +
      `p50 ${percentile(sortedAll, 50).toFixed(0)} ms, p99 ${percentile(sortedAll, 99).toFixed(0)} ms, errors (5xx, socket, timeout) ${result.errors}`,
  );
  for (const [kind, stats] of Object.entries(result.byKind)) {
    const sorted = [...stats.latencies].sort((a, b) => a - b);
    lines.push(`  ${kind.padEnd(12)} ${String(stats.count).padStart(7)}  p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms  p99 ${percentile(sorted, 99).toFixed(0).padStart(5)} ms  ${JSON.stringify(stats.statuses)}`);
  }
  return lines;
}
