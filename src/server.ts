// Starts and stops the forum process: config, first-run setup link, listen, graceful shutdown.
import { randomBytes } from 'node:crypto';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { hasAdmin } from './features/accounts/service.ts';

async function main(): Promise<void> {
  // Files this process creates (the database, its WAL, the search index, the secrets) are the owner's alone.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Resuelto cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }

  const db = openDatabase(config.databasePath);
  // One process holds the setup token in memory: it is printed once and works until an admin exists.
  const setupToken = hasAdmin(db) ? undefined : randomBytes(24).toString('base64url');
  const app = await buildApp(config, { db, setupToken });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    try {
      await app.close();
      db.$client.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // The usual first-run stumble: one line naming the variable that fixes it, not a stack trace.
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      console.error(
        code === 'EADDRINUSE'
          ? `Resuelto cannot start: port ${config.port} on ${config.host} is already in use. Set PORT to a free port (for example PORT=${config.port + 1}).`
          : `Resuelto cannot start: no permission to listen on port ${config.port} on ${config.host}. Set PORT to a port above 1023.`,
      );
      await app.close().catch(() => {});
      db.$client.close();
      process.exit(1);
    }
    throw error;
  }
  console.log(`Resuelto is running at ${config.baseUrl} (database: ${config.databasePath})`);
  if (!config.smtpUrl) console.log(`Mail is kept, not sent (SMTP_URL is not set): administrators read it at ${config.baseUrl}/admin/mail`);
  if (setupToken) {
    console.log('\nThis forum has no administrator yet. Open this one-time link to create one:');
    console.log(`  ${config.baseUrl}/setup/${setupToken}\n`);
    console.log('Or run: npx resuelto create-admin <username> <email>\n');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
