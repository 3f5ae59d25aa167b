import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send, serveSandbox, SandboxFaults, type SandboxFault } from '../../sandbox/http.js';
import { DqtSandboxStore, type SandboxResponse } from './store.js';
import type { DqtSandboxSeed } from './records.js';

/**
 * A local DQT: a node:http server implementing the DQT v2 endpoints Register used (A–F of dqt-api.md) with the
 * business rules of section 8, for the embedded sandbox, the tests and training. State is in memory, seeded
 * from the sandbox scenarios (`dqtSandboxSeed()`), and back to that on `POST /_sandbox/reset`.
 *
 * API calls need `Authorization: Bearer <apiKey>` (else 401, no body), as DQT does. Admin endpoints, for tests
 * and training, need no key:
 *
 * | Admin endpoint | Body | Does |
 * |---|---|---|
 * | `POST /_sandbox/teachers` | the GET /v2/teachers/{trn} JSON plus `active` (see `records.ts`) | adds or replaces a teacher |
 * | `GET /_sandbox/teachers/{trn}` | - | the stored person(s), inactive ones too |
 * | `POST /_sandbox/trn-requests/{id}/release` | `{"trn": "..."}` optional | completes a pending TRN request (new TRN, or onto `trn`) |
 * | `POST /_sandbox/organisations` | `{"ukprn": "...", "known": true}` | DQT adds (or, `known:false`, forgets) an organisation |
 * | `POST /_sandbox/faults` | `{"path": "/v2/teachers/update/3012201", "method": "PATCH", "kind": "500" \| "429" \| "hang", "count": 1, "retryAfter": 1}` | the next `count` calls to that path fail so (`path` ending in `*` is a prefix) |
 * | `DELETE /_sandbox/faults` | - | clears faults |
 * | `POST /_sandbox/reset` | - | back to the seeded state, no faults |
 *
 * @example
 * const sandbox = await startDqtSandbox({ apiKey: 'sandbox-dqt-key', port: 0, seed: dqtSandboxSeed() });
 * sandbox.url  // http://127.0.0.1:40123
 * await sandbox.stop();
 */
export interface DqtSandboxOptions {
  apiKey: string;
  /** 0 for any free port. */
  port?: number;
  host?: string;
  seed: DqtSandboxSeed;
  /** How long a `hang` fault holds a call before dropping it (default 120 s; the client gives up first). */
  hangMs?: number;
}

/** A fault the next calls to a path meet (see `POST /_sandbox/faults`). */
export type Fault = SandboxFault;

export interface DqtSandbox {
  url: string;
  port: number;
  store: DqtSandboxStore;
  /** Calls received per `METHOD path` (without the query), for tests and the benchmark. */
  calls: Map<string, number>;
  addFault(fault: Fault): void;
  stop(): Promise<void>;
}

export async function startDqtSandbox(options: DqtSandboxOptions): Promise<DqtSandbox> {
  const store = new DqtSandboxStore(options.seed);
  const faults = new SandboxFaults({ hangMs: options.hangMs ?? 120_000, apiPath: '/v2/...', quota: 'A maximum of 300 calls per 60 seconds are permitted.' });
  const calls = new Map<string, number>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = decodeURIComponent(url.pathname).replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);

    if (path.startsWith('/_sandbox/')) return send(res, admin(method, path, raw));

    const auth = req.headers.authorization ?? '';
    const match = /^bearer\s+(.+)$/i.exec(auth);
    if (!match || match[1]!.trim() !== options.apiKey) return send(res, { status: 401 });

    const key = `${method} ${path}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);

    if (faults.intercept(method, path, res)) return;

    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k.toLowerCase()] = v;
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, {
          status: 400,
          body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'One or more validation errors occurred.', status: 400, errors: { $: ['The JSON value could not be parsed.'] } },
        });
      }
    }
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/v2/teachers/find') return send(res, store.findTeachers(query));
    if (method === 'PATCH' && (m = /^\/v2\/teachers\/update\/([^/]+)$/.exec(path))) return send(res, store.updateTeacher(m[1]!, query, body));
    if (method === 'PUT' && (m = /^\/v2\/teachers\/([^/]+)\/itt-outcome$/.exec(path))) return send(res, store.setIttOutcome(m[1]!, query, body));
    if (method === 'GET' && (m = /^\/v2\/teachers\/([^/]+)$/.exec(path))) return send(res, store.getTeacher(m[1]!, query));
    if (method === 'PUT' && (m = /^\/v2\/trn-requests\/([^/]+)$/.exec(path))) return send(res, store.putTrnRequest(m[1]!, body));
    if (method === 'GET' && (m = /^\/v2\/trn-requests\/([^/]+)$/.exec(path))) return send(res, store.getTrnRequest(m[1]!));
    return send(res, { status: 404, body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5', title: 'Not Found', status: 404 } });
  }

  function admin(method: string, path: string, raw: string): SandboxResponse {
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return { status: 400, body: { error: 'The body is not JSON.' } };
    }
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/_sandbox/reset') {
      store.reset();
      faults.clear();
      calls.clear();
      return { status: 200, body: { reset: true } };
    }
    if (method === 'POST' && path === '/_sandbox/teachers') {
      try {
        const person = store.putTeacher(body);
        return { status: 200, body: person };
      } catch (error) {
        return { status: 400, body: { error: `Bad teacher record: ${(error as Error).message}` } };
      }
    }
    if (method === 'GET' && (m = /^\/_sandbox\/teachers\/(\d+)$/.exec(path))) {
      const persons = store.persons.filter((p) => p.trn === m![1]);
      return persons.length ? { status: 200, body: persons } : { status: 404, body: { error: `No teacher with TRN ${m[1]} in the DQT sandbox.` } };
    }
    if (method === 'POST' && (m = /^\/_sandbox\/trn-requests\/([^/]+)\/release$/.exec(path))) {
      return store.releaseTrnRequest(m[1]!, typeof body.trn === 'string' ? body.trn : null);
    }
    if (method === 'GET' && (m = /^\/_sandbox\/trn-requests\/([^/]+)$/.exec(path))) {
      const request = store.trnRequests.get(m[1]!);
      return request ? { status: 200, body: request } : { status: 404, body: { error: `No TRN request "${m[1]}".` } };
    }
    if (method === 'POST' && path === '/_sandbox/organisations') {
      if (typeof body.ukprn !== 'string' || !/^\d{8}$/.test(body.ukprn)) return { status: 400, body: { error: 'Expected {"ukprn": "<8 digits>", "known": true|false}.' } };
      store.setOrganisation(body.ukprn, body.known !== false);
      return { status: 200, body: { ukprn: body.ukprn, known: store.isKnownOrganisation(body.ukprn) } };
    }
    if (method === 'POST' && path === '/_sandbox/faults') return faults.addFromRequest(body);
    if (method === 'DELETE' && path === '/_sandbox/faults') {
      faults.clear();
      return { status: 200, body: { faults: 0 } };
    }
    return { status: 404, body: { error: `No sandbox admin endpoint ${method} ${path}.` } };
  }

  const served = await serveSandbox(handle, options, () => faults.dropHanging());
  return {
    url: served.url,
    port: served.port,
    store,
    calls,
    addFault(fault) {
      faults.add(fault);
    },
    stop: () => served.stop(),
  };
}
