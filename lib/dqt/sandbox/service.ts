import type { SandboxService } from '../../sandbox/service.js';
import { startDqtSandbox } from './server.js';
import { dqtSandboxSeed } from './seed.js';

/**
 * The DQT sandbox as a sandbox service: `support sandbox`, `npm start` and the notebook suite start it on
 * `config.sandbox.dqtPort` with `config.dqt.apiKey`. Not started when DQT_API_URL points at a real DQT.
 */
export const dqtSandboxService: SandboxService = {
  name: 'dqt-sandbox',
  async start(config) {
    if (config.dqt.kind !== 'sandbox') {
      return { description: `DQT sandbox not started: DQT_API_URL points at ${config.dqt.url}`, stop: async () => {} };
    }
    const sandbox = await startDqtSandbox({ apiKey: config.dqt.apiKey.reveal(), port: config.sandbox.dqtPort, seed: dqtSandboxSeed() }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        throw new Error(`The DQT sandbox cannot listen on 127.0.0.1:${config.sandbox.dqtPort}: the port is in use (is another sandbox running?). Stop it, or set SUPPORT_DQT_SANDBOX_PORT.`);
      }
      throw error;
    });
    return { description: `DQT sandbox on ${sandbox.url} (${sandbox.store.persons.length} teachers; admin at ${sandbox.url}/_sandbox/)`, stop: () => sandbox.stop() };
  },
};
