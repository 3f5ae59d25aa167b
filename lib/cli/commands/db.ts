import { parseArgs } from 'node:util';
import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { describeUrl, loadConfig } from '../../config/env.js';
import { connect, ping } from '../../db/connect.js';
import { migrate } from '../../db/migrate.js';
import { backgroundSandboxNotice, ensureSandbox } from '../../sandbox/ensure.js';
import { seed } from '../../sandbox/seed/index.js';
import { sandboxServices, seedHooks } from '../../sandbox/services.js';

const help = `
support db migrate
support db seed [--reset]

  migrate   create Register's tables (the ones the playbook touches) in $DATABASE_URL, or the sandbox.
            Safe to run again. Refuses a database that already holds Register's own tables.
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
    const { values, positionals } = parseArgs({ args: argv, options: { reset: { type: 'boolean' } }, allowPositionals: true, strict: true });
    const [sub, ...extra] = positionals;
    if (!sub || !['migrate', 'seed'].includes(sub)) throw new UsageError(`expected "migrate" or "seed"${sub ? `, not "${sub}"` : ''}`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const config = loadConfig();
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
      const migrated = await migrate(db);
      if (sub === 'migrate') {
        process.stdout.write(migrated.applied.length ? `Migrated ${where}: applied ${migrated.applied.join(', ')}.\n` : `${where}: already up to date (nothing to do).\n`);
        return EXIT.ok;
      }
      const result = await seed(db, { reset: values.reset });
      const total = Object.values(result.rows).reduce((a, b) => a + (b ?? 0), 0);
      process.stdout.write(`Seeded ${where}: ${total} rows in ${Object.keys(result.rows).length} tables, ${result.scenarios} scenarios.\n`);
      // The hooks need the sandbox services (the DQT sandbox): start any that is not already running, for the hooks only.
      const started: { stop(): Promise<void> }[] = [];
      for (const service of sandboxServices) {
        try {
          started.push(await service.start(config));
        } catch (error) {
          if (!/port is in use/.test((error as Error).message)) throw error;
        }
      }
      try {
        for (const hook of seedHooks) {
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
