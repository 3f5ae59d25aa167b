import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send, serveSandbox, SandboxFaults, type SandboxFault } from '../../sandbox/http.js';
import type { SandboxResponse } from '../../dqt/sandbox/store.js';
import { TrsSandboxStore } from './store.js';
import type { TrsSandboxSeed } from './records.js';

/**
 * A local TRS: a node:http server with the TRS API v3 endpoints Register calls today, at `X-Api-Version: 20250627`,
 * and TRS's rules and error codes (`store.ts`). State is in memory, seeded (`trsSandboxSeed()`), back to that on
 * `POST /_sandbox/reset`.
 *
 * | Register's call | Answers |
 * |---|---|
 * | `GET /v3/persons/{trn}` | 200; 404 10001 / 10058 (deactivated) / 10059 (merged) |
 * | `PUT /v3/persons/{trn}` | 204; 404 10001; 400 10041 / 10042 (QTS) / 10057 (EYTS) |
 * | `PUT /v3/persons/{trn}/routes-to-professional-statuses/{slug}` | 204; 404 10001; 400 validation, 10043, 10045, 10047, 10048, 10049, 10051, 10052, 10054, 10055, 10056 |
 * | `POST /v3/trn-requests` | 200 (Completed with a TRN, or Pending as a potential duplicate); 400 validation; 409 10029 |
 * | `GET /v3/trn-requests?requestId=` | 200; 404 10031; 400 10062 (rejected or dormant) |
 *
 * As in TRS, routing comes before authentication: a path or `X-Api-Version` that serves no endpoint is a bare 404
 * (no header at all means TRS's default version, 20240101, which has none of these); a served one without a valid
 * `Authorization: Bearer <key>` is a bare 401. The sandbox models the endpoints as served at 20250627 (versions
 * 20250627 to 20250905 for GET person, from 20250425 for the PUT and the TRN requests until 20260416); another
 * version that TRS serves differently gets a 400 saying so.
 *
 * Admin endpoints (no key):
 *
 * | Admin endpoint | Body | Does |
 * |---|---|---|
 * | `POST /_sandbox/persons` | a `TrsSandboxPersonInput` | adds or replaces a person |
 * | `GET /_sandbox/persons/{trn}` | - | the stored person, routes included |
 * | `POST /_sandbox/trn-requests/{id}/release` | `{"trn"?: "..."}` | completes a pending request (new record, or onto `trn`) |
 * | `POST /_sandbox/trn-requests/{id}/reject` | `{"status"?: "Rejected" \| "Dormant"}` | TRS rejects the request (GET then gives 10062) |
 * | `GET /_sandbox/trn-requests/{id}` | - | the stored request |
 * | `POST /_sandbox/organisations` | `{"ukprn": "...", "name"?: "...", "known": true}` | TRS adds (or forgets) a training provider |
 * | `POST /_sandbox/reference` | `{"subjects"?: {"100403": "mathematics"}, "degreeTypes"?: {...}}` | adds reference data |
 * | `POST /_sandbox/faults` | `{"path", "method"?, "kind": "500" \| "429" \| "hang", "count"?, "retryAfter"?}` | the next calls to that path fail so (`*` ends a prefix) |
 * | `DELETE /_sandbox/faults` | - | clears faults |
 * | `POST /_sandbox/reset` | - | back to the seeded state, no faults |
 *
 * @example
 * const sandbox = await startTrsSandbox({ apiKey: 'sandbox-trs-key', port: 0, seed: trsSandboxSeed() });
 * sandbox.url  // http://127.0.0.1:40123
 * await sandbox.stop();
 */
export interface TrsSandboxOptions {
  apiKey: string;
  /** 0 for any free port. */
  port?: number;
  host?: string;
  seed: TrsSandboxSeed;
  /** How long a `hang` fault holds a call before dropping it (default 120 s; the client gives up first). */
  hangMs?: number;
}

/** A fault the next calls to a path meet (see `POST /_sandbox/faults`). */
export type TrsFault = SandboxFault;

