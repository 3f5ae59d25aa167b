import { envNameToSettingsPath, isTree, settingsPathSegments, settingsPathToEnvName, SettingsInputError, type SettingsTree, type SettingsValue } from './env-name.js';
import { parseSettingsValue, type RubyValue } from './ruby-value.js';
import { ERB_PLACEHOLDER, readSettingsFiles, registerDefaultSettings, settingAt, settingPaths } from './settings-file.js';

/**
 * Plans a settings change the way the playbook's "Settings" section does it: from a settings path and a value, the
 * `SETTINGS__…` variable, how Register will read it, and the kubectl commands to set it, watch the pods restart,
 * verify it and undo it. The path and the value's type are checked against settings.yml (the shipped DQT-era
 * defaults, or a real file). Nothing here runs kubectl: see `runKubectl`.
 *
 * @example
 * const change = planSettingChange({ path: 'features.sign_in_method', value: 'otp' });
 * change.assignment        // 'SETTINGS__FEATURES__SIGN_IN_METHOD=otp'
 * change.commands.set[0]   // 'kubectl -n bat-production set env deployment/register-production SETTINGS__FEATURES__SIGN_IN_METHOD=otp'
 */
export interface SettingChangeInput {
  /** The settings path, e.g. `features.sign_in_method`. Give this or `envName`. */
  path?: string;
  /** The variable, e.g. `SETTINGS__FEATURES__SIGN_IN_METHOD`. */
  envName?: string;
  /** The value to set, as it will be written in the environment. */
  value: string | number | boolean;
  /** settings.yml to check against: a parsed tree, a path or paths (merged in order). Default: Register's DQT-era defaults. */
  settings?: SettingsTree | string | string[];
  /** Kubernetes namespace. Default `bat-production`. */
  namespace?: string;
  /** Deployments to change. Default `register-production` (the playbook's describe command). */
  deployments?: string[];
  /** Allow a path that settings.yml does not have (a key added only in the environment). Default false. */
  allowUnknownPath?: boolean;
}

export interface SettingChange {
  path: string;
  envName: string;
  /** The value exactly as it goes into the environment. */
  envValue: string;
  /** `NAME=value`. */
  assignment: string;
  /** How Register will read the value. */
  parsed: RubyValue;
  /** The value in settings.yml (the default the variable overrides); undefined when the file has no such key. */
  current: SettingsValue | undefined;
  /** What the default's type is, when known. */
  expectedType: RubyValue['type'] | 'unknown';
  /** Things to know that do not stop the change. */
  warnings: string[];
  /** The same change as YAML, for a pull request instead. */
  yaml: string;
  namespace: string;
  deployments: string[];
  commands: {
    /** Check the deployment names first. */
    list: string;
    set: string[];
    /** Watch the restart: old pods Terminating, new ones Running. */
    watch: string[];
    /** Show the deployment's environment (`verifySettingInDescribe` reads the output). */
    verify: string[];
    /** Remove the variable again: back to the settings.yml value. */
    undo: string[];
  };
}

export const DEFAULT_NAMESPACE = 'bat-production';
export const DEFAULT_DEPLOYMENTS = ['register-production'];

/** Known values of string settings (register-facts 8). */
export const KNOWN_SETTING_VALUES: Record<string, string[]> = {
  'features.sign_in_method': ['dfe-sign-in', 'otp', 'persona'],
};

const KUBE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Quotes a value for a POSIX shell only when needed. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_.:/@%+=,-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function typeOfDefault(value: SettingsValue | undefined): SettingChange['expectedType'] | 'list' | 'section' {
  if (value === undefined || value === null) return 'unknown';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (typeof value === 'string') return value === ERB_PLACEHOLDER ? 'unknown' : 'string';
  if (Array.isArray(value)) return 'list';
  return 'section';
}

const show = (v: SettingsValue | undefined) => (v === undefined ? 'nothing' : JSON.stringify(v));

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function resolveSettings(settings: SettingChangeInput['settings']): { tree: SettingsTree; source: string } {
  if (settings === undefined) return { tree: registerDefaultSettings(), source: "Register's DQT-era settings.yml (shipped with the toolkit)" };
  if (typeof settings === 'string' || Array.isArray(settings)) {
    const list = typeof settings === 'string' ? [settings] : settings;
    return { tree: readSettingsFiles(list), source: list.join(' + ') };
  }
  return { tree: settings, source: 'the given settings' };
}

