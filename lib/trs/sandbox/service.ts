import type { SandboxService } from '../../sandbox/service.js';
import { startTrsSandbox } from './server.js';
import { trsSandboxSeed } from './seed.js';

/**
 * The TRS sandbox as a sandbox service: `support sandbox`, `npm start` and the notebook suite start it beside the
 * DQT sandbox, on `config.sandbox.trsPort` with `config.trs.apiKey`. Not started when TRS_API_URL points at a real TRS.
 */
export const trsSandboxService: SandboxService = {
  name: 'trs-sandbox',
  async start(config) {
    if (config.trs.kind !== 'sandbox') {
      return { description: `TRS sandbox not started: TRS_API_URL points at ${config.trs.url}`, stop: async () => {} };
    }
    const sandbox = await startTrsSandbox({ apiKey: config.trs.apiKey.reveal(), port: config.sandbox.trsPort, seed: trsSandboxSeed() }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        throw new Error(`The TRS sandbox cannot listen on 127.0.0.1:${config.sandbox.trsPort}: the port is in use (is another sandbox running?). Stop it, or set SUPPORT_TRS_SANDBOX_PORT.`);
      }
      throw error;
    });
    return { description: `TRS sandbox on ${sandbox.url} (${sandbox.store.persons.length} persons, X-Api-Version 20250627; admin at ${sandbox.url}/_sandbox/)`, stop: () => sandbox.stop() };
  },
};
