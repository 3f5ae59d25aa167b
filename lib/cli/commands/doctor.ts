import { parseArgs } from 'node:util';
import { EXIT, type Command } from '../command.js';
import { loadConfig } from '../../config/env.js';
import { runChecks } from '../../doctor/checks.js';
import { runningSandbox, stopSandbox } from '../../sandbox/process.js';

const help = `
support doctor [--json]

Checks everything the runbooks need and says what to fix: the configuration, the database (starting the embedded
sandbox if that is what is configured), Redis, the DQT API (reachable, key accepted), Jupyter, and the project's
Jupyter kernel. One line per check. Exit 0 only when every check passes, 3 otherwise.
When it has to start the sandbox for the checks, it stops it again before it ends: nothing is left running.
`;

export const command: Command = {
  name: 'doctor',
  summary: 'Check the database, Redis, DQT, Jupyter and the kernel; say what to fix',
  help,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true });
    let config;
    try {
      config = loadConfig();
    } catch {
      config = undefined; // runChecks reports the configuration problem
    }
    const sandboxWasRunning = config ? runningSandbox(config) !== null : true;
    let results;
    let stoppedPid: number | null = null;
    try {
      results = await runChecks();
    } finally {
      // Leave nothing running: the sandbox these checks started is stopped again.
      if (config && !sandboxWasRunning) stoppedPid = await stopSandbox(config);
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } else {
      const width = Math.max(...results.map((r) => r.name.length));
      for (const r of results) {
        process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.detail}\n`);
        if (!r.ok && r.fix) process.stdout.write(`${' '.repeat(width + 8)}fix: ${r.fix}\n`);
      }
      const failed = results.filter((r) => !r.ok).length;
      if (stoppedPid) process.stdout.write(`\nThe sandbox was started for these checks (process ${stoppedPid}) and is stopped again.\n`);
      process.stdout.write(failed ? `\n${failed} check(s) failed.\n` : '\nAll checks passed.\n');
    }
    return results.every((r) => r.ok) ? EXIT.ok : EXIT.environment;
  },
};
