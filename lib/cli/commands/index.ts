import type { Command } from '../command.js';

/** Every `support` sub-command, in the order `support --help` lists them. Add new commands here. */
export async function loadCommands(): Promise<Command[]> {
  const modules = await Promise.all([
  ]);
  return modules.map((m) => m.command);
}
