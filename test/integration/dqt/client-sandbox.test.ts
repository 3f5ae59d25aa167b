import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../lib/config/env.js';
import { createDqtClient, DqtClient } from '../../../lib/dqt/client.js';
import { DqtError, FindTeacherError, parseDqtErrorMessage } from '../../../lib/dqt/error.js';
import { startDqtSandbox, type DqtSandbox } from '../../../lib/dqt/sandbox/server.js';
import { DqtSandboxAdmin, dqtSandboxAdmin } from '../../../lib/dqt/sandbox/admin.js';
import { dqtSandboxSeed } from '../../../lib/dqt/sandbox/seed.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

const API_KEY = 'test-dqt-key-5f1c9a77';
let t: TestDatabase;
let sandbox: DqtSandbox;
let dqt: DqtClient;

async function admin(path: string, body?: unknown, method = 'POST') {
  const res = await fetch(`${sandbox.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function failure(promise: Promise<unknown>): Promise<DqtError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DqtError);
    return error as DqtError;
  }
  throw new Error('expected the call to fail');
}

const slugOf = (name: string) => scenario(name).slug!;
const ukprn = '10099001'; // Lakeside SCITT

beforeAll(async () => {
  t = await createTestDatabase();
  await seed(t.db);
  sandbox = await startDqtSandbox({ apiKey: API_KEY, port: 0, seed: dqtSandboxSeed() });
  // A generous timeout: on a busy machine a sandbox call may take seconds. The hang test has a client of its own.
  dqt = createDqtClient({ url: sandbox.url, apiKey: new Secret(API_KEY), db: t.db, timeoutMs: 30_000 });
});
afterAll(async () => {
  await dqt?.close();
  await sandbox?.stop();
  await t?.drop();
});
beforeEach(async () => {
  await admin('/_sandbox/reset');
});

describe('A: retrieve teacher', () => {
  it('returns the typed record of a seeded trainee, by slug, with inactive ITT rows included', async () => {
    const teacher = await dqt.retrieveTeacher(slugOf('dqt-server-error-500'));
    expect(teacher).toMatchObject({ trn: '3012201', firstName: 'Aisha', lastName: 'Bello', dateOfBirth: '1994-02-11', allowPIIUpdates: false, qtsDate: null });
    expect(teacher.initialTeacherTraining).toEqual([
      { programmeStartDate: '2024-09-02', programmeEndDate: '2025-07-18', programmeType: 'ProviderLedPostgrad', result: 'InTraining', provider: { ukprn }, husId: null, active: true },
    ]);
  });

  it('sends Register\'s query exactly: lower-case birthdate and includeInactive=true', async () => {
    const seen: string[] = [];
    // The query is checked on the wire with a bare HTTP server standing in for DQT.
    const { createServer } = await import('node:http');
    const raw = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization === `Bearer ${API_KEY}`} ${req.headers['content-type']}`);
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    const port = (raw.address() as { port: number }).port;
    const c = createDqtClient({ url: `http://127.0.0.1:${port}`, apiKey: new Secret(API_KEY), db: t.db });
    await c.updateTrainee('3012201', '1994-02-11', 'slugX', { a: 1 });
    await c.getTeacher('3012201', '1994-02-11').catch(() => undefined);
    await c.findTeachers({ lastName: 'Bello', firstName: 'Aisha', emailAddress: 'a.b@example.com', dateOfBirth: '1994-02-11' }).catch(() => undefined);
    await c.close();
    await new Promise<void>((r) => raw.close(() => r()));
    expect(seen).toEqual([
      'PATCH /v2/teachers/update/3012201?slugId=slugX&birthDate=1994-02-11 true application/json;odata.metadata=minimal',
      'GET /v2/teachers/3012201?birthdate=1994-02-11&includeInactive=true true application/json;odata.metadata=minimal',
      'GET /v2/teachers/find?dateOfBirth=1994-02-11&emailAddress=a.b%40example.com&firstName=Aisha&lastName=Bello true application/json;odata.metadata=minimal',
    ]);
  });

  it('404 (plain ProblemDetails, no errorCode) for an inactive TRN; 400 for a TRN that is not 7 digits', async () => {
    const inactive = await failure(dqt.getTeacher('3012203', null));
    expect(inactive.status).toBe(404);
    expect(inactive.errorCode).toBeNull();
    expect(inactive.title).toBe('Not Found');
    const bad = await failure(dqt.getTeacher('12345', null));
    expect(bad.status).toBe(400);
    expect(bad.errors).toEqual({ trn: ['TRN must consist of 7 digits'] });
  });

  it('says plainly when a trainee has no TRN', async () => {
    await expect(dqt.retrieveTeacher(slugOf('dqt-retrieve-trn-timeout'))).rejects.toThrow(/has no TRN, so DQT cannot be asked by TRN: use findTeacher instead/);
    await expect(dqt.retrieveTeacher('no-such-slug')).rejects.toThrow('No trainee has the slug "no-such-slug"');
  });

  it('a response of the wrong shape is a DqtError naming the field', async () => {
    await admin('/_sandbox/teachers', { trn: '2000001', firstName: 'Shape', lastName: 'Test', dateOfBirth: '1990-01-01', initialTeacherTraining: [{ programmeType: 'HEI', result: 'InTraining', provider: { ukprn } }] });
    // Corrupt the stored record so the server sends a string where DQT sends a boolean.
    const person = sandbox.store.persons.find((p) => p.trn === '2000001')!;
    (person as unknown as { hasActiveSanctions: string }).hasActiveSanctions = 'no';
    const error = await failure(dqt.getTeacher('2000001', null));
    expect(error.kind).toBe('shape');
    expect(error.message).toContain('hasActiveSanctions: Invalid input: expected boolean, received string');
  });
});

