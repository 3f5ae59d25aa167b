import { EXIT, EnvironmentError, UsageError } from './command.js';
import { COMMANDS, type CommandEntry } from './commands/index.js';
import { ConfigError } from '../config/index.js';
import { redactSecrets } from '../notebook/redact.js';
import { watchOutput } from './output.js';

function overview(commands: readonly Pick<CommandEntry, 'name' | 'summary'>[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'support: runbooks and tools for supporting Register trainee teachers',
    '',
    'Usage: support <command> [options]     support <command> --help for details',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration comes from the environment: DATABASE_URL, REDIS_URL, DQT_API_URL, DQT_API_KEY,',
    'SUPPORT_OPERATOR, SUPPORT_ALLOW_WRITES. With no DATABASE_URL the embedded sandbox is used.',
    '',
    'Exit codes: 0 ok, 1 failed, 2 bad command line, 3 environment not ready.',
  ].join('\n');
}

/**
 * Entry point of the `support` command. Returns the exit code once everything the command printed has been delivered
 * (to a terminal, a file or a pipe): the caller may exit straight away. Output that could not be delivered in full
 * (the reader closed the pipe) is said on stderr and makes the exit code 1.
 */
export async function main(argv: string[]): Promise<number> {
  const output = watchOutput();
  const code = await runCommand(argv);
  return output.finish(argv[0] && !argv[0].startsWith('-') ? argv[0] : '', code);
}

async function runCommand(argv: string[]): Promise<number> {
  const commands = COMMANDS;
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${overview(commands)}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`support: unknown command "${name}".\n\n${overview(commands)}\n`);
    return EXIT.usage;
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help.trim()}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) {
      process.stderr.write(`support ${name}: ${message}\nSee: support ${name} --help\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError || error instanceof EnvironmentError) {
      process.stderr.write(`support ${name}: ${message}\n`);
      return EXIT.environment;
    }
    process.stderr.write(`support ${name}: ${message}\n`);
    return EXIT.failed;
  }
}
