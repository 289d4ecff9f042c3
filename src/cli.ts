// Owns `npx resuelto <command>`: operator tasks run against the same database as the server.
import path from 'node:path';
import readline from 'node:readline';
import { ConfigError, loadConfig } from './config.ts';
import { closeDatabase, openDatabase, writeBackup, type Db } from './db/client.ts';
import { isRole, ROLES } from './features/accounts/roles.ts';
import { findUserByUsername, registerUser, setRole } from './features/accounts/service.ts';
import { seedDemo } from './features/demo/seed.ts';
import { ImportError, importStackExchange, progressPrinter, siteOf, summaryOf } from './features/import/stackexchange.ts';
import { reindex } from './features/search/reindex.ts';
import { searchDirFor } from './features/search/store.ts';
import { recomputeReputation } from './features/votes/reputation.ts';
import { AppError, FieldErrors } from './lib/errors.ts';
import { translate } from './lib/i18n.ts';

const USAGE = `Usage: npx resuelto <command>

Commands:
  migrate                              apply database migrations
  create-admin <username> <email>      create an administrator (password read from standard input)
  set-role <username> <role>           role is one of: ${ROLES.join(', ')}
  backup <file>                        write an online, consistent copy of the database to <file>
  import-stackexchange <Posts.xml> [--site <host>]
                                       import a Stack Exchange dump (site: the file's folder name by default);
                                       a re-run adds nothing twice
  reindex                              rebuild the search index (a running server picks it up)
  recompute-reputation                 rebuild every reputation from the ledger and report differences
  seed-demo                            add demo accounts and support threads (prints new passwords once);
                                       a re-run adds nothing twice

Environment: DATABASE_PATH (default ./data/resuelto.db).`;

class UsageError extends Error {
  /** Whether the usage text helps here (a wrong command line), or only the message (a wrong name). */
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** An AppError as a terminal line: every field's problem, named by its command-line argument. */
function cliMessage(error: AppError): string {
  const problems = error instanceof FieldErrors ? error.problems : [error];
  return problems.map((problem) => (problem.field ? `${problem.field}: ` : '') + translate('en', problem.messageKey, problem.params)).join('\n');
}

/** Reads a password: hidden prompt twice on a terminal, else the first two lines of standard input. */
async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (input.isTTY) {
    const ask = (prompt: string) =>
      new Promise<string>((resolve) => {
        const rl = readline.createInterface({ input, output: process.stdout, terminal: true });
        const output = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
        let prompted = false;
        output._writeToOutput = (s: string) => {
          if (!prompted) {
            process.stdout.write(s);
            prompted = true;
          }
        };
        rl.question(prompt, (answer) => {
          rl.close();
          process.stdout.write('\n');
          resolve(answer);
        });
      });
    const first = await ask('Password: ');
    const second = await ask('Repeat the password: ');
    if (first !== second) throw new UsageError('The two passwords do not match.');
    return first;
  }
  const lines: string[] = [];
  const rl = readline.createInterface({ input, terminal: false });
  for await (const line of rl) {
    lines.push(line);
    if (lines.length === 2) break;
  }
  rl.close();
  if (lines.length < 2) throw new UsageError('Give the password and its confirmation as the first two lines of standard input.');
  if (lines[0] !== lines[1]) throw new UsageError('The two passwords do not match.');
  return lines[0];
}

function withDb<T>(run: (db: Db) => T): T {
  const db = openDatabase(loadConfig().databasePath);
  try {
    return run(db);
  } finally {
    closeDatabase(db);
  }
}

