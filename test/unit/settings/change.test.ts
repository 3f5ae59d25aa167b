import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { planSettingChange, shellQuote } from '../../../lib/settings/change.js';
import { planDisableDfeAnalytics } from '../../../lib/settings/dfe-analytics.js';
import { parseSettingsYaml, readSettingsFiles, registerDefaultSettings, settingAt } from '../../../lib/settings/settings-file.js';
import { splitCommand } from '../../../lib/settings/kubectl.js';

const FIXTURE = path.join(__dirname, '../../fixtures/settings/register-settings-dqt-era.yml');

describe('settings.yml', () => {
  it('the shipped DQT-era defaults are the fixture file', () => {
    expect(registerDefaultSettings()).toEqual(readSettingsFiles(FIXTURE));
    const s = registerDefaultSettings();
    expect(settingAt(s, 'features.sign_in_method')).toEqual({ found: true, value: 'dfe-sign-in' });
    expect(settingAt(s, 'features.google.send_data_to_big_query').value).toBe(false);
    expect(settingAt(s, 'apply_applications.import.recruitment_cycle_years').value).toEqual([2024]);
    expect(Object.keys((s.features as Record<string, unknown>).routes as object)).toHaveLength(12);
  });
  it('merges files in order and reads ERB tags as placeholders', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rs-settings-'));
    const prod = path.join(dir, 'production.yml');
    writeFileSync(prod, 'features:\n  google:\n    send_data_to_big_query: true\ndqt:\n  api_key: <%= ENV.fetch("DQT_API_KEY", "") %>\n');
    const merged = readSettingsFiles([FIXTURE, prod]);
    expect(settingAt(merged, 'features.google.send_data_to_big_query').value).toBe(true);
    expect(settingAt(merged, 'features.sign_in_method').value).toBe('dfe-sign-in');
    expect(settingAt(merged, 'dqt.api_key').value).toBe('(ERB)');
    expect(() => readSettingsFiles(path.join(dir, 'missing.yml'))).toThrow('Cannot read the settings file');
    expect(() => parseSettingsYaml('features: [a\n', 'bad.yml')).toThrow('bad.yml is not valid YAML');
    expect(() => parseSettingsYaml('- a\n- b\n', 'list.yml')).toThrow('does not hold settings');
  });
});

