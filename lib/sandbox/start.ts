import type { Config } from '../config/env.js';
import { connect } from '../db/connect.js';
import { startSandboxDatabase } from './database.js';
import { claimSandbox, markSandboxReady, releaseSandbox } from './process.js';
import { sandboxServices, seedHooks } from './services.js';

export interface RunningSandbox {
  databaseUrl: string;
  /** One line per running part, for the banner `support sandbox` prints. */
  descriptions: string[];
  /** Messages from the after-seed hooks of a first start. */
  seedMessages: string[];
  stop(): Promise<void>;
}

/**
 * Starts the whole embedded environment in this process: the PGlite database on `config.sandbox.port`, then every
 * registered sandbox service (the DQT sandbox). The first start on an empty data dir migrates, seeds and runs the
 * after-seed hooks. Holds `<dataDir>/sandbox.json` (pid, ports, ready) while running: a second start in the same
 * checkout is refused, naming the process that has it.
 *
 * @example
 * const sandbox = await startSandbox(loadConfig());
 * process.on('SIGINT', () => sandbox.stop());
 */
export async function startSandbox(config: Config): Promise<RunningSandbox> {
  claimSandbox(config);
  let database: Awaited<ReturnType<typeof startSandboxDatabase>>;
  try {
    database = await startSandboxDatabase({ dataDir: config.sandbox.dataDir, port: config.sandbox.port });
  } catch (error) {
    releaseSandbox(config);
    throw error;
  }
  const started: { description: string; stop(): Promise<void> }[] = [];
  const seedMessages: string[] = [];
  try {
    for (const service of sandboxServices) started.push(await service.start(config));
    if (database.created) {
      const db = connect(database.url, { max: 2 });
      try {
        for (const hook of seedHooks) {
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
    descriptions: [`PostgreSQL (PGlite) at ${database.url} (data in ${config.sandbox.dataDir})`, ...started.map((s) => s.description)],
    seedMessages,
    async stop() {
      for (const s of started.reverse()) await s.stop().catch(() => {});
      await database.stop();
      releaseSandbox(config);
    },
  };
}
