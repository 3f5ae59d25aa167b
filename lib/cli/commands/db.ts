import { parseArgs } from 'node:util';
import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { describeUrl, loadConfig } from '../../config/env.js';
import { connect, ping } from '../../db/connect.js';
import { migrate } from '../../db/migrate.js';
import { registerVersion } from '../../db/versions/description.js';
import { backgroundSandboxNotice, ensureSandbox } from '../../sandbox/ensure.js';
import { seed } from '../../sandbox/seed/index.js';
import { SANDBOX_PARTS } from '../sandbox-parts.js';

const help = `
support db migrate [--schema 2024-08|2026-08]
support db seed [--reset]

  migrate   build Register's database as it is at one version (all 72 tables, from the toolkit's description of
            Register's db/schema.rb) in an empty $DATABASE_URL, or the sandbox. Safe to run again. Refuses a
            database that already holds tables the toolkit did not build (Register itself).
  --schema  the Register version to build: 2024-08 (DQT era) or 2026-08 (TRS era, today's production).
  seed      write the sandbox data: providers, schools, lead partners, users, trainees in every state and route,
            and one named scenario per playbook section (see \`support sandbox scenarios\`). Idempotent: seeded
            rows have fixed ids and are put back to their seeded values. Refuses a database whose trainees are
            real data. Then runs the after-seed hooks (each DQT scenario's job once, so the dead set is real),
            starting the DQT sandbox for them when it is not running.
  --reset   empty Register's tables first (only for the sandbox, or with SUPPORT_ALLOW_WRITES=true)
`;

export const command: Command = {
  name: 'db',
  summary: 'Migrate or seed a database (the sandbox or $DATABASE_URL)',
  help,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { reset: { type: 'boolean' }, schema: { type: 'string' } }, allowPositionals: true, strict: true });
    const [sub, ...extra] = positionals;
    if (!sub || !['migrate', 'seed'].includes(sub)) throw new UsageError(`expected "migrate" or "seed"${sub ? `, not "${sub}"` : ''}`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const config = loadConfig();
    if (values.schema !== undefined && sub !== 'migrate') throw new UsageError('--schema goes with migrate: seed writes the scenarios in whatever version the database is');
    if (values.schema !== undefined) {
      try {
        registerVersion(values.schema);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    if (values.reset && !config.writesAllowed) throw new UsageError('--reset empties every Register table: it needs the sandbox or SUPPORT_ALLOW_WRITES=true');
    const ensured = await ensureSandbox(config);
    if (ensured.started) process.stderr.write(`${backgroundSandboxNotice(ensured)}\n`);
    const db = connect(config.database.url);
    try {
      try {
        await ping(db);
      } catch (error) {
        throw new EnvironmentError(`cannot reach the database at ${describeUrl(config.database.url)}: ${(error as Error).message}`);
      }
      const where = config.database.kind === 'sandbox' ? 'the sandbox' : describeUrl(config.database.url);
      const migrated = await migrate(db, { version: values.schema });
      if (sub === 'migrate') {
        const v = registerVersion(migrated.version);
        process.stdout.write(migrated.built ? `Built Register ${v.version} (${v.label}, migration ${v.migration}) in ${where}.\n` : `${where}: already holds Register ${v.version} (nothing to do).\n`);
        return EXIT.ok;
      }
      const result = await seed(db, { reset: values.reset });
      const total = Object.values(result.rows).reduce((a, b) => a + (b ?? 0), 0);
      process.stdout.write(`Seeded ${where}: ${total} rows in ${Object.keys(result.rows).length} tables, ${result.scenarios} scenarios.\n`);
      // The hooks need the sandbox services (the DQT sandbox): start any that is not already running, for the hooks only.
      const started: { stop(): Promise<void> }[] = [];
      for (const service of SANDBOX_PARTS.services) {
        try {
          started.push(await service.start(config));
        } catch (error) {
          if (!/port is in use/.test((error as Error).message)) throw error;
        }
      }
      try {
        for (const hook of SANDBOX_PARTS.seedHooks) {
          const message = await hook.run(db, config);
          if (message) process.stdout.write(`${hook.name}: ${message}\n`);
        }
      } finally {
        for (const s of started.reverse()) await s.stop().catch(() => {});
      }
      return EXIT.ok;
    } finally {
      await db.destroy();
    }
  },
};
