// Owns password hashing (argon2id with OWASP's minimum parameters) and the common-password refusal.
import argon2 from 'argon2';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Mozilla's list of the 50,000 most common passwords of 8+ characters (Firefox Accounts).
const commonPasswords: { test: (password: string) => boolean } = require('fxa-common-password-list');

/** OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function isCommonPassword(password: string): boolean {
  return commonPasswords.test(password) || commonPasswords.test(password.toLowerCase());
}

/**
 * The form a password is hashed and checked in: Unicode NFC (NIST SP 800-63B 5.1.1.2), so that "é" typed as
 * one code point or as "e" plus a combining accent (macOS, some keyboards) is the same password.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(normalizePassword(password), ARGON2_OPTIONS);
}

async function verifyExactly(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/**
 * Checks a password against its hash, in NFC. Hashes written before passwords were normalized hold the
 * bytes as typed: an already-NFC password (nearly all) matches either way, and one typed in another form
 * is tried as typed when NFC does not match.
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const normalized = normalizePassword(password);
  if (await verifyExactly(hash, normalized)) return true;
  return normalized !== password && verifyExactly(hash, password);
}

let dummyHash: Promise<string> | undefined;
/**
 * Verifies against a throw-away hash with the same parameters, so that a sign-in for an unknown
 * user costs the same time as a wrong password and nothing tells the two apart.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('resuelto-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}
