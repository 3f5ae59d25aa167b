import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command } from '../command.js';
import { redactSecrets } from '../../notebook/redact.js';
import { formatParameterList } from '../../runner/parameters.js';
import { DEFAULT_TIMEOUT_SECONDS, prepareRun, runNotebook } from '../../runner/run.js';
import { describeStatus } from '../../runner/failure.js';

const help = `
Usage: support run <notebook> [-p name=value ...] [--out DIR] [--html] [--redact] [--timeout SECONDS]
       support run <notebook> --help-notebook

<notebook> is a path (notebooks/ops/trainee-timeline.ipynb) or a runbook's name (trainee-timeline).

Runs a runbook headless, papermill style, on Jupyter's own executor and the project's kernel.

  -p, --parameter name=value  Set a parameter of the notebook's "parameters" cell. Values are typed by the
                              parameter: string; number; boolean (true/false); date (YYYY-MM-DD, a real day);
                              list (comma separated: -p providerIds=4,5). The values go in a new cell tagged
                              "injected-parameters" right after the parameters cell.
  --out DIR                   Where to write the executed notebook (default: runs/ in the project). Its name is
                              <runbook>-<UTC time>-<slug or first parameter>.ipynb.
  --html                      Also write an HTML copy (jupyter nbconvert).
  --redact                    Mask personal data in the outputs: e-mail addresses and NI numbers anywhere; names,
                              dates of birth and e-mails of the trainees the run showed (looked up by slug); every
                              value of name / date-of-birth / e-mail / NI-number columns of HTML tables; values
                              after those field names (audit changes, old values too). Dates other than dates of
                              birth, ids, slugs and TRNs stay, so the record still makes sense.
  --timeout SECONDS           Time limit per cell (default ${DEFAULT_TIMEOUT_SECONDS}).
  --help-notebook             List the notebook's parameters with their types and defaults, and exit.

The executed notebook is always written, even when a cell fails: a red banner at the top names the failing cell
and its error, and the failing cell is marked. Secrets (the DQT API key, passwords) never appear in it.
With no DATABASE_URL the embedded sandbox is used (started in the background if it is not running).

Progress ([3/8] and the cell's first line) shows on a terminal. Ctrl-C stops the run and still writes the notebook.

Exit codes: 0 every cell ran; 1 a cell failed, timed out, the kernel died or Ctrl-C; 2 bad command line or parameter
(nothing ran); 3 environment not ready (no Jupyter, no kernel, database unreachable).

Example:
  support run notebooks/ops/trainee-timeline.ipynb -p slug=AbC123... --html
`;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export const command: Command = {
  name: 'run',
  summary: 'Run a runbook notebook headless with parameters; writes the executed notebook',
  help,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          parameter: { type: 'string', short: 'p', multiple: true },
          out: { type: 'string' },
          html: { type: 'boolean' },
          redact: { type: 'boolean' },
          timeout: { type: 'string' },
          'help-notebook': { type: 'boolean' },
        },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values: opts, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one notebook, got ${positionals.length}: ${positionals.join(' ')}` : 'which notebook? e.g. support run notebooks/ops/trainee-timeline.ipynb -p slug=...');
    const notebook = positionals[0]!;
    if (opts['help-notebook']) {
      const { params } = prepareRun(notebook, []);
      process.stdout.write(`Parameters of ${notebook}:\n${formatParameterList(params)}\n`);
      return EXIT.ok;
    }
    let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    if (opts.timeout !== undefined) {
      timeoutSeconds = Number(opts.timeout);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout expects a number of seconds above 0; got ${JSON.stringify(opts.timeout)}.`);
    }
    // Ctrl-C stops the run but still writes the notebook as far as it ran (Jupyter's executor gets the signal
    // too and reports "interrupted"); a second Ctrl-C quits at once.
    let interrupts = 0;
    const onInterrupt = () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      process.stderr.write('\nStopping: writing the notebook as far as it ran (Ctrl-C again to quit at once)...\n');
    };
    process.on('SIGINT', onInterrupt);
    const progress = process.stderr.isTTY;
    let result;
    try {
      result = await runNotebook({
        notebook,
        parameters: opts.parameter ?? [],
        outDir: opts.out,
        html: opts.html,
        redact: opts.redact,
        timeoutSeconds,
        log: (line) => process.stderr.write(`${redactSecrets(line)}\n`),
        onCellStart: progress ? (c) => c.number !== null && process.stderr.write(`  [${c.number}/${c.of}] ${c.firstLine}\n`) : undefined,
      });
    } finally {
      process.off('SIGINT', onInterrupt);
    }
    const show = (path: string) => relative(process.cwd(), path) || path;
    const lines: string[] = [];
    if (result.failure) {
      const f = result.failure;
      const where = f.cellNumber !== null ? `cell ${f.cellNumber}${f.cellFirstLine ? ` (${f.cellFirstLine})` : ''}` : f.cellFirstLine || 'before any cell';
      lines.push(`support run: ${notebook} ${describeStatus(result.status)}: ${where}, after ${result.cellsRun} of ${result.codeCells} code cells, ${seconds(result.durationMs)}.`);
      lines.push(...f.error.split('\n').map((l) => `  ${l}`));
      lines.push(`  output: ${show(result.outputPath!)} (the failing cell is marked)`);
    } else {
      lines.push(`support run: ${notebook} finished: ${result.cellsRun} code cells in ${seconds(result.durationMs)}.`);
      lines.push(`  output: ${show(result.outputPath!)}`);
    }
    if (result.htmlPath) lines.push(`  html:   ${show(result.htmlPath)}`);
    for (const w of result.warnings) lines.push(`  warning: ${w}`);
    (result.failure ? process.stderr : process.stdout).write(`${redactSecrets(lines.join('\n'))}\n`);
    return result.exitCode;
  },
};