describe('B: find teacher', () => {
  it('Dqt::FindTeacher: one result for a trainee matched on 3 identifiers (names count as one)', async () => {
    const result = await dqt.findTeacher(slugOf('dqt-server-error-500'));
    expect(result).toMatchObject({ trn: '3012201', emailAddresses: ['aisha.bello@example.com'], firstName: 'Aisha', lastName: 'Bello' });
  });

  it('none and several raise Register\'s messages', async () => {
    const trainee = await t.db.selectFrom('trainees').selectAll().where('id', '=', 210).executeTakeFirstOrThrow();
    await expect(dqt.findTeacher(trainee)).rejects.toThrow(new FindTeacherError('No teachers found in DQT for trainee 210'));
    await admin('/_sandbox/teachers', { trn: '2000002', firstName: 'Aisha', lastName: 'Bello', dateOfBirth: '1994-02-11', emailAddress: 'aisha.bello@example.com' });
    await expect(dqt.findTeacher(slugOf('dqt-server-error-500'))).rejects.toThrow('Multiple teachers found in DQT for trainee 201');
  });

  it('fewer than 3 identifiers finds nobody; both ITT provider name and UKPRN is a 400', async () => {
    expect(await dqt.findTeachers({ firstName: 'Aisha', lastName: 'Bello', dateOfBirth: '1994-02-11' })).toEqual([]);
    const error = await failure(dqt.findTeachers({ ittProviderName: 'Lakeside', ittProviderUkprn: ukprn }));
    expect(error.errors.ittProviderUkprn).toEqual(['Request must contain IttProviderUkprn or IttProviderName or neither.']);
  });
});

