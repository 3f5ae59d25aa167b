import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, Secret } from '../../../lib/config/env.js';
import { investigateTrsRouteRejected, openInvestigation } from '../../../lib/investigations/index.js';
import { TRS_ERROR_TITLES } from '../../../lib/trs/error.js';
import { traineeState } from '../../../lib/db/enums.js';
import { timestampToDate, toTimestampText } from '../../../lib/db/timestamp.js';
import { JobQueues } from '../../../lib/jobs/queues.js';
import { trsRetrieveTrn, trsUpdateProfessionalStatus, trsUpdateTrainee, type TrsJobContext } from '../../../lib/jobs/trs-processors.js';
import { BullmqJobStore } from '../../../lib/queues/bullmq/store.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { TRS_SCENARIO_RUNS, type TrsScenarioRun } from '../../../lib/sandbox/seed/trs.js';
import { createTrsClient, type TrsClient } from '../../../lib/trs/client.js';
import { TrsSandboxAdmin } from '../../../lib/trs/sandbox/admin.js';
import { startTrsSandbox, type TrsSandbox } from '../../../lib/trs/sandbox/server.js';
import { trsSandboxSeed } from '../../../lib/trs/sandbox/seed.js';
import { PLAYBOOK_RULES, type ErrorKind } from '../../../lib/triage/rules.js';
import { deadJobsCsv, triageDeadSet, type TriageReport } from '../../../lib/triage/report.js';
import type { TriageRecord } from '../../../lib/triage/triage.js';
import { clearRedisPrefix, createTestDatabase, testRedisPrefix, type TestDatabase } from '../../helpers/db.js';

