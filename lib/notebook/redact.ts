import { secretValues } from '../config/env.js';

/**
 * Replaces every secret of the environment (the DQT API key, database and Redis passwords) and any
 * `Bearer <token>` in `text` with `[redacted]`. Used on every error message, log line and saved notebook.
 *
 * @example
 * redactSecrets('Authorization: Bearer abc123') // 'Authorization: Bearer [redacted]'
 */
export function redactSecrets(text: string, secrets: string[] = secretValues()): string {
  let out = text.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{4,}/gi, '$1[redacted]');
  for (const secret of secrets.sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('[redacted]');
  }
  return out;
}
