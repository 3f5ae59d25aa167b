import type { Scenario } from './seed/scenario.js';

/**
 * Everything a scenario's runbook needs, as `support run -p` values: the slug (when the scenario has a trainee) and
 * the scenario's parameters, lists joined with commas.
 *
 * @example
 * scenarioRunParameters(scenario('route-change')) // { slug: 'P897V…', route: 'school_direct_salaried' }
 */
export function scenarioRunParameters(scenario: Scenario): Record<string, string> {
  const values: Record<string, string> = {};
  if (scenario.slug !== null) values.slug = scenario.slug;
  for (const [name, value] of Object.entries(scenario.parameters ?? {})) values[name] = Array.isArray(value) ? value.join(',') : String(value);
  return values;
}

/** `-p name=value` arguments for `support run` (unquoted: for spawning). */
export function scenarioRunArgs(scenario: Scenario): string[] {
  return Object.entries(scenarioRunParameters(scenario)).flatMap(([name, value]) => ['-p', `${name}=${value}`]);
}

const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The exact command that runs a scenario's runbook headless, ready to paste into a shell.
 *
 * @example
 * scenarioRunCommand(scenario('route-change')) // 'support run data-fixes/change-training-route -p slug=P897V… -p route=school_direct_salaried'
 */
export function scenarioRunCommand(scenario: Scenario): string {
  return ['support', 'run', scenario.runbook, ...scenarioRunArgs(scenario)].map(shellWord).join(' ');
}