/*
 * Today's Register (schema 2026-08) talking to TRS: each TRS scenario's job runs once through the toolkit's TRS-era
 * processor, against the TRS sandbox over HTTP, and dies with Register's exact text. Each death is written to the
 * `trs` queue's failed set in BullMQ's layout on a test prefix (the job data as Register's ActiveJob hash), and the
 * whole set goes through triageDeadSet with no queue named: the default must find the `trs` queue.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = 'test-trs-key-triage-5c1d';
const GID = 'gid://register-trainee-teachers';
const prefix = testRedisPrefix();
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
let t: TestDatabase;
let sandbox: TrsSandbox;
let trs: TrsClient;
let report: TriageReport;
let defaultQueues: readonly string[] | null;
let store: BullmqJobStore;
let nextId = 1;
const day = 86_400_000;

type TrsJob = TrsScenarioRun['job'];

/** Runs a TRS-era job once and returns the error it died with (the test fails if it did not die). */
async function runToDeath(ctx: TrsJobContext, job: TrsJob, traineeId: number, trnRequestId: number | null, timeoutAfter: string | null): Promise<Error> {
  let outcome: string;
  try {
    if (job === 'Trs::UpdateTraineeJob') outcome = await trsUpdateTrainee(ctx, traineeId);
    else if (job === 'Trs::UpdateProfessionalStatusJob') outcome = await trsUpdateProfessionalStatus(ctx, traineeId);
    else outcome = await trsRetrieveTrn(ctx, trnRequestId!, timeoutAfter);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${job} for trainee ${traineeId} did not die: ${outcome}`);
}

/**
 * A dead job in BullMQ's layout on queue `trs`: Register's ActiveJob hash as data (a RetrieveTrnJob names only its
 * TRN request, and its timeout as a TimeWithZone), the error text as failedReason, the stack as BullMQ keeps it.
 */
async function writeDeadJob(job: TrsJob, traineeId: number, trnRequestId: number | null, timeoutAfter: string | null, error: Error): Promise<string> {
  const id = String(nextId++);
  const args =
    job === 'Trs::RetrieveTrnJob'
      ? [{ _aj_globalid: `${GID}/Trs::TrnRequest/${trnRequestId}` }, { _aj_serialized: 'ActiveJob::Serializers::TimeWithZoneSerializer', value: timestampToDate(timeoutAfter!).toISOString(), time_zone: 'Etc/UTC' }]
      : [{ _aj_globalid: `${GID}/Trainee/${traineeId}` }];
  const enqueued = Date.parse('2026-11-20T09:00:00Z') + Number(id) * 60_000;
  await redis.hset(`${prefix}:trs:${id}`, {
    name: job,
    data: JSON.stringify({ job_class: job, job_id: `00000000-0000-4000-8000-${id.padStart(12, '0')}`, queue_name: 'trs', arguments: args }),
    opts: JSON.stringify({ attempts: 1 }),
    timestamp: String(enqueued),
    finishedOn: String(enqueued + 30_000),
    failedReason: error.message,
    stacktrace: JSON.stringify([error.stack ?? `${error.name}: ${error.message}`]),
    atm: '1',
  });
  await redis.zadd(`${prefix}:trs:failed`, enqueued + 30_000, id);
  return id;
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines (the missing-TRN messages have four lines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (ch !== '\r') field += ch;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

/** Which dead job each run became, to find its record. */
const deaths: { run: string; jobId: string; job: TrsJob; traineeId: number; message: string }[] = [];

beforeAll(async () => {
  t = await createTestDatabase({ version: '2026-08' });
  await seed(t.db);
  await redis.connect();
  sandbox = await startTrsSandbox({ apiKey: API_KEY, port: 0, seed: trsSandboxSeed() });
  trs = createTrsClient({ url: sandbox.url, apiKey: new Secret(API_KEY), timeoutMs: 10_000, rateLimitRetries: 0 });
  const admin = new TrsSandboxAdmin(sandbox.url);
  const ctx: TrsJobContext = { db: t.db, trs, enqueue: async () => undefined, who: { username: 'triage test' } };
  const requestOf = async (traineeId: number) => (await t.db.selectFrom('trs_trn_requests').select(['id']).where('trainee_id', '=', traineeId).executeTakeFirstOrThrow()).id;
  const submittedAt = async (traineeId: number) => (await t.db.selectFrom('trainees').select(['submitted_for_trn_at']).where('id', '=', traineeId).executeTakeFirstOrThrow()).submitted_for_trn_at;

  for (const run of TRS_SCENARIO_RUNS) {
    for (const fault of run.faults ?? []) await admin.injectFault(fault);
    const seeded = await t.db.selectFrom('trainees').select(['state']).where('id', '=', run.traineeId).executeTakeFirstOrThrow();
    if (run.runWhileState) await t.db.updateTable('trainees').set({ state: traineeState.toDb(run.runWhileState) }).where('id', '=', run.traineeId).execute();
    let trnRequestId: number | null = null;
    let timeoutAfter: string | null = null;
    if (run.job === 'Trs::RetrieveTrnJob') {
      trnRequestId = await requestOf(run.traineeId);
      timeoutAfter = toTimestampText(new Date(timestampToDate((await submittedAt(run.traineeId))!).getTime() + run.timeoutDays! * day));
    }
    const error = await runToDeath(ctx, run.job, run.traineeId, trnRequestId, timeoutAfter);
    await t.db.updateTable('trainees').set({ state: seeded.state }).where('id', '=', run.traineeId).execute();
    await admin.clearFaults();
    deaths.push({ run: run.scenario, jobId: await writeDeadJob(run.job, run.traineeId, trnRequestId, timeoutAfter, error), job: run.job, traineeId: run.traineeId, message: error.message });
  }

  // Two more real deaths no scenario runs. 10031: polling a TRN request TRS never received (410's POST failed).
  {
    const trnRequestId = await requestOf(410);
    const timeoutAfter = toTimestampText(new Date(Date.now() + 30 * day));
    const error = await runToDeath(ctx, 'Trs::RetrieveTrnJob', 410, trnRequestId, timeoutAfter);
    deaths.push({ run: 'unknown-trn-request', jobId: await writeDeadJob('Trs::RetrieveTrnJob', 410, trnRequestId, timeoutAfter, error), job: 'Trs::RetrieveTrnJob', traineeId: 410, message: error.message });
  }
  // TraineeAttributeError: 408's request is still pending on TRS, and its submitted_for_trn_at has gone.
  {
    const trnRequestId = await requestOf(408);
    const timeoutAfter = toTimestampText(new Date(Date.now() + 30 * day));
    await t.db.updateTable('trainees').set({ submitted_for_trn_at: null }).where('id', '=', 408).execute();
    const error = await runToDeath(ctx, 'Trs::RetrieveTrnJob', 408, trnRequestId, timeoutAfter);
    deaths.push({ run: 'submitted-at-missing', jobId: await writeDeadJob('Trs::RetrieveTrnJob', 408, trnRequestId, timeoutAfter, error), job: 'Trs::RetrieveTrnJob', traineeId: 408, message: error.message });
  }

  // A route refused for its subject (10045): 404's course subject is one Register has no TRS reference for, so Register
  // sends null and TRS names the empty reference (TRS checks subjects before the route's status, so not 10055 again).
  // The subject stays wrong, as on a real Register until someone fixes it.
  {
    await t.db.updateTable('trainees').set({ course_subject_one: 'underwater basket weaving' }).where('id', '=', 404).execute();
    const error = await runToDeath(ctx, 'Trs::UpdateProfessionalStatusJob', 404, null, null);
    deaths.push({ run: 'subject-unknown-to-trs', jobId: await writeDeadJob('Trs::UpdateProfessionalStatusJob', 404, null, null, error), job: 'Trs::UpdateProfessionalStatusJob', traineeId: 404, message: error.message });
  }

  store = new BullmqJobStore(new JobQueues({ url: REDIS_URL, prefix }, redis), { ownsQueues: false });
  defaultQueues = (await store.info()).defaultQueues;
  report = await triageDeadSet(store, { db: t.db });
}, 120_000);

afterAll(async () => {
  await clearRedisPrefix(redis, prefix);
  redis.disconnect();
  await trs?.close();
  await sandbox?.stop();
  await t?.drop();
});

const recordOf = (run: string, job?: TrsJob): TriageRecord => {
  const death = deaths.find((d) => d.run === run && (!job || d.job === job));
  if (!death) throw new Error(`no death for ${run}`);
  const r = report.records.find((x) => x.jobId === death.jobId);
  if (!r) throw new Error(`triage did not find job ${death.jobId} (${run})`);
  return r;
};

describe("triage of Register's TRS-era dead set", () => {
  it('reads the trs queue by default and finds every dead job', () => {
    expect(defaultQueues).toEqual(['dqt', 'trs']);
    expect(report.total).toBe(TRS_SCENARIO_RUNS.length + 3);
    expect(new Set(report.records.map((r) => r.queue))).toEqual(new Set(['trs']));
  });

  it("died with each scenario's expected text", () => {
    for (const run of TRS_SCENARIO_RUNS) {
      const death = deaths.find((d) => d.run === run.scenario && d.job === run.job)!;
      expect(`${run.scenario}: ${death.message}`).toContain(`${run.scenario}: ${run.expectedError}`);
    }
  });

  it.each<[string, TrsJob, ErrorKind, number | null, number | null, string, string]>([
    ['trs-server-error-500', 'Trs::UpdateTraineeJob', 'server-error', 500, null, 'Trs::UpdatePersonalData::PersonUpdateError', 'dqt-errors/server-error-500'],
    ['trs-person-not-found', 'Trs::UpdateTraineeJob', 'teacher-not-found', 404, 10001, 'Trs::UpdatePersonalData::PersonUpdateError', 'dqt-errors/teacher-not-found-404'],
    ['trs-person-deactivated', 'Trs::UpdateProfessionalStatusJob', 'teacher-not-found', 404, 10001, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', 'dqt-errors/teacher-not-found-404'],
    ['trs-route-failed-on-trs', 'Trs::UpdateProfessionalStatusJob', 'no-qts-record', 400, 10055, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', 'dqt-errors/no-qts-record-10006'],
    ['trs-awarded-on-trs', 'Trs::UpdateProfessionalStatusJob', 'server-error', 500, null, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', 'dqt-errors/server-error-500'],
    ['trs-organisation-not-found', 'Trs::UpdateProfessionalStatusJob', 'organisation-not-found', 400, 10048, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', 'dqt-errors/organisation-not-found'],
    ['trs-retrieve-trn-timeout', 'Trs::RetrieveTrnJob', 'retrieve-trn-timeout', null, null, 'Trs::RetrieveTrnJob::Timeout', 'dqt-errors/retrieve-trn-timeout'],
    ['trs-update-missing-trn-known-to-trs', 'Trs::UpdateProfessionalStatusJob', 'update-missing-trn', null, null, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateMissingTrn', 'dqt-errors/update-missing-trn'],
    ['trs-update-missing-trn-unknown-to-trs', 'Trs::UpdateProfessionalStatusJob', 'update-missing-trn', null, null, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateMissingTrn', 'dqt-errors/update-missing-trn'],
    ['trs-trn-request-rejected', 'Trs::RetrieveTrnJob', 'trn-request-rejected', 400, 10062, 'Trs::Client::HttpError', 'dqt-errors/trn-request-rejected-10062'],
    ['trs-eyts-holder', 'Trs::UpdateTraineeJob', 'eyts-holder', 400, 10057, 'Trs::UpdatePersonalData::PersonUpdateError', 'dqt-errors/eyts-holder-10057'],
    ['trs-route-type-change', 'Trs::UpdateProfessionalStatusJob', 'trs-route-rejected', 400, 10054, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', 'dqt-errors/trs-route-rejected'],
    ['unknown-trn-request', 'Trs::RetrieveTrnJob', 'update-missing-trn', 404, 10031, 'Trs::Client::HttpError', 'dqt-errors/update-missing-trn'],
    ['submitted-at-missing', 'Trs::RetrieveTrnJob', 'submitted-for-trn-at-missing', null, null, 'Trs::RetrieveTrnJob::TraineeAttributeError', 'dqt-errors/retrieve-trn-timeout'],
    ['subject-unknown-to-trs', 'Trs::UpdateProfessionalStatusJob', 'trs-route-rejected', 400, 10045, 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError', 'dqt-errors/trs-route-rejected'],
  ])('%s (%s) → %s', (run, job, kind, status, errorCode, errorClass, runbook) => {
    const r = recordOf(run, job);
    expect(r).toMatchObject({ jobName: job, kind, era: 'trs', status, errorCode, errorClass, runbook, traineeId: deaths.find((d) => d.run === run && d.job === job)!.traineeId });
    expect(r.explanation).toMatch(/TRS/);
    expect(r.bulkSafe).toBe(PLAYBOOK_RULES[kind].bulkSafe);
  });

  it("explains 10048 as the training provider's UKPRN and 10031 as a request TRS never received", () => {
    expect(recordOf('trs-organisation-not-found').explanation).toBe(PLAYBOOK_RULES['organisation-not-found'].trs.explanation);
    expect(recordOf('trs-organisation-not-found').error).toBe('{"title":"Invalid training provider UKPRN.","status":400,"detail":"Training provider UKPRN: \'10099041\'","errorCode":10048}');
    expect(recordOf('unknown-trn-request').explanation).toMatch(/^TRS has no TRN request with the id Register polls \(404, 10031/);
    expect(recordOf('trs-route-type-change').explanation).toMatch(/\(400, 10054 "Unable to change route type"\)/);
  });

  it('holds the professional status back until the personal-data update of the same trainee has run', () => {
    const update = recordOf('trs-failed-update-and-award', 'Trs::UpdateTraineeJob');
    const award = recordOf('trs-failed-update-and-award', 'Trs::UpdateProfessionalStatusJob');
    expect(update).toMatchObject({ kind: 'server-error', runbook: 'dqt-errors/failed-update-and-award', bulkSafe: false, action: `Retry this update first (the trainee also has a failed award). ${PLAYBOOK_RULES['server-error'].trs.action}` });
    expect(award).toMatchObject({ kind: 'server-error', runbook: 'dqt-errors/failed-update-and-award', bulkSafe: false, action: 'Retry only after the failed update of this trainee has succeeded.' });
    // A lone failed professional status (405) and a lone failed update (401) stay bulk-safe server errors.
    expect(recordOf('trs-awarded-on-trs')).toMatchObject({ runbook: 'dqt-errors/server-error-500', bulkSafe: true, action: PLAYBOOK_RULES['server-error'].trs.action });
    expect(recordOf('trs-server-error-500')).toMatchObject({ runbook: 'dqt-errors/server-error-500', bulkSafe: true });
    const serverErrors = report.byKind.find((k) => k.kind === 'server-error')!;
    expect(serverErrors).toMatchObject({ count: 4, bulkSafeJobs: 2, action: PLAYBOOK_RULES['server-error'].trs.action });
  });

  it("writes Register's TRS-era dead-jobs CSV: the last column is trs", async () => {
    const csv = await deadJobsCsv(t.db, report.records, { jobName: 'Trs::UpdateProfessionalStatusJob' });
    const [header, ...rows] = parseCsv(csv);
    expect(header!.slice(-2)).toEqual(['error_message', 'trs']);
    const column = (row: string[], name: string) => row[header!.indexOf(name)];
    expect(rows.map((r) => Number(column(r, 'register_id')))).toEqual([403, 404, 405, 406, 409, 410, 411, 414]);
    const organisation = rows.find((r) => column(r, 'register_id') === '406')!;
    expect(column(organisation, 'job_id')).toBe(recordOf('trs-organisation-not-found').jobId);
    // Register's CSV: the parsed body, double quotes turned to single quotes; the trs column empty.
    expect(column(organisation, 'error_message')).toBe("{'title':'Invalid training provider UKPRN.','status':400,'detail':'Training provider UKPRN: '10099041'','errorCode':10048}");
    expect(column(organisation, 'trs')).toBe('');
    const missing = rows.find((r) => column(r, 'register_id') === '409')!;
    expect(column(missing, 'error_message')).toMatch(/^Cannot update professional status on TRS without a TRN\nslug: /);
  });
});

describe('trs-route-rejected beyond 10054: a subject TRS does not know (10045)', () => {
  it("names the code, what it means and where to fix it; plans nothing until the data is corrected; no message to TRS", async () => {
    const config = loadConfig({ DATABASE_URL: t.url, REDIS_URL, REDIS_PREFIX: prefix, TRS_API_KEY: API_KEY, SUPPORT_TRS_SANDBOX_PORT: String(sandbox.port) });
    const ctx = openInvestigation(t.db, config, { trs, jobs: store });
    const slug = (await t.db.selectFrom('trainees').select('slug').where('id', '=', 404).executeTakeFirstOrThrow()).slug;
    const inv = await investigateTrsRouteRejected(ctx, { slug });
    expect(inv.errorCodes).toEqual([10045]);
    expect(inv.deadJobs.map((j) => [j.jobName, j.status, j.errorCode])).toEqual([['Trs::UpdateProfessionalStatusJob', 400, 10045]]);
    expect(inv.diagnosis).toBe(`TRS refused the trainee's route with 10045 "${TRS_ERROR_TITLES[10045]}": TRS does not know a training subject Register sends (the course subject's reference).`);
    expect(inv.nextStep).toBe("Check the trainee's course subjects on Register (a subject TRS cannot map); correct them, then retry.");
    expect(inv.jobPlan).toBeNull();
    expect(inv.planNote).toMatch(/^Nothing planned until the data is corrected/);
    expect(inv.message).toBeNull();
  });
});
