// Owns the list of operator settings: every number an operator may want to change, with its safe default.
// Add a setting here and it is typed, validated and editable everywhere.

export interface SettingDefinition<T> {
  default: T;
  /** Returns the value when acceptable, or undefined to refuse it. */
  parse: (raw: unknown) => T | undefined;
}

const integer = (min: number, max: number, fallback: number): SettingDefinition<number> => ({
  default: fallback,
  parse: (raw) => (typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max ? raw : undefined),
});
const oneOf = <T extends string>(values: readonly T[], fallback: T): SettingDefinition<T> => ({
  default: fallback,
  parse: (raw) => (values.includes(raw as T) ? (raw as T) : undefined),
});

export const settingDefinitions = {
  /** Language of pages when neither the visitor's choice nor Accept-Language decides. */
  defaultLocale: oneOf(['es', 'en'] as const, 'es'),
  /** Sign-in attempts per IP per minute (Discourse: max_logins_per_ip_per_minute). */
  signInPerIpPerMinute: integer(1, 10_000, 10),
  /** New accounts per IP per hour (Discourse: max_new_accounts_per_registration_ip, per hour here). */
  signUpPerIpPerHour: integer(1, 10_000, 10),
  /** Failed sign-ins for one login name before further tries are delayed. */
  failedSignInsBeforeDelay: integer(1, 100, 5),
  /** The window in which failed sign-ins are counted, in minutes. */
  failedSignInWindowMinutes: integer(1, 24 * 60, 15),
  /** First delay after too many failures, in seconds; it doubles with every further failure. */
  failedSignInDelaySeconds: integer(1, 3600, 30),
  /** Browser sessions end after this many days without use. */
  sessionIdleDays: integer(1, 365, 30),
  /** API tokens expire this many days after they were issued. */
  apiTokenDays: integer(1, 3650, 90),
} as const;

export type SettingKey = keyof typeof settingDefinitions;
export type Settings = { [K in SettingKey]: (typeof settingDefinitions)[K]['default'] };