describe('C and D: TRN requests', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    firstName: 'Zara Jane',
    lastName: 'Newperson',
    birthDate: '1999-02-03',
    emailAddress: 'zara@example.com',
    genderCode: 'Female',
    address: { addressLine1: null, addressLine2: null, addressLine3: null, city: null, postalCode: null, country: null },
    slugid: 'slug-for-zara',
    initialTeacherTraining: { providerUkprn: ukprn, programmeStartDate: '2025-09-01', programmeEndDate: '2026-07-01', programmeType: 'ProviderLedPostgrad' },
    ...over,
  });

  it('creates (201, Completed with a TRN), is idempotent by request id (200), and GET returns it', async () => {
    const created = await dqt.registerForTrn('req-1', body());
    expect(created).toMatchObject({ created: true, requestId: 'req-1', status: 'Completed', potentialDuplicate: false, slugId: 'slug-for-zara' });
    expect(created.trn).toMatch(/^\d{7}$/);
    const again = await dqt.registerForTrn('req-1', body({ lastName: 'Changed' }));
    expect(again).toMatchObject({ created: false, trn: created.trn, status: 'Completed' });
    expect(await dqt.getTrnRequest('req-1')).toMatchObject({ trn: created.trn, status: 'Completed' });
    const person = await dqt.getTeacher(created.trn!, null);
    expect(person).toMatchObject({ firstName: 'Zara', middleName: 'Jane', lastName: 'Newperson' });
  });

  it('a potential duplicate stays Pending until released', async () => {
    const pending = await dqt.registerForTrn('req-dup', body({ firstName: 'Aisha', lastName: 'Bello', birthDate: '1994-02-11', slugid: null }));
    expect(pending).toMatchObject({ status: 'Pending', trn: null, potentialDuplicate: true });
    expect((await dqt.getTrnRequest('req-dup')).trn).toBeNull();
    const released = await admin('/_sandbox/trn-requests/req-dup/release', {});
    expect(released.status).toBe(200);
    const done = await dqt.getTrnRequest('req-dup');
    expect(done.status).toBe('Completed');
    expect(done.trn).toMatch(/^\d{7}$/);
  });

  it('validation errors in the ASP.NET shape; unknown UKPRNs give "Organisation not found" together', async () => {
    const invalid = await failure(dqt.registerForTrn('BAD id!', body({ birthDate: '1930-01-01', firstName: '' })));
    expect(invalid.status).toBe(400);
    expect(invalid.title).toBe('One or more validation errors occurred.');
    expect(invalid.errors).toEqual({
      requestId: ['requestId can only contain characters a-z, digits, underscores and dashes.'],
      firstName: ["'First Name' must not be empty."],
      birthDate: ['Birth date is out of expected range.'],
    });
    const orgs = await failure(
      dqt.registerForTrn('req-org', body({ initialTeacherTraining: { ...body().initialTeacherTraining, providerUkprn: '19999999' }, qualification: { providerUkprn: '10003863' } })),
    );
    expect(orgs.errors).toEqual({ 'initialTeacherTraining.providerUkprn': ['Organisation not found'], 'qualification.providerUkprn': ['Organisation not found'] });
    // DQT adds the organisation: the same request now succeeds.
    await admin('/_sandbox/organisations', { ukprn: '10003863' });
    expect((await dqt.registerForTrn('req-org', body({ qualification: { providerUkprn: '10003863' } }))).status).toBe('Completed');
  });

  it('GET of an unknown request id is a 404', async () => {
    const error = await failure(dqt.getTrnRequest('never-made'));
    expect(error.status).toBe(404);
  });
});

describe('E: update', () => {
  const updateBody = { trn: '3012201', husid: null, qualification: null, initialTeacherTraining: { providerUkprn: ukprn, programmeStartDate: '2024-09-02', programmeEndDate: '2025-07-18', programmeType: 'ProviderLedPostgrad', outcome: 'InTraining' } };

  it('204 for a matching trainee (by slugId, then TRN + DOB)', async () => {
    await expect(dqt.updateTrainee('3012201', '1994-02-11', slugOf('dqt-server-error-500'), updateBody)).resolves.toBeUndefined();
  });

  it('404/10001 on a DOB mismatch and on an inactive TRN; 409/10002 when two persons match', async () => {
    const dob = await failure(dqt.updateTrainee('3012202', '1995-03-14', slugOf('dqt-teacher-not-found-dob-mismatch'), updateBody));
    expect(dob.message).toBe('status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}');
    const inactive = await failure(dqt.updateTrainee('3012203', '1992-07-30', slugOf('dqt-teacher-not-found-inactive'), updateBody));
    expect(inactive.errorCode).toBe(10001);
    await admin('/_sandbox/teachers', { trn: '3012201', firstName: 'Aisha', lastName: 'Bello', dateOfBirth: '1994-02-11', duplicate: true });
    const multiple = await failure(dqt.updateTrainee('3012201', '1994-02-11', 'not-her-slug', updateBody));
    expect(multiple.message).toBe('status: 409, body: {"title":"Multiple teachers found","status":409,"errorCode":10002}');
  });

  it('"Teacher already has QTS/EYTS date" after an award; "Organisation not found" for an unknown degree UKPRN', async () => {
    const qts = await failure(dqt.updateTrainee('3012207', '1991-01-17', slugOf('dqt-already-has-qts'), updateBody));
    expect(qts.errors).toEqual({ 'initialTeacherTraining.programmeType': ['Teacher already has QTS/EYTS date'] });
    const org = await failure(dqt.updateTrainee('3012206', '1993-09-09', slugOf('dqt-organisation-not-found'), { ...updateBody, qualification: { providerUkprn: '10003863' } }));
    expect(org.errors).toEqual({ 'qualification.providerUkprn': ['Organisation not found'] });
  });

  it('missing birthdate is a 400; a withdrawn record is reinstated by InTraining and refuses Deferred', async () => {
    const missing = await failure(dqt.updateTrainee('3012201', null, slugOf('dqt-server-error-500'), updateBody));
    expect(missing.errors).toEqual({ birthDate: ['Birthdate is required.'] });
    const slug = slugOf('dqt-server-error-500');
    await dqt.withdrawTrainee('3012201', '1994-02-11', slug, { ittProviderUkprn: ukprn, outcome: 'Withdrawn' });
    const deferred = await failure(dqt.updateTrainee('3012201', '1994-02-11', slug, { ...updateBody, initialTeacherTraining: { ...updateBody.initialTeacherTraining, outcome: 'Deferred' } }));
    expect(deferred.errors).toEqual({ 'initialTeacherTraining.outcome': ['Result cannot be unwithdrawn to deferred'] });
    await dqt.updateTrainee('3012201', '1994-02-11', slug, updateBody);
    expect((await dqt.getTeacher('3012201', null)).initialTeacherTraining[0]!.result).toBe('InTraining');
  });
});

