/** One `support` sub-command. `run` returns the process exit code. */
export interface Command {
  /** The word after `support`, e.g. `run` or `db` . */
  name: string;
  /** One line for `support --help`. */
  summary: string;
  /** Full help text for `support <name> --help`. */
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Exit codes shared by every command (papermill style). */
export const EXIT = {
  ok: 0,
  /** A cell or check failed. */
  failed: 1,
  /** The command line was wrong: unknown option, unknown parameter, a value of the wrong type. */
  usage: 2,
  /** The environment is not ready: no Jupyter, no kernel, database unreachable. */
  environment: 3,
} as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}
