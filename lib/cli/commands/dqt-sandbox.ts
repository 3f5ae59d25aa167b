import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { loadConfig } from '../../config/env.js';
import { startDqtSandbox } from '../../dqt/sandbox/server.js';
import { dqtSandboxSeed } from '../../dqt/sandbox/seed.js';

/** `support dqt-sandbox [--port N]`: the DQT sandbox server on its own, in the foreground. */
export const command: Command = {
  name: 'dqt-sandbox',
  summary: 'Run the DQT sandbox server (a local DQT API) in the foreground',
  help: `
support dqt-sandbox [--port N]

Runs the DQT sandbox: the DQT v2 endpoints Register used, with DQT's business rules, seeded with a DQT record for
every sandbox trainee that has a TRN and the records behind each DQT error scenario. State is in memory.

Options:
  --port N   port to listen on (default SUPPORT_DQT_SANDBOX_PORT, or 55433)

API calls need "Authorization: Bearer <key>" with the key in DQT_API_KEY (default: the sandbox key).
Admin endpoints for tests and training (no key): POST /_sandbox/teachers, GET /_sandbox/teachers/<trn>,
POST /_sandbox/trn-requests/<id>/release, POST /_sandbox/organisations, POST|DELETE /_sandbox/faults,
POST /_sandbox/reset. Stop with Ctrl-C.
`,
  async run(argv) {
    let port: number | undefined;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg === '--port' || arg.startsWith('--port=')) {
        const value = arg.includes('=') ? arg.slice(7) : argv[++i];
        port = Number(value);
        if (!value || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects a port number from 0 to 65535, got "${value ?? ''}".`);
      } else {
        throw new UsageError(`unknown option "${arg}".`);
      }
    }
    const config = loadConfig();
    const wanted = port ?? config.sandbox.dqtPort;
    const sandbox = await startDqtSandbox({ apiKey: config.dqt.apiKey.reveal(), port: wanted, seed: dqtSandboxSeed() }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new EnvironmentError(`port ${wanted} is in use (is \`support sandbox\` already running? it serves the DQT sandbox too). Choose another with --port.`);
      throw error;
    });
    process.stdout.write(`DQT sandbox listening on ${sandbox.url} (${sandbox.store.persons.length} teachers). Admin endpoints under ${sandbox.url}/_sandbox/. Ctrl-C stops it.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sandbox.stop();
    return EXIT.ok;
  },
};