async function main(argv: string[]): Promise<void> {
  // As the server: what the CLI creates (database, backups, search index) is readable by its owner only.
  process.umask(0o077);
  const [command, ...args] = argv;
  switch (command) {
    case 'migrate': {
      const { databasePath } = loadConfig();
      withDb(() => undefined);
      console.log(`Database ${databasePath} is up to date.`);
      return;
    }
    case 'create-admin': {
      const [username, email] = args;
      if (!username || !email) throw new UsageError('create-admin needs <username> <email>.');
      const password = await readPassword();
      const db = openDatabase(loadConfig().databasePath);
      try {
        const admin = await registerUser(db, { username, email, password }, 'admin');
        console.log(`Administrator ${admin.username} created.`);
      } finally {
        closeDatabase(db);
      }
      return;
    }
    case 'set-role': {
      const [username, role] = args;
      if (!username || !isRole(role)) throw new UsageError(`set-role needs <username> and one of: ${ROLES.join(', ')}.`);
      const user = withDb((db) => {
        // Said in the terminal's words, not a web page's ("We could not find that page").
        if (!findUserByUsername(db, username)) throw new UsageError(`No user named ${username}.`, false);
        return setRole(db, username, role);
      });
      console.log(`${user.username} is now ${user.role}.`);
      return;
    }
    case 'backup': {
      const [file] = args;
      if (!file) throw new UsageError('backup needs <file>.');
      const db = openDatabase(loadConfig().databasePath);
      try {
        await writeBackup(db, path.resolve(file));
      } finally {
        closeDatabase(db);
      }
      console.log(`Backup written to ${path.resolve(file)}.`);
      return;
    }
    case 'import-stackexchange': {
      let site: string | undefined;
      const files: string[] = [];
      for (let i = 0; i < args.length; i += 1) {
        if (args[i] === '--site') site = args[(i += 1)] ?? '';
        else if (args[i].startsWith('--site=')) site = args[i].slice('--site='.length);
        else files.push(args[i]);
      }
      if (files.length !== 1 || site === '') throw new UsageError('import-stackexchange needs <Posts.xml> and optionally --site <host>.');
      const file = path.resolve(files[0]);
      const started = performance.now();
      const progress = progressPrinter();
      const db = openDatabase(loadConfig().databasePath);
      try {
        const counts = await importStackExchange(db, file, { site, onProgress: progress.onProgress });
        progress.finish();
        console.log(summaryOf(siteOf(file, site), counts, (performance.now() - started) / 1000));
      } finally {
        progress.finish();
        closeDatabase(db);
      }
      return;
    }
    case undefined:
    case 'reindex': {
      const { databasePath } = loadConfig();
      withDb(() => undefined); // migrate first, so the index is built from the current schema
      const started = Date.now();
      const manifest = reindex(databasePath, searchDirFor(databasePath), (done, total) => {
        if (process.stdout.isTTY) process.stdout.write(`\rIndexed ${done} of ${total} shards`);
      });
      if (process.stdout.isTTY) process.stdout.write('\n');
      const documents = manifest.shards.reduce((sum, s) => sum + s.documents, 0);
      console.log(`Search index rebuilt: ${documents} questions in ${manifest.shards.length} shards (generation ${manifest.generation}, ${((Date.now() - started) / 1000).toFixed(1)} s).`);
      return;
    }
    case 'recompute-reputation': {
      const differences = withDb((db) => recomputeReputation(db));
      for (const d of differences) console.log(`${d.username}: cached ${d.cached}, ledger ${d.ledger} (fixed)`);
      console.log(differences.length === 0 ? 'Every reputation matches the ledger.' : `${differences.length} reputation caches were rebuilt from the ledger.`);
      return;
    }
    case 'seed-demo': {
      const db = openDatabase(loadConfig().databasePath);
      try {
        const result = await seedDemo(db);
        console.log(`Demo threads: ${result.questions} questions, ${result.answers} answers (${result.accepted} accepted) added; ${result.skipped} already there.`);
        console.log('Demo accounts (passwords are shown only when an account is created; save them now):');
        for (const account of result.accounts) console.log(`  ${account.username.padEnd(14)} ${account.role.padEnd(10)} ${account.password ?? '(already existed, password unchanged)'}`);
      } finally {
        closeDatabase(db);
      }
      return;
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.showUsage ? `${error.message}\n\n${USAGE}` : error.message);
  } else if (error instanceof ConfigError) {
    console.error(`Configuration: ${error.message}`);
  } else if (error instanceof ImportError) {
    console.error(error.message);
  } else if (error instanceof AppError) {
    console.error(cliMessage(error));
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});
