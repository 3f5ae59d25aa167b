import { parseArgs } from 'node:util';
import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { loadConfig, type Config } from '../../config/env.js';
import { databaseAnswers } from '../../sandbox/ensure.js';
import { runningSandbox, stopSandbox } from '../../sandbox/process.js';
import { scenarioRunCommand, scenarioRunParameters } from '../../sandbox/scenario-run.js';
import { startSandbox } from '../../sandbox/start.js';
import { SANDBOX_PARTS } from '../sandbox-parts.js';
import { listScenarios } from '../../sandbox/seed/index.js';

const help = `
support sandbox [--schema 2024-08|2026-08] [--quiet]
support sandbox stop | status
support sandbox scenarios [--json]

Starts this checkout's embedded environment in the foreground: PostgreSQL (PGlite, served on 127.0.0.1, data kept
in .sandbox/) and the DQT sandbox. Each checkout has ports of its own, derived from its folder (status prints them;
SUPPORT_SANDBOX_PORT and SUPPORT_DQT_SANDBOX_PORT choose others). The first start creates, migrates and seeds the
data. Stop it with Ctrl-C.
You rarely need this by hand: \`support run\` and \`npm start\` start it in the background when it is not running,
and say so.

  stop        stop this checkout's sandbox running in the background (or in another terminal)
  status      whether it is running: process, ports, data folder (exit 0 running, 3 not)
  scenarios   every seeded scenario: what is wrong, its runbook, and the exact parameters and command to run it
              (--json: [{"name","description","runbook","notebook","slug","parameters","command"}])
  --schema    which Register the sandbox is: 2024-08 (DQT era, the playbook's) or 2026-08 (TRS era, today's
              production). Default $SUPPORT_SANDBOX_SCHEMA, else 2026-08. Each version keeps its own data.
  --quiet     print only errors

To start again from clean data: \`support sandbox stop\`, then \`support db seed --reset\` (or delete .sandbox/).
`;

function scenarios(json: boolean): void {
  const list = listScenarios().map((s) => ({
    name: s.name,
    description: s.description,
    runbook: s.runbook,
    notebook: `notebooks/${s.runbook}.ipynb`,
    slug: s.slug,
    parameters: scenarioRunParameters(s),
    command: scenarioRunCommand(s),
  }));
  if (json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  const blocks = list.map((s) =>
    [
      `${s.name}`,
      `  ${s.description}`,
      `  runbook:    ${s.notebook}`,
      `  parameters: ${Object.entries(s.parameters).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ') || '(the defaults)'}`,
      `  run:        ${s.command}`,
    ].join('\n'),
  );
  process.stdout.write(`${blocks.join('\n\n')}\n\nIn Jupyter (npm start): open the runbook and set the parameters cell to the values above.\n`);
}

function status(config: Config): number {
  const running = runningSandbox(config);
  const where = `PostgreSQL 127.0.0.1:${config.sandbox.port}, DQT 127.0.0.1:${config.sandbox.dqtPort}, data ${config.sandbox.dataDir} (checkout ${config.checkout.id})`;
  if (running) {
    process.stdout.write(`running: process ${running.pid} since ${running.startedAt}; ${where}\nStop it with: support sandbox stop\n`);
    return EXIT.ok;
  }
  process.stdout.write(`not running: ${where}\n`);
  return EXIT.environment;
}

export const command: Command = {
  name: 'sandbox',
  summary: 'Start, stop or check the embedded sandbox (database + DQT), or list its scenarios and how to run them',
  help,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { quiet: { type: 'boolean' }, json: { type: 'boolean' }, schema: { type: 'string' } }, allowPositionals: true, strict: true });
    const [sub, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (sub === 'scenarios') {
      scenarios(!!values.json);
      return EXIT.ok;
    }
    if (sub !== undefined && sub !== 'stop' && sub !== 'status') throw new UsageError(`unknown sub-command "${sub}" (expected nothing, "stop", "status" or "scenarios")`);
    if (values.schema !== undefined) process.env.SUPPORT_SANDBOX_SCHEMA = values.schema.trim();
    const config = loadConfig();
    if (sub === 'status') return status(config);
    if (sub === 'stop') {
      const pid = await stopSandbox(config);
      process.stdout.write(pid ? `Stopped the sandbox (process ${pid}).\n` : `The sandbox of this checkout is not running (nothing on 127.0.0.1:${config.sandbox.port} recorded in ${config.sandbox.dataDir}).\n`);
      return EXIT.ok;
    }
    const running = runningSandbox(config);
    if (running) {
      process.stdout.write(`The sandbox is already running (process ${running.pid}, 127.0.0.1:${config.sandbox.port}). Stop it with: support sandbox stop\n`);
      return EXIT.ok;
    }
    if (await databaseAnswers(`postgres://postgres@127.0.0.1:${config.sandbox.port}/postgres`, 1_000)) {
      throw new EnvironmentError(`127.0.0.1:${config.sandbox.port} already answers, but not as this checkout's sandbox: another checkout's sandbox or another program has the port. Stop it, or set SUPPORT_SANDBOX_PORT and SUPPORT_DQT_SANDBOX_PORT to free ports.`);
    }
    const started = Date.now();
    const sandbox = await startSandbox(config, SANDBOX_PARTS);
    if (!values.quiet) {
      process.stdout.write(
        [
          `Sandbox ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
          ...sandbox.descriptions.map((d) => `  ${d}`),
          ...sandbox.seedMessages.map((m) => `  ${m}`),
          '',
          'The toolkit uses it whenever DATABASE_URL is unset. For psql or other tools:',
          `  export DATABASE_URL=${sandbox.databaseUrl}`,
          '',
          'Ctrl-C stops it.',
          '',
        ].join('\n'),
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await sandbox.stop();
    if (!values.quiet) process.stdout.write('Sandbox stopped.\n');
    return EXIT.ok;
  },
};
