// Reusable benchmark helpers: start the servers under test in their own child processes (so the load
// generator never shares a thread with them), run autocannon against them, read their peak memory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(LIB_DIR, '../..');

// ---------------------------------------------------------------------------------------------------
// Child processes

export type ServerKind = 'forum' | 'bare';

const SCRIPTS: Record<ServerKind, string> = {
  forum: path.join(LIB_DIR, 'serve-forum.ts'),
  bare: path.join(LIB_DIR, 'serve-bare.ts'),
};

export interface StartOptions {
  /** Extra node flags for the child, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
  /** Extra environment for the child (e.g. BENCH_FORUM_SEED for the forum). */
  env?: Record<string, string>;
  /** How long the child may take to print its port. Default 60 s (tsx compiles on first start). */
  startTimeoutMs?: number;
}

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  port: number;
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  origin: string;
  /** Peak resident set size of the child so far, in KiB (Linux /proc VmHWM), or undefined elsewhere. */
  peakRssKiB(): number | undefined;
  /** Current resident set size in KiB (Linux /proc VmRSS), or undefined elsewhere. */
  rssKiB(): number | undefined;
  /** CPU time (user + system) the child has used so far, in ms (Linux /proc), or undefined elsewhere. */
  cpuTimeMs(): number | undefined;
  /** Asks the child something over IPC (serve-forum.ts: `memory`, `gc`, `heap-snapshot`) and waits for the answer. */
  ask<T = unknown>(question: string, extra?: Record<string, unknown>): Promise<T>;
  /** Stops the child (SIGTERM, then SIGKILL after a grace period) and removes its temp files. */
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let askSerial = 0;
const tempDirs = new Set<string>();
let exitHooksInstalled = false;

/** Prefix of the throwaway folders (database, secrets, search index) made for forum servers. */
export const TEMP_PREFIX = 'resuelto-bench-forum-';

/**
 * Kills every child still running and removes their temp folders; safe to call more than once.
 * Synchronous, so it works in an 'exit' handler.
 */
export function killAllServers(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllServers);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllServers();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(error);
    killAllServers();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error(error);
    killAllServers();
    process.exit(1);
  });
}

function readProcStatusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

let clockTicksPerSecond: number | undefined;
function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** utime + stime of a process (all its threads), in ms; undefined when /proc is unavailable. */
export function processCpuTimeMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/**
 * Share of the machine's CPU (0..1, all cores) that was busy during `ms` milliseconds, from /proc/stat.
 * Measured before a benchmark, it tells whether something else is competing for the cores.
 */
export async function machineBusyShare(ms = 1000): Promise<number | undefined> {
  const read = () => {
    try {
      const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
      const values = line.trim().split(/\s+/).slice(1).map(Number);
      const idle = values[3] + (values[4] ?? 0); // idle + iowait
      return { idle, total: values.reduce((sum, value) => sum + value, 0) };
    } catch {
      return undefined;
    }
  };
  const before = read();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = read();
  if (!before || !after || after.total === before.total) return undefined;
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}

/**
 * Starts a server in its own `node --import tsx` child process and waits for it to print its port.
 * The forum gets a fresh temp SQLite database (deleted on stop), NODE_ENV=production, LOG_LEVEL=silent.
 */
