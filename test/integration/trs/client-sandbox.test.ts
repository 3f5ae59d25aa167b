import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../lib/config/env.js';
import { createTrsClient, TrsClient } from '../../../lib/trs/client.js';
import { parseTrsErrorMessage, TrsError } from '../../../lib/trs/error.js';
import { trsProfessionalStatusBody, trsPersonalDataBody, trsTrnRequestBody, type TrsTraineeInput } from '../../../lib/trs/payloads.js';
import { ProfessionalStatusUpdateError, registerIgnoresTrsError } from '../../../lib/trs/register-errors.js';
import { TrsSandboxAdmin, trsSandboxAdmin } from '../../../lib/trs/sandbox/admin.js';
import { startTrsSandbox, type TrsSandbox } from '../../../lib/trs/sandbox/server.js';
import { trsSandboxSeed } from '../../../lib/trs/sandbox/seed.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';

/*
 * The TRS client against the TRS sandbox over real HTTP: every error code the sandbox gives, as the client reads
 * it. Where a rule is not in the reference sheets, the comment names the TRS source (at 401992997) it follows.
 */
const API_KEY = 'test-trs-key-93be41f0';
let sandbox: TrsSandbox;
let trs: TrsClient;
let admin: TrsSandboxAdmin;

async function failure(promise: Promise<unknown>): Promise<TrsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TrsError);
    return error as TrsError;
  }
  throw new Error('expected the call to fail');
}

/** The JSON body of a failure, for exact comparisons. */
const json = (e: TrsError) => JSON.parse(e.body) as Record<string, unknown>;

const LAKESIDE = '10099001';
const PLPG = '97497716-5ac5-49aa-a444-27fa3e2c152a';
const EY_POSTGRAD = 'dbc4125b-9235-41e4-abd2-baabbf63f829';

function trainee(overrides: Partial<TrsTraineeInput> = {}): TrsTraineeInput {
  return {
    firstNames: 'Aisha', middleNames: null, lastName: 'Bello', dateOfBirth: '1994-02-11', email: 'aisha.bello@example.com', sex: 'female',
    state: 'trn_received', trainingRoute: 'provider_led_postgrad', ittStartDate: '2024-09-02', traineeStartDate: '2024-09-02', ittEndDate: '2025-07-18',
    studyMode: 'full_time', courseSubjectOne: 'mathematics', courseSubjectTwo: null, courseSubjectThree: null, courseMinAge: 11, courseMaxAge: 16,
    iqtsCountry: null, providerUkprn: LAKESIDE, ittQualificationAim: null, outcomeDate: null,
    ...overrides,
  };
}

const slug500 = () => scenario('dqt-server-error-500').slug!;

beforeAll(async () => {
  sandbox = await startTrsSandbox({ apiKey: API_KEY, port: 0, seed: trsSandboxSeed() });
  trs = createTrsClient({ url: sandbox.url, apiKey: new Secret(API_KEY), timeoutMs: 1_000 });
  admin = new TrsSandboxAdmin(sandbox.url);
});
afterAll(async () => {
  await trs?.close();
  await sandbox?.stop();
});
beforeEach(async () => {
  await admin.reset();
});

