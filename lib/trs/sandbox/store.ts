import { createHash, randomBytes } from 'node:crypto';
import { lowerKeys, validationProblem, type SandboxResponse } from '../../dqt/sandbox/store.js';
import { TRS_ROUTE_STATUSES, type TrsRouteStatus } from '../codes.js';
import { trsErrorTitle } from '../error.js';
import {
  trsSandboxPersonSchema,
  type TrsSandboxPerson,
  type TrsSandboxPersonInput,
  type TrsSandboxRoute,
  type TrsSandboxSeed,
  type TrsSandboxTrnRequest,
  type TrsTrnRequestStatus,
} from './records.js';
import {
  DEGREE_TYPE_NAMES,
  ROUTE_TYPE_IDS,
  TRS_COUNTRY_IDS,
  canBeExemptFromInduction,
  countryName,
  defaultSubjects,
  isOverseasRoute,
  routeType,
} from './reference.js';

/**
 * The TRS sandbox's state and TRS's rules at `X-Api-Version: 20250627` (TRS `401992997`), without HTTP: each API
 * method takes the path values and the parsed JSON body (names matched case-insensitively, as ASP.NET binds them)
 * and returns the status and body TRS would send. Handlers followed: `V3/Operations/GetPerson.cs` (+
 * `GetPersonHelper.cs`), `SetPii.cs`, `SetRouteToProfessionalStatus.cs`, `CreateTrnRequest.cs`, `GetTrnRequest.cs`;
 * validators `V20250425/Validators/CreateTrnRequestRequestValidator.cs` and
 * `V20250627/Validators/SetRouteToProfessionalStatusRequestValidator.cs`.
 *
 * Business errors are TRS's ProblemDetails: `{"title","status","detail","errorCode"}` (no `detail` when TRS has none).
 *
 * @example
 * const store = new TrsSandboxStore(seed);
 * store.getPerson('3012201', {}) // { status: 200, body: { trn: '3012201', ... } }
 */
type Body = Record<string, unknown>;

const obj = (v: unknown): Body | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : null);
const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));
const isGuid = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
const today = () => new Date().toISOString().slice(0, 10);
const fold = (v: unknown) => (typeof v === 'string' ? v.normalize('NFD').replace(/\p{Diacritic}/gu, '').trim().toLowerCase() : '');
const traceId = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;

/** TRS's ApiError as ProblemDetails: title, status, detail (left out when TRS has none), errorCode. */
export function apiError(errorCode: number, status: number, detail: string | null, values: { trn?: string; mergedWithTrn?: string } = {}): SandboxResponse {
  const body: Record<string, unknown> = { title: trsErrorTitle(errorCode, values), status };
  if (detail !== null) body.detail = detail;
  body.errorCode = errorCode;
  return { status, body };
}

/** A failure of System.Text.Json to bind the body (a missing required property, a value of the wrong type). */
function bindingProblem(path: string, message: string): SandboxResponse {
  return validationProblem({ [path]: [message], request: ['The request field is required.'] });
}

function missingRequired(type: string, names: string[]): SandboxResponse {
  return bindingProblem('$', `JSON deserialization for type '${type}' was missing required properties, including the following: ${names.join(', ')}`);
}

function notConvertible(path: string, type: string): SandboxResponse {
  return bindingProblem(path, `The JSON value could not be converted to ${type}. Path: ${path}`);
}

class Errors {
  readonly map: Record<string, string[]> = {};
  add(key: string, message: string) {
    (this.map[key] ??= []).push(message);
  }
  get any() {
    return Object.keys(this.map).length > 0;
  }
}

const ROUTE_REQUEST = 'TeachingRecordSystem.Api.V3.V20250627.Requests.SetRouteToProfessionalStatusRequest';
const PII_REQUEST = 'TeachingRecordSystem.Api.V3.V20250425.Requests.SetPiiRequest';
const TRN_REQUEST = 'TeachingRecordSystem.Api.V3.V20250425.Requests.CreateTrnRequestRequest';
const TRN_REQUEST_PERSON = 'TeachingRecordSystem.Api.V3.V20250425.Requests.CreateTrnRequestRequestPerson';
const AGE_SPECIALISM_TYPES = ['Range', 'FoundationStage', 'FurtherEducation', 'KeyStage1', 'KeyStage2', 'KeyStage3', 'KeyStage4'];
const GENDERS = ['Male', 'Female', 'Other'];

export class TrsSandboxStore {
  persons: TrsSandboxPerson[] = [];
  trnRequests = new Map<string, TrsSandboxTrnRequest>();
  /** UKPRN → name. */
  trainingProviders = new Map<string, string>();
  /** Active subjects: reference → name. */
  subjects = new Map<string, string>();
  /** Degree types: id → name. */
  degreeTypes = new Map<string, string>();
  #nextTrn = 4100001;
  readonly #seed: TrsSandboxSeed;

