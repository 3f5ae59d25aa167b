import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command } from '../command.js';
import { JUPYTER_INSTALL_HINT } from '../../runner/jupyter.js';
import { installKernel, KERNEL_NAME, kernelStatus, uninstallUserKernel, userKernelName } from '../../runner/kernel.js';

const help = `
Usage: support kernel install [--user] [--quiet]
       support kernel uninstall --user
       support kernel status

install          Writes this checkout's Jupyter kernel "${KERNEL_NAME}" inside the checkout
                 (.jupyter/kernels/${KERNEL_NAME}/: this project's node_modules/tslab with this node, absolute
                 paths) and links node_modules/register-support so notebooks can import the library by name.
                 Run by \`npm install\`. Writes nothing outside the checkout. \`npm start\` and \`support run\` use it.
                 Never fails when Jupyter is missing: it prints how to install Jupyter instead.
install --user   Also registers the kernel for your own Jupyter (JupyterLab, VS Code, Jupyter started by hand), in
                 your Jupyter data folder (~/.local/share/jupyter/kernels/), under a name of this checkout's own,
                 "${userKernelName()}", so other checkouts keep theirs. Runbooks name "${KERNEL_NAME}": pick
                 this kernel when your Jupyter asks.
uninstall --user Removes that user-wide kernel.
status           Says whether notebooks can run on this checkout's kernel. Exit 0 when they can, 3 when not.
`;

export const command: Command = {
  name: 'kernel',
  summary: "Install or check this checkout's Jupyter kernel (register-support)",
  help,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { quiet: { type: 'boolean', short: 'q' }, user: { type: 'boolean' } } });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const [action] = parsed.positionals;
    const user = !!parsed.values.user;
    if (action === 'install') {
      const quiet = !!parsed.values.quiet;
      let result;
      try {
        result = installKernel({ user });
      } catch (error) {
        // `npm install` runs this: a kernel we cannot write must not fail the install.
        process.stderr.write(`support kernel install: could not write the kernel spec (${(error as Error).message}). Notebooks need it: run \`npx support kernel install${user ? ' --user' : ''}\` later.\n`);
        return quiet ? EXIT.ok : EXIT.environment;
      }
      if (!result.jupyterFound) process.stdout.write(`Kernel "${KERNEL_NAME}" written to ${result.path}, but Jupyter is not installed: ${JUPYTER_INSTALL_HINT} (npm start offers to install it)\n`);
      else if (!quiet) process.stdout.write(`Kernel "${KERNEL_NAME}" of this checkout: ${result.path}\n  runs ${result.spec.argv.slice(0, 2).join(' ')}\n`);
      if (result.userPath) process.stdout.write(`Registered for your own Jupyter as "${userKernelName()}": ${result.userPath}\n  (remove it with: support kernel uninstall --user)\n`);
      if (!quiet && result.packageLink === 'created') process.stdout.write('  linked node_modules/register-support to the project (notebooks import the library by name)\n');
      return EXIT.ok;
    }
    if (action === 'uninstall') {
      if (!user) throw new UsageError('uninstall removes the user-wide kernel: say `support kernel uninstall --user` (the checkout\'s own kernel goes with the checkout)');
      const removed = uninstallUserKernel();
      process.stdout.write(removed ? `Removed the user-wide kernel "${userKernelName()}" (${removed}).\n` : `No user-wide kernel "${userKernelName()}" to remove.\n`);
      return EXIT.ok;
    }
    if (action === 'status') {
      const status = kernelStatus();
      process.stdout.write(`${status.ok ? 'ok' : 'not ready'}: ${status.message}\n`);
      return status.ok ? EXIT.ok : EXIT.environment;
    }
    throw new UsageError(action ? `unknown action "${action}": expected install, uninstall or status` : 'expected install, uninstall or status');
  },
};