describe('GET /v3/persons/{trn}', () => {
  it('returns the seeded person, coherent with the DQT sandbox, and its Register route when asked to include routes', async () => {
    const person = await trs.getPerson('3012201');
    expect(person).toEqual({
      trn: '3012201', firstName: 'Aisha', middleName: '', lastName: 'Bello', dateOfBirth: '1994-02-11', nationalInsuranceNumber: null,
      emailAddress: 'aisha.bello@example.com', qts: null, eyts: null, qtlsStatus: 'None',
    });
    const withRoutes = await trs.getPerson('3012201', { include: ['RoutesToProfessionalStatuses'] });
    expect(withRoutes.routesToProfessionalStatuses).toHaveLength(1);
    expect(withRoutes.routesToProfessionalStatuses![0]).toMatchObject({
      routeToProfessionalStatusType: { routeToProfessionalStatusTypeId: PLPG, name: 'Provider led Postgrad', professionalStatusType: 'QualifiedTeacherStatus' },
      status: 'InTraining', holdsFrom: null, trainingStartDate: '2024-09-02', trainingEndDate: '2025-07-18',
      trainingSubjects: [{ reference: '100403', name: 'mathematics' }], trainingAgeSpecialism: { type: 'Range', from: 11, to: 16 },
      trainingCountry: { reference: 'GB', name: 'United Kingdom' }, trainingProvider: { ukprn: LAKESIDE, name: 'Lakeside SCITT' },
    });
  });

  it('holds QTS from the award date with the route that holds it (the DQT scenario already awarded on DQT)', async () => {
    const person = await trs.getPerson('3012207');
    expect(person.qts).toEqual({ holdsFrom: '2025-06-18', routes: [{ routeToProfessionalStatusType: { routeToProfessionalStatusTypeId: PLPG, name: 'Provider led Postgrad', professionalStatusType: 'QualifiedTeacherStatus' } }] });
  });

  it('404/10001 "Person not found." with the TRN as detail, for an unknown TRN of any length', async () => {
    const e = await failure(trs.getPerson('1234567890'));
    expect([e.status, e.errorCode, e.title, e.detail]).toEqual([404, 10001, 'Person not found.', "TRN: '1234567890'"]);
    expect(json(e)).toEqual({ title: 'Person not found.', status: 404, detail: "TRN: '1234567890'", errorCode: 10001 });
    expect(e.message.startsWith('status: 404, body: {"title":"Person not found.","status":404,"detail":"TRN: \'1234567890\'","errorCode":10001}, headers: {')).toBe(true);
    expect(e.explanation).toContain('TRS found no such record');
  });

  it('404/10058 for a deactivated record and 404/10059 for a merged one, titles naming the TRNs and no detail', async () => {
    // GetPersonHelper.cs lines 8-30: a record resolved through merges; deactivated → 10058, merged elsewhere → 10059;
    // V20250627 PersonsController maps both to 404. ApiError.cs gives neither a detail.
    const deactivated = await failure(trs.getPerson('3012203'));
    expect(json(deactivated)).toEqual({ title: 'Record 3012203 is not active.', status: 404, errorCode: 10058 });
    await admin.putPerson({ trn: '3012290', firstName: 'Old', lastName: 'Record', dateOfBirth: '1990-01-01', mergedWithTrn: '3012201' });
    const merged = await failure(trs.getPerson('3012290'));
    expect(json(merged)).toEqual({ title: 'Record 3012290 has been merged with 3012201.', status: 404, errorCode: 10059 });
  });

  it('an unknown include name drops the whole include list, and so does "All"', async () => {
    // FlagsEnumStringListModelBinder.cs lines 30-49: a name that does not parse, or a value that is not a single flag
    // (All), fails the binding, which leaves `include` null: TRS answers as if nothing was asked for.
    const res = await fetch(`${sandbox.url}/v3/persons/3012201?include=RoutesToProfessionalStatuses,Nonsense`, { headers: { authorization: `Bearer ${API_KEY}`, 'x-api-version': '20250627' } });
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as object)).not.toContain('routesToProfessionalStatuses');
    expect((await trs.getPerson('3012201', { include: ['All'] })).routesToProfessionalStatuses).toBeUndefined();
  });
});

describe('PUT /v3/persons/{trn} (personal data)', () => {
  it('204 for Register\'s body; the e-mail becomes null because TRS reads emailAddress, not emailAddresses', async () => {
    // SetPiiRequest.cs (V20250425) has `EmailAddress`; SetPii.cs line 68 writes it even when absent.
    await trs.setPersonalData('3012201', trsPersonalDataBody(trainee({ firstNames: 'Aisha Grace', middleNames: 'Ngozi' })));
    expect(await trs.getPerson('3012201')).toMatchObject({ firstName: 'Aisha Grace', middleName: 'Ngozi', emailAddress: null });
  });

  it('404/10001 for an unknown or a deactivated TRN', async () => {
    // SetPii.cs lines 31-36: active records only (TRS's query filter), no merge resolution.
    for (const trn of ['4999999', '3012203']) {
      const e = await failure(trs.setPersonalData(trn, trsPersonalDataBody(trainee())));
      expect(json(e)).toEqual({ title: 'Person not found.', status: 404, detail: `TRN: '${trn}'`, errorCode: 10001 });
    }
  });

  it('400/10041 when TRS does not let Register change the record; 10042 with QTS; 10057 with EYTS (Register ignores only the first two)', async () => {
    await admin.putPerson({ trn: '3012291', firstName: 'Locked', lastName: 'Record', dateOfBirth: '1990-01-01', allowPiiUpdates: false });
    await admin.putPerson({ trn: '3012292', firstName: 'Early', lastName: 'Years', dateOfBirth: '1990-01-01', eytsDate: '2024-07-01' });
    const cases: [string, number, string][] = [
      ['3012291', 10041, 'Updates to PII data is not permitted.'],
      ['3012207', 10042, 'Updates to PII data is not permitted. Person has QTS.'],
      ['3012292', 10057, 'Updates to PII data is not permitted. Person has EYTS.'],
    ];
    for (const [trn, code, title] of cases) {
      const e = await failure(trs.setPersonalData(trn, trsPersonalDataBody(trainee())));
      // ApiError.cs gives these an empty detail, which ProblemDetails writes.
      expect(json(e)).toEqual({ title, status: 400, detail: '', errorCode: code });
      expect(registerIgnoresTrsError('personalData', e.message)).toBe(code !== 10057);
    }
  });

  it('a body missing a required property is a 400 validation problem naming it', async () => {
    const e = await failure(trs.setPersonalData('3012201', { firstName: 'A', lastName: 'B', dateOfBirth: '1990-01-01' }));
    expect(e.status).toBe(400);
    expect(e.errorCode).toBeNull();
    expect(e.errors.$?.[0]).toContain('missing required properties, including the following: middleName');
  });
});

