import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { redactSecrets } from '../notebook/redact.js';
import { parseSettingsValue, type RubyValue } from './ruby-value.js';
import { SettingsInputError } from './env-name.js';

/**
 * Reads the output of `kubectl describe deployment …` (one or several deployments) to see which environment
 * variables each container sets, and checks that a `SETTINGS__…` variable holds the expected value.
 *
 * @example
 * const check = verifySettingInDescribe(output, 'SETTINGS__FEATURES__SIGN_IN_METHOD', 'otp');
 * check.ok       // true when every container of every deployment sets it to "otp"
 * check.message  // what was found, per deployment
 */
export interface DescribedContainer {
  name: string;
  /** `Environment:` entries: name → value as kubectl prints it (`<set to the key … in secret …>` for secrets). */
  env: Record<string, string>;
  /** `Environment Variables from:` sources (ConfigMaps and Secrets), as printed. */
  envFrom: string[];
}

export interface DescribedDeployment {
  name: string;
  namespace: string | null;
  containers: DescribedContainer[];
  initContainers: DescribedContainer[];
  /** The `Replicas:` line, e.g. "2 desired | 2 updated | 2 total | 2 available | 0 unavailable". */
  replicas: string | null;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/** Parses `kubectl describe deployment` output. Throws `SettingsInputError` when it is not such output. */
export function parseKubectlDescribe(output: string): DescribedDeployment[] {
  const lines = output.replace(/\r\n?/g, '\n').split('\n');
  const deployments: DescribedDeployment[] = [];
  let current: DescribedDeployment | null = null;
  let section: 'containers' | 'initContainers' | null = null;
  let sectionIndent = 0;
  let container: DescribedContainer | null = null;
  let containerIndent = 0;
  let block: 'env' | 'envFrom' | null = null;
  let blockIndent = 0;
  let lastEnv: string | null = null;

  for (const line of lines) {
    if (line.trim() === '') continue;
    const indent = indentOf(line);
    const text = line.trim();
    if (indent === 0) {
      section = null;
      container = null;
      block = null;
      const m = /^Name:\s+(\S+)/.exec(text);
      if (m) {
        current = { name: m[1]!, namespace: null, containers: [], initContainers: [], replicas: null };
        deployments.push(current);
        continue;
      }
      if (current) {
        const ns = /^Namespace:\s+(\S+)/.exec(text);
        if (ns) current.namespace = ns[1]!;
        const rep = /^Replicas:\s+(.+)$/.exec(text);
        if (rep) current.replicas = rep[1]!.trim();
      }
      continue;
    }
    if (!current) continue;
    if (text === 'Containers:' || text === 'Init Containers:') {
      section = text === 'Containers:' ? 'containers' : 'initContainers';
      sectionIndent = indent;
      container = null;
      block = null;
      continue;
    }
    if (section && indent <= sectionIndent) {
      section = null;
      container = null;
      block = null;
    }
    if (!section) continue;
    if (text === '<none>' && !container) continue;
    if (!container || indent <= containerIndent) {
      const m = /^([^\s:]+):$/.exec(text);
      if (m) {
        container = { name: m[1]!, env: {}, envFrom: [] };
        containerIndent = indent;
        block = null;
        current[section].push(container);
      }
      continue;
    }
    if (block && indent <= blockIndent) block = null;
    if (!block) {
      const env = /^Environment:\s*(.*)$/.exec(text);
      if (env) {
        block = env[1] === '<none>' ? null : 'env';
        blockIndent = indent;
        lastEnv = null;
        continue;
      }
      if (/^Environment Variables from:\s*(.*)$/.test(text)) {
        block = 'envFrom';
        blockIndent = indent;
        continue;
      }
      continue;
    }
    if (block === 'env') {
      // "NAME:  value" (value may be empty); a deeper line continues a multi-line value.
      const m = /^([A-Za-z_][A-Za-z0-9_.-]*):(?:\s+(.*))?$/.exec(text);
      if (m && indent <= blockIndent + 2) {
        container.env[m[1]!] = (m[2] ?? '').replace(/\s+$/, '');
        lastEnv = m[1]!;
      } else if (lastEnv) {
        container.env[lastEnv] = `${container.env[lastEnv]}\n${text}`;
      }
    } else if (block === 'envFrom') {
      container.envFrom.push(text.replace(/\s{2,}/g, ' '));
    }
  }
  if (deployments.length === 0) {
    throw new SettingsInputError('This is not the output of `kubectl describe deployment …`: no "Name:" line found. Paste the whole output of the verify command.');
  }
  return deployments;
}

export interface SettingVerification {
  ok: boolean;
  envName: string;
  expected: string;
  /** One line per deployment and container: what it holds. */
  found: { deployment: string; container: string; value: string | null; parsed: RubyValue | null; matches: boolean }[];
  message: string;
}

/**
 * Checks the variable in every (non-init) container of every described deployment. A value set from a ConfigMap
 * or Secret (`envFrom`) cannot be seen in this output: the message says so.
 */
export function verifySettingInDescribe(output: string, envName: string, expected: string | number | boolean): SettingVerification {
  const deployments = parseKubectlDescribe(output);
  const want = String(expected);
  const found: SettingVerification['found'] = [];
  for (const d of deployments) {
    for (const c of d.containers) {
      const value = Object.prototype.hasOwnProperty.call(c.env, envName) ? c.env[envName]! : null;
      found.push({ deployment: d.name, container: c.name, value, parsed: value === null ? null : parseSettingsValue(value), matches: value === want });
    }
  }
  const ok = found.length > 0 && found.every((f) => f.matches);
  const lines = found.map((f) => `${f.deployment}/${f.container}: ${f.value === null ? 'not set' : `${JSON.stringify(f.value)}${f.matches ? '' : ` (expected ${JSON.stringify(want)})`}`}`);
  const envFrom = deployments.flatMap((d) => d.containers.flatMap((c) => c.envFrom));
  const note = !ok && envFrom.length ? `\nIt may also come from ${envFrom.join('; ')}, which describe does not show.` : '';
  const message = found.length === 0 ? 'The described deployments have no containers.' : `${ok ? `${envName}=${want} is set` : `${envName}=${want} is NOT set everywhere`}:\n${lines.join('\n')}${note}`;
  return { ok, envName, expected: want, found, message };
}

/** The path of `kubectl` when it is on PATH, else null. */
export function kubectlOnPath(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

/**
 * Runs one kubectl command, only when the operator asked for it (`runKubectl = true` in a runbook) and kubectl is on
 * PATH. `command` is one of the commands the toolkit printed (it must start with `kubectl `). Output is returned
 * with secrets masked.
 */
export async function runKubectl(command: string, options: { timeoutMs?: number } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const kubectl = kubectlOnPath();
  if (!kubectl) throw new SettingsInputError('kubectl is not on PATH: run the printed commands yourself where kubectl is set up (az login, and the bat-production context).');
  const args = splitCommand(command);
  if (args[0] !== 'kubectl') throw new SettingsInputError(`Only kubectl commands are run here, got: ${command}`);
  return new Promise((resolve) => {
    execFile(kubectl, args.slice(1), { timeout: options.timeoutMs ?? 300_000, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? Number((error as { code: number }).code) : 1) : 0;
      resolve({ exitCode: code, stdout: redactSecrets(String(stdout)), stderr: redactSecrets(String(stderr || (error && !stdout ? error.message : ''))) });
    });
  });
}

/** Splits a printed command into arguments (plain words and single-quoted words, as `shellQuote` writes them). */
export function splitCommand(command: string): string[] {
  const args: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  let lastEnd = -1;
  while ((m = re.exec(command))) {
    const part = m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!;
    if (m.index === lastEnd && args.length) args[args.length - 1] += part;
    else args.push(part);
    lastEnd = m.index + m[0].length;
  }
  return args;
}