export async function startServer(kind: ServerKind, options: StartOptions = {}): Promise<RunningServer> {
  installExitHooks();
  let tempDir: string | undefined;
  const env: Record<string, string | undefined> = { ...process.env, ...options.env, NODE_ENV: 'production' };
  delete env.NODE_OPTIONS; // the bench's own flags (e.g. --cpu-prof) must not leak into the server
  if (kind === 'forum') {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), TEMP_PREFIX));
    tempDirs.add(tempDir);
    env.DATABASE_PATH = path.join(tempDir, 'forum.db');
    // If this process dies without cleaning up (SIGKILL), the child removes the folder as it exits.
    env.BENCH_TEMP_DIR = tempDir;
    env.LOG_LEVEL = options.env?.LOG_LEVEL ?? 'silent';
  }

  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', SCRIPTS[kind]], {
    cwd: REPO_ROOT,
    env,
    // stdout: the port line; stderr: passed through; ipc: lets the child notice if we die.
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.add(child);
  const cleanupTemp = () => {
    if (tempDir) {
      fs.rmSync(tempDir, { recursive: true, force: true });
      tempDirs.delete(tempDir);
    }
    tempDir = undefined;
  };

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(
        () => reject(new Error(`${kind} server did not start within ${options.startTimeoutMs ?? 60_000} ms`)),
        options.startTimeoutMs ?? 60_000,
      );
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        buffered += chunk;
        for (const line of buffered.split('\n')) {
          try {
            const parsed = JSON.parse(line) as { port?: unknown };
            if (typeof parsed.port === 'number') {
              clearTimeout(timer);
              resolve(parsed.port);
              return;
            }
          } catch {
            // not the port line (yet)
          }
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${kind} server exited before listening (code ${code}, signal ${signal})`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    children.delete(child);
    cleanupTemp();
    throw error;
  }
  child.stdout!.resume(); // keep draining stdout so the child never blocks on a full pipe

  const pid = child.pid!;
  let lastPeak: number | undefined;
  return {
    kind,
    pid,
    port,
    origin: `http://127.0.0.1:${port}`,
    peakRssKiB() {
      const value = readProcStatusKiB(pid, 'VmHWM');
      if (value !== undefined) lastPeak = value;
      return lastPeak;
    },
    rssKiB: () => readProcStatusKiB(pid, 'VmRSS'),
    cpuTimeMs: () => processCpuTimeMs(pid),
    ask<T>(question: string, extra: Record<string, unknown> = {}) {
      const id = ++askSerial;
      return new Promise<T>((resolve) => {
        const listener = (message: { id?: number; value?: unknown }) => {
          if (message?.id !== id) return;
          child.off('message', listener);
          resolve(message.value as T);
        };
        child.on('message', listener);
        child.send({ id, ask: question, ...extra });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const grace = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(grace);
      }
      children.delete(child);
      cleanupTemp();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Load generation

/** The part of autocannon's result this module reads (autocannon ships no types). */
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  latency: { average: number; p50: number; p90: number; p99: number; max: number };
  requests: { average: number; total: number };
  throughput: { average: number };
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (options: {
  url: string;
  connections?: number;
  duration?: number;
  pipelining?: number;
  headers?: Record<string, string>;
  method?: string;
}) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

export interface LoadOptions {
  /** Full URL, e.g. `${server.origin}/`. Only 127.0.0.1 / localhost are allowed. */
  url: string;
  connections?: number;
  durationSec?: number;
  /** Seconds of unmeasured load first (JIT warm-up); 0 for none. */
  warmupSec?: number;
  headers?: Record<string, string>;
  /** The server under test: when given, its CPU time per request is measured (Linux only). */
  server?: Pick<RunningServer, 'cpuTimeMs'>;
}

export interface LoadResult {
  requestsPerSec: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  meanLatency: number;
  totalRequests: number;
  /** Socket errors + timeouts. */
  errors: number;
  /** Responses with a status outside 2xx. */
  non2xx: number;
  statusCodes: Record<string, number>;
  bytesPerSec: number;
  /** Server CPU time (user + system, all threads) per completed request, in µs; undefined if unknown. */
  serverCpuUsPerRequest: number | undefined;
}

/** Runs autocannon (in this process) against a local URL and returns the headline figures. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const host = new URL(options.url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`benchmarks only run against local servers, not ${host}`);
  }
  const base = { url: options.url, connections: options.connections ?? 10, headers: options.headers };
  if ((options.warmupSec ?? 0) > 0) await autocannon({ ...base, duration: options.warmupSec });
  const cpuBefore = options.server?.cpuTimeMs();
  const result = await autocannon({ ...base, duration: options.durationSec ?? 10 });
  const cpuAfter = options.server?.cpuTimeMs();
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count;
  return {
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanLatency: result.latency.average,
    totalRequests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    bytesPerSec: result.throughput.average,
    serverCpuUsPerRequest:
      cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0
        ? ((cpuAfter - cpuBefore) * 1000) / result.requests.total
        : undefined,
  };
}

/** A one-line description of the machine, for result tables. */
export function machineSummary(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`;
}