describe('PUT /v3/persons/{trn}/routes-to-professional-statuses/{slug}', () => {
  const put = (trn: string, body: Record<string, unknown>, slug = slug500()) => trs.setRouteToProfessionalStatus(trn, slug, body);
  const base = () => trsProfessionalStatusBody(trainee()) as unknown as Record<string, unknown>;
  const code = async (promise: Promise<unknown>) => {
    const e = await failure(promise);
    return [e.status, e.errorCode, e.title, e.detail];
  };

  it('204 for Register\'s body; an award holds QTS from the outcome date, after which Register\'s next PUT gets 10052, which it ignores', async () => {
    await put('3012201', base());
    const awarded = trsProfessionalStatusBody(trainee({ state: 'recommended_for_award', outcomeDate: '2025-06-18' }));
    await put('3012201', awarded as never);
    expect((await trs.getPerson('3012201')).qts?.holdsFrom).toBe('2025-06-18');
    const e = await failure(put('3012201', awarded as never));
    expect(json(e)).toEqual({ title: 'Route to professional status already awarded.', status: 400, detail: '', errorCode: 10052 });
    expect(registerIgnoresTrsError('route', e.message)).toBe(true);
    expect(new ProfessionalStatusUpdateError(e.message).message).toBe(`Error updating professional status: ${e.message}`);
  });

  it('404/10001 for an unknown TRN', async () => {
    expect(await code(put('4999999', base()))).toEqual([404, 10001, 'Person not found.', "TRN: '4999999'"]);
  });

  it('10043 for a route type the API does not accept (Welsh recognition with its Welsh country; an unknown id)', async () => {
    // SetRouteToProfessionalStatus.cs lines 39-74 and 88-91: a fixed list of accepted types; the validator runs
    // first, so Welsh recognition needs GB-WLS (validator lines 90-92) before the handler refuses it.
    const welsh = '877ba701-fe26-4951-9f15-171f3755d50d';
    expect(await code(put('3012201', { ...base(), routeToProfessionalStatusTypeId: welsh, trainingCountryReference: 'GB-WLS' }))).toEqual([400, 10043, 'Invalid route type.', `Route type: '${welsh}'`]);
    const unknown = '00000000-0000-0000-0000-000000000001';
    expect(await code(put('3012201', { ...base(), routeToProfessionalStatusTypeId: unknown }))).toEqual([400, 10043, 'Invalid route type.', `Route type: '${unknown}'`]);
  });

  it('10045 for a subject TRS does not have, including the null Register sends for "science"', async () => {
    // Handler lines 95-105: each reference looked up in turn; a null reference matches nothing and prints as ''.
    const science = trsProfessionalStatusBody(trainee({ courseSubjectOne: 'science' }));
    expect(science.trainingSubjectReferences).toEqual([null]);
    expect(await code(put('3012201', science as never))).toEqual([400, 10045, 'Invalid training subject reference.', "Training subject reference: ''"]);
    expect(await code(put('3012201', { ...base(), trainingSubjectReferences: ['100403', 'ZZ999'] }))).toEqual([400, 10045, 'Invalid training subject reference.', "Training subject reference: 'ZZ999'"]);
  });

  it('10047 for a country TRS does not have: Register sends Cyprus as XC, which TRS lacks', async () => {
    // Handler lines 107-116 look the reference up in TRS's countries, whose seed has CY and no XC.
    const iqts = trsProfessionalStatusBody(trainee({ trainingRoute: 'iqts', iqtsCountry: 'Cyprus' }));
    expect(iqts.trainingCountryReference).toBe('XC');
    expect(await code(put('3012201', iqts as never))).toEqual([400, 10047, 'Invalid training country reference.', "Training country reference: 'XC'"]);
  });

  it('10048 for a provider UKPRN TRS does not know, until TRS adds it', async () => {
    const body = trsProfessionalStatusBody(trainee({ providerUkprn: '10099077' }));
    expect(await code(put('3012201', body as never))).toEqual([400, 10048, 'Invalid training provider UKPRN.', "Training provider UKPRN: '10099077'"]);
    await admin.addOrganisation('10099077', 'Riverside SCITT');
    await put('3012201', body as never);
    const route = (await trs.getPerson('3012201', { include: ['RoutesToProfessionalStatuses'] })).routesToProfessionalStatuses![0]!;
    expect(route.trainingProvider).toEqual({ ukprn: '10099077', name: 'Riverside SCITT' });
  });

  it('10049 for a degree type TRS does not have', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    expect(await code(put('3012201', { ...base(), degreeTypeId: id }))).toEqual([400, 10049, 'Invalid degree type.', `Degree type: '${id}'`]);
  });

  it('10051 when an overseas route already exists for the slug', async () => {
    // Handler lines 157-163: no updates to an existing overseas route. The validator wants an overseas country and no UKPRN.
    const european = '2b106b9d-ba39-4e2d-a42e-0ce827fdc324';
    const body = { routeToProfessionalStatusTypeId: european, status: 'Holds', holdsFrom: '2024-07-01', trainingStartDate: '2023-09-01', trainingEndDate: '2024-07-01', trainingCountryReference: 'FR' };
    await put('3012201', body, 'overseas-ref');
    expect(await code(put('3012201', body, 'overseas-ref'))).toEqual([400, 10051, 'Updates not allowed for route type.', `Route type: '${european}'`]);
  });

  it('10054 when a QTS route would become early years (a change of training route)', async () => {
    // Handler lines 165-171: the professional status type (QTS, EYTS) of the new type must be the existing route's.
    await put('3012201', base());
    const ey = trsProfessionalStatusBody(trainee({ trainingRoute: 'early_years_postgrad' }));
    expect(ey.routeToProfessionalStatusTypeId).toBe(EY_POSTGRAD);
    expect(await code(put('3012201', ey as never))).toEqual([400, 10054, 'Unable to change route type.', '']);
  });

  it('10055 from Failed back into training; 10056 from Withdrawn to Deferred (Withdrawn to InTraining is allowed)', async () => {
    // Handler lines 178-189.
    await put('3012201', { ...base(), status: 'Failed' });
    expect(await code(put('3012201', { ...base(), status: 'Deferred' }))).toEqual([400, 10055, 'Unable to change fail professional status status.', '']);
    await put('3012201', trsProfessionalStatusBody(trainee({ state: 'withdrawn' })) as never, 'other-slug');
    expect(await code(put('3012201', trsProfessionalStatusBody(trainee({ state: 'deferred' })) as never, 'other-slug'))).toEqual([400, 10056, 'Unable to change withdrawn professional status status.', '']);
    await put('3012201', base(), 'other-slug');
  });

  it('400 validation problems (no errorCode) with TRS\'s keys and messages', async () => {
    // SetRouteToProfessionalStatusRequestValidator.cs lines 12-41 and 101-107.
    const future = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    let e = await failure(put('3012201', trsProfessionalStatusBody(trainee({ state: 'recommended_for_award', outcomeDate: future })) as never));
    expect(e.errors).toEqual({ holdsFrom: ['Holds from date cannot be in the future.'] });
    e = await failure(put('3012201', trsProfessionalStatusBody(trainee({ providerUkprn: null, ittEndDate: '2024-09-02' })) as never));
    expect(e.errors).toEqual({
      trainingEndDate: ['Training end date cannot be before training start date.'],
      trainingProviderUkprn: [`Training provider UKPRN must be specified when route type is '${PLPG}'.`],
    });
    e = await failure(put('3012201', { ...base(), routeToProfessionalStatusTypeId: '57b86cef-98e2-4962-a74a-d47c7a34b838', status: 'InTraining' }));
    expect(e.errors).toEqual({ status: ["Status cannot be 'InTraining' when route type is '57b86cef-98e2-4962-a74a-d47c7a34b838'."] });
    expect(e.explanation).toContain('status: Status cannot be');
    // A draft trainee's body has no status: TRS cannot bind the request.
    const draft = trsProfessionalStatusBody(trainee({ state: 'draft' }));
    expect('status' in draft).toBe(false);
    e = await failure(put('3012201', draft as never));
    expect(e.errors.$).toEqual(["JSON deserialization for type 'TeachingRecordSystem.Api.V3.V20250627.Requests.SetRouteToProfessionalStatusRequest' was missing required properties, including the following: status"]);
  });
});

