/**
 * Delivery of everything a `support` command prints. `process.stdout` on a pipe is asynchronous: a large write is
 * still being handed to the reader when the command returns, and exiting then cuts the output off. `watchOutput()`
 * notes any error of stdout (EPIPE when the reader closes the pipe); `finish(code)` waits until every byte written
 * so far has been delivered and turns a failed delivery into a message on stderr and exit code 1.
 *
 * @example
 * const output = watchOutput();
 * const code = await command.run(argv);
 * return output.finish(name, code); // only now may the process exit
 */
export interface OutputWatch {
  /** Waits for stdout and stderr to be delivered; returns `code`, or 1 when stdout could not be delivered in full. */
  finish(command: string, code: number): Promise<number>;
}

export function watchOutput(stdout: NodeJS.WritableStream & { destroyed?: boolean } = process.stdout, stderr: NodeJS.WritableStream = process.stderr): OutputWatch {
  let failure: NodeJS.ErrnoException | null = null;
  // Without a listener, an EPIPE on stdout is an uncaught exception (a stack trace, no word of what was lost).
  const onError = (error: NodeJS.ErrnoException) => {
    failure ??= error;
  };
  stdout.on('error', onError);
  stderr.on('error', () => {});
  return {
    async finish(command, code) {
      const error = (await delivered(stdout)) ?? null;
      failure ??= error;
      stdout.removeListener('error', onError);
      if (failure) {
        const why = failure.code === 'EPIPE' || failure.code === 'ERR_STREAM_DESTROYED' ? 'the program reading it closed the pipe (EPIPE)' : failure.message;
        stderr.write(`support ${command}: the output was cut off: ${why}. What was printed is incomplete; run the command again with its output going to a file.\n`);
        await delivered(stderr);
        return code === 0 ? 1 : code;
      }
      await delivered(stderr);
      return code;
    },
  };
}

/** Resolves once everything written to `stream` so far has been handed to the operating system (or failed). */
function delivered(stream: NodeJS.WritableStream & { destroyed?: boolean }): Promise<NodeJS.ErrnoException | null> {
  if (stream.destroyed) return Promise.resolve(null);
  return new Promise((resolve) => {
    // Writes complete in order: the callback of an empty write runs after every earlier write has been flushed.
    stream.write('', (error?: Error | null) => resolve((error as NodeJS.ErrnoException | null | undefined) ?? null));
  });
}
