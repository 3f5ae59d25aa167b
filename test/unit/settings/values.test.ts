import { describe, expect, it } from 'vitest';
import { parseSettingsValue } from '../../../lib/settings/ruby-value.js';
import { envNameToSettingsPath, settingsFromEnv, settingsPathToEnvName } from '../../../lib/settings/env-name.js';

// Expected readings checked against Ruby 3.1 with the config gem's __value (Integer(v) rescue Float(v) rescue v).
const RUBY: [string, string, string][] = [
  ['true', 'boolean', 'true'],
  ['false', 'boolean', 'false'],
  ['True', 'string', '"True"'],
  ['TRUE', 'string', '"TRUE"'],
  [' true', 'string', '" true"'],
  ['0123', 'integer', '83'],
  ['08', 'float', '8.0'],
  ['09', 'float', '9.0'],
  ['07', 'integer', '7'],
  ['0_7', 'integer', '7'],
  ['00', 'integer', '0'],
  ['0', 'integer', '0'],
  ['0x1A', 'integer', '26'],
  ['-0x1A', 'integer', '-26'],
  ['0b101', 'integer', '5'],
  ['0o17', 'integer', '15'],
  ['0d19', 'integer', '19'],
  ['1_000', 'integer', '1000'],
  ['1__0', 'string', '"1__0"'],
  ['_1', 'string', '"_1"'],
  ['1_', 'string', '"1_"'],
  [' 12 ', 'integer', '12'],
  ['\t7\n', 'integer', '7'],
  ['+5', 'integer', '5'],
  ['1e3', 'float', '1000.0'],
  ['1E3', 'float', '1000.0'],
  ['1.5', 'float', '1.5'],
  ['3.0e-2', 'float', '0.03'],
  ['1_000.5', 'float', '1000.5'],
  ['0.1_2', 'float', '0.12'],
  ['.5', 'float', '0.5'],
  ['+.5', 'float', '0.5'],
  ['1.', 'string', '"1."'],
  ['5.', 'string', '"5."'],
  ['1e', 'string', '"1e"'],
  ['0x1A.5', 'string', '"0x1A.5"'],
  ['Infinity', 'string', '"Infinity"'],
  ['NaN', 'string', '"NaN"'],
  ['', 'string', '""'],
  ['  ', 'string', '"  "'],
  ['-', 'string', '"-"'],
  ['12abc', 'string', '"12abc"'],
  ['otp', 'string', '"otp"'],
  ['dfe-sign-in', 'string', '"dfe-sign-in"'],
  [':otp', 'symbol', ':otp'],
  [' :Foo Bar', 'symbol', ':foo_bar'],
  ['::x', 'string', '"::x"'],
];

describe('parseSettingsValue (Register reads SETTINGS__ values as the config gem does)', () => {
  it.each(RUBY)('%j is read as a %s %s', (raw, type, ruby) => {
    const v = parseSettingsValue(raw);
    expect([v.type, v.ruby]).toEqual([type, ruby]);
  });
  it('gives JavaScript values', () => {
    expect(parseSettingsValue('false').value).toBe(false);
    expect(parseSettingsValue('0123').value).toBe(83);
    expect(parseSettingsValue('08').value).toBe(8);
  });
});

describe('settings path ↔ environment variable', () => {
  it('converts both ways', () => {
    expect(settingsPathToEnvName('features.sign_in_method')).toBe('SETTINGS__FEATURES__SIGN_IN_METHOD');
    expect(settingsPathToEnvName('features.google.send_data_to_big_query')).toBe('SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY');
    expect(envNameToSettingsPath('SETTINGS__FEATURES__SIGN_IN_METHOD')).toBe('features.sign_in_method');
    expect(envNameToSettingsPath('SETTINGS__Features__Google__Send_Data_To_Big_Query')).toBe('features.google.send_data_to_big_query');
    expect(envNameToSettingsPath(settingsPathToEnvName('jobs.max_poll_duration_days'))).toBe('jobs.max_poll_duration_days');
  });
  it('refuses what Register would ignore or cannot express', () => {
    expect(() => envNameToSettingsPath('settings__features__x')).toThrow('The prefix must be upper case: Register ignores "settings"');
    expect(() => envNameToSettingsPath('FEATURES__X')).toThrow('expected a name starting with SETTINGS__');
    expect(() => envNameToSettingsPath('SETTINGS')).toThrow('names no setting');
    expect(() => envNameToSettingsPath('SETTINGS____X')).toThrow('has an empty part');
    expect(() => settingsPathToEnvName('features..x')).toThrow('has an empty part');
    expect(() => settingsPathToEnvName('Features.x')).toThrow('Use features.x');
    expect(() => settingsPathToEnvName('features.sign-in')).toThrow('lower-case letters, digits and underscores only');
    expect(() => settingsPathToEnvName('features.a__b')).toThrow('double underscore');
    expect(() => settingsPathToEnvName(' ')).toThrow('The settings path is empty');
  });
  it('reads variables like the config gem, including the scalar-to-section conflict', () => {
    expect(settingsFromEnv({ SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY: 'false', SETTINGS__JOBS__POLL_DELAY_HOURS: '2', OTHER: 'x', settings__x: 'y' }).settings).toEqual({
      features: { google: { send_data_to_big_query: false } },
      jobs: { poll_delay_hours: 2 },
    });
    expect(() => settingsFromEnv({ SETTINGS__FEATURES__SIGN_IN_METHOD: 'otp', SETTINGS__FEATURES__SIGN_IN_METHOD__X: '1' })).toThrow(
      'Environment variable SETTINGS__FEATURES__SIGN_IN_METHOD__X conflicts with variable SETTINGS__FEATURES__SIGN_IN_METHOD',
    );
  });
});