describe('F: itt-outcome (award and withdraw)', () => {
  const award = (date: string) => ({ ittProviderUkprn: ukprn, outcome: 'Pass' as const, assessmentDate: date });

  it('award returns qtsDate, is idempotent for the same date, 10003 for another; updates then fail with the QTS message', async () => {
    const slug = slugOf('dqt-server-error-500');
    expect(await dqt.awardTrainee('3012201', '1994-02-11', slug, award('2025-06-18'))).toEqual({ trn: '3012201', qtsDate: '2025-06-18' });
    expect(await dqt.awardTrainee('3012201', '1994-02-11', slug, award('2025-06-18'))).toEqual({ trn: '3012201', qtsDate: '2025-06-18' });
    const other = await failure(dqt.awardTrainee('3012201', '1994-02-11', slug, award('2025-06-19')));
    expect(other.message).toBe('status: 400, body: {"title":"Teacher already has QTS/EYTS date","status":400,"errorCode":10003}');
    expect((await dqt.getTeacher('3012201', null)).qtsDate).toBe('2025-06-18');
  });

  it('10006 with no QTS registration, 10005 with no ITT record for the provider, 404/10001 on DOB mismatch', async () => {
    const noQts = await failure(dqt.awardTrainee('3012204', '1990-12-01', slugOf('dqt-no-qts-record'), award('2025-06-18')));
    expect(noQts.message).toBe('status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}');
    const noItt = await failure(dqt.awardTrainee('3012205', '1997-05-22', slugOf('dqt-no-incomplete-itt'), award('2025-06-18')));
    expect(noItt.message).toBe('status: 400, body: {"title":"Teacher has no incomplete ITT record","status":400,"errorCode":10005}');
    const dob = await failure(dqt.awardTrainee('3012202', '1995-03-14', slugOf('dqt-teacher-not-found-dob-mismatch'), award('2025-06-18')));
    expect(dob.errorCode).toBe(10001);
  });

  it('withdraw: repeat is a no-op, Pass afterwards is 10005 (DQT checks the Withdrawn row before the QTS record); validation of assessmentDate', async () => {
    const slug = slugOf('dqt-server-error-500');
    await dqt.withdrawTrainee('3012201', '1994-02-11', slug, { ittProviderUkprn: ukprn, outcome: 'Withdrawn' });
    await dqt.withdrawTrainee('3012201', '1994-02-11', slug, { ittProviderUkprn: ukprn, outcome: 'Withdrawn' });
    expect((await failure(dqt.awardTrainee('3012201', '1994-02-11', slug, award('2025-06-18')))).errorCode).toBe(10005);
    const future = await failure(dqt.awardTrainee('3012201', '1994-02-11', slug, award('2999-01-01')));
    expect(future.errors).toEqual({ assessmentDate: ['QTS date cannot be in the future.'] });
  });
});

