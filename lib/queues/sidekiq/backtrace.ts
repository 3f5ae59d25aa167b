import { inflateSync } from 'node:zlib';

/**
 * A job's `error_backtrace`: Sidekiq stores it (only with the `backtrace` option, which no Register job sets) as a JSON
 * array, zlib-deflated, base64-encoded (MIME base64 with line breaks up to 7.2.3, strict after); older payloads hold
 * the plain array. Returns the lines, or null when there is none or it does not decode.
 *
 * @example
 * decodeBacktrace(job.error_backtrace) // ['app/lib/dqt/client.rb:45:in `handle_response'', …]
 */
export function decodeBacktrace(value: unknown): string[] | null {
  if (Array.isArray(value)) return value.every((l) => typeof l === 'string') ? (value as string[]) : null;
  if (typeof value !== 'string' || value === '') return null;
  try {
    const lines = JSON.parse(inflateSync(Buffer.from(value, 'base64')).toString('utf8')) as unknown;
    return Array.isArray(lines) && lines.every((l) => typeof l === 'string') ? (lines as string[]) : null;
  } catch {
    return null;
  }
}
