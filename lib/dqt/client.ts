import type { z, ZodType } from 'zod';
import { ApiTransport, type ApiCallLimits } from '../api/transport.js';
import type { Secret } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import type { Trainee } from '../db/schema.js';
import { DqtError, FindTeacherError } from './error.js';
import {
  dqtFindResponseSchema,
  dqtTeacherSchema,
  ittOutcomeResponseSchema,
  trnRequestInfoSchema,
  type DqtFindResult,
  type DqtTeacher,
  type IttOutcomeResponse,
  type TrnRequestInfo,
} from './schemas.js';

/**
 * A typed client of the DQT API v2 calls Register made (dqt-api.md section 3, register-facts 4.2), on undici.
 * Paths, query names, casing and dates are exactly Register's: `birthdate` (lower case) on retrieve,
 * `slugId` + `birthDate` on update and itt-outcome, find's keys sorted.
 *
 * - Every failure is a `DqtError` whose message is Register's `status: N, body: <raw body>`.
 * - 401/403 explain that the key is wrong or lacks a role; 429 waits out `Retry-After` (bounded) and retries;
 *   a call that takes longer than `timeoutMs` (default 10 s) fails as a `DqtError` of kind `timeout`.
 * - The API key goes into the Authorization header and nowhere else.
 *
 * @example
 * const dqt = createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, db });
 * const teacher = await dqt.retrieveTeacher('x3KqT8...');   // a slug (needs db) or a trainee row
 * const match = await dqt.findTeacher(trainee);             // Dqt::FindTeacher: exactly one result
 * await dqt.close();
 */
export interface DqtClientOptions extends ApiCallLimits {
  /** Base URL, e.g. `https://teacher-qualifications-api.education.gov.uk` or the sandbox's `http://127.0.0.1:55433`. */
  url: string;
  apiKey: Secret;
  /** Register's database, to accept a trainee's slug where a trainee is expected. */
  db?: RegisterDb;
}

/** Who a call is about: a trainee row (or the columns used), or a trainee's slug when the client has a database. */
export type TraineeRef = string | Pick<Trainee, 'id' | 'trn' | 'date_of_birth' | 'first_names' | 'last_name' | 'email' | 'slug'>;

export interface FindTeachersQuery {
  firstName?: string | null;
  lastName?: string | null;
  previousFirstName?: string | null;
  previousLastName?: string | null;
  dateOfBirth?: string | null;
  nationalInsuranceNumber?: string | null;
  ittProviderName?: string | null;
  ittProviderUkprn?: string | null;
  emailAddress?: string | null;
  trn?: string | null;
  matchPolicy?: 'Default' | 'Strict';
}

export class DqtClient {
  readonly url: string;
  readonly timeoutMs: number;
  readonly #db: RegisterDb | undefined;
  readonly #http: ApiTransport;