export interface TrsSandbox {
  url: string;
  port: number;
  store: TrsSandboxStore;
  /** Calls received per `METHOD path` (without the query). */
  calls: Map<string, number>;
  addFault(fault: TrsFault): void;
  stop(): Promise<void>;
}

type Endpoint = 'getPerson' | 'setPii' | 'setRoute' | 'createTrnRequest' | 'getTrnRequest';

/** The versions at which each endpoint is served as at 20250627 (TRS's `BackFillVersionedEndpointsConvention`). */
const SERVED: Record<Endpoint, { from: string; until: string | null }> = {
  getPerson: { from: '20250627', until: '20260120' },
  setPii: { from: '20250425', until: null },
  setRoute: { from: '20250627', until: null },
  createTrnRequest: { from: '20250425', until: '20260416' },
  getTrnRequest: { from: '20250425', until: '20260416' },
};
/** The first version at which each endpoint exists at all (earlier versions: 404). */
const FIRST_SERVED: Record<Endpoint, string> = {
  getPerson: '20240606',
  setPii: '20250425',
  setRoute: '20250627',
  createTrnRequest: '20240307',
  getTrnRequest: '20240307',
};
const KNOWN_VERSIONS = [
  '20240101', '20240307', '20240412', '20240416', '20240606', '20240814', '20240912', '20240920', '20250203', '20250327', '20250425',
  '20250627', '20250804', '20250905', '20260120', '20260224', '20260416', '20260515', '20260612',
];