  constructor(seed: TrsSandboxSeed) {
    this.#seed = structuredClone(seed);
    this.reset();
  }

  /** Back to the seeded state. */
  reset(): void {
    const seed = structuredClone(this.#seed);
    this.persons = [];
    this.trnRequests.clear();
    this.#nextTrn = seed.firstTrn ?? 4100001;
    this.trainingProviders = new Map(Object.entries(seed.trainingProviders));
    this.subjects = defaultSubjects();
    this.degreeTypes = new Map(DEGREE_TYPE_NAMES);
    for (const person of seed.persons) this.putPerson(person);
    for (const r of seed.trnRequests) {
      this.trnRequests.set(r.requestId, {
        requestId: r.requestId,
        status: r.status,
        trn: r.status === 'Completed' ? r.trn ?? null : null,
        potentialDuplicate: r.potentialDuplicate ?? r.status !== 'Completed',
        person: (lowerKeys(r.person ?? {}) as Body) ?? {},
        trnToken: null,
      });
    }
  }

  // ---------------------------------------------------------------- admin

  /** Adds or replaces a person (by TRN). Throws a message naming bad fields. */
  putPerson(input: TrsSandboxPersonInput | unknown): TrsSandboxPerson {
    const parsed = trsSandboxPersonSchema.safeParse(input);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const person: TrsSandboxPerson = {
      ...parsed.data,
      routes: parsed.data.routes.map((r) => ({ ...r, routeToProfessionalStatusTypeId: r.routeToProfessionalStatusTypeId.toLowerCase(), routeToProfessionalStatusId: uuidFrom(`route:${parsed.data.trn}:${r.reference}:${r.fromRegister}`) })),
    };
    const existing = this.persons.findIndex((p) => p.trn === person.trn);
    if (existing >= 0) this.persons[existing] = person;
    else this.persons.push(person);
    return person;
  }

  /** TRS adds a training provider (what TRS does when support sends a UKPRN), or forgets it (`known: false`). */
  setTrainingProvider(ukprn: string, name: string | null): void {
    if (name === null) this.trainingProviders.delete(ukprn);
    else this.trainingProviders.set(ukprn, name);
  }

  /**
   * What TRS's support team does with a pending request: completes it onto an existing record (`trn`), or with a
   * new record from the request, or rejects it (`Rejected`), or it lies `Dormant`.
   */
  settleTrnRequest(requestId: string, outcome: { trn?: string | null; status?: 'Completed' | 'Rejected' | 'Dormant' | 'Pending' }): SandboxResponse {
    const request = this.trnRequests.get(requestId);
    if (!request) return { status: 404, body: { error: `No TRN request "${requestId}" in the TRS sandbox.` } };
    const status = outcome.status ?? 'Completed';
    if (status === 'Completed') {
      if (request.status === 'Completed') return { status: 409, body: { error: `TRN request "${requestId}" is already completed (TRN ${request.trn}).` } };
      if (outcome.trn) {
        const person = this.#active(outcome.trn);
        if (!person) return { status: 404, body: { error: `No active person with TRN ${outcome.trn} in the TRS sandbox.` } };
        request.trn = person.trn;
      } else {
        request.trn = this.#createPerson(request.person).trn;
      }
      request.status = 'Completed';
      request.trnToken = randomBytes(8).toString('hex');
    } else {
      request.status = status;
      request.trn = null;
    }
    return { status: 200, body: { requestId, status: request.status, trn: request.trn, potentialDuplicate: request.potentialDuplicate } };
  }

  // ---------------------------------------------------------------- GET /v3/persons/{trn}

  /** `include` is TRS's comma-separated list; `dateOfBirth` an extra check. */
  getPerson(trn: string, query: Record<string, string>): SandboxResponse {
    const dateOfBirth = query.dateofbirth;
    if (dateOfBirth !== undefined && query.nationalinsurancenumber !== undefined) {
      return { status: 400, body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'Bad Request', status: 400, traceId: traceId() } };
    }
    if (dateOfBirth !== undefined && !isDate(dateOfBirth)) return validationProblem({ dateOfBirth: [`The value '${dateOfBirth}' is not valid for DateOfBirth.`] });
    const resolved = this.#resolve(trn);
    if ('status' in resolved) return resolved;
    const person = resolved.person;
    if (dateOfBirth !== undefined && person.dateOfBirth !== dateOfBirth) return apiError(10001, 404, `TRN: '${trn}'\nDate of birth: '${dateOfBirth}'`);
    return { status: 200, body: this.#personResponse(person, parseIncludes(query.include)) };
  }

  // ---------------------------------------------------------------- PUT /v3/persons/{trn}

  setPii(trn: string, raw: unknown): SandboxResponse {
    const body = obj(lowerKeys(raw));
    if (!body) return bindingProblem('$', 'The JSON value could not be converted to ' + PII_REQUEST + '. Path: $');
    const missing = ['firstName', 'middleName', 'lastName', 'dateOfBirth'].filter((k) => !(k.toLowerCase() in body));
    if (missing.length) return missingRequired(PII_REQUEST, missing);
    if (!isDate(body.dateofbirth)) return notConvertible('$.dateOfBirth', 'System.DateOnly');
    if (body.gender !== undefined && body.gender !== null && !GENDERS.includes(body.gender as string)) {
      return notConvertible('$.gender', 'System.Nullable`1[TeachingRecordSystem.Core.ApiSchema.V3.V20250203.Dtos.Gender]');
    }
    // No validator for this request: the handler runs on whatever bound.
    const person = this.#active(trn);
    if (!person) return apiError(10001, 404, `TRN: '${trn}'`);
    if (!person.allowPiiUpdates) return apiError(10041, 400, '');
    if (person.qtsDate) return apiError(10042, 400, '');
    if (person.eytsDate) return apiError(10057, 400, '');
    // TRS would fail writing a null name (a 500 with no body).
    if (typeof body.firstname !== 'string' || typeof body.lastname !== 'string') return { status: 500 };
    person.firstName = body.firstname;
    person.middleName = typeof body.middlename === 'string' ? body.middlename : '';
    person.lastName = body.lastname;
    person.dateOfBirth = body.dateofbirth;
    // The request's field is `emailAddress`; Register's `emailAddresses` is not read, so the e-mail becomes null.
    person.emailAddress = typeof body.emailaddress === 'string' ? body.emailaddress : null;
    person.nationalInsuranceNumber = typeof body.nationalinsurancenumber === 'string' ? body.nationalinsurancenumber : null;
    person.gender = typeof body.gender === 'string' ? (body.gender as TrsSandboxPerson['gender']) : null;
    return { status: 204 };
  }

  // ---------------------------------------------------------------- PUT /v3/persons/{trn}/routes-to-professional-statuses/{reference}

  setRoute(trn: string, reference: string, raw: unknown): SandboxResponse {
    const body = obj(lowerKeys(raw));
    if (!body) return bindingProblem('$', `The JSON value could not be converted to ${ROUTE_REQUEST}. Path: $`);
    const missing = ['routeToProfessionalStatusTypeId', 'status'].filter((k) => !(k.toLowerCase() in body));
    if (missing.length) return missingRequired(ROUTE_REQUEST, missing);
    const typeId = body.routetoprofessionalstatustypeid;
    if (!isGuid(typeId)) return notConvertible('$.routeToProfessionalStatusTypeId', 'System.Guid');
    const status = body.status;
    if (!(TRS_ROUTE_STATUSES as readonly unknown[]).includes(status)) return notConvertible('$.status', 'TeachingRecordSystem.Core.ApiSchema.V3.V20250627.Dtos.RouteToProfessionalStatusStatus');
    for (const key of ['holdsFrom', 'trainingStartDate', 'trainingEndDate'] as const) {
      const v = body[key.toLowerCase()];
      if (v !== undefined && v !== null && !isDate(v)) return notConvertible(`$.${key}`, 'System.Nullable`1[System.DateOnly]');
    }
    const subjectsRaw = body.trainingsubjectreferences;
    if (subjectsRaw !== undefined && subjectsRaw !== null && (!Array.isArray(subjectsRaw) || subjectsRaw.some((s) => s !== null && typeof s !== 'string'))) {
      return notConvertible('$.trainingSubjectReferences', 'System.String[]');
    }
    const age = body.trainingagespecialism;
    if (age !== undefined && age !== null) {
      const a = obj(age);
      if (!a) return notConvertible('$.trainingAgeSpecialism', 'TeachingRecordSystem.Api.V3.V20250627.Requests.SetRouteToProfessionalStatusRequestTrainingAgeSpecialism');
      if (a.type !== undefined && !AGE_SPECIALISM_TYPES.includes(a.type as string)) {
        return notConvertible('$.trainingAgeSpecialism.type', 'TeachingRecordSystem.Core.ApiSchema.V3.V20250425.Dtos.TrainingAgeSpecialismType');
      }
    }
    if (body.degreetypeid !== undefined && body.degreetypeid !== null && !isGuid(body.degreetypeid)) return notConvertible('$.degreeTypeId', 'System.Nullable`1[System.Guid]');

    const request = {
      typeId: typeId.toLowerCase(),
      status: status as TrsRouteStatus,
      holdsFrom: (body.holdsfrom as string | null | undefined) ?? null,
      trainingStartDate: (body.trainingstartdate as string | null | undefined) ?? null,
      trainingEndDate: (body.trainingenddate as string | null | undefined) ?? null,
      subjects: Array.isArray(subjectsRaw) ? (subjectsRaw as (string | null)[]) : null,
      age: obj(age),
      country: typeof body.trainingcountryreference === 'string' ? body.trainingcountryreference : null,
      ukprn: typeof body.trainingproviderukprn === 'string' ? body.trainingproviderukprn : null,
      degreeTypeId: typeof body.degreetypeid === 'string' ? body.degreetypeid.toLowerCase() : null,
      isExempt: typeof body.isexemptfrominduction === 'boolean' ? body.isexemptfrominduction : null,
    };
    const errors = validateRoute(request);
    if (errors.any) return validationProblem(errors.map);

    // The handler, in its order.
    const person = this.#active(trn);
    if (!person) return apiError(10001, 404, `TRN: '${trn}'`);
    const type = routeType(request.typeId);
    if (!type?.permitted) return apiError(10043, 400, `Route type: '${request.typeId}'`);
    for (const s of request.subjects ?? []) {
      if (s === null || !this.subjects.has(s)) return apiError(10045, 400, `Training subject reference: '${s ?? ''}'`);
    }
    if (request.country !== null && !TRS_COUNTRY_IDS.has(request.country)) return apiError(10047, 400, `Training country reference: '${request.country}'`);
    if (request.ukprn !== null && !this.trainingProviders.has(request.ukprn)) return apiError(10048, 400, `Training provider UKPRN: '${request.ukprn}'`);
    if (request.degreeTypeId !== null && !this.degreeTypes.has(request.degreeTypeId)) return apiError(10049, 400, `Degree type: '${request.degreeTypeId}'`);

    const existing = person.routes.find((r) => r.reference === reference && r.fromRegister);
    if (existing) {
      if (isOverseasRoute(request.typeId)) return apiError(10051, 400, `Route type: '${request.typeId}'`);
      if (routeType(existing.routeToProfessionalStatusTypeId)?.professionalStatusType !== type.professionalStatusType) return apiError(10054, 400, '');
      if (existing.status === 'Holds') return apiError(10052, 400, '');
      if (existing.status === 'Failed' && ['Deferred', 'InTraining', 'UnderAssessment'].includes(request.status)) return apiError(10055, 400, '');
      if (existing.status === 'Withdrawn' && request.status === 'Deferred') return apiError(10056, 400, '');
    }
    const route: TrsSandboxRoute = {
      reference,
      routeToProfessionalStatusId: existing?.routeToProfessionalStatusId ?? uuidFrom(`route:${trn}:${reference}:true`),
      routeToProfessionalStatusTypeId: request.typeId,
      status: request.status,
      holdsFrom: request.holdsFrom,
      trainingStartDate: request.trainingStartDate,
      trainingEndDate: request.trainingEndDate,
      trainingSubjectReferences: (request.subjects ?? []) as string[],
      trainingAgeSpecialism: request.age ? { type: String(request.age.type ?? 'Range'), from: (request.age.from as number | null | undefined) ?? null, to: (request.age.to as number | null | undefined) ?? null } : null,
      trainingCountryReference: request.country,
      trainingProviderUkprn: request.ukprn,
      degreeTypeId: request.degreeTypeId,
      isExemptFromInduction: request.isExempt,
      fromRegister: true,
    };
    if (existing) person.routes[person.routes.indexOf(existing)] = route;
    else person.routes.push(route);
    // A route that now holds the status awards it: the earliest holds-from date of its kind is the person's date.
    if (route.status === 'Holds' && route.holdsFrom) {
      if (type.professionalStatusType === 'QualifiedTeacherStatus') person.qtsDate = earliest(person.qtsDate, route.holdsFrom);
      if (type.professionalStatusType === 'EarlyYearsTeacherStatus') person.eytsDate = earliest(person.eytsDate, route.holdsFrom);
    }
    return { status: 204 };
  }

  // ---------------------------------------------------------------- POST /v3/trn-requests

  createTrnRequest(raw: unknown): SandboxResponse {
    const body = obj(lowerKeys(raw));
    if (!body) return bindingProblem('$', `The JSON value could not be converted to ${TRN_REQUEST}. Path: $`);
    const missing = ['requestId', 'person'].filter((k) => !(k.toLowerCase() in body));
    if (missing.length) return missingRequired(TRN_REQUEST, missing);
    const person = obj(body.person);
    if (!person) return notConvertible('$.person', TRN_REQUEST_PERSON);
    const personMissing = ['firstName', 'lastName', 'dateOfBirth'].filter((k) => !(k.toLowerCase() in person));
    if (personMissing.length) return missingRequired(TRN_REQUEST_PERSON, personMissing);
    if (!isDate(person.dateofbirth)) return notConvertible('$.person.dateOfBirth', 'System.DateOnly');
    if (person.gender !== undefined && person.gender !== null && !GENDERS.includes(person.gender as string)) {
      return notConvertible('$.person.gender', 'System.Nullable`1[TeachingRecordSystem.Core.ApiSchema.V3.V20250203.Dtos.Gender]');
    }
    const emails = person.emailaddresses;
    if (emails !== undefined && emails !== null && (!Array.isArray(emails) || emails.some((e) => e !== null && typeof e !== 'string'))) {
      return notConvertible('$.person.emailAddresses', 'System.Collections.Generic.IReadOnlyCollection`1[System.String]');
    }
    const requestId = typeof body.requestid === 'string' ? body.requestid : '';

    const errors = new Errors();
    if (!/^([0-9]|[a-z]|-|_)+$/i.test(requestId)) errors.add('requestId', 'requestId can only contain characters a-z, digits, underscores and dashes.');
    else if (requestId.length > 100) errors.add('requestId', 'requestId must be 100 characters or fewer');
    if (typeof person.firstname !== 'string' || person.firstname.trim() === '') errors.add('person.firstName', "'First Name' must not be empty.");
    if (typeof person.lastname !== 'string' || person.lastname.trim() === '') errors.add('person.lastName', "'Last Name' must not be empty.");
    const dob = person.dateofbirth;
    if (dob >= today() || dob < '1940-01-01') errors.add('person.dateOfBirth', 'Birth date is out of expected range.');
    (Array.isArray(emails) ? emails : []).forEach((e, i) => {
      if (e === null) errors.add(`person.emailAddresses[${i}]`, 'Email address cannot be null.');
      else if (!/^[^@]+@[^@]+$/.test(e as string) || (e as string).startsWith('@') || (e as string).endsWith('@')) errors.add(`person.emailAddresses[${i}]`, "'Email Addresses' is not a valid email address.");
    });
    if (errors.any) return validationProblem(errors.map);

    if (this.trnRequests.has(requestId)) return apiError(10029, 409, `TRN request ID: '${requestId}'`);

    const match = this.#match(person);
    const request: TrsSandboxTrnRequest = { requestId, status: 'Pending', trn: null, potentialDuplicate: false, person, trnToken: null };
    if (match.kind === 'none') {
      request.trn = this.#createPerson(person).trn;
      request.status = 'Completed';
    } else if (match.kind === 'definite') {
      request.trn = match.trn;
      request.status = 'Completed';
    } else {
      request.potentialDuplicate = true;
    }
    const email = Array.isArray(emails) ? (emails[0] as string | undefined) : undefined;
    if (request.status === 'Completed' && email) request.trnToken = randomBytes(8).toString('hex');
    this.trnRequests.set(requestId, request);
    return { status: 200, body: trnRequestInfo(request) };
  }

  // ---------------------------------------------------------------- GET /v3/trn-requests?requestId=

  getTrnRequest(requestId: string | undefined): SandboxResponse {
    const id = requestId ?? '';
    const request = this.trnRequests.get(id);
    if (!request) return apiError(10031, 404, `TRN request ID: '${id}'`);
    if (request.status === 'Rejected' || request.status === 'Dormant') return apiError(10062, 400, `TRN request ID: '${id}'`);
    return { status: 200, body: trnRequestInfo(request) };
  }

  // ---------------------------------------------------------------- helpers

  #active(trn: string): TrsSandboxPerson | undefined {
    return this.persons.find((p) => p.trn === trn && p.status === 'Active' && !p.mergedWithTrn);
  }

