import type { Command } from '../command.js';

/** Every `support` sub-command, in the order `support --help` lists them. Add new commands here. */
export async function loadCommands(): Promise<Command[]> {
  const modules: { command: Command }[] = await Promise.all([
    import('./sandbox.js'),
    import('./db.js'),
    import('./doctor.js'),
    import('./run.js'),
    import('./kernel.js'),
    import('./start.js'),
    import('./dqt-sandbox.js'),
    import('./worker.js'),
    import('./triage.js'),
  ]);
  return modules.map((m) => m.command);
}