export async function startTrsSandbox(options: TrsSandboxOptions): Promise<TrsSandbox> {
  const store = new TrsSandboxStore(options.seed);
  const faults = new SandboxFaults({ hangMs: options.hangMs ?? 120_000, apiPath: '/v3/...', quota: 'A maximum of 1000 calls per 60 seconds are permitted.' });
  const calls = new Map<string, number>();

  function route(method: string, path: string): { endpoint: Endpoint; params: string[] } | null {
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/v3\/persons\/([^/]+)$/.exec(path))) return { endpoint: 'getPerson', params: [m[1]!] };
    if (method === 'PUT' && (m = /^\/v3\/persons\/([^/]+)$/.exec(path))) return { endpoint: 'setPii', params: [m[1]!] };
    if (method === 'PUT' && (m = /^\/v3\/persons\/([^/]+)\/routes-to-professional-statuses\/([^/]+)$/.exec(path))) return { endpoint: 'setRoute', params: [m[1]!, m[2]!] };
    if (method === 'POST' && path === '/v3/trn-requests') return { endpoint: 'createTrnRequest', params: [] };
    if (method === 'GET' && path === '/v3/trn-requests') return { endpoint: 'getTrnRequest', params: [] };
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);

    if (path.startsWith('/_sandbox/')) return send(res, admin(method, path, raw));

    // Routing (path, method, version) comes before authentication in TRS's pipeline.
    const found = route(method, path);
    const header = req.headers['x-api-version'];
    const version = (Array.isArray(header) ? header[0] : header) ?? '20240101';
    if (!found || !KNOWN_VERSIONS.includes(version) || version < FIRST_SERVED[found.endpoint]) return send(res, { status: 404 });

    const auth = req.headers.authorization ?? '';
    const match = /^bearer (.+)$/i.exec(auth);
    if (!match || match[1] !== options.apiKey) return send(res, { status: 401 });

    const served = SERVED[found.endpoint];
    if (version < served.from || (served.until && version >= served.until)) {
      return send(res, {
        status: 400,
        body: { error: `The TRS sandbox models ${method} ${path.replace(/\/v3\/persons\/[^/]+/, '/v3/persons/{trn}')} as TRS serves it at X-Api-Version ${served.from}${served.until ? ` up to (not including) ${served.until}` : ' and later'}; TRS serves version ${version} differently. Register sends 20250627.` },
      });
    }

    const key = `${method} ${path}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);

    if (faults.intercept(method, path, res)) return;

    let body: unknown = undefined;
    if (method !== 'GET') {
      if (!raw.trim()) {
        return send(res, { status: 400, body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'One or more validation errors occurred.', status: 400, errors: { '': ['A non-empty request body is required.'] } } });
      }
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, { status: 400, body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'One or more validation errors occurred.', status: 400, errors: { $: ['The JSON value could not be parsed.'], request: ['The request field is required.'] } } });
      }
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k.toLowerCase()] = v;
    const [a, b] = found.params.map(decodeURIComponent);
    switch (found.endpoint) {
      case 'getPerson':
        return send(res, store.getPerson(a!, query));
      case 'setPii':
        return send(res, store.setPii(a!, body));
      case 'setRoute':
        return send(res, store.setRoute(a!, b!, body));
      case 'createTrnRequest':
        return send(res, store.createTrnRequest(body));
      case 'getTrnRequest':
        return send(res, store.getTrnRequest(query.requestid));
    }
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
    if (method === 'POST' && path === '/_sandbox/persons') {
      try {
        return { status: 200, body: store.putPerson(body) };
      } catch (error) {
        return { status: 400, body: { error: `Bad person record: ${(error as Error).message}` } };
      }
    }
    if (method === 'GET' && (m = /^\/_sandbox\/persons\/(\d{7})$/.exec(path))) {
      const person = store.persons.find((p) => p.trn === m![1]);
      return person ? { status: 200, body: person } : { status: 404, body: { error: `No person with TRN ${m[1]} in the TRS sandbox.` } };
    }
    if (method === 'POST' && (m = /^\/_sandbox\/trn-requests\/([^/]+)\/release$/.exec(path))) {
      return store.settleTrnRequest(decodeURIComponent(m[1]!), { trn: typeof body.trn === 'string' ? body.trn : null, status: 'Completed' });
    }
    if (method === 'POST' && (m = /^\/_sandbox\/trn-requests\/([^/]+)\/reject$/.exec(path))) {
      const status = body.status === undefined ? 'Rejected' : body.status;
      if (status !== 'Rejected' && status !== 'Dormant') return { status: 400, body: { error: 'Expected {"status": "Rejected" | "Dormant"} (default Rejected).' } };
      return store.settleTrnRequest(decodeURIComponent(m[1]!), { status });
    }
    if (method === 'GET' && (m = /^\/_sandbox\/trn-requests\/([^/]+)$/.exec(path))) {
      const request = store.trnRequests.get(decodeURIComponent(m[1]!));
      return request ? { status: 200, body: request } : { status: 404, body: { error: `No TRN request "${m[1]}" in the TRS sandbox.` } };
    }
    if (method === 'POST' && path === '/_sandbox/organisations') {
      if (typeof body.ukprn !== 'string' || !/^\d{8}$/.test(body.ukprn)) return { status: 400, body: { error: 'Expected {"ukprn": "<8 digits>", "name"?: "...", "known": true|false}.' } };
      store.setTrainingProvider(body.ukprn, body.known === false ? null : typeof body.name === 'string' ? body.name : `Training provider ${body.ukprn}`);
      return { status: 200, body: { ukprn: body.ukprn, known: store.trainingProviders.has(body.ukprn) } };
    }
    if (method === 'POST' && path === '/_sandbox/reference') {
      const subjects = body.subjects && typeof body.subjects === 'object' ? (body.subjects as Record<string, unknown>) : {};
      const degreeTypes = body.degreeTypes && typeof body.degreeTypes === 'object' ? (body.degreeTypes as Record<string, unknown>) : {};
      for (const [reference, name] of Object.entries(subjects)) store.subjects.set(reference, String(name));
      for (const [id, name] of Object.entries(degreeTypes)) store.degreeTypes.set(id.toLowerCase(), String(name));
      return { status: 200, body: { subjects: store.subjects.size, degreeTypes: store.degreeTypes.size } };
    }
    if (method === 'POST' && path === '/_sandbox/faults') return faults.addFromRequest(body);
    if (method === 'DELETE' && path === '/_sandbox/faults') {
      faults.clear();
      return { status: 200, body: { faults: 0 } };
    }
    return { status: 404, body: { error: `No TRS sandbox admin endpoint ${method} ${path}.` } };
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
