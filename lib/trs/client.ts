import type { z, ZodType } from 'zod';
import { ApiTransport, type ApiCallLimits } from '../api/transport.js';
import type { Secret } from '../config/env.js';
import { TrsError } from './error.js';
import type { TrsProfessionalStatusBody } from './payloads.js';
import {
  trsPersonSchema,
  trsTrnRequestInfoSchema,
  type TrsPerson,
  type TrsPersonInclude,
  type TrsTrnRequestInfo,
} from './schemas.js';

/**
 * A typed client of the TRS API v3 calls Register makes today (HEAD `app/services/trs/*.rb`), on undici:
 * the paths, headers and accepted statuses are Register's (`app/lib/trs/client.rb`).
 *
 * - Headers: `Accept: application/json`, `Content-Type: application/json;odata.metadata=minimal`,
 *   `X-Api-Version: <version>` (default "20250627"), `Authorization: Bearer <key>`. The key goes there and nowhere else.
 * - Success: GET 200; PUT and POST 200, 201 or 204. Anything else is a `TrsError` whose message is Register's
 *   `status: N, body: <raw>, headers: <inspect>`.
 * - 429 waits out `Retry-After` (bounded) and retries; a call longer than `timeoutMs` (default 10 s) fails as a
 *   `TrsError` of kind `timeout`; a refused connection as kind `network`.
 *
 * @example
 * const trs = createTrsClient({ url: config.trs.url, apiKey: config.trs.apiKey, version: config.trs.version });
 * const person = await trs.getPerson('3012201');
 * await trs.setRouteToProfessionalStatus('3012201', slug, trsProfessionalStatusBody(trainee));
 * await trs.close();
 */
export interface TrsClientOptions extends ApiCallLimits {
  /** Base URL, e.g. `https://teacher-qualifications-api.education.gov.uk` or the TRS sandbox's `http://127.0.0.1:55434`. */
  url: string;
  apiKey: Secret;
  /** `X-Api-Version` (default "20250627", Register's `Settings.trs.version`). */
  version?: string;
}

/** Register's `Settings.trs.version`. */
export const TRS_DEFAULT_API_VERSION = '20250627';

const GET_OK = [200];
const PUT_OK = [200, 201, 204];

export class TrsClient {
  readonly url: string;
  readonly version: string;
  readonly timeoutMs: number;
  readonly #http: ApiTransport;

  constructor(options: TrsClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.version = options.version ?? TRS_DEFAULT_API_VERSION;
    const { apiKey } = options;
    const version = this.version;
    this.#http = new ApiTransport({
      api: 'TRS',
      urlSetting: 'TRS_API_URL',
      url: this.url,
      limits: options,
      headers: () => ({ accept: 'application/json', 'content-type': 'application/json;odata.metadata=minimal', 'x-api-version': version, authorization: `Bearer ${apiKey.reveal()}` }),
      error: (status, body, details) => new TrsError(status, body, details),
    });
    this.timeoutMs = this.#http.timeoutMs;
  }

  /** GET /v3/persons/{trn} (`Trs::RetrieveTeacher` sends no `include`; pass some to see routes, previous names...). */
  async getPerson(trn: string, options: { include?: TrsPersonInclude[] } = {}): Promise<TrsPerson> {
    const query = options.include?.length ? `?include=${options.include.map(encodeURIComponent).join(',')}` : '';
    return this.#call('GET', `/v3/persons/${encodeURIComponent(trn)}${query}`, undefined, trsPersonSchema, GET_OK);
  }

  /** PUT /v3/persons/{trn}: `Trs::UpdatePersonalData` (204; 10041/10042/10057 when TRS refuses PII updates). */
  async setPersonalData(trn: string, body: Record<string, unknown>): Promise<void> {
    await this.#call('PUT', `/v3/persons/${encodeURIComponent(trn)}`, body, null, PUT_OK);
  }

  /** PUT /v3/persons/{trn}/routes-to-professional-statuses/{slug}: `Trs::UpdateProfessionalStatus` (204, no date back). */
  async setRouteToProfessionalStatus(trn: string, slug: string, body: TrsProfessionalStatusBody | Record<string, unknown>): Promise<void> {
    await this.#call('PUT', `/v3/persons/${encodeURIComponent(trn)}/routes-to-professional-statuses/${encodeURIComponent(slug)}`, body, null, PUT_OK);
  }

  /** POST /v3/trn-requests/ (Register's path, trailing slash included): `Trs::RegisterForTrn`. A reused request id is 409/10029. */
  async createTrnRequest(body: { requestId: string } & Record<string, unknown>): Promise<TrsTrnRequestInfo> {
    return this.#call('POST', '/v3/trn-requests/', body, trsTrnRequestInfoSchema, PUT_OK);
  }

  /** GET /v3/trn-requests?requestId=: `Trs::RetrieveTrn` (`trn` null while pending; 404/10031 unknown; 400/10062 rejected or dormant). */
  async getTrnRequest(requestId: string): Promise<TrsTrnRequestInfo> {
    return this.#call('GET', `/v3/trn-requests?requestId=${encodeURIComponent(requestId)}`, undefined, trsTrnRequestInfoSchema, GET_OK);
  }

  /** What a notebook shows for this object (the key is never part of it). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TrsClient(${this.url}, X-Api-Version ${this.version}, timeout ${this.timeoutMs / 1000} s)`;
  }

  toJSON(): { url: string; version: string; timeoutMs: number } {
    return { url: this.url, version: this.version, timeoutMs: this.timeoutMs };
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  async #call<S extends ZodType | null>(method: 'GET' | 'PUT' | 'POST', pathAndQuery: string, body: unknown, schema: S, ok: number[]): Promise<S extends ZodType ? z.infer<S> : void> {
    return (await this.#http.call(method, pathAndQuery, body, schema, ok)).data as never;
  }
}

/**
 * A client for the configured TRS (`config.trs`).
 *
 * @example
 * const trs = createTrsClient({ url: config.trs.url, apiKey: config.trs.apiKey, version: config.trs.version });
 */
export function createTrsClient(options: TrsClientOptions): TrsClient {
  return new TrsClient(options);
}
