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

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
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