describe('planSettingChange', () => {
  it("the playbook's example: features.sign_in_method = otp", () => {
    const c = planSettingChange({ path: 'features.sign_in_method', value: 'otp' });
    expect(c.assignment).toBe('SETTINGS__FEATURES__SIGN_IN_METHOD=otp');
    expect(c.parsed).toEqual({ type: 'string', value: 'otp', ruby: '"otp"' });
    expect(c.current).toBe('dfe-sign-in');
    expect(c.commands).toEqual({
      list: 'kubectl -n bat-production get deployments',
      set: ['kubectl -n bat-production set env deployment/register-production SETTINGS__FEATURES__SIGN_IN_METHOD=otp'],
      watch: ['kubectl -n bat-production rollout status deployment/register-production', 'kubectl -n bat-production get pods'],
      verify: ['kubectl -n bat-production describe deployment/register-production'],
      undo: ['kubectl -n bat-production set env deployment/register-production SETTINGS__FEATURES__SIGN_IN_METHOD-'],
    });
    expect(c.yaml).toBe('features:\n  sign_in_method: otp');
    expect(c.warnings).toEqual([]);
  });
  it('works from the variable name and for several deployments', () => {
    const c = planSettingChange({ envName: 'SETTINGS__JOBS__POLL_DELAY_HOURS', value: 2, deployments: ['register-production', 'deployment/register-production-worker'] });
    expect(c.path).toBe('jobs.poll_delay_hours');
    expect(c.commands.set).toEqual([
      'kubectl -n bat-production set env deployment/register-production SETTINGS__JOBS__POLL_DELAY_HOURS=2',
      'kubectl -n bat-production set env deployment/register-production-worker SETTINGS__JOBS__POLL_DELAY_HOURS=2',
    ]);
  });
  it('only exact true/false are booleans', () => {
    expect(planSettingChange({ path: 'features.send_emails', value: true }).parsed.value).toBe(true);
    expect(() => planSettingChange({ path: 'features.send_emails', value: 'True' })).toThrow(
      'features.send_emails is a boolean (false), but Register reads "True" as the String "True", which counts as enabled wherever Register checks the setting (any value but false or nil is truthy). Only exactly true or false become booleans: write true.',
    );
    expect(() => planSettingChange({ path: 'features.send_emails', value: '0' })).toThrow('reads "0" as the Integer 0. Only exactly true or false become booleans: write false.');
  });
  it('integers: octal and Float surprises are refused', () => {
    expect(() => planSettingChange({ path: 'jobs.max_poll_duration_days', value: '0123' })).toThrow('reads "0123" as octal: it becomes 83, not 123');
    expect(() => planSettingChange({ path: 'jobs.max_poll_duration_days', value: '08' })).toThrow(
      'reads "08" as the Float 8.0 (Ruby reads a leading 0 as octal, and this is not an octal number, so it becomes a Float)',
    );
    expect(() => planSettingChange({ path: 'jobs.max_poll_duration_days', value: 'four' })).toThrow('as the String "four"');
    expect(planSettingChange({ path: 'jobs.max_poll_duration_days', value: '5' }).parsed).toEqual({ type: 'integer', value: 5, ruby: '5' });
  });
  it('strings that Register would turn into numbers, and unknown sign-in methods, are refused', () => {
    expect(() => planSettingChange({ path: 'features.sign_in_method', value: '123' })).toThrow('reads "123" as the Integer 123, not as text');
    expect(() => planSettingChange({ path: 'features.sign_in_method', value: 'password' })).toThrow('features.sign_in_method must be one of dfe-sign-in, otp, persona; got "password".');
  });
  it('unknown paths get suggestions; sections, lists and paths under a value are refused', () => {
    expect(() => planSettingChange({ path: 'features.sign_in_methd', value: 'otp' })).toThrow('has no setting features.sign_in_methd. Did you mean features.sign_in_method?');
    expect(() => planSettingChange({ path: 'features.google', value: 'false' })).toThrow('features.google is a section (send_data_to_big_query), not a value: set one of its keys, e.g. features.google.send_data_to_big_query.');
    expect(() => planSettingChange({ path: 'features.sign_in_method.x', value: '1' })).toThrow('features.sign_in_method is a value ("dfe-sign-in")');
    expect(() => planSettingChange({ path: 'apply_applications.import.recruitment_cycle_years', value: '2025' })).toThrow('is a list ([2024])');
    const unknown = planSettingChange({ path: 'features.brand_new', value: 'true', allowUnknownPath: true });
    expect(unknown.warnings[0]).toContain('has no setting features.brand_new: its type is not checked');
  });
  it('checks against a real settings.yml given by path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rs-settings-'));
    const file = path.join(dir, 'settings.yml');
    writeFileSync(file, readFileSync(FIXTURE, 'utf8').replace('  maintenance_banner: false\n', '  maintenance_banner: false\n  qualtrics_survey: false\n'));
    expect(planSettingChange({ path: 'features.qualtrics_survey', value: 'true', settings: file }).assignment).toBe('SETTINGS__FEATURES__QUALTRICS_SURVEY=true');
    expect(() => planSettingChange({ path: 'features.qualtrics_survey', value: 'true' })).toThrow('has no setting features.qualtrics_survey');
  });
  it('bad namespace or deployment names are refused', () => {
    expect(() => planSettingChange({ path: 'features.send_emails', value: 'true', namespace: 'bat production' })).toThrow('is not a Kubernetes name');
    expect(() => planSettingChange({ path: 'features.send_emails', value: 'true', deployments: ['Register'] })).toThrow('Deployment "Register" is not a Kubernetes name');
  });
  it('quotes values for the shell only when needed, and the runner splits them back', () => {
    expect(shellQuote('SETTINGS__A=otp')).toBe('SETTINGS__A=otp');
    expect(shellQuote("SETTINGS__A=it's here")).toBe(`'SETTINGS__A=it'\\''s here'`);
    expect(splitCommand(`kubectl -n x set env deployment/y ${shellQuote("SETTINGS__A=it's here")}`)).toEqual(['kubectl', '-n', 'x', 'set', 'env', 'deployment/y', "SETTINGS__A=it's here"]);
  });
});

describe('planDisableDfeAnalytics', () => {
  it('sets features.google.send_data_to_big_query=false', () => {
    const c = planDisableDfeAnalytics();
    expect(c.assignment).toBe('SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY=false');
    expect(c.commands.set).toEqual(['kubectl -n bat-production set env deployment/register-production SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY=false']);
    expect(c.warnings).toEqual([]);
    expect(planDisableDfeAnalytics({ enable: true }).assignment).toBe('SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY=true');
  });
});
