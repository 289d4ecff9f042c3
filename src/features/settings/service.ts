// Owns reading and writing operator settings; values are cached per database and re-read after a short time.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { settings as settingsTable } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { settingDefinitions, type SettingKey, type Settings } from './definitions.ts';

// Another process (the CLI) may change a setting; the server sees it within this many milliseconds.
const CACHE_MS = 5_000;
const cache = new WeakMap<Db, { at: number; value: Settings }>();

export function defaultSettings(): Settings {
  const entries = Object.entries(settingDefinitions).map(([key, def]) => [key, def.default]);
  return Object.fromEntries(entries) as Settings;
}

export function getSettings(db: Db, now = Date.now()): Settings {
  const cached = cache.get(db);
  if (cached && now - cached.at < CACHE_MS) return cached.value;
  const value = defaultSettings() as Record<string, unknown>;
  for (const row of db.select().from(settingsTable).all()) {
    const definition = settingDefinitions[row.key as SettingKey];
    if (!definition) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(row.value);
    } catch {
      continue;
    }
    const parsed = definition.parse(raw);
    if (parsed !== undefined) value[row.key] = parsed;
  }
  const settings = value as Settings;
  cache.set(db, { at: now, value: settings });
  return settings;
}

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(settingDefinitions, key);
}

export function setSetting<K extends SettingKey>(db: Db, key: K, raw: unknown): Settings[K] {
  const parsed = settingDefinitions[key].parse(raw) as Settings[K] | undefined;
  if (parsed === undefined) {
    throw new AppError(400, 'invalid_input', 'error.invalidField', { field: key, params: { field: key, reason: 'out of range' } });
  }
  const value = JSON.stringify(parsed);
  db.insert(settingsTable)
    .values({ key, value, updatedAt: new Date() })
    .onConflictDoUpdate({ target: settingsTable.key, set: { value, updatedAt: new Date() } })
    .run();
  cache.delete(db);
  return parsed;
}

/**
 * Sets several settings at once: every value is validated first (a bad one throws, naming its key, and
 * nothing is written), then all are written in one transaction.
 */
export function setSettings(db: Db, values: Partial<Record<SettingKey, unknown>>): Partial<Settings> {
  const parsed: Partial<Record<SettingKey, unknown>> = {};
  for (const [key, raw] of Object.entries(values) as [SettingKey, unknown][]) {
    if (!isSettingKey(key)) {
      throw new AppError(400, 'invalid_input', 'error.invalidField', { field: key, params: { field: key, reason: 'unknown setting' } });
    }
    const value = settingDefinitions[key].parse(raw);
    if (value === undefined) {
      throw new AppError(400, 'invalid_input', 'error.invalidField', { field: key, params: { field: key, reason: 'out of range' } });
    }
    parsed[key] = value;
  }
  const now = new Date();
  db.transaction((tx) => {
    for (const [key, value] of Object.entries(parsed)) {
      const json = JSON.stringify(value);
      tx.insert(settingsTable)
        .values({ key, value: json, updatedAt: now })
        .onConflictDoUpdate({ target: settingsTable.key, set: { value: json, updatedAt: now } })
        .run();
    }
  });
  cache.delete(db);
  return parsed as Partial<Settings>;
}

export function deleteSetting(db: Db, key: SettingKey): void {
  db.delete(settingsTable).where(eq(settingsTable.key, key)).run();
  cache.delete(db);
}
