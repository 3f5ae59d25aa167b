import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';

/**
 * The HTTP call both teaching-record API clients make (DQT's and TRS's), on undici: one request with the client's
 * headers, abandoned after `timeoutMs`; a 429 waited out (its `Retry-After`, when that is short enough) and retried;
 * an answer outside the accepted statuses, a body that is not JSON or one of the wrong shape thrown as the API's own
 * error, built by the client's `error`.
 *
 * @example
 * const http = new ApiTransport({ api: 'TRS', urlSetting: 'TRS_API_URL', url, limits: { timeoutMs: 5_000 },
 *   headers: () => ({ authorization: `Bearer ${key.reveal()}` }), error: (status, body, details) => new TrsError(status, body, details) });
 * const { data } = await http.call('GET', '/v3/persons/3012201', undefined, trsPersonSchema, [200]);
 */
/** How long a call may take and how 429s are handled: each client's options take these, with these defaults. */
export interface ApiCallLimits {
  /** Milliseconds before a call is abandoned (default 10,000). */
  timeoutMs?: number;
  /** How many times a 429 is waited out and retried (default 2). */
  rateLimitRetries?: number;
  /** The longest `Retry-After` wait accepted, in ms (default 30,000); a longer one fails at once. */
  maxRetryAfterMs?: number;
  /** Parallel connections (default 16). */
  connections?: number;
}

export interface ApiTransportOptions {
  /** The API's name in messages: `DQT`, `TRS`. */
  api: string;
  /** Base URL, without a trailing slash. */
  url: string;
  /** The setting holding the API's URL, named when it cannot be reached. */
  urlSetting: string;
  /** The client's limits (defaults as `ApiCallLimits` gives them). */
  limits: ApiCallLimits;
  /** The request headers, read for each call (the key is revealed there and nowhere else). */
  headers: () => Record<string, string>;
  /**
   * The API's error for a failed call: an answer outside the accepted statuses (`details.headers` holds the response
   * headers, no kind), or a `timeout`, `network` or `shape` failure with its message.
   */
  error: (status: number, body: string, details: ApiFailure) => Error;
}

/** What went wrong with a call, for the client's own error. */
export interface ApiFailure {
  kind?: 'timeout' | 'network' | 'shape';
  message?: string;
  headers?: Record<string, string | string[] | undefined>;
}

export type ApiMethod = 'GET' | 'PUT' | 'PATCH' | 'POST';

export class ApiTransport {
  /** Milliseconds before a call is abandoned. */
  readonly timeoutMs: number;
  readonly #options: ApiTransportOptions;
  readonly #rateLimitRetries: number;
  readonly #maxRetryAfterMs: number;
  readonly #agent: Agent;

  constructor(options: ApiTransportOptions) {
    this.#options = options;
    this.timeoutMs = options.limits.timeoutMs ?? 10_000;
    this.#rateLimitRetries = options.limits.rateLimitRetries ?? 2;
    this.#maxRetryAfterMs = options.limits.maxRetryAfterMs ?? 30_000;
    this.#agent = new Agent({ connections: options.limits.connections ?? 16, keepAliveTimeout: 10_000 });
  }

  /** One call: the status it answered with and, given a schema, the body checked against it. */
  async call<S extends z.ZodType | null>(method: ApiMethod, pathAndQuery: string, body: unknown, schema: S, ok: readonly number[]): Promise<{ status: number; data: S extends z.ZodType ? z.infer<S> : undefined }> {
    const o = this.#options;
    const what = `${method} ${pathAndQuery.split('?')[0]}`;
    for (let attempt = 0; ; attempt++) {
      let response: Dispatcher.ResponseData;
      let text: string;
      try {
        response = await request(`${o.url}${pathAndQuery}`, {
          method,
          dispatcher: this.#agent,
          headers: o.headers(),
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        text = await response.body.text();
      } catch (error) {
        throw o.error(0, '', this.#transportFailure(error, what));
      }
      const status = response.statusCode;
      if (status === 429 && attempt < this.#rateLimitRetries) {
        const wait = retryAfterMs(response.headers['retry-after']);
        if (wait !== null && wait <= this.#maxRetryAfterMs) {
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
      }
      if (!ok.includes(status)) throw o.error(status, text, { headers: response.headers });
      if (!schema) return { status, data: undefined as never };
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        throw o.error(status, text, { kind: 'shape', message: `${o.api} answered ${what} with ${status} but the body is not JSON: ${text.slice(0, 200)}` });
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw o.error(status, text, { kind: 'shape', message: `${o.api} answered ${what} with a response of the wrong shape: ${describeShapeIssues(parsed.error)}` });
      return { status, data: parsed.data as never };
    }
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  #transportFailure(error: unknown, what: string): ApiFailure {
    const { api, urlSetting } = this.#options;
    const timeoutMs = this.timeoutMs;
    const e = error as { name?: string; code?: string; cause?: { code?: string } };
    const timedOut = ['TimeoutError', 'AbortError'].includes(e?.name ?? '') || ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_ABORTED'].includes(e?.code ?? '');
    if (timedOut) return { kind: 'timeout', message: `${api} did not answer ${what} within ${timeoutMs / 1000} s (timed out). ${api} may be slow or down: try again later.` };
    const code = e?.code ?? e?.cause?.code ?? 'unknown';
    return { kind: 'network', message: `Could not reach ${api} for ${what} (${code}). Check ${urlSetting} and that ${api} (or the ${api} sandbox) is running.` };
  }
}

/**
 * `Retry-After` in seconds or as an HTTP date, in ms; null when absent or unreadable.
 *
 * @example
 * retryAfterMs('2') // 2000
 */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Turns zod issues into one line naming each wrong field: `initialTeacherTraining[0].active: expected boolean, received string`. */
export function describeShapeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
      return `${path || '(the whole response)'}: ${issue.message}`;
    })
    .join('; ');
}
