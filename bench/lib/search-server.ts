// The real forum (bench/lib/search-serve.ts: buildApp + listen on 127.0.0.1:0) on an existing database,
// in its own child process. bench/lib/servers.ts starts the forum on a fresh temp database and waits for
// its search index; the search benchmark needs it on the corpus, serving while its index builds.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, processCpuTimeMs } from './servers.ts';

export interface CorpusServer {
  pid: number;
  origin: string;
  cpuTimeMs(): number | undefined;
  stop(): Promise<void>;
}

export async function startForumOn(databasePath: string, timeoutMs = 120_000): Promise<CorpusServer> {
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_PATH: databasePath };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/lib/search-serve.ts')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('forum did not start')), timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const match = /\{"port":(\d+)\}/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`forum exited before listening (code ${code})`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  child.stdout!.resume();
  return {
    pid: child.pid!,
    origin: `http://127.0.0.1:${port}`,
    cpuTimeMs: () => processCpuTimeMs(child.pid!),
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(grace);
    },
  };
}