describe('the sandbox admin', () => {
  it('adds organisations, holds teachers and releases requests; refuses a real DQT', async () => {
    const sandboxAdmin = new DqtSandboxAdmin(sandbox.url);
    await sandboxAdmin.putTeacher({ trn: '2000003', firstName: 'Admin', lastName: 'Added', dateOfBirth: '1990-01-01', active: false });
    expect((await sandboxAdmin.teachers('2000003')).map((p) => [p.trn, p.active])).toEqual([['2000003', false]]);
    await expect(sandboxAdmin.releaseTrnRequest('no-such-request')).rejects.toThrow('DQT sandbox POST /_sandbox/trn-requests/no-such-request/release: No TRN request "no-such-request" in the DQT sandbox.');
    expect(sandbox.store.isKnownOrganisation('10003863')).toBe(false);
    await sandboxAdmin.addOrganisation('10003863');
    expect(sandbox.store.isKnownOrganisation('10003863')).toBe(true);
    expect(() => dqtSandboxAdmin({ dqt: { kind: 'external', url: 'https://teacher-qualifications-api.education.gov.uk', apiKey: new Secret('x') } })).toThrow(
      'DQT_API_URL points at https://teacher-qualifications-api.education.gov.uk, a real DQT: sandbox admin calls are only for the DQT sandbox.',
    );
  });
});

describe('auth, faults and timeouts', () => {
  it('401 for a wrong key says the key is wrong, and the key appears in no error text', async () => {
    const secret = 'wrong-key-7c2d1e';
    const wrong = createDqtClient({ url: sandbox.url, apiKey: new Secret(secret) });
    const error = await failure(wrong.getTeacher('3012201', null));
    await wrong.close();
    expect(error.status).toBe(401);
    expect(error.message).toBe('status: 401, body: ');
    expect(error.explanation).toContain('DQT_API_KEY is wrong, expired or missing');
    const texts = [error.message, error.explanation, error.stack ?? '', JSON.stringify(error), String(error)];
    for (const text of texts) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(API_KEY);
    }
  });

  it('500 once, then success when run again', async () => {
    await admin('/_sandbox/faults', { path: '/v2/teachers/3012201', method: 'GET', kind: '500', count: 1 });
    const error = await failure(dqt.getTeacher('3012201', null));
    expect(error.message).toBe('status: 500, body: ');
    expect(parseDqtErrorMessage(error.message)).toEqual({ status: 500, body: '', errorCode: null, title: null, errors: {} });
    expect((await dqt.getTeacher('3012201', null)).trn).toBe('3012201');
  });

  it('429 with Retry-After is waited out and retried; too many 429s fail with the 429', async () => {
    await admin('/_sandbox/faults', { path: '/v2/teachers/3012201', kind: '429', count: 2, retryAfter: 0.2 });
    const started = Date.now();
    expect((await dqt.getTeacher('3012201', null)).trn).toBe('3012201');
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(sandbox.calls.get('GET /v2/teachers/3012201')).toBe(3);
    await admin('/_sandbox/faults', { path: '/v2/teachers/3012201', kind: '429', count: 3, retryAfter: 0 });
    const error = await failure(dqt.getTeacher('3012201', null));
    expect(error.status).toBe(429);
    expect(error.title).toBe('API calls quota exceeded');
  });

  it('a call that hangs past the timeout is a DqtError of kind timeout, not a hang', async () => {
    await admin('/_sandbox/faults', { path: '/v2/teachers/3012201', kind: 'hang', count: 1 });
    const impatient = createDqtClient({ url: sandbox.url, apiKey: new Secret(API_KEY), db: t.db, timeoutMs: 1_000 });
    const started = Date.now();
    const error = await failure(impatient.getTeacher('3012201', null));
    expect(Date.now() - started).toBeLessThan(60_000); // the sandbox holds a hanging call for 120 s
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('DQT did not answer GET /v2/teachers/3012201 within 1 s (timed out). DQT may be slow or down: try again later.');
  });

  it('an unreachable DQT is a clear network error', async () => {
    const nowhere = createDqtClient({ url: 'http://127.0.0.1:1', apiKey: new Secret(API_KEY) });
    const error = await failure(nowhere.getTeacher('3012201', null));
    await nowhere.close();
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/^Could not reach DQT for GET \/v2\/teachers\/3012201 \(ECONNREFUSED\)/);
  });
});
