import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { loadConfig } from '../../config/env.js';
import { startTrsSandbox } from '../../trs/sandbox/server.js';
import { trsSandboxSeed } from '../../trs/sandbox/seed.js';

/** `support trs-sandbox [--port N]`: the TRS sandbox server on its own, in the foreground. */
export const command: Command = {
  name: 'trs-sandbox',
  summary: 'Run the TRS sandbox server (a local TRS API v3, what Register calls today) in the foreground',
  help: `
support trs-sandbox [--port N]

Runs the TRS sandbox: the TRS API v3 endpoints Register calls today (GET and PUT /v3/persons/<trn>,
PUT /v3/persons/<trn>/routes-to-professional-statuses/<slug>, POST /v3/trn-requests,
GET /v3/trn-requests?requestId=), as TRS serves them at X-Api-Version 20250627, with TRS's rules and error codes
(10001, 10029, 10031, 10041-10062). Seeded with the DQT sandbox's teachers as TRS holds them. State is in memory.

Options:
  --port N   port to listen on (default SUPPORT_TRS_SANDBOX_PORT, else the DQT sandbox port + 1: 55434)

API calls need "X-Api-Version: 20250627" (without it TRS serves none of these: 404) and
"Authorization: Bearer <key>" with the key in TRS_API_KEY (default: the sandbox key; else 401).
Admin endpoints for tests and training (no key): POST /_sandbox/persons, GET /_sandbox/persons/<trn>,
POST /_sandbox/trn-requests/<id>/release, POST /_sandbox/trn-requests/<id>/reject, GET /_sandbox/trn-requests/<id>,
POST /_sandbox/organisations, POST /_sandbox/reference, POST|DELETE /_sandbox/faults, POST /_sandbox/reset.
Stop with Ctrl-C.
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
    const wanted = port ?? config.sandbox.trsPort;
    const sandbox = await startTrsSandbox({ apiKey: config.trs.apiKey.reveal(), port: wanted, seed: trsSandboxSeed() }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new EnvironmentError(`port ${wanted} is in use (is \`support sandbox\` already running? it serves the TRS sandbox too). Choose another with --port.`);
      throw error;
    });
    process.stdout.write(`TRS sandbox listening on ${sandbox.url} (${sandbox.store.persons.length} persons, X-Api-Version 20250627). Admin endpoints under ${sandbox.url}/_sandbox/. Ctrl-C stops it.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sandbox.stop();
    return EXIT.ok;
  },
};
