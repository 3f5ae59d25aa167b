import type { Command } from '../command.js';

/** One entry per `support` sub-command: its name and summary for `--help`, and how to load it (only when it runs). */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ command: Command }>;
}

/** Every `support` sub-command, in the order `support --help` lists them. Add new commands here. */
export const COMMANDS: CommandEntry[] = [
  { name: 'sandbox', summary: 'Start, stop or check the embedded sandbox (database + DQT), or list its scenarios and how to run them', load: () => import('./sandbox.js') },
  { name: 'db', summary: 'Migrate or seed a database (the sandbox or $DATABASE_URL)', load: () => import('./db.js') },
  { name: 'doctor', summary: 'Check the database, Redis, DQT, Jupyter and the kernel; say what to fix', load: () => import('./doctor.js') },
  { name: 'run', summary: 'Run a runbook notebook headless with parameters; writes the executed notebook', load: () => import('./run.js') },
  { name: 'kernel', summary: "Install or check this checkout's Jupyter kernel (register-support)", load: () => import('./kernel.js') },
  { name: 'start', summary: 'Start the sandbox and Jupyter on the runbooks (127.0.0.1, with a token) and print the URL; Ctrl-C stops it all', load: () => import('./start.js') },
  { name: 'triage', summary: 'Classify every dead job by the playbook: explanation, action, runbook (--json, --csv)', load: () => import('./triage.js') },
  { name: 'worker', summary: 'Run the job workers (dqt, trs and default queues) against the configured DQT and TRS', load: () => import('./worker.js') },
  { name: 'dqt-sandbox', summary: 'Run the DQT sandbox server (a local DQT API) in the foreground', load: () => import('./dqt-sandbox.js') },
  { name: 'trs-sandbox', summary: 'Run the TRS sandbox server (a local TRS API v3, what Register calls today) in the foreground', load: () => import('./trs-sandbox.js') },
];

/** Loads every command (tests and help checks use this). */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map(async (entry) => (await entry.load()).command));
}