describe('TRN requests', () => {
  it('POST completes at once for someone TRS does not know; GET returns it; the AYTQ link only once completed', async () => {
    const info = await trs.createTrnRequest(trsTrnRequestBody(trainee({ firstNames: 'Zara', lastName: 'Quill', dateOfBirth: '1999-09-09', email: 'zara.quill@example.com' }), 'req-new-1'));
    expect(info).toMatchObject({ requestId: 'req-new-1', status: 'Completed', potentialDuplicate: false });
    expect(info.trn).toMatch(/^\d{7}$/);
    expect(info.accessYourTeachingQualificationsLink).toMatch(/trn_token=/);
    expect(await trs.getTrnRequest('req-new-1')).toEqual(info);
    expect(await trs.getPerson(info.trn!)).toMatchObject({ firstName: 'Zara', lastName: 'Quill', emailAddress: 'zara.quill@example.com' });
  });

  it('a potential duplicate stays Pending (trn null) until TRS resolves it', async () => {
    // TrnRequestService.MatchPersonsAsync: a candidate on 3 of names/DOB but not a definite match → pending for review.
    const info = await trs.createTrnRequest(trsTrnRequestBody(trainee({ email: 'someone.else@example.com', sex: 'male' }), 'req-dup-1'));
    expect(info).toEqual({ requestId: 'req-dup-1', status: 'Pending', trn: null, potentialDuplicate: true, accessYourTeachingQualificationsLink: null });
    await admin.releaseTrnRequest('req-dup-1', '3012201');
    expect(await trs.getTrnRequest('req-dup-1')).toMatchObject({ status: 'Completed', trn: '3012201' });
  });

  it('409/10029 when the request id was used before: TRS never returns the first answer again', async () => {
    // CreateTrnRequest.cs lines 33-37 and V20250425 TrnRequestsController line 49.
    const body = trsTrnRequestBody(trainee({ firstNames: 'Yusuf', lastName: 'Reed', dateOfBirth: '1998-01-01', email: 'y.reed@example.com' }), 'req-twice');
    await trs.createTrnRequest(body);
    const e = await failure(trs.createTrnRequest(body));
    expect(json(e)).toEqual({ title: 'TRN request has already been created.', status: 409, detail: "TRN request ID: 'req-twice'", errorCode: 10029 });
  });

  it('404/10031 for an unknown request id', async () => {
    const e = await failure(trs.getTrnRequest('no-such-request'));
    expect(json(e)).toEqual({ title: 'TRN request does not exist.', status: 404, detail: "TRN request ID: 'no-such-request'", errorCode: 10031 });
  });

  it('400/10062 once TRS rejects the request or it lies dormant', async () => {
    // GetTrnRequest.cs lines 36-44; 10062 is mapped to no status, so ApiResult.cs line 55 gives 400.
    const pending = trsSandboxSeed().trnRequests.find((r) => r.status === 'Pending')!.requestId;
    expect((await trs.getTrnRequest(pending)).status).toBe('Pending');
    for (const status of ['Rejected', 'Dormant'] as const) {
      await admin.reset();
      await admin.rejectTrnRequest(pending, status);
      const e = await failure(trs.getTrnRequest(pending));
      expect(json(e)).toEqual({ title: 'Unsupported TRN request status.', status: 400, detail: `TRN request ID: '${pending}'`, errorCode: 10062 });
    }
  });

  it('400 validation problems for a bad request id, a birth date out of range and Register\'s [null] e-mail', async () => {
    const e = await failure(trs.createTrnRequest(trsTrnRequestBody(trainee({ dateOfBirth: '1930-01-01', email: null }), 'bad id!')));
    expect(e.errors).toEqual({
      requestId: ['requestId can only contain characters a-z, digits, underscores and dashes.'],
      'person.dateOfBirth': ['Birth date is out of expected range.'],
      'person.emailAddresses[0]': ['Email address cannot be null.'],
    });
  });
});

