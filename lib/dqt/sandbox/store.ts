import { createHash, randomBytes } from 'node:crypto';
import { institutionUkprns } from '../institutions.js';
import { EARLY_YEARS_PROGRAMME_TYPES, GENDER_CODES, ITT_OUTCOMES, ITT_PROGRAMME_TYPES } from '../schemas.js';
import { sandboxTeacherSchema, type DqtSandboxSeed, type SandboxTeacher, type SandboxTeacherInput, type SandboxTrnRequest } from './records.js';

/**
 * The DQT sandbox's state and business rules (dqt-api.md section 8), without HTTP: each API method takes the
 * path parameter, the query (names lower-cased: DQT binds them case-insensitively) and the JSON body (keys
 * lower-cased, likewise) and returns the status and body DQT would send.
 *
 * @example
 * const store = new DqtSandboxStore(seed);
 * store.getTeacher('3012101', { includeinactive: 'true' }) // { status: 200, body: { trn: '3012101', ... } }
 */
export interface SandboxResponse {
  status: number;
  /** JSON body; undefined for none. */
  body?: unknown;
  headers?: Record<string, string>;
}

type Query = Record<string, string>;
type Body = Record<string, unknown>;

const TITLES = {
  10001: 'Teacher with specified TRN not found',
  10002: 'Multiple teachers found',
  10003: 'Teacher already has QTS/EYTS date',
  10004: 'Teacher has multiple incomplete ITT records',
  10005: 'Teacher has no incomplete ITT record',
  10006: 'Teacher has no QTS record',
  10007: 'Teacher has multiple QTS records',
} as const;

const traceId = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;

/** `{"title":...,"status":...,"errorCode":...}` */
export function businessError(errorCode: keyof typeof TITLES, status = 400): SandboxResponse {
  return { status, body: { title: TITLES[errorCode], status, errorCode } };
}

/** ASP.NET's validation problem, keys as given (DQT camel-cases each dotted segment). */
export function validationProblem(errors: Record<string, string[]>): SandboxResponse {
  return {
    status: 400,
    body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'One or more validation errors occurred.', status: 400, errors, traceId: traceId() },
  };
}

function notFound(): SandboxResponse {
  return { status: 404, body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5', title: 'Not Found', status: 404, traceId: traceId() } };
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

const isEarlyYears = (type: unknown) => typeof type === 'string' && (EARLY_YEARS_PROGRAMME_TYPES as readonly string[]).includes(type);
const isAor = (type: unknown) => type === 'AssessmentOnlyRoute';
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const obj = (v: unknown): Body | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : null);
const isDate = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));
const today = () => new Date().toISOString().slice(0, 10);
/** Names compared ignoring case and accents. */
const fold = (v: unknown) => (typeof v === 'string' ? v.normalize('NFD').replace(/\p{Diacritic}/gu, '').trim().toLowerCase() : '');

/** Lower-cases every key, deeply: DQT binds JSON names case-insensitively (Register sends `husid`, `slugid`). */
export function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
  return value;
}

/** QTS/EYTS statuses: a registration holding one is the teacher's QTS record whatever the programme. */
const QUALIFIED_STATUSES = ['221', '71', '100', '90'];

/** DQT's choice of QTS registration for an ITT row: qualified, or in the trainee status of the row's programme type. */
function qtsRegistrationMatches(status: string | null, programmeType: string | null): boolean {
  if (status === null) return false;
  if (QUALIFIED_STATUSES.includes(status)) return true;
  return status === traineeStatus(programmeType);
}

/** The trainee status a QTS registration starts with for a programme type. */
function traineeStatus(type: string | null): string {
  if (isEarlyYears(type)) return '220';
  return isAor(type) ? '212' : '211';
}

export class DqtSandboxStore {
  persons: SandboxTeacher[] = [];
  trnRequests = new Map<string, SandboxTrnRequest>();
  knownOrganisations = new Set<string>();
  unknownOrganisations = new Set<string>();
  #nextPersonId = 1;
  #nextTrn = 4000001;
  readonly #seed: DqtSandboxSeed;

