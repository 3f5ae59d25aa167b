import { planSettingChange, type SettingChange, type SettingChangeInput } from './change.js';

/**
 * The playbook's "Disable DfE Analytics": `features.google.send_data_to_big_query = false`, which turns off
 * DfE Analytics' `enable_analytics` (it is true in production, staging, qa and review).
 *
 * @example
 * const change = planDisableDfeAnalytics();
 * change.assignment // 'SETTINGS__FEATURES__GOOGLE__SEND_DATA_TO_BIG_QUERY=false'
 */
export const DFE_ANALYTICS_SETTING = 'features.google.send_data_to_big_query';

/** The playbook's warning, kept in its words. */
export const DFE_ANALYTICS_WARNING =
  'DfE Analytics once caused an exponential spike in system load that left the service non-responsive for an extended period, ' +
  'the initial cause being a few days earlier. Setting send_data_to_big_query to false turns off DfE Analytics\' enable_analytics: ' +
  'this stops ALL of DfE Analytics (no events reach BigQuery until it is turned back on). A restart is needed: either a pull request ' +
  'changing config/settings.yml / config/settings/production.yml, or kubectl set env (the pods restart by themselves).';

export function planDisableDfeAnalytics(options: Omit<SettingChangeInput, 'path' | 'envName' | 'value'> & { enable?: boolean } = {}): SettingChange {
  const { enable, ...rest } = options;
  const change = planSettingChange({ ...rest, path: DFE_ANALYTICS_SETTING, value: enable ? 'true' : 'false' });
  // The shipped defaults hold false (production sets true in its own file), so "already false" is not a reason to stop.
  return { ...change, warnings: change.warnings.filter((w) => !w.includes('is already')) };
}