  /** `GetPersonHelper.GetPersonByTrnAsync`: follows merges; 10001 unknown, 10058 deactivated, 10059 merged (404 each at 20250627). */
  #resolve(trn: string): { person: TrsSandboxPerson } | SandboxResponse {
    let person = this.persons.find((p) => p.trn === trn);
    if (!person) return apiError(10001, 404, `TRN: '${trn}'`);
    const seen = new Set<string>();
    while (person.mergedWithTrn && !seen.has(person.trn)) {
      seen.add(person.trn);
      const next = this.persons.find((p) => p.trn === person!.mergedWithTrn);
      if (!next) break;
      person = next;
    }
    if (person.status === 'Deactivated') return apiError(10058, 404, null, { trn });
    if (person.trn !== trn) return apiError(10059, 404, null, { trn, mergedWithTrn: person.trn });
    return { person };
  }

  /** `TrnRequestService.MatchPersonsAsync`, simplified: candidates share 3 of first/middle/last name and date of birth, or the e-mail, or the NINO. */
  #match(person: Body): { kind: 'none' } | { kind: 'definite'; trn: string } | { kind: 'potential' } {
    const first = fold(person.firstname);
    const middle = fold(person.middlename);
    const last = fold(person.lastname);
    const dob = person.dateofbirth;
    const email = fold(Array.isArray(person.emailaddresses) ? person.emailaddresses[0] : null);
    const nino = fold(person.nationalinsurancenumber).replace(/\s/g, '');
    const gender = person.gender ?? null;
    const results = this.persons
      .filter((p) => p.status === 'Active' && !p.mergedWithTrn)
      .map((p) => {
        const names = [p.firstName, ...p.middleName.split(/\s+/), p.lastName].map(fold).filter(Boolean);
        const m = {
          trn: p.trn,
          first: first !== '' && names.includes(first),
          middle: middle !== '' && names.includes(middle),
          last: last !== '' && names.includes(last),
          dob: p.dateOfBirth === dob,
          email: email !== '' && fold(p.emailAddress) === email,
          nino: nino !== '' && fold(p.nationalInsuranceNumber).replace(/\s/g, '') === nino,
          gender: gender !== null && p.gender === gender,
        };
        return m;
      })
      .filter((m) => [m.first, m.middle, m.last, m.dob].filter(Boolean).length >= 3 || m.email || m.nino);
    if (results.length === 0) return { kind: 'none' };
    const byDobAndNino = results.filter((m) => m.dob && m.nino);
    if (byDobAndNino.length === 1) return { kind: 'definite', trn: byDobAndNino[0]!.trn };
    const byEverything = results.filter((m) => m.first && m.last && m.dob && m.email && m.gender);
    if (byEverything.length === 1 && nino === '') return { kind: 'definite', trn: byEverything[0]!.trn };
    return { kind: 'potential' };
  }

  #createPerson(person: Body): TrsSandboxPerson {
    const emails = Array.isArray(person.emailaddresses) ? person.emailaddresses : [];
    return this.putPerson({
      trn: String(this.#nextTrn++),
      firstName: typeof person.firstname === 'string' ? person.firstname : 'Unknown',
      middleName: typeof person.middlename === 'string' ? person.middlename : '',
      lastName: typeof person.lastname === 'string' ? person.lastname : 'Unknown',
      dateOfBirth: person.dateofbirth as string,
      emailAddress: typeof emails[0] === 'string' ? emails[0] : null,
      nationalInsuranceNumber: typeof person.nationalinsurancenumber === 'string' ? person.nationalinsurancenumber : null,
      gender: GENDERS.includes(person.gender as string) ? (person.gender as 'Male') : null,
      allowPiiUpdates: true,
    });
  }

  #personResponse(p: TrsSandboxPerson, includes: Set<string>) {
    const award = (kind: 'QualifiedTeacherStatus' | 'EarlyYearsTeacherStatus', holdsFrom: string | null) =>
      holdsFrom
        ? {
            holdsFrom,
            routes: p.routes
              .filter((r) => r.status === 'Holds' && routeType(r.routeToProfessionalStatusTypeId)?.professionalStatusType === kind)
              .map((r) => ({ routeToProfessionalStatusType: routeTypeJson(r.routeToProfessionalStatusTypeId) })),
          }
        : null;
    const body: Record<string, unknown> = {
      trn: p.trn,
      firstName: p.firstName,
      middleName: p.middleName,
      lastName: p.lastName,
      dateOfBirth: p.dateOfBirth,
      nationalInsuranceNumber: p.nationalInsuranceNumber,
    };
    if (includes.has('PendingDetailChanges')) Object.assign(body, { pendingNameChange: false, pendingDateOfBirthChange: false });
    Object.assign(body, { emailAddress: p.emailAddress, qts: award('QualifiedTeacherStatus', p.qtsDate), eyts: award('EarlyYearsTeacherStatus', p.eytsDate) });
    if (includes.has('RoutesToProfessionalStatuses')) body.routesToProfessionalStatuses = p.routes.map((r) => this.#routeJson(r));
    if (includes.has('PreviousNames')) body.previousNames = [];
    body.qtlsStatus = p.qtlsStatus;
    return body;
  }

  #routeJson(r: TrsSandboxRoute) {
    const age = r.trainingAgeSpecialism;
    return {
      routeToProfessionalStatusId: r.routeToProfessionalStatusId,
      routeToProfessionalStatusType: routeTypeJson(r.routeToProfessionalStatusTypeId),
      status: r.status,
      holdsFrom: r.holdsFrom,
      trainingStartDate: r.trainingStartDate,
      trainingEndDate: r.trainingEndDate,
      trainingSubjects: r.trainingSubjectReferences.map((reference) => ({ reference, name: this.subjects.get(reference) ?? reference })),
      trainingAgeSpecialism: age ? { type: age.type, ...(typeof age.from === 'number' ? { from: age.from } : {}), ...(typeof age.to === 'number' ? { to: age.to } : {}) } : null,
      trainingCountry: r.trainingCountryReference ? { reference: r.trainingCountryReference, name: countryName(r.trainingCountryReference) } : null,
      trainingProvider: r.trainingProviderUkprn ? { ukprn: r.trainingProviderUkprn, name: this.trainingProviders.get(r.trainingProviderUkprn) ?? r.trainingProviderUkprn } : null,
      degreeType: r.degreeTypeId ? { degreeTypeId: r.degreeTypeId, name: this.degreeTypes.get(r.degreeTypeId) ?? r.degreeTypeId } : null,
      inductionExemption: { isExempt: r.isExemptFromInduction === true, exemptionReasons: [] },
    };
  }
}