  constructor(options: DqtClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#db = options.db;
    const apiKey = options.apiKey;
    this.#http = new ApiTransport({
      api: 'DQT',
      urlSetting: 'DQT_API_URL',
      url: this.url,
      limits: options,
      headers: () => ({ accept: 'application/json', 'content-type': 'application/json;odata.metadata=minimal', authorization: `Bearer ${apiKey.reveal()}` }),
      error: (status, body, { kind, message }) => new DqtError(status, body, { kind, message }),
    });
    this.timeoutMs = this.#http.timeoutMs;
  }

  /** GET /v2/teachers/{trn}?birthdate=&includeInactive=true, as `Dqt::RetrieveTeacher` sends it (the server ignores birthdate). */
  async getTeacher(trn: string, birthdate: string | null): Promise<DqtTeacher> {
    const query = new URLSearchParams({ birthdate: birthdate ?? '', includeInactive: 'true' });
    return this.#call('GET', `/v2/teachers/${encodeURIComponent(trn)}`, query, undefined, dqtTeacherSchema, [200]);
  }

  /** `Dqt::RetrieveTeacher.call(trainee:)`: the DQT record of a trainee that has a TRN. */
  async retrieveTeacher(who: TraineeRef): Promise<DqtTeacher> {
    const trainee = await this.#trainee(who);
    if (!trainee.trn) {
      throw new Error(`Trainee ${trainee.id} (${trainee.slug}) has no TRN, so DQT cannot be asked by TRN: use findTeacher instead.`);
    }
    return this.getTeacher(trainee.trn, trainee.date_of_birth);
  }

  /** GET /v2/teachers/find with any of DQT's identifiers; keys sorted as Rails' `to_query` does. */
  async findTeachers(query: FindTeachersQuery): Promise<DqtFindResult[]> {
    const params = new URLSearchParams();
    for (const key of Object.keys(query).sort()) params.append(key, (query as Record<string, string | null | undefined>)[key] ?? '');
    const response = await this.#call('GET', '/v2/teachers/find', params, undefined, dqtFindResponseSchema, [200]);
    return response.results;
  }

  /**
   * `Dqt::FindTeacher.call(trainee:)`: first word of the first names, last name, date of birth and email;
   * exactly one result, else "No teachers found in DQT for trainee <id>" / "Multiple teachers found in DQT for trainee <id>".
   */
  async findTeacher(who: TraineeRef): Promise<DqtFindResult> {
    const trainee = await this.#trainee(who);
    const results = await this.findTeachers({
      dateOfBirth: trainee.date_of_birth,
      emailAddress: trainee.email,
      firstName: (trainee.first_names ?? '').trim().split(/\s+/)[0] ?? '',
      lastName: trainee.last_name,
    });
    if (results.length === 0) throw new FindTeacherError(`No teachers found in DQT for trainee ${trainee.id}`);
    if (results.length > 1) throw new FindTeacherError(`Multiple teachers found in DQT for trainee ${trainee.id}`);
    return results[0]!;
  }

  /** PUT /v2/trn-requests/{requestId}: 201 when created, 200 when the id was seen before (`created` says which). */
  async registerForTrn(requestId: string, body: Record<string, unknown>): Promise<TrnRequestInfo & { created: boolean }> {
    let status = 0;
    const info = await this.#call('PUT', `/v2/trn-requests/${encodeURIComponent(requestId)}`, undefined, body, trnRequestInfoSchema, [200, 201], (s) => (status = s));
    return { ...info, created: status === 201 };
  }

  /** GET /v2/trn-requests/{requestId}: `trn` is null while DQT has not allocated one. */
  async getTrnRequest(requestId: string): Promise<TrnRequestInfo> {
    return this.#call('GET', `/v2/trn-requests/${encodeURIComponent(requestId)}`, undefined, undefined, trnRequestInfoSchema, [200]);
  }

  /** PATCH /v2/teachers/update/{trn}?slugId=&birthDate= (204). */
  async updateTrainee(trn: string, birthDate: string | null, slug: string, body: Record<string, unknown>): Promise<void> {
    await this.#call('PATCH', `/v2/teachers/update/${encodeURIComponent(trn)}`, identityQuery(slug, birthDate), body, null, [204]);
  }

  /** PUT /v2/teachers/{trn}/itt-outcome with outcome Pass: returns DQT's `qtsDate` (the EYTS date on early-years routes). */
  async awardTrainee(trn: string, birthDate: string | null, slug: string, body: { ittProviderUkprn: string | null; outcome: 'Pass'; assessmentDate: string | null }): Promise<IttOutcomeResponse> {
    return this.#call('PUT', `/v2/teachers/${encodeURIComponent(trn)}/itt-outcome`, identityQuery(slug, birthDate), body, ittOutcomeResponseSchema, [200, 201]);
  }

  /** PUT /v2/teachers/{trn}/itt-outcome with outcome Withdrawn (the response is ignored, as Register does). */
  async withdrawTrainee(trn: string, birthDate: string | null, slug: string, body: { ittProviderUkprn: string | null; outcome: 'Withdrawn' }): Promise<void> {
    await this.#call('PUT', `/v2/teachers/${encodeURIComponent(trn)}/itt-outcome`, identityQuery(slug, birthDate), body, null, [200, 201]);
  }

  /** What a notebook shows for this object (the key is never part of it). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DqtClient(${this.url}, timeout ${this.timeoutMs / 1000} s)`;
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  async #trainee(who: TraineeRef) {
    if (typeof who !== 'string') return who;
    if (!this.#db) throw new Error('A slug was given but this DQT client has no database: pass `db` to createDqtClient, or pass the trainee row.');
    const trainee = await this.#db.selectFrom('trainees').selectAll().where('slug', '=', who.trim()).executeTakeFirst();
    if (!trainee) throw new Error(`No trainee has the slug "${who.trim()}". A slug is the 24-character id in the trainee's URL (/trainees/<slug>).`);
    return trainee;
  }

  async #call<S extends ZodType | null>(
    method: 'GET' | 'PUT' | 'PATCH',
    path: string,
    query: URLSearchParams | undefined,
    body: unknown,
    schema: S,
    ok: number[],
    onStatus?: (status: number) => void,
  ): Promise<S extends ZodType ? z.infer<S> : void> {
    const { status, data } = await this.#http.call(method, `${path}${query && [...query.keys()].length ? `?${query.toString()}` : ''}`, body, schema, ok);
    onStatus?.(status);
    return data as never;
  }
}

/** Register's `?slugId=<slug>&birthDate=<yyyy-MM-dd>` for update and itt-outcome. */
function identityQuery(slug: string, birthDate: string | null): URLSearchParams {
  return new URLSearchParams({ slugId: slug, birthDate: birthDate ?? '' });
}

export { retryAfterMs } from '../api/transport.js';

/**
 * A client for the configured DQT (`config.dqt`).
 *
 * @example
 * const dqt = createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, db });
 */
export function createDqtClient(options: DqtClientOptions): DqtClient {
  return new DqtClient(options);
}
