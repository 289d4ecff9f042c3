// Owns the forum's secrets: generated on first start and kept beside the database (mode 0600), never in the repo.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Secrets {
  /** Signs cookies (the CSRF secret cookie, the visitor cookie). */
  cookieSecret: string;
}

export function secretsFileFor(databasePath: string): string {
  return path.join(path.dirname(databasePath), 'secrets.json');
}

export function loadOrCreateSecrets(databasePath: string): Secrets {
  const file = secretsFileFor(databasePath);
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Secrets>;
    if (typeof parsed.cookieSecret === 'string' && parsed.cookieSecret.length >= 32) return { cookieSecret: parsed.cookieSecret };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const secrets: Secrets = { cookieSecret: randomBytes(32).toString('base64url') };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}