/** The `SetRouteToProfessionalStatusRequestValidator` rules (messages and keys as TRS gives them). */
function validateRoute(r: {
  typeId: string;
  status: TrsRouteStatus;
  holdsFrom: string | null;
  trainingStartDate: string | null;
  trainingEndDate: string | null;
  subjects: (string | null)[] | null;
  age: Body | null;
  country: string | null;
  ukprn: string | null;
  isExempt: boolean | null;
}): Errors {
  const errors = new Errors();
  if (r.typeId === ROUTE_TYPE_IDS.assessmentOnly && r.status === 'InTraining') errors.add('status', `Status cannot be 'InTraining' when route type is '${ROUTE_TYPE_IDS.assessmentOnly}'.`);
  else if (r.typeId !== ROUTE_TYPE_IDS.assessmentOnly && r.status === 'UnderAssessment') errors.add('status', `Status cannot be 'UnderAssessment' when route type is '${r.typeId}'.`);

  if (r.status === 'Holds' && r.holdsFrom === null) errors.add('holdsFrom', `Holds from date must be specified when status is '${r.status}'.`);
  else if (r.status !== 'Holds' && r.holdsFrom !== null) errors.add('holdsFrom', `Holds from date cannot be specified when status is '${r.status}'.`);
  else if (r.holdsFrom !== null && r.holdsFrom > today()) errors.add('holdsFrom', 'Holds from date cannot be in the future.');

  if (r.trainingStartDate === null) errors.add('trainingStartDate', 'Training start date must be specified.');
  if (r.trainingEndDate === null) errors.add('trainingEndDate', 'Training end date must be specified.');
  else if (r.trainingStartDate !== null && r.trainingEndDate <= r.trainingStartDate) errors.add('trainingEndDate', 'Training end date cannot be before training start date.');

  if (r.subjects && r.subjects.length > 3) errors.add('trainingSubjectReferences', 'A maximum of 3 training subject references are allowed.');

  if (r.age) {
    const type = String(r.age.type ?? 'Range');
    const from = typeof r.age.from === 'number' ? r.age.from : null;
    const to = typeof r.age.to === 'number' ? r.age.to : null;
    if (type === 'Range') {
      if (from === null) errors.add('trainingAgeSpecialism.from', `From age must be specified for specialism type '${type}'.`);
      if (to === null) errors.add('trainingAgeSpecialism.to', `To age must be specified for specialism type '${type}'.`);
      else if (from !== null && to <= from) errors.add('trainingAgeSpecialism.to', `To age cannot be less than From age for specialism type '${type}'.`);
      if (from !== null && (from < 0 || from > 19)) errors.add('trainingAgeSpecialism.from', `From age must be 0-19 inclusive for specialism type '${type}'.`);
      if (to !== null && (to < 0 || to > 19)) errors.add('trainingAgeSpecialism.to', `To age must be 0-19 inclusive for specialism type '${type}'.`);
    } else {
      if (from !== null) errors.add('trainingAgeSpecialism.from', `From age cannot be specified for specialism type '${type}'.`);
      if (to !== null) errors.add('trainingAgeSpecialism.to', `To age cannot be specified for specialism type '${type}'.`);
    }
  }

  const c = r.country;
  if (isOverseasRoute(r.typeId)) {
    const notOverseas = ['GB', 'GB-ENG', 'XF', 'GB-WLS', 'GB-CYM', 'XI'];
    if (!c) errors.add('trainingCountryReference', `Training country reference must be specified when route type is '${r.typeId}'.`);
    else if (notOverseas.includes(c)) errors.add('trainingCountryReference', `Training country reference cannot be '${c}' when route type is '${r.typeId}'.`);
    else if (r.typeId === ROUTE_TYPE_IDS.scotlandR && c !== 'GB-SCT') errors.add('trainingCountryReference', `Training country reference must be 'GB-SCT' when route type is '${ROUTE_TYPE_IDS.scotlandR}'.`);
    else if (r.typeId !== ROUTE_TYPE_IDS.scotlandR && c === 'GB-SCT') errors.add('trainingCountryReference', `Training country reference cannot be 'GB-SCT' when route type is not '${ROUTE_TYPE_IDS.scotlandR}'.`);
    else if (r.typeId === ROUTE_TYPE_IDS.niR && c !== 'GB-NIR') errors.add('trainingCountryReference', `Training country reference must be 'GB-NIR' when route type is '${ROUTE_TYPE_IDS.niR}'.`);
    else if (r.typeId !== ROUTE_TYPE_IDS.niR && c === 'GB-NIR') errors.add('trainingCountryReference', `Training country reference cannot be 'GB-NIR' when route type is not '${ROUTE_TYPE_IDS.niR}'.`);
  } else if (r.typeId === ROUTE_TYPE_IDS.iqts && !c) {
    errors.add('trainingCountryReference', `Training country reference must be specified when route type is '${r.typeId}'.`);
  } else if (r.typeId === ROUTE_TYPE_IDS.welshR && c !== 'GB-WLS' && c !== 'GB-CYM') {
    errors.add('trainingCountryReference', `Training country reference must be 'GB-WLS' or 'GB-CYM' when route type is '${ROUTE_TYPE_IDS.welshR}'.`);
  } else if (r.typeId !== ROUTE_TYPE_IDS.welshR && (c === 'GB-WLS' || c === 'GB-CYM')) {
    errors.add('trainingCountryReference', `Training country reference cannot be '${c}' when route type is not '${ROUTE_TYPE_IDS.welshR}'.`);
  } else if (r.typeId !== ROUTE_TYPE_IDS.iqts && r.typeId !== ROUTE_TYPE_IDS.welshR && c !== 'GB') {
    errors.add('trainingCountryReference', `Training country reference must be 'GB' when route type is '${r.typeId}'.`);
  }

  if (!isOverseasRoute(r.typeId) && !r.ukprn) errors.add('trainingProviderUkprn', `Training provider UKPRN must be specified when route type is '${r.typeId}'.`);
  else if (isOverseasRoute(r.typeId) && r.ukprn) errors.add('trainingProviderUkprn', `Training provider UKPRN cannot be specified when route type is '${r.typeId}'.`);

  if (canBeExemptFromInduction(r.typeId) && r.isExempt === null) errors.add('isExemptFromInduction', `Is exempt from induction must be specified when route type is '${r.typeId}'.`);
  else if (!canBeExemptFromInduction(r.typeId) && r.isExempt !== null) errors.add('isExemptFromInduction', `Is exempt from induction cannot be specified when route type is '${r.typeId}'.`);
  return errors;
}

