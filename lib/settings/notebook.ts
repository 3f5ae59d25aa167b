import { callout, showHtml, showMarkdown, showTable } from '../notebook/display.js';
import { escapeHtml } from '../tables/format.js';
import type { SettingChange } from './change.js';
import { kubectlOnPath, runKubectl, verifySettingInDescribe, type SettingVerification } from './kubectl.js';
import type { MaintenanceModePlan } from './maintenance.js';

/**
 * Notebook display for the ops runbooks: a settings change (variable, how Register reads it, commands), a
 * verification, and maintenance mode.
 *
 * @example
 * showSettingChange(planSettingChange({ path: 'features.sign_in_method', value: 'otp' }));
 */
export function showSettingChange(change: SettingChange): void {
  const kubectl = kubectlOnPath();
  const target = `namespace ${change.namespace}, deployment${change.deployments.length === 1 ? '' : 's'} ${change.deployments.join(', ')}`;
  callout(
    change.namespace.includes('production') || change.deployments.some((d) => d.includes('production')) ? 'warn' : 'info',
    `These commands change ${change.namespace.includes('production') ? 'PRODUCTION: ' : ''}${target}. kubectl ${kubectl ? `is on PATH here (${kubectl}); it runs only with runKubectl = true` : 'is not on PATH here: nothing can be run from this notebook'}.`,
    'Where this goes',
  );
  showTable(
    [
      { what: 'settings path', value: change.path },
      { what: 'environment variable', value: change.assignment },
      { what: 'Register reads it as', value: `${change.parsed.ruby} (${change.parsed.type})` },
      { what: 'settings.yml value (before environment overrides)', value: change.current === undefined ? '(no such key)' : JSON.stringify(change.current) },
      { what: 'namespace / deployments', value: `${change.namespace} / ${change.deployments.join(', ')}` },
    ],
    { caption: 'The change' },
  );
  for (const w of change.warnings) callout('warn', w);
  showCommands('1. Check the deployment names', [change.commands.list]);
  showCommands('2. Set the variable (the pods restart by themselves)', change.commands.set);
  showCommands('3. Watch the restart: old pods Terminating, new ones Running', change.commands.watch);
  showCommands('4. Verify: paste the output into the verify cell', change.commands.verify);
  showCommands('To undo: remove the variable (back to the settings.yml value; the pods restart again)', change.commands.undo);
  showMarkdown(`The same change through a pull request (config/settings.yml or config/settings/production.yml):\n\n\`\`\`yaml\n${change.yaml}\n\`\`\``);
}

/** A titled block of shell commands to copy. */
export function showCommands(title: string, commands: string[]): void {
  const html = `<div style="font:13px system-ui,sans-serif;margin:8px 0 2px"><strong>${escapeHtml(title)}</strong></div><pre style="background:#f6f6f6;padding:6px 10px;margin:2px 0">${escapeHtml(commands.join('\n'))}</pre>`;
  showHtml(html, `${title}\n${commands.map((c) => `  $ ${c}`).join('\n')}`);
}

export function showSettingVerification(v: SettingVerification): void {
  showTable(
    v.found.map((f) => ({ deployment: f.deployment, container: f.container, value: f.value, 'Register reads': f.parsed?.ruby ?? null, ok: f.matches ? 'yes' : 'NO' })),
    { caption: `${v.envName} in the described deployments`, rowClass: (row) => (row.ok === 'yes' ? 'good' : 'bad') },
  );
  callout(v.ok ? 'ok' : 'error', v.message, v.ok ? 'Verified' : 'Not verified');
}

export function showMaintenanceMode(m: MaintenanceModePlan): void {
  showMarkdown(`**What the "Set maintenance mode" workflow does (${m.mode}, ${m.environment}):**\n\n${m.steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}`);
  showCommands(`Run it (${m.mode} maintenance mode on ${m.environment})`, [m.command]);
  showCommands('Follow the run', m.follow);
  for (const n of m.notes) callout(m.mode === 'enable' ? 'warn' : 'info', n);
}

/**
 * The "apply" cell of the settings runbooks. With `runKubectl` false (the default) it runs nothing and says so;
 * with it true, and kubectl on PATH, it runs the printed set, watch and describe commands in order, stops at the
 * first failure, and verifies the variable from the describe output.
 *
 * @example
 * await runSettingChange(change, { runKubectl });
 */
export async function runSettingChange(change: SettingChange, options: { runKubectl: boolean }): Promise<SettingVerification | null> {
  if (!options.runKubectl) {
    callout('info', 'Nothing was run (runKubectl = false). Run the commands above where kubectl is set up, then paste the output of the describe command into describeOutput and run the verify cell.', 'Commands printed only');
    return null;
  }
  if (!kubectlOnPath()) {
    callout('warn', 'runKubectl = true, but kubectl is not on PATH here: nothing was run. Run the commands above yourself.', 'kubectl not found');
    return null;
  }
  let describeOutput = '';
  for (const command of [...change.commands.set, ...change.commands.watch.filter((c) => c.includes('rollout status')), ...change.commands.verify]) {
    const result = await runKubectl(command);
    showCommands(`$ ${command} (exit ${result.exitCode})`, [[result.stdout, result.stderr].filter(Boolean).join('\n').trim() || '(no output)']);
    if (result.exitCode !== 0) {
      callout('error', `${command} failed (exit ${result.exitCode}); the commands after it were not run.`, 'Stopped');
      return null;
    }
    if (command.includes(' describe ')) describeOutput += `${result.stdout}\n\n`;
  }
  const verification = verifySettingInDescribe(describeOutput, change.envName, change.envValue);
  showSettingVerification(verification);
  return verification;
}

/**
 * The verify cell: reads pasted `kubectl describe deployment` output. Empty output: says what to paste.
 *
 * @example
 * verifyPastedDescribe(change, describeOutput);
 */
export function verifyPastedDescribe(change: Pick<SettingChange, 'envName' | 'envValue' | 'commands'>, describeOutput: string): SettingVerification | null {
  if (!describeOutput || !describeOutput.trim()) {
    callout('info', `To verify, paste the output of\n  ${change.commands.verify.join('\n  ')}\ninto describeOutput and run this cell again.`, 'Nothing to verify yet');
    return null;
  }
  const verification = verifySettingInDescribe(describeOutput, change.envName, change.envValue);
  showSettingVerification(verification);
  return verification;
}
