import { InputError } from '../notebook/input-error.js';
import { parseSettingsValue, type RubyValue } from './ruby-value.js';

/**
 * Settings paths and Register's environment variables (the config gem with `env_prefix` "SETTINGS",
 * `env_separator` "__" and the `:downcase` converter, register-facts section 8).
 *
 * @example
 * settingsPathToEnvName('features.sign_in_method')            // 'SETTINGS__FEATURES__SIGN_IN_METHOD'
 * envNameToSettingsPath('SETTINGS__FEATURES__SIGN_IN_METHOD') // 'features.sign_in_method'
 */
export const SETTINGS_ENV_PREFIX = 'SETTINGS';
export const SETTINGS_ENV_SEPARATOR = '__';

/** Bad input about settings: the message says what is wrong and what is expected. */
export class SettingsInputError extends InputError {
  override name = 'SettingsInputError';
}

const SEGMENT = /^[a-z0-9_]+$/;

/** Splits and checks a settings path such as `features.google.send_data_to_big_query`. */
export function settingsPathSegments(path: string): string[] {
  if (typeof path !== 'string' || path.trim() === '') throw new SettingsInputError('The settings path is empty: expected something like features.sign_in_method.');
  const trimmed = path.trim();
  const segments = trimmed.split('.');
  for (const s of segments) {
    if (s === '') throw new SettingsInputError(`The settings path "${trimmed}" has an empty part: expected names separated by single dots, e.g. features.sign_in_method.`);
    if (s !== s.toLowerCase()) throw new SettingsInputError(`The settings path "${trimmed}" has capitals in "${s}": Register lower-cases every part of a SETTINGS__ variable, so only lower-case keys can be set. Use ${trimmed.toLowerCase()}.`);
    if (!SEGMENT.test(s)) throw new SettingsInputError(`The settings path "${trimmed}" has "${s}": expected lower-case letters, digits and underscores only.`);
    if (s.includes('__') || s.startsWith('_') || s.endsWith('_'))
      throw new SettingsInputError(`The settings path "${trimmed}" has "${s}": a key with a double underscore, or starting or ending with one, cannot be written as a SETTINGS__ variable (the separator is "__").`);
  }
  return segments;
}

/** `features.sign_in_method` → `SETTINGS__FEATURES__SIGN_IN_METHOD`. */
export function settingsPathToEnvName(path: string): string {
  return [SETTINGS_ENV_PREFIX, ...settingsPathSegments(path).map((s) => s.toUpperCase())].join(SETTINGS_ENV_SEPARATOR);
}

/**
 * `SETTINGS__FEATURES__SIGN_IN_METHOD` → `features.sign_in_method`. The prefix is case-sensitive (as in Register:
 * `settings__x` is ignored); the rest is lower-cased.
 */
export function envNameToSettingsPath(name: string): string {
  const text = (name ?? '').trim();
  const parts = text.split(SETTINGS_ENV_SEPARATOR);
  if (parts[0] !== SETTINGS_ENV_PREFIX) {
    const hint = parts[0]?.toUpperCase() === SETTINGS_ENV_PREFIX ? ` The prefix must be upper case: Register ignores "${parts[0]}".` : '';
    throw new SettingsInputError(`"${text}" is not a Register settings variable: expected a name starting with SETTINGS__, such as SETTINGS__FEATURES__SIGN_IN_METHOD.${hint}`);
  }
  const keys = parts.slice(1);
  if (keys.length === 0 || keys.every((k) => k === '')) throw new SettingsInputError(`"${text}" names no setting: expected SETTINGS__<SECTION>__<KEY>, e.g. SETTINGS__FEATURES__SIGN_IN_METHOD.`);
  if (keys.some((k) => k === '')) throw new SettingsInputError(`"${text}" has an empty part (three or more underscores in a row, or a trailing "__"): expected parts separated by exactly "__".`);
  const lower = keys.map((k) => k.toLowerCase());
  for (const k of lower) if (!SEGMENT.test(k)) throw new SettingsInputError(`"${text}" has the part "${k}": expected letters, digits and single underscores only.`);
  return lower.join('.');
}

export type SettingsTree = { [key: string]: SettingsValue };
export type SettingsValue = string | number | boolean | null | SettingsValue[] | SettingsTree;

/**
 * Reads `SETTINGS__…` variables as Register's config gem does: only names starting with the exact prefix, keys
 * lower-cased, values parsed (`parseSettingsValue`), and a variable that would put a key under one another
 * variable set to a value raises the gem's error, "Environment variable X conflicts with variable Y".
 *
 * @example
 * settingsFromEnv({ SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY: 'false' })
 * // { features: { google: { send_data_to_big_query: false } } }
 */
export function settingsFromEnv(env: Record<string, string | undefined>): { settings: SettingsTree; parsed: Record<string, RubyValue> } {
  const settings: SettingsTree = {};
  const parsed: Record<string, RubyValue> = {};
  for (const [variable, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    const parts = variable.split(SETTINGS_ENV_SEPARATOR);
    if (parts[0] !== SETTINGS_ENV_PREFIX || parts.length < 2) continue;
    const keys = parts.slice(1).map((k) => k.toLowerCase());
    let leaf: SettingsValue = settings;
    for (const key of keys.slice(0, -1)) {
      if (!isTree(leaf)) break;
      leaf = leaf[key] ??= {};
    }
    if (!isTree(leaf)) {
      const conflicting = [SETTINGS_ENV_PREFIX, ...parts.slice(1, -1)].join(SETTINGS_ENV_SEPARATOR);
      throw new SettingsInputError(`Environment variable ${variable} conflicts with variable ${conflicting}: one sets a value where the other needs a section. Register fails to start with this error.`);
    }
    const value = parseSettingsValue(raw);
    parsed[variable] = value;
    leaf[keys[keys.length - 1]!] = value.value;
  }
  return { settings, parsed };
}

export function isTree(value: unknown): value is SettingsTree {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