/** Builds the change, or throws `SettingsInputError` naming what is wrong (unknown path, wrong type, a section…). */
export function planSettingChange(input: SettingChangeInput): SettingChange {
  if (!input.path && !input.envName) throw new SettingsInputError('Give the settings path (e.g. features.sign_in_method) or the variable (e.g. SETTINGS__FEATURES__SIGN_IN_METHOD).');
  const path = input.path ? settingsPathSegments(input.path).join('.') : envNameToSettingsPath(input.envName!);
  if (input.path && input.envName && envNameToSettingsPath(input.envName) !== path) {
    throw new SettingsInputError(`The path ${path} and the variable ${input.envName} name different settings: give one of them.`);
  }
  const envName = settingsPathToEnvName(path);
  if (input.value === undefined || input.value === null) throw new SettingsInputError(`No value for ${path}: expected the value to set, e.g. ${path}=false.`);
  const envValue = String(input.value);
  const parsed = parseSettingsValue(envValue);
  const namespace = (input.namespace ?? DEFAULT_NAMESPACE).trim();
  const deployments = (input.deployments ?? DEFAULT_DEPLOYMENTS).map((d) => d.trim().replace(/^deployment\//, ''));
  if (!KUBE_NAME.test(namespace)) throw new SettingsInputError(`Namespace "${namespace}" is not a Kubernetes name: expected lower-case letters, digits and "-", e.g. bat-production.`);
  if (deployments.length === 0) throw new SettingsInputError('No deployment given: expected e.g. register-production.');
  for (const d of deployments) if (!KUBE_NAME.test(d)) throw new SettingsInputError(`Deployment "${d}" is not a Kubernetes name: expected lower-case letters, digits and "-", e.g. register-production.`);

  const { tree, source } = resolveSettings(input.settings);
  const lookup = settingAt(tree, path);
  const warnings: string[] = [];
  if (lookup.blockedBy) {
    throw new SettingsInputError(
      `${lookup.blockedBy.path} is a value (${show(lookup.blockedBy.value)}) in ${source}, not a section, so ${path} cannot be set: the variable would turn ${lookup.blockedBy.path} into a section and break whatever reads it. Set ${lookup.blockedBy.path} itself.`,
    );
  }
  if (!lookup.found) {
    const all = settingPaths(tree);
    const near = all
      .map((p) => ({ p, d: levenshtein(p, path) }))
      .filter((x) => x.d <= Math.max(3, Math.floor(path.length / 4)))
      .sort((a, b) => a.d - b.d)
      .slice(0, 3)
      .map((x) => x.p);
    const siblings = isTree(lookup.parent) ? Object.keys(lookup.parent) : [];
    const hint = near.length ? ` Did you mean ${near.join(', ')}?` : siblings.length ? ` ${lookup.parentPath || 'The top level'} has: ${siblings.slice(0, 20).join(', ')}.` : '';
    if (!input.allowUnknownPath) {
      throw new SettingsInputError(`${source} has no setting ${path}.${hint} (If the key really exists only in the environment, set allowUnknownPath.)`);
    }
    warnings.push(`${source} has no setting ${path}: its type is not checked. Register will read ${JSON.stringify(envValue)} as ${describe(parsed)}.`);
  }
  const current = lookup.found ? lookup.value : undefined;
  const expected = typeOfDefault(current);
  if (expected === 'section') {
    const keys = Object.keys(current as SettingsTree);
    throw new SettingsInputError(`${path} is a section (${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ', …' : ''}), not a value: set one of its keys, e.g. ${path}.${keys[0]}.`);
  }
  if (expected === 'list') {
    throw new SettingsInputError(
      `${path} is a list (${show(current)}): Register's environment overrides set single values only, so a list cannot be changed with a SETTINGS__ variable. Change it in config/settings.yml (or config/settings/production.yml) through a pull request.`,
    );
  }
  checkType(path, envValue, parsed, expected, current);
  const known = KNOWN_SETTING_VALUES[path];
  if (known && !known.includes(envValue)) {
    throw new SettingsInputError(`${path} must be one of ${known.join(', ')}; got ${JSON.stringify(envValue)}.`);
  }
  if (envValue !== envValue.trim()) warnings.push(`The value has spaces at the start or end: they are kept in the environment (${JSON.stringify(envValue)}).`);
  if (lookup.found && current !== null && current !== undefined && expected !== 'unknown' && parsed.value === current) {
    warnings.push(`${path} is already ${parsed.ruby} in ${source}: the variable only matters if another file or variable overrides it.`);
  }
  if (expected === 'unknown' && lookup.found) warnings.push(`${source} gives ${path} no default value, so its type is not checked: Register will read ${JSON.stringify(envValue)} as ${describe(parsed)}.`);

  const assignment = `${envName}=${envValue}`;
  const ns = `kubectl -n ${namespace}`;
  return {
    path,
    envName,
    envValue,
    assignment,
    parsed,
    current,
    expectedType: expected,
    warnings,
    yaml: yamlSnippet(path, envValue, parsed),
    namespace,
    deployments,
    commands: {
      list: `${ns} get deployments`,
      set: deployments.map((d) => `${ns} set env deployment/${d} ${shellQuote(assignment)}`),
      watch: [...deployments.map((d) => `${ns} rollout status deployment/${d}`), `${ns} get pods`],
      verify: deployments.map((d) => `${ns} describe deployment/${d}`),
      undo: deployments.map((d) => `${ns} set env deployment/${d} ${envName}-`),
    },
  };
}

function describe(v: RubyValue): string {
  switch (v.type) {
    case 'boolean':
      return `the boolean ${v.ruby}`;
    case 'integer':
      return `the Integer ${v.ruby}`;
    case 'float':
      return `the Float ${v.ruby}`;
    case 'symbol':
      return `the Symbol ${v.ruby}`;
    default:
      return `the String ${v.ruby}`;
  }
}

function checkType(path: string, raw: string, parsed: RubyValue, expected: SettingChange['expectedType'], current: SettingsValue | undefined): void {
  const was = `${path} is ${expected === 'integer' ? 'an' : 'a'} ${expected} (${show(current)})`;
  if (expected === 'boolean' && parsed.type !== 'boolean') {
    const looksBoolean = /^(true|false|yes|no|on|off|t|f|y|n|1|0)$/i.test(raw.trim());
    throw new SettingsInputError(
      `${was}, but Register reads ${JSON.stringify(raw)} as ${describe(parsed)}${
        parsed.type === 'string' ? ', which counts as enabled wherever Register checks the setting (any value but false or nil is truthy)' : ''
      }. Only exactly true or false become booleans${looksBoolean ? `: write ${/^(false|no|off|f|n|0)$/i.test(raw.trim()) ? 'false' : 'true'}` : ''}.`,
    );
  }
  if (expected === 'integer' && parsed.type !== 'integer') {
    const octal = parsed.type === 'float' && /^\s*[+-]?0\d/.test(raw) ? ' (Ruby reads a leading 0 as octal, and this is not an octal number, so it becomes a Float)' : '';
    throw new SettingsInputError(`${was}, but Register reads ${JSON.stringify(raw)} as ${describe(parsed)}${octal}. Write a whole number without a leading 0, e.g. ${Math.trunc(Number(parsed.value)) || 1}.`);
  }
  if (expected === 'integer' && /^\s*[+-]?0[0-7_]/.test(raw) && !/^\s*[+-]?0+\s*$/.test(raw)) {
    throw new SettingsInputError(`${was}, and Register reads ${JSON.stringify(raw)} as octal: it becomes ${parsed.ruby}, not ${Number(raw.replace(/_/g, ''))}. Write it without the leading 0.`);
  }
  if (expected === 'float' && parsed.type !== 'float' && parsed.type !== 'integer') {
    throw new SettingsInputError(`${was}, but Register reads ${JSON.stringify(raw)} as ${describe(parsed)}. Write a number, e.g. 1.5.`);
  }
  if (expected === 'string' && parsed.type !== 'string') {
    throw new SettingsInputError(`${was}, but Register reads ${JSON.stringify(raw)} as ${describe(parsed)}, not as text. Such a value cannot be set as a string through the environment; change config/settings.yml instead.`);
  }
}

function yamlSnippet(path: string, raw: string, parsed: RubyValue): string {
  const keys = path.split('.');
  const scalar = parsed.type === 'string' ? (/^[A-Za-z0-9_./@-]+$/.test(raw) && !/^(true|false|yes|no|on|off|null|~)$/i.test(raw) ? raw : JSON.stringify(raw)) : parsed.type === 'symbol' ? `:${parsed.value}` : parsed.ruby;
  return keys.map((k, i) => `${'  '.repeat(i)}${k}:${i === keys.length - 1 ? ` ${scalar}` : ''}`).join('\n');
}
