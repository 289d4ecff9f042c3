// Owns the role ladder: visitor < member < moderator < staff < admin, and what each rung implies.
import { ROLES, type Role } from '../../db/schema.ts';

export { ROLES, type Role };

const rank: Record<Role, number> = { member: 1, moderator: 2, staff: 3, admin: 4 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is `minimum` or above it on the ladder. */
export function atLeast(role: Role | undefined, minimum: Role): boolean {
  return role !== undefined && rank[role] >= rank[minimum];
}
