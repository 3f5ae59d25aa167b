import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command } from '../command.js';
import { loadConfig } from '../../config/env.js';
import { databaseAnswers } from '../../sandbox/ensure.js';
import { startSandbox } from '../../sandbox/start.js';
import { SANDBOX_PARTS } from '../sandbox-parts.js';
import { listScenarios } from '../../sandbox/seed/index.js';
import { textTable } from '../../tables/text.js';

const help = `
support sandbox [--schema 2024-08|2026-08] [--quiet]
support sandbox scenarios [--json]

Starts the embedded environment in the foreground: PostgreSQL (PGlite, served on 127.0.0.1:$SUPPORT_SANDBOX_PORT,
default 55432, data kept in .sandbox/) and the DQT sandbox (127.0.0.1:$SUPPORT_DQT_SANDBOX_PORT, default 55433).
The first start creates, migrates and seeds the data. Stop it with Ctrl-C.
You rarely need this by hand: \`support run\` and \`npm start\` start it in the background when it is not running.

  scenarios        list the seeded scenarios: name, trainee slug, runbook (--json: [{"name","slug","runbook"}])
  --schema         which Register the sandbox is: 2024-08 (DQT era, the playbook's) or 2026-08 (TRS era, today's
                   production). Default $SUPPORT_SANDBOX_SCHEMA, else 2024-08. Each version keeps its own data.
  --quiet          print only errors

To start again from clean data: stop it, then \`support db seed --reset\` (or delete .sandbox/).
`;

export const command: Command = {
  name: 'sandbox',
  summary: 'Start the embedded sandbox (database + DQT), or list its scenarios',
  help,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { quiet: { type: 'boolean' }, json: { type: 'boolean' }, schema: { type: 'string' } }, allowPositionals: true, strict: true });
    const [sub, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (sub === 'scenarios') {
      const scenarios = listScenarios();
      if (values.json) process.stdout.write(`${JSON.stringify(scenarios.map(({ name, slug, runbook }) => ({ name, slug, runbook })), null, 2)}\n`);
      else process.stdout.write(`${textTable(scenarios.map(({ name, slug, runbook, description }) => ({ name, slug, runbook, description })), { maxWidth: 70 })}\n`);
      return EXIT.ok;
    }
    if (sub !== undefined) throw new UsageError(`unknown sub-command "${sub}" (expected nothing or "scenarios")`);
    if (values.schema !== undefined) process.env.SUPPORT_SANDBOX_SCHEMA = values.schema.trim();
    const config = loadConfig();
    if (await databaseAnswers(config.sandbox.port ? `postgres://postgres@127.0.0.1:${config.sandbox.port}/postgres` : config.database.url, 1_000)) {
      process.stdout.write(`The sandbox is already running on 127.0.0.1:${config.sandbox.port}.\n`);
      return EXIT.ok;
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