  constructor(seed: DqtSandboxSeed) {
    this.#seed = structuredClone(seed);
    this.reset();
  }

  /** Back to the seeded state. */
  reset(): void {
    const seed = structuredClone(this.#seed);
    this.persons = [];
    this.trnRequests.clear();
    this.#nextPersonId = 1;
    this.#nextTrn = seed.firstTrn ?? 4000001;
    this.knownOrganisations = new Set(seed.knownOrganisations);
    this.unknownOrganisations = new Set(seed.unknownOrganisations);
    for (const teacher of seed.teachers) this.putTeacher(teacher);
    for (const r of seed.trnRequests) {
      const person = r.trn ? this.persons.find((p) => p.trn === r.trn) ?? null : null;
      this.trnRequests.set(r.requestId, { requestId: r.requestId, body: (lowerKeys(r.body ?? {}) as Body) ?? {}, personId: person?.personId ?? null, slugId: r.slugId ?? null });
    }
  }

  // ---------------------------------------------------------------- admin

  /** Adds or replaces a teacher (by TRN; `duplicate: true` adds a second person with the same TRN). Throws a message naming bad fields. */
  putTeacher(input: SandboxTeacherInput | unknown): SandboxTeacher {
    const parsed = sandboxTeacherSchema.safeParse(input);
    if (!parsed.success) {
      throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    }
    const { duplicate, qtsRegistrations, ...rest } = parsed.data;
    const existing = duplicate ? undefined : this.persons.find((p) => p.trn === rest.trn);
    const firstItt = rest.initialTeacherTraining[0];
    const qualified = rest.qtsDate || rest.eytsDate;
    const person: SandboxTeacher = {
      ...rest,
      personId: existing?.personId ?? this.#nextPersonId++,
      uid: uuidFrom(`person:${rest.trn}:${existing?.personId ?? this.#nextPersonId}`),
      qtsRegistrations:
        qtsRegistrations ?? [{ status: qualified ? (rest.eytsDate ? '221' : '71') : traineeStatus(firstItt?.programmeType ?? null) }],
    };
    if (existing) this.persons[this.persons.indexOf(existing)] = person;
    else this.persons.push(person);
    return person;
  }

  /** Marks a UKPRN as an organisation DQT knows (`known: true`, what DQT does when asked to add it) or does not. */
  setOrganisation(ukprn: string, known: boolean): void {
    if (known) {
      this.unknownOrganisations.delete(ukprn);
      this.knownOrganisations.add(ukprn);
    } else {
      this.knownOrganisations.delete(ukprn);
      this.unknownOrganisations.add(ukprn);
    }
  }

  /** Completes a pending TRN request: onto an existing TRN, or with a new TRN and a new person from the request. */
  releaseTrnRequest(requestId: string, trn?: string | null): SandboxResponse {
    const request = this.trnRequests.get(requestId);
    if (!request) return { status: 404, body: { error: `No TRN request "${requestId}" in the DQT sandbox.` } };
    if (request.personId !== null) return { status: 409, body: { error: `TRN request "${requestId}" is already completed.` } };
    if (trn) {
      const person = this.persons.find((p) => p.trn === trn && p.active);
      if (!person) return { status: 404, body: { error: `No active teacher with TRN ${trn} in the DQT sandbox.` } };
      request.personId = person.personId;
    } else {
      request.personId = this.#createPerson(request.body).personId;
    }
    return { status: 200, body: this.#trnRequestInfo(request) };
  }

  isKnownOrganisation(ukprn: string): boolean {
    if (this.unknownOrganisations.has(ukprn)) return false;
    if (this.knownOrganisations.has(ukprn)) return true;
    if (institutionUkprnSet().has(ukprn)) return true;
    return this.persons.some((p) => p.initialTeacherTraining.some((t) => t.provider?.ukprn === ukprn));
  }

  // ---------------------------------------------------------------- A: GET /v2/teachers/{trn}

  getTeacher(trn: string, query: Query): SandboxResponse {
    if (!/^\d{7}$/.test(trn)) return validationProblem({ trn: ['TRN must consist of 7 digits'] });
    const person = this.persons.find((p) => p.trn === trn && p.active);
    if (!person) return notFound();
    const includeInactive = query.includeinactive?.toLowerCase() === 'true';
    return { status: 200, body: teacherResponse(person, includeInactive) };
  }

  // ---------------------------------------------------------------- B: GET /v2/teachers/find

  findTeachers(query: Query): SandboxResponse {
    const q = (name: string) => str(query[name.toLowerCase()]);
    if (q('ittProviderName') && q('ittProviderUkprn')) {
      const message = 'Request must contain IttProviderUkprn or IttProviderName or neither.';
      return validationProblem({ ittProviderName: [message], ittProviderUkprn: [message] });
    }
    if (q('dateOfBirth') && !isDate(q('dateOfBirth'))) return validationProblem({ dateOfBirth: [`The value '${q('dateOfBirth')}' is not valid for DateOfBirth.`] });
    const checks: ((p: SandboxTeacher) => boolean)[] = [];
    if (q('dateOfBirth')) checks.push((p) => p.dateOfBirth === q('dateOfBirth'));
    if (q('nationalInsuranceNumber')) checks.push((p) => fold(p.nationalInsuranceNumber) === fold(q('nationalInsuranceNumber')));
    if (q('emailAddress')) checks.push((p) => fold(p.emailAddress) === fold(q('emailAddress')));
    if (q('trn')) checks.push((p) => p.trn === q('trn'));
    const firsts = [q('firstName'), q('previousFirstName')].filter(Boolean).map(fold);
    const lasts = [q('lastName'), q('previousLastName')].filter(Boolean).map(fold);
    if (firsts.length || lasts.length) checks.push((p) => firsts.includes(fold(p.firstName)) && lasts.includes(fold(p.lastName)));
    const ukprn = q('ittProviderUkprn');
    if (ukprn) checks.push((p) => p.initialTeacherTraining.some((t) => t.provider?.ukprn === ukprn));
    else if (q('ittProviderName')) checks.push(() => false);
    if (checks.length < 3) return { status: 200, body: { results: [] } };
    const results = this.persons
      .filter((p) => p.active && p.trn && checks.filter((check) => check(p)).length >= 3)
      .sort((a, b) => (a.lastName ?? '').localeCompare(b.lastName ?? '') || (a.firstName ?? '').localeCompare(b.firstName ?? ''))
      .map((p) => ({
        trn: p.trn,
        emailAddresses: p.emailAddress ? [p.emailAddress] : [],
        firstName: p.firstName,
        middleName: p.middleName,
        lastName: p.lastName,
        dateOfBirth: p.dateOfBirth,
        nationalInsuranceNumber: p.nationalInsuranceNumber,
        uid: p.uid,
        hasActiveSanctions: p.hasActiveSanctions,
      }));
    return { status: 200, body: { results: [...new Map(results.map((r) => [r.uid, r])).values()] } };
  }

  // ---------------------------------------------------------------- C: PUT /v2/trn-requests/{id}

  putTrnRequest(requestId: string, rawBody: unknown): SandboxResponse {
    const body = (obj(lowerKeys(rawBody)) ?? {}) as Body;
    const errors = new Errors();
    if (!/^([0-9]|[a-z]|-|_)+$/i.test(requestId)) errors.add('requestId', 'requestId can only contain characters a-z, digits, underscores and dashes.');
    if (requestId.length > 100) errors.add('requestId', 'requestId must be 100 characters or fewer');
    if (!str(body.firstname)) errors.add('firstName', "'First Name' must not be empty.");
    if (!str(body.lastname)) errors.add('lastName', "'Last Name' must not be empty.");
    if (body.birthdate !== undefined && body.birthdate !== null && !isDate(body.birthdate)) {
      errors.add('birthDate', 'The JSON value could not be converted to System.DateOnly. Path: $.birthDate');
    } else if (!isDate(body.birthdate) || (body.birthdate as string) < '1940-01-01' || (body.birthdate as string) >= today()) {
      errors.add('birthDate', 'Birth date is out of expected range.');
    }
    if (str(body.emailaddress) && !/^[^@\s]+@[^@\s]+$/.test(body.emailaddress as string)) errors.add('emailAddress', "'Email Address' is not a valid email address.");
    if (!str(body.gendercode)) errors.add('genderCode', "'Gender Code' must not be empty.");
    else if (!(GENDER_CODES as readonly string[]).includes(body.gendercode as string)) errors.add('genderCode', 'The JSON value could not be converted to Gender. Path: $.genderCode');
    if (str(body.slugid) && (body.slugid as string).length > 150) errors.add('slugId', 'slugid must be 150 characters or fewer');
    const itt = obj(body.initialteachertraining);
    if (!itt) errors.add('initialTeacherTraining', "'Initial Teacher Training' must not be empty.");
    else validateItt(itt, errors, true);
    if (errors.any) return validationProblem(errors.map);

    const existing = this.trnRequests.get(requestId);
    if (existing) return { status: 200, body: this.#trnRequestInfo(existing) };

    const lookups = new Errors();
    this.#checkOrganisations(body, lookups);
    if (lookups.any) return validationProblem(lookups.map);

    const { firstName, middleName } = splitFirstName(body);
    const slugId = str(body.slugid);
    const husId = str(body.husid);
    const duplicate = this.persons.some((p) => {
      if (!p.active) return false;
      if (husId && p.husId === husId) return true;
      if (slugId && (p.slugId === slugId || p.initialTeacherTraining.some((t) => t.slugId === slugId))) return true;
      const same = (a: unknown, b: unknown) => fold(a) !== '' && fold(a) === fold(b);
      const matches = [same(p.firstName, firstName), same(p.middleName, middleName), same(p.lastName, body.lastname), p.dateOfBirth === body.birthdate].filter(Boolean).length;
      return matches >= 3;
    });
    const request: SandboxTrnRequest = { requestId, body, personId: null, slugId };
    if (!duplicate) request.personId = this.#createPerson(body).personId;
    this.trnRequests.set(requestId, request);
    const info = this.#trnRequestInfo(request);
    return { status: 201, body: { ...info, qtsDate: str(body.qtsdate), slugId } };
  }

  // ---------------------------------------------------------------- D: GET /v2/trn-requests/{id}

  getTrnRequest(requestId: string): SandboxResponse {
    const request = this.trnRequests.get(requestId);
    return request ? { status: 200, body: this.#trnRequestInfo(request) } : notFound();
  }

  // ---------------------------------------------------------------- E: PATCH /v2/teachers/update/{trn}

  updateTeacher(trn: string, query: Query, rawBody: unknown): SandboxResponse {
    const body = (obj(lowerKeys(rawBody)) ?? {}) as Body;
    const errors = new Errors();
    if (!isDate(query.birthdate)) errors.add('birthDate', 'Birthdate is required.');
    const itt = obj(body.initialteachertraining);
    if (!itt) errors.add('initialTeacherTraining', "'Initial Teacher Training' must not be empty.");
    else {
      validateItt(itt, errors, false);
      const outcome = itt.outcome;
      if (outcome !== undefined && outcome !== null) {
        if (!['InTraining', 'Deferred', 'UnderAssessment'].includes(outcome as string)) {
          errors.add('outcome', 'Outcome can only be set to Deferred, InTraining or UnderAssessment.');
        } else if (outcome === 'InTraining' && isAor(itt.programmetype)) {
          errors.add('outcome', 'InTraining outcome not permitted for AssessmentOnlyRoute ProgrammeType.');
        } else if (outcome === 'UnderAssessment' && !isAor(itt.programmetype)) {
          errors.add('outcome', 'UnderAssessment outcome only permitted for AssessmentOnlyRoute ProgrammeType.');
        }
      }
    }
    const namesGiven = ['firstname', 'middlename', 'lastname'].some((k) => body[k] !== undefined && body[k] !== null);
    if (namesGiven) {
      if (!str(body.firstname)) errors.add('firstName', "'First Name' must not be empty.");
      if (!str(body.lastname)) errors.add('lastName', "'Last Name' must not be empty.");
    }
    if (body.dateofbirth !== undefined && body.dateofbirth !== null && (!isDate(body.dateofbirth) || (body.dateofbirth as string) < '1940-01-01' || (body.dateofbirth as string) >= today())) {
      errors.add('dateOfBirth', 'Birth date is out of expected range.');
    }
    if (errors.any) return validationProblem(errors.map);

    const found = this.#findPerson(trn, query);
    if ('status' in found) return found;
    const person = found.person;

    const lookups = new Errors();
    this.#checkOrganisations(body, lookups);
    const husId = str(body.husid);
    if (husId && this.persons.some((p) => p.active && p.personId !== person.personId && p.husId === husId)) lookups.add('husId.husId', 'Husid registered for an existing teacher');
    if (lookups.any) return validationProblem(lookups.map);

    const itt2 = itt!;
    const earlyYears = isEarlyYears(itt2.programmetype);
    if ((earlyYears && person.eytsDate) || (!earlyYears && person.qtsDate)) {
      return validationProblem({ 'initialTeacherTraining.programmeType': ['Teacher already has QTS/EYTS date'] });
    }
    const incomplete = (r: string | null) => ['InTraining', 'UnderAssessment', 'Deferred', 'DeferredForSkillsTests'].includes(r ?? '');
    if (person.initialTeacherTraining.filter((t) => t.active && incomplete(t.result)).length > 1) {
      return validationProblem({ initialTeacherTraining: ['Teacher has multiple incomplete ITT records'] });
    }
    const accepted = (t: SandboxTeacher['initialTeacherTraining'][number]) =>
      (isAor(t.programmeType) ? ['UnderAssessment', 'Withdrawn', 'Deferred', 'Fail'] : ['InTraining', 'Withdrawn', 'Deferred', 'Fail']).includes(t.result ?? '');
    const slugId = str(query.slugid);
    let candidates = slugId ? person.initialTeacherTraining.filter((t) => t.active && t.slugId === slugId && accepted(t)) : [];
    if (!candidates.length) {
      candidates = person.initialTeacherTraining.filter((t) => t.active && !t.slugId && t.provider?.ukprn === itt2.providerukprn && accepted(t));
    }
    if (candidates.length === 0) return validationProblem({ 'initialTeacherTraining.providerUkprn': ['Teacher has no incomplete ITT record'] });
    if (candidates.length > 1) return validationProblem({ initialTeacherTraining: ['Teacher has multiple incomplete ITT records'] });
    const row = candidates[0]!;
    if (str(itt2.programmetype) && isEarlyYears(row.programmeType) !== earlyYears) {
      return validationProblem({ 'initialTeacherTraining.programmeType': ['ProgrammeType cannot be changed'] });
    }
    const outcome = str(itt2.outcome);
    if (outcome) {
      const live = person.qtsRegistrations.length;
      if (live === 0) return validationProblem({ 'initialTeacherTraining.outcome': ['Teacher has no QTS record'] });
      if (live > 1) return validationProblem({ 'initialTeacherTraining.outcome': ['Teacher has multiple QTS records'] });
      if (row.result === 'Fail') return validationProblem({ 'initialTeacherTraining.outcome': ['Unable to change Failed Result.'] });
      if (row.result === 'Withdrawn') {
        if (outcome === 'Deferred') return validationProblem({ 'initialTeacherTraining.outcome': ['Result cannot be unwithdrawn to deferred'] });
        person.qtsRegistrations[0]!.status = traineeStatus(row.programmeType);
        if (isEarlyYears(row.programmeType)) person.earlyYearsStatus = { value: '220', name: 'Early Years Trainee' };
      }
      row.result = outcome;
    }
    row.programmeStartDate = str(itt2.programmestartdate) ?? row.programmeStartDate;
    row.programmeEndDate = str(itt2.programmeenddate) ?? row.programmeEndDate;
    row.programmeType = str(itt2.programmetype) ?? row.programmeType;
    row.subject1 = str(itt2.subject1);
    row.subject2 = str(itt2.subject2);
    row.subject3 = str(itt2.subject3);
    row.ageRangeFrom = typeof itt2.agerangefrom === 'number' ? itt2.agerangefrom : null;
    row.ageRangeTo = typeof itt2.agerangeto === 'number' ? itt2.agerangeto : null;
    if (husId) person.husId = husId;
    if (person.allowPIIUpdates) {
      if (namesGiven) {
        const { firstName, middleName } = splitFirstName(body);
        person.firstName = firstName;
        person.middleName = middleName;
        person.lastName = str(body.lastname);
      }
      if (str(body.emailaddress)) person.emailAddress = body.emailaddress as string;
      if (isDate(body.dateofbirth)) person.dateOfBirth = body.dateofbirth as string;
    }
    return { status: 204 };
  }

  // ---------------------------------------------------------------- F: PUT /v2/teachers/{trn}/itt-outcome

  setIttOutcome(trn: string, query: Query, rawBody: unknown): SandboxResponse {
    const body = (obj(lowerKeys(rawBody)) ?? {}) as Body;
    const errors = new Errors();
    if (!isDate(query.birthdate)) errors.add('birthDate', 'Birthdate is required.');
    if (!str(body.ittproviderukprn)) errors.add('ittProviderUkprn', 'ITT provider UKPRN is required.');
    const outcome = body.outcome;
    if (outcome === undefined || outcome === null) errors.add('outcome', "'Outcome' must not be empty.");
    else if (!(ITT_OUTCOMES as readonly unknown[]).includes(outcome)) errors.add('outcome', 'The JSON value could not be converted to IttOutcome. Path: $.outcome');
    const assessmentDate = body.assessmentdate;
    const hasDate = assessmentDate !== undefined && assessmentDate !== null;
    if (hasDate && !isDate(assessmentDate)) errors.add('assessmentDate', 'The JSON value could not be converted to System.DateOnly. Path: $.assessmentDate');
    else if (outcome === 'Pass' && !hasDate) errors.add('assessmentDate', 'Assessment date must be specified when outcome is Pass.');
    else if (outcome !== 'Pass' && hasDate) errors.add('assessmentDate', 'Assessment date cannot be specified unless outcome is Pass.');
    else if (hasDate && (assessmentDate as string) > today()) errors.add('assessmentDate', 'QTS date cannot be in the future.');
    if (errors.any) return validationProblem(errors.map);

    const found = this.#findPerson(trn, query);
    if ('status' in found) return found;
    const person = found.person;
    // Values outside the handler's set throw an unhandled exception in DQT: 500 with no body.
    if (!['Pass', 'Fail', 'Withdrawn', 'Deferred', 'DeferredForSkillsTests'].includes(outcome as string)) return { status: 500 };

    // From here on, DQT's order (SetIttResultForTeacher at 601a1786b): the provider, the ITT row, a Fail or Withdrawn
    // row, the QTS registration, then the QTS/EYTS date. So Pass on a Withdrawn row is 10005 even when the QTS
    // registration is gone too, and 10006 needs a row still in training (or awarded) with no QTS record.
    const ukprn = body.ittproviderukprn as string;
    if (!this.isKnownOrganisation(ukprn)) return businessError(10005);
    const accepted = (t: SandboxTeacher['initialTeacherTraining'][number]) =>
      (isAor(t.programmeType) ? ['UnderAssessment', 'Withdrawn', 'Deferred', 'DeferredForSkillsTests', 'Pass', 'Fail'] : ['InTraining', 'Withdrawn', 'Deferred', 'DeferredForSkillsTests', 'Pass', 'Fail']).includes(t.result ?? '');
    const slugId = str(query.slugid);
    let candidates = slugId ? person.initialTeacherTraining.filter((t) => t.active && t.slugId === slugId && t.provider?.ukprn === ukprn && accepted(t)) : [];
    if (!candidates.length) candidates = person.initialTeacherTraining.filter((t) => t.active && !t.slugId && t.provider?.ukprn === ukprn && accepted(t));
    if (candidates.length === 0) return businessError(10005);
    if (candidates.length > 1) return businessError(10004);
    const row = candidates[0]!;
    const done = (qtsDate: string | null): SandboxResponse => ({ status: 200, body: { trn: person.trn, qtsDate } });

    // A failed or withdrawn row only takes the same outcome again (a no-op); anything else is 10005.
    if (row.result === 'Fail' || row.result === 'Withdrawn') return row.result === outcome ? done(null) : businessError(10005);

    const earlyYears = isEarlyYears(row.programmeType);
    const registrations = person.qtsRegistrations.filter((r) => qtsRegistrationMatches(r.status, row.programmeType));
    if (registrations.length === 0) return businessError(10006);
    if (registrations.length > 1) return businessError(10007);
    const registration = registrations[0]!;

    const date = outcome === 'Pass' ? (assessmentDate as string) : null;
    if (date) {
      const existing = earlyYears ? person.eytsDate : person.qtsDate;
      if (existing && existing !== date) return businessError(10003);
    }
    row.result = outcome as string;
    if (date && earlyYears) {
      person.eytsDate = date;
      person.earlyYearsStatus = { value: '221', name: 'Early Years Teacher Status' };
      registration.status = '221';
    } else if (date) {
      person.qtsDate = date;
      registration.status = isAor(row.programmeType) ? '100' : row.programmeType === 'InternationalQualifiedTeacherStatus' ? '90' : '71';
    } else if (outcome === 'Withdrawn') {
      registration.status = null;
      if (earlyYears) person.earlyYearsStatus = null;
    }
    return done(date);
  }

  // ---------------------------------------------------------------- helpers

  /** 8.1: by slugId + TRN first, then TRN + date of birth; active persons only. */
  #findPerson(trn: string, query: Query): { person: SandboxTeacher } | SandboxResponse {
    const slugId = str(query.slugid);
    if (slugId) {
      const bySlug = this.persons.filter((p) => p.active && p.trn === trn && (p.slugId === slugId || p.initialTeacherTraining.some((t) => t.slugId === slugId)));
      if (bySlug.length === 1) return { person: bySlug[0]! };
    }
    const matches = this.persons.filter((p) => p.active && p.trn === trn && p.dateOfBirth === query.birthdate);
    if (matches.length === 0) return businessError(10001, 404);
    if (matches.length > 1) return businessError(10002, 409);
    return { person: matches[0]! };
  }

  #checkOrganisations(body: Body, errors: Errors): void {
    const ittUkprn = str(obj(body.initialteachertraining)?.providerukprn);
    if (ittUkprn && !this.isKnownOrganisation(ittUkprn)) errors.add('initialTeacherTraining.providerUkprn', 'Organisation not found');
    const qualUkprn = str(obj(body.qualification)?.providerukprn);
    if (qualUkprn && !this.isKnownOrganisation(qualUkprn)) errors.add('qualification.providerUkprn', 'Organisation not found');
  }

  #createPerson(body: Body): SandboxTeacher {
    const itt = obj(body.initialteachertraining) ?? {};
    const type = str(itt.programmetype);
    const { firstName, middleName } = splitFirstName(body);
    const trn = String(this.#nextTrn++);
    return this.putTeacher({
      trn,
      firstName,
      middleName,
      lastName: str(body.lastname),
      dateOfBirth: str(body.birthdate),
      emailAddress: str(body.emailaddress),
      husId: str(body.husid),
      slugId: str(body.slugid),
      earlyYearsStatus: isEarlyYears(type) ? { value: '220', name: 'Early Years Trainee' } : null,
      // Inferred: records a client creates through the API are open to its PII updates.
      allowPIIUpdates: true,
      active: true,
      initialTeacherTraining: [
        {
          programmeStartDate: str(itt.programmestartdate),
          programmeEndDate: str(itt.programmeenddate),
          programmeType: type,
          result: isAor(type) ? 'UnderAssessment' : 'InTraining',
          provider: { ukprn: str(itt.providerukprn) },
          husId: str(body.husid),
          active: true,
          slugId: str(body.slugid),
          subject1: str(itt.subject1),
          subject2: str(itt.subject2),
          subject3: str(itt.subject3),
          ageRangeFrom: typeof itt.agerangefrom === 'number' ? itt.agerangefrom : null,
          ageRangeTo: typeof itt.agerangeto === 'number' ? itt.agerangeto : null,
        },
      ],
      qtsRegistrations: [{ status: traineeStatus(type) }],
      duplicate: true,
    });
  }

  #trnRequestInfo(request: SandboxTrnRequest) {
    const person = request.personId === null ? null : this.persons.find((p) => p.personId === request.personId) ?? null;
    return {
      requestId: request.requestId,
      status: person ? 'Completed' : 'Pending',
      trn: person?.trn ?? null,
      potentialDuplicate: !person,
      qtsDate: person?.qtsDate ?? null,
      slugId: person?.slugId ?? null,
    };
  }
}

function validateItt(itt: Body, errors: Errors, create: boolean): void {
  if (!str(itt.providerukprn)) errors.add('initialTeacherTraining.providerUkprn', 'Initial TeacherTraining ProviderUkprn is required.');
  for (const [key, label] of [['programmestartdate', 'programmeStartDate'], ['programmeenddate', 'programmeEndDate']] as const) {
    const v = itt[key];
    if (v !== undefined && v !== null && !isDate(v)) errors.add(`initialTeacherTraining.${label}`, `The JSON value could not be converted to System.DateOnly. Path: $.initialTeacherTraining.${label}`);
    else if (create && !isDate(v)) errors.add(`initialTeacherTraining.${label}`, `'${label === 'programmeStartDate' ? 'Programme Start Date' : 'Programme End Date'}' must not be empty.`);
  }
  const type = itt.programmetype;
  if (type === undefined || type === null) {
    if (create) errors.add('initialTeacherTraining.programmeType', "'Programme Type' must not be empty.");
  } else if (!(ITT_PROGRAMME_TYPES as readonly unknown[]).includes(type)) {
    errors.add('initialTeacherTraining.programmeType', 'The JSON value could not be converted to IttProgrammeType. Path: $.initialTeacherTraining.programmeType');
  }
  const from = itt.agerangefrom;
  const to = itt.agerangeto;
  for (const [v, label] of [[from, 'ageRangeFrom'], [to, 'ageRangeTo']] as const) {
    if (v !== undefined && v !== null && (typeof v !== 'number' || v < 0 || v > 19)) errors.add(`initialTeacherTraining.${label}`, 'Age must be 0-19 inclusive.');
  }
  if (typeof from === 'number' && typeof to === 'number' && to < from) errors.add('initialTeacherTraining.ageRangeTo', "'Age to' cannot be less than 'age from'.");
}

/** DQT splits "first middle..." on spaces: the first word is firstName, the rest goes before middleName. */
function splitFirstName(body: Body): { firstName: string | null; middleName: string | null } {
  const words = (str(body.firstname) ?? '').trim().split(/\s+/).filter(Boolean);
  const middle = [...words.slice(1), ...(str(body.middlename) ? [(body.middlename as string).trim()] : [])].join(' ');
  return { firstName: words[0] ?? null, middleName: middle || null };
}

function teacherResponse(p: SandboxTeacher, includeInactive: boolean) {
  return {
    trn: p.trn,
    firstName: p.firstName,
    middleName: p.middleName,
    lastName: p.lastName,
    dateOfBirth: p.dateOfBirth,
    nationalInsuranceNumber: p.nationalInsuranceNumber,
    hasActiveSanctions: p.hasActiveSanctions,
    qtsDate: p.qtsDate,
    eytsDate: p.eytsDate,
    husId: p.husId,
    earlyYearsStatus: p.earlyYearsStatus,
    initialTeacherTraining: p.initialTeacherTraining
      .filter((t) => includeInactive || t.active)
      .map((t) => ({
        programmeStartDate: t.programmeStartDate,
        programmeEndDate: t.programmeEndDate,
        programmeType: t.programmeType,
        result: t.result,
        provider: t.provider,
        husId: t.husId,
        active: t.active,
      })),
    allowPIIUpdates: p.allowPIIUpdates,
  };
}

let ukprnSet: Set<string> | undefined;
function institutionUkprnSet(): Set<string> {
  return (ukprnSet ??= new Set(institutionUkprns()));
}

function uuidFrom(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