describe('auth, versions, faults and timeouts', () => {
  it('401 with no body for a wrong key; the key appears nowhere in the error or the client', async () => {
    const secret = 'wrong-trs-key-61d0a9';
    const wrong = createTrsClient({ url: sandbox.url, apiKey: new Secret(secret) });
    const e = await failure(wrong.getPerson('3012201'));
    await wrong.close();
    expect([e.status, e.body]).toEqual([401, '']);
    expect(e.explanation).toBe('TRS refused the API key (401): TRS_API_KEY is wrong, expired or missing.');
    const shown = `${e.message} ${e.explanation} ${e.stack} ${inspect(e, { depth: 5 })} ${JSON.stringify(e)} ${inspect(wrong)} ${JSON.stringify(wrong)}`;
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(API_KEY);
  });

  it('without X-Api-Version (TRS\'s default 20240101) the routes do not exist: a bare 404, before any key check', async () => {
    // Program.cs lines 44-47 route before authenticating; VersionRegistry's default version has no /v3/persons/{trn}.
    const res = await fetch(`${sandbox.url}/v3/persons/3012201`);
    expect([res.status, await res.text()]).toEqual([404, '']);
    const old = createTrsClient({ url: sandbox.url, apiKey: new Secret(API_KEY), version: '20250425' });
    const e = await failure(old.setRouteToProfessionalStatus('3012201', slug500(), trsProfessionalStatusBody(trainee())));
    await old.close();
    expect([e.status, e.body]).toEqual([404, '']);
    expect(e.explanation).toContain('does not exist at this X-Api-Version');
  });

  it('500 once, then success when run again; the error reads back from its message', async () => {
    await admin.injectFault({ path: '/v3/persons/3012201', method: 'PUT', kind: '500', count: 1 });
    const e = await failure(trs.setPersonalData('3012201', trsPersonalDataBody(trainee())));
    expect(e.status).toBe(500);
    expect(e.message).toMatch(/^status: 500, body: , headers: \{"content-length" => \["0"\], "date" => \[".+"\], "connection" => \["keep-alive"\], "keep-alive" => \["timeout=5"\]\}$/);
    expect(parseTrsErrorMessage(e.message)).toEqual({ status: 500, errorCode: null, title: null, detail: null, errors: {}, body: '' });
    await trs.setPersonalData('3012201', trsPersonalDataBody(trainee()));
  });

  it('429 with Retry-After is waited out and retried; too many fail with the 429', async () => {
    await admin.injectFault({ path: '/v3/trn-requests', kind: '429', count: 1, retryAfter: 0 });
    await expect(trs.getTrnRequest('no-such')).rejects.toMatchObject({ status: 404, errorCode: 10031 });
    await admin.injectFault({ path: '/v3/trn-requests', kind: '429', count: 5, retryAfter: 0 });
    const e = await failure(trs.getTrnRequest('no-such'));
    expect(e.status).toBe(429);
    expect(e.headers['retry-after']).toEqual(['0']);
  });

  it('a call that hangs past the timeout is a TrsError of kind timeout; an unreachable TRS a network error', async () => {
    await admin.injectFault({ path: '/v3/persons/*', kind: 'hang', count: 1 });
    const e = await failure(trs.getPerson('3012201'));
    expect([e.kind, e.status]).toEqual(['timeout', 0]);
    expect(e.message).toBe('TRS did not answer GET /v3/persons/3012201 within 1 s (timed out). TRS may be slow or down: try again later.');
    const away = createTrsClient({ url: 'http://127.0.0.1:1', apiKey: new Secret(API_KEY) });
    const n = await failure(away.getPerson('3012201'));
    await away.close();
    expect(n.kind).toBe('network');
    expect(n.message).toContain('Check TRS_API_URL');
  });

  it('the admin refuses a real TRS', () => {
    expect(() => trsSandboxAdmin({ trs: { kind: 'external', url: 'https://trs.example', apiKey: new Secret('k'), version: '20250627' } })).toThrow('a real TRS');
  });
});
