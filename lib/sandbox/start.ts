import type { Config } from '../config/env.js';
import { connect } from '../db/connect.js';
import { registerVersion } from '../db/versions/description.js';
import { startSandboxDatabase } from './database.js';
import { claimSandbox, markSandboxReady, releaseSandbox } from './process.js';
import type { SandboxParts } from './service.js';

export interface RunningSandbox {
  databaseUrl: string;
  /** One line per running part, for the banner `support sandbox` prints. */
  descriptions: string[];
  /** Messages from the after-seed hooks of a first start. */
  seedMessages: string[];
  stop(): Promise<void>;
}

/**
 * Starts the whole embedded environment in this process: the PGlite database on `config.sandbox.port`, built as
 * Register at `config.sandbox.schema`, then every service of `parts` (the DQT and TRS sandboxes: `SANDBOX_PARTS`). The
 * first start on an empty data dir builds, seeds and runs the after-seed hooks. Holds `<dataDir>/sandbox.json` (pid,
 * ports, ready) while running: a second start in the same checkout is refused, naming the process that has it.
 *
 * @example
 * const sandbox = await startSandbox(loadConfig(), SANDBOX_PARTS);
 * process.on('SIGINT', () => sandbox.stop());
 */
export async function startSandbox(config: Config, parts: SandboxParts): Promise<RunningSandbox> {
  claimSandbox(config);
  let database: Awaited<ReturnType<typeof startSandboxDatabase>>;
  try {
    database = await startSandboxDatabase({ dataDir: config.sandbox.dataDir, port: config.sandbox.port, version: config.sandbox.schema });
  } catch (error) {
    releaseSandbox(config);
    throw error;
  }
  const started: { description: string; stop(): Promise<void> }[] = [];
  const seedMessages: string[] = [];
  try {
    for (const service of parts.services) started.push(await service.start(config));
    if (database.created) {
      const db = connect(database.url, { max: 2 });
      try {
        for (const hook of parts.seedHooks) {
          const message = await hook.run(db, config);
          if (message) seedMessages.push(`${hook.name}: ${message}`);
        }
      } finally {
        await db.destroy();
      }
    }
  } catch (error) {
    for (const s of started.reverse()) await s.stop().catch(() => {});
    await database.stop();
    releaseSandbox(config);
    throw error;
  }
  markSandboxReady(config);
  return {
    databaseUrl: database.url,
    descriptions: [`PostgreSQL (PGlite) at ${database.url}: Register ${config.sandbox.schema} (${registerVersion(config.sandbox.schema).label}); data in ${config.sandbox.dataDir}`, ...started.map((s) => s.description)],
    seedMessages,
    async stop() {
      for (const s of started.reverse()) await s.stop().catch(() => {});
      await database.stop();
      releaseSandbox(config);
    },
  };
}