/** `include=` as TRS binds it: comma-separated names, any case; one unknown name and the whole list is dropped (`FlagsEnumStringListModelBinder`). */
export function parseIncludes(value: string | undefined): Set<string> {
  const names = ['Induction', 'MandatoryQualifications', 'PendingDetailChanges', 'Alerts', 'PreviousNames', 'RoutesToProfessionalStatuses'];
  const out = new Set<string>();
  if (!value) return out;
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part.toLowerCase() === 'all') {
      // `All` is several flags at once, which the binder refuses.
      return new Set();
    }
    const name = names.find((n) => n.toLowerCase() === part.toLowerCase());
    if (!name) return new Set();
    out.add(name);
  }
  return out;
}

function routeTypeJson(id: string) {
  const t = routeType(id);
  return { routeToProfessionalStatusTypeId: id.toLowerCase(), name: t?.name ?? 'Unknown', professionalStatusType: t?.professionalStatusType ?? 'QualifiedTeacherStatus' };
}

function trnRequestInfo(r: TrsSandboxTrnRequest) {
  const completed = r.status === 'Completed';
  return {
    requestId: r.requestId,
    status: completed ? 'Completed' : 'Pending',
    trn: completed ? r.trn : null,
    potentialDuplicate: r.potentialDuplicate,
    accessYourTeachingQualificationsLink: completed && r.trnToken ? `https://aytq.sandbox.invalid/qualifications/start?trn_token=${r.trnToken}` : null,
  };
}

const earliest = (a: string | null, b: string) => (a && a < b ? a : b);

function uuidFrom(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type { TrsTrnRequestStatus };
