import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command } from '../command.js';
import { JUPYTER_INSTALL_HINT } from '../../runner/jupyter.js';
import { installKernel, KERNEL_NAME, kernelStatus } from '../../runner/kernel.js';

const help = `
Usage: support kernel install [--quiet]
       support kernel status

install  Registers the project's Jupyter kernel "${KERNEL_NAME}" (display name "TypeScript (register-support)")
         for this user, running this project's own node_modules/tslab with this node (absolute paths), and links
         node_modules/register-support so notebooks can import the library by name. Run by \`npm install\`.
         Never fails when Jupyter is missing: it prints how to install Jupyter instead.
status   Says whether the kernel is installed and points at this project. Exit 0 when it does, 3 when not.
`;

export const command: Command = {
  name: 'kernel',
  summary: "Install or check the project's Jupyter kernel (register-support)",
  help,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { quiet: { type: 'boolean', short: 'q' } } });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const [action] = parsed.positionals;
    if (action === 'install') {
      const quiet = !!parsed.values.quiet;
      let result;
      try {
        result = installKernel();
      } catch (error) {
        // `npm install` runs this: a kernel we cannot write must not fail the install.
        process.stderr.write(`support kernel install: could not write the kernel spec (${(error as Error).message}). Notebooks need it: run \`npx support kernel install\` later.\n`);
        return quiet ? EXIT.ok : EXIT.environment;
      }
      if (!result.jupyterFound) process.stdout.write(`Kernel "${KERNEL_NAME}" written to ${result.path}, but Jupyter is not installed: ${JUPYTER_INSTALL_HINT}\n`);
      else if (!quiet) process.stdout.write(`Kernel "${KERNEL_NAME}" installed: ${result.path}\n  runs ${result.spec.argv.slice(0, 2).join(' ')}\n`);
      if (!quiet && result.packageLink === 'created') process.stdout.write('  linked node_modules/register-support to the project (notebooks import the library by name)\n');
      return EXIT.ok;
    }
    if (action === 'status') {
      const status = kernelStatus();
      process.stdout.write(`${status.ok ? 'ok' : 'not ready'}: ${status.message}\n`);
      return status.ok ? EXIT.ok : EXIT.environment;
    }
    throw new UsageError(action ? `unknown action "${action}": expected install or status` : 'expected install or status');
  },
};
