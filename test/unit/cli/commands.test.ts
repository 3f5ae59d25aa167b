import { describe, expect, it } from 'vitest';
import { COMMANDS, loadCommands } from '../../../lib/cli/commands/index.js';

describe('the support command list', () => {
  it('names and summarises each command as the command itself does', async () => {
    const commands = await loadCommands();
    expect(commands.map((c) => [c.name, c.summary])).toEqual(COMMANDS.map((c) => [c.name, c.summary]));
    for (const c of commands) expect(c.help.trim().length, c.name).toBeGreaterThan(40);
  });
});
