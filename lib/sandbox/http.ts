import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxResponse } from '../dqt/sandbox/store.js';

/**
 * The HTTP plumbing the DQT and TRS sandboxes share: serving on a port, reading a request body, answering with JSON
 * (problem+json for errors), and the faults a test or a trainer injects (`POST /_sandbox/faults`).
 *
 * @example
 * const faults = new SandboxFaults({ hangMs: 120_000, apiPath: '/v3/...', quota: 'A maximum of 1000 calls per 60 seconds are permitted.' });
 * const served = await serveSandbox(async (req, res) => { if (faults.intercept('GET', '/v3/persons/1', res)) return; send(res, { status: 200, body: {} }); }, { port: 0 }, () => faults.dropHanging());
 * await served.stop();
 */
export interface SandboxFault {
  path: string;
  method?: string;
  kind: '500' | '429' | 'hang';
  count: number;
  /** Seconds, for 429 (default 1). */
  retryAfter?: number;
}

/** The faults waiting for the next calls, and the calls held by a `hang`. */
export class SandboxFaults {
  #faults: SandboxFault[] = [];
  readonly #hanging = new Set<ServerResponse>();
  readonly #options: { hangMs: number; apiPath: string; quota: string };

  /** `apiPath` is the example path in the admin endpoint's message; `quota` the detail of the API's 429. */
  constructor(options: { hangMs: number; apiPath: string; quota: string }) {
    this.#options = options;
  }

  add(fault: SandboxFault): void {
    this.#faults.push({ ...fault });
  }

  clear(): void {
    this.#faults = [];
  }

  /** `POST /_sandbox/faults`: the body checked (keys in any case) and the fault added, or a 400 saying what is expected. */
  addFromRequest(body: unknown): SandboxResponse {
    const fault = Object.fromEntries(Object.entries(body && typeof body === 'object' ? body : {}).map(([k, v]) => [k.toLowerCase(), v as unknown]));
    const kind = String(fault.kind ?? '');
    if (typeof fault.path !== 'string' || !fault.path.startsWith('/') || !['500', '429', 'hang'].includes(kind)) {
      return { status: 400, body: { error: `Expected {"path": "${this.#options.apiPath}", "kind": "500" | "429" | "hang", "count": N, "method"?: "PUT", "retryAfter"?: seconds}.` } };
    }
    const count = fault.count === undefined ? 1 : Number(fault.count);
    if (!Number.isInteger(count) || count < 1) return { status: 400, body: { error: 'count must be a whole number of calls, at least 1.' } };
    const added: SandboxFault = {
      path: fault.path.replace(/\/+$/, '') || '/',
      kind: kind as SandboxFault['kind'],
      count,
      method: typeof fault.method === 'string' ? fault.method : undefined,
      retryAfter: fault.retryafter === undefined ? undefined : Number(fault.retryafter),
    };
    this.#faults.push(added);
    return { status: 200, body: added };
  }

  /** Answers the call with the next fault set for it (500, 429, or holding it until `hangMs` or the client gives up): true if one did. */
  intercept(method: string, path: string, res: ServerResponse): boolean {
    const fault = this.#faults.find((f) => f.count > 0 && (!f.method || f.method.toUpperCase() === method) && (f.path.endsWith('*') ? path.startsWith(f.path.slice(0, -1)) : f.path === path));
    if (!fault) return false;
    fault.count -= 1;
    this.#faults = this.#faults.filter((f) => f.count > 0);
    if (fault.kind === '500') {
      send(res, { status: 500 });
    } else if (fault.kind === '429') {
      send(res, { status: 429, headers: { 'retry-after': String(fault.retryAfter ?? 1) }, body: { title: 'API calls quota exceeded', detail: this.#options.quota, status: 429 } });
    } else {
      const hanging = this.#hanging;
      hanging.add(res);
      const timer = setTimeout(() => {
        hanging.delete(res);
        res.destroy();
      }, this.#options.hangMs);
      res.on('close', () => {
        clearTimeout(timer);
        hanging.delete(res);
      });
    }
    return true;
  }

  /** Drops the calls a `hang` holds (when the sandbox stops). */
  dropHanging(): void {
    for (const res of this.#hanging) res.destroy();
  }
}

/**
 * Serves `handle` on `host:port` (default 127.0.0.1, any free port). A handler that throws answers 500 with the error's
 * message. `stop` runs `beforeStop` (e.g. dropping hanging calls), closes every connection and the server.
 */
export async function serveSandbox(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  options: { port?: number; host?: string },
  beforeStop: () => void = () => undefined,
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: String((error as Error)?.message ?? error) } });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    async stop() {
      beforeStop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers with the response: a JSON body as `application/json`, or `application/problem+json` from 400 up. */
export function send(res: ServerResponse, response: SandboxResponse): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let payload = '';
  if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] = response.status >= 400 ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}
