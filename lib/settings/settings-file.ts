import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { isTree, SettingsInputError, type SettingsTree, type SettingsValue } from './env-name.js';

/**
 * Register's `config/settings.yml`, to check a settings path and the type of its value against. The toolkit ships
 * the DQT-era defaults (register-facts section 8) and reads a real file when given one (several files are merged in
 * order, as Register merges settings.yml, settings/<env>.yml and local files).
 *
 * YAML is read with the `yaml` package (2.9.1, no dependencies): a real settings.yml may use anchors, flow lists
 * and quoting that a hand-written subset parser would get wrong. ERB tags (`<%= ENV[...] %>`) are replaced by the
 * text `(ERB)` before parsing, so such keys are known but their type is not checked.
 *
 * @example
 * const settings = registerDefaultSettings();
 * settingAt(settings, 'features.sign_in_method') // { found: true, value: 'dfe-sign-in' }
 * const real = readSettingsFiles(['config/settings.yml', 'config/settings/production.yml']);
 */
export const REGISTER_DQT_ERA_SETTINGS_YML = `# Register trainee teachers: config/settings.yml defaults, DQT era (commit bb6fda83f, 2024-08-01), as summarised in
# register-facts section 8. Secrets and URLs are set per environment and are left empty here. The "slack.webhooks"
# keys are not listed in the fact sheet and are left out.
base_url:

features:
  use_ssl: true
  enable_feedback_link: true
  basic_auth: true
  trainee_export: true
  user_can_have_multiple_organisations: true
  funding: true
  redirect_education_domain: true
  show_draft_trainee_course_year_choice: true
  change_accredited_provider: true
  funding_uploads: true
  register_api: true
  lead_partners: true
  itt_reform: true
  home_text: false
  import_applications_from_apply: false
  import_courses_from_ttapi: false
  publish_course_details: false
  sync_from_dttp: false
  sync_trainees_from_dttp: false
  import_trainees_from_dttp: false
  send_emails: false
  integrate_with_dqt: false
  hesa_trn_requests: false
  maintenance_banner: false
  # dfe-sign-in (OIDC, /auth/dfe/callback), otp (/request-sign-in-code) or persona (dev, qa and review)
  sign_in_method: dfe-sign-in
  routes:
    provider_led_postgrad: false
    early_years_undergrad: false
    school_direct_tuition_fee: false
    school_direct_salaried: false
    pg_teaching_apprenticeship: false
    early_years_assessment_only: false
    early_years_salaried: false
    early_years_postgrad: false
    provider_led_undergrad: false
    opt_in_undergrad: false
    hpitt_postgrad: false
    iqts: false
  google:
    # drives DfE Analytics enable_analytics; true in production, staging, qa and review
    send_data_to_big_query: false
  filters:
    show_start_year_filter: false
  hesa_import:
    test_mode: false
    sync_collection: false
    sync_trn_data: false
  dqt_import:
    sync_teachers: false

jobs:
  poll_delay_hours: 1
  max_poll_duration_days: 4

dqt:
  base_url:
  api_key:

recruits_api:
  base_url:
  auth_token:

apply_applications:
  import:
    recruitment_cycle_years: [2024]
  create:
    recruitment_cycle_year: 2024

pagination:
  records_per_page: 100
`;

/** Marks a value that came from an ERB tag. */
export const ERB_PLACEHOLDER = '(ERB)';

/** Parses settings YAML text; `source` names it in messages. */
export function parseSettingsYaml(text: string, source = 'settings.yml'): SettingsTree {
  const withoutErb = text.replace(/<%=[\s\S]*?%>/g, ERB_PLACEHOLDER).replace(/<%[\s\S]*?%>/g, '');
  let parsed: unknown;
  try {
    parsed = parseYaml(withoutErb, { merge: true });
  } catch (error) {
    throw new SettingsInputError(`${source} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) throw new SettingsInputError(`${source} does not hold settings: expected keys such as "features:" at the top, found ${Array.isArray(parsed) ? 'a list' : typeof parsed}.`);
  return parsed as SettingsTree;
}

/** Reads and merges settings files in order (later files win, sections merged key by key). */
export function readSettingsFiles(paths: string | string[]): SettingsTree {
  const list = Array.isArray(paths) ? paths : [paths];
  if (list.length === 0) throw new SettingsInputError('No settings file given: expected the path of config/settings.yml.');
  let merged: SettingsTree = {};
  for (const path of list) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new SettingsInputError(`Cannot read the settings file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}. Expected the path of Register's config/settings.yml.`);
    }
    merged = deepMerge(merged, parseSettingsYaml(text, path));
  }
  return merged;
}

/** The DQT-era defaults shipped with the toolkit. */
export function registerDefaultSettings(): SettingsTree {
  return parseSettingsYaml(REGISTER_DQT_ERA_SETTINGS_YML, "Register's DQT-era settings.yml");
}

export function deepMerge(base: SettingsTree, over: SettingsTree): SettingsTree {
  const out: SettingsTree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? deepMerge(current, value) : value;
  }
  return out;
}

export interface SettingLookup {
  /** True when the path names a key of the file (a value or a section). */
  found: boolean;
  value?: SettingsValue;
  /** When not found: the deepest existing part of the path, and what it holds. */
  parentPath?: string;
  parent?: SettingsValue;
  /** When a value stands where the path needs a section (`features.sign_in_method.x`). */
  blockedBy?: { path: string; value: SettingsValue };
}

/** Looks a dotted path up in settings. */
export function settingAt(settings: SettingsTree, path: string): SettingLookup {
  const keys = path.split('.');
  let node: SettingsValue = settings;
  for (let i = 0; i < keys.length; i++) {
    if (!isTree(node)) return { found: false, blockedBy: { path: keys.slice(0, i).join('.'), value: node } };
    if (!Object.prototype.hasOwnProperty.call(node, keys[i]!)) return { found: false, parentPath: keys.slice(0, i).join('.'), parent: node };
    node = node[keys[i]!]!;
  }
  return { found: true, value: node };
}

/** Every leaf path of a settings tree, e.g. for suggestions. */
export function settingPaths(settings: SettingsTree, prefix = ''): string[] {
  return Object.entries(settings).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isTree(value) && Object.keys(value).length ? settingPaths(value, path) : [path];
  });
}
