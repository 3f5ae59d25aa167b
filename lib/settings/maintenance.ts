import { SettingsInputError } from './env-name.js';

/**
 * The playbook's "Maintenance mode": Register's GitHub workflow "Set maintenance mode"
 * (`.github/workflows/maintenance.yml`, inputs `environment` = qa | staging | production and `mode` = enable | disable),
 * which runs DfE's shared `DFE-Digital/github-actions/maintenance` action in the GitHub environment of the same name.
 * The toolkit prints the `gh` command; it never runs it.
 *
 * @example
 * const m = maintenanceMode({ environment: 'production', mode: 'enable' });
 * m.command  // gh workflow run "Set maintenance mode" --repo DFE-Digital/register-trainee-teachers -f environment=production -f mode=enable
 */
export const MAINTENANCE_ENVIRONMENTS = ['production', 'staging', 'qa'] as const;
export type MaintenanceEnvironment = (typeof MAINTENANCE_ENVIRONMENTS)[number];
export const MAINTENANCE_MODES = ['enable', 'disable'] as const;
export type MaintenanceModeName = (typeof MAINTENANCE_MODES)[number];

export const MAINTENANCE_WORKFLOW = 'Set maintenance mode';
export const REGISTER_REPOSITORY = 'DFE-Digital/register-trainee-teachers';

export interface MaintenanceModePlan {
  environment: MaintenanceEnvironment;
  mode: MaintenanceModeName;
  /** What the workflow does, step by step, for this environment and mode. */
  steps: string[];
  /** The command that starts the workflow. */
  command: string;
  /** Commands to follow the run. */
  follow: string[];
  /** Things to do around it. */
  notes: string[];
}

export function maintenanceMode(input: { environment: string; mode: string }): MaintenanceModePlan {
  const environment = String(input.environment ?? '').trim();
  const mode = String(input.mode ?? '').trim();
  if (!(MAINTENANCE_ENVIRONMENTS as readonly string[]).includes(environment)) {
    throw new SettingsInputError(`Unknown environment "${environment}": the "${MAINTENANCE_WORKFLOW}" workflow runs on ${MAINTENANCE_ENVIRONMENTS.join(', ')}.`);
  }
  if (!(MAINTENANCE_MODES as readonly string[]).includes(mode)) {
    throw new SettingsInputError(`Unknown mode "${mode}": expected enable or disable.`);
  }
  const env = environment as MaintenanceEnvironment;
  const m = mode as MaintenanceModeName;
  const common = [
    `GitHub Actions runs the job "Set maintenance mode" in the GitHub environment "${env}", with that environment's Azure credentials (if the environment has protection rules, a reviewer approves the run first).`,
    'It logs in to Azure with OIDC and sets up kubelogin for the AKS cluster.',
  ];
  const steps =
    m === 'enable'
      ? [
          ...common,
          'It builds the maintenance page image, a simple static page (the playbook points at maintenance/html; the action builds maintenance_page/Dockerfile), and pushes it to ghcr.io/dfe-digital/register-maintenance.',
          `It runs \`make ${env} maintenance-fail-over\`: the maintenance app is deployed and Register's public ingress for ${env} is switched to it, so every visitor sees the maintenance page; the real app keeps running behind temporary URLs, listed in the run's summary.`,
          'The run summary says "MAINTENANCE PAGE enabled!", the environment, the time (Europe/London) and the temporary URLs.',
        ]
      : [
          ...common,
          `It runs \`make ${env} disable-maintenance\`: Register's public ingress for ${env} points at the real app again and the maintenance app and temporary ingress are removed.`,
          'The run summary says "MAINTENANCE PAGE disabled!", the environment and the time.',
        ];
  const command = `gh workflow run "${MAINTENANCE_WORKFLOW}" --repo ${REGISTER_REPOSITORY} -f environment=${env} -f mode=${m}`;
  const follow = [
    `gh run list --repo ${REGISTER_REPOSITORY} --workflow "${MAINTENANCE_WORKFLOW}" --limit 3`,
    `gh run watch --repo ${REGISTER_REPOSITORY} <run id from the list>`,
  ];
  const notes =
    m === 'enable'
      ? [
          'Tell the team and the support agents before you start: users lose access until maintenance mode is disabled.',
          'The page only changes where web traffic goes: the app and its background workers keep running behind it. Stop jobs separately if they must stop too.',
          'Use the temporary URLs from the run summary to check the real app while the page is up.',
          `When done, run the same workflow with mode=disable (gh workflow run "${MAINTENANCE_WORKFLOW}" --repo ${REGISTER_REPOSITORY} -f environment=${env} -f mode=disable).`,
        ]
      : ['Check the service answers normally (the home page, a sign-in) after the run finishes.'];
  return { environment: env, mode: m, steps, command, follow, notes };
}
