import { randomUUID } from 'node:crypto';
import { registerFeatures } from '../db/versions/detect.js';
import { latestTrnRequest, trnRequestById } from '../trainees/trn-request.js';
import { UnrecoverableError, type Job } from 'bullmq';
import { traineeState, trnRequestState, type TraineeState } from '../db/enums.js';
import type { RegisterDb } from '../db/connect.js';
import type { Trainee } from '../db/schema.js';
import { timestampToDate } from '../db/timestamp.js';
import type { DqtClient } from '../dqt/client.js';
import type { TrsClient } from '../trs/client.js';
import { DqtError, TraineeAwardMissingTrn, TraineeUpdateMissingTrn } from '../dqt/error.js';
import { awardBody, trnRequestBody, updateBody, withdrawalBody } from '../dqt/payloads.js';
import { updateTraineeAudited, JOB_AUDIT_USERNAME } from './audit.js';
import { globalIdRecord, parseJobData } from './data.js';
import { JOB_POLLING, type JobName } from './names.js';
import type { JobQueues } from './queues.js';
import { trsRegisterForTrn, trsRetrieveTrn, trsUpdateProfessionalStatus, trsUpdateTrainee, type TrsJobContext } from './trs-processors.js';

/**
 * What each job does when it runs, as Register's DQT-era jobs and services did (register-facts 4.5–4.8), and as
 * today's `Trs::` jobs do (lib/jobs/trs-processors.ts, run with `ctx.trs`).
 * A processor returns a one-line summary (the job's return value) or throws: the error message is the job's
 * `failedReason`, Register's text (`status: N, body: ...`, `Cannot update trainee on DQT without a trn (id: N)`,
 * `Dqt::RetrieveTrnJob for Trainee id: N has timed out after 4 days`).
 *
 * The feature flag `integrate_with_dqt` is taken as on: the worker only runs when someone starts it.
 *
 * @example
 * const result = await runJob({ db, dqt, queues }, job);      // what the worker calls
 * const result = await runJob({ db, dqt, trs, queues }, job); // Trs:: jobs need the TRS client
 */
export interface JobContext {
  db: RegisterDb;
  dqt: DqtClient;
  /** The TRS client the `Trs::` jobs call (a `Trs::` job without one dies saying so). */
  trs?: TrsClient;
  queues: JobQueues;
  /** The clock (tests move it). */
  now?: () => Date;
  polling?: { pollDelayHours: number; maxPollDurationDays: number };
}

/** A job that will not run again: BullMQ moves it straight to failed (the dead set) whatever its attempts. */
export class JobTimedOut extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'JobTimedOut';
  }
}

/** Register's `TraineeAttributeError`. */
export class TraineeAttributeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraineeAttributeError';
  }
}

/** Register's `DqtNoAwardDateError`. */
export class DqtNoAwardDateError extends Error {
  constructor(traineeId: number) {
    super(`failed to retrieve award date from DQT for trainee: ${traineeId}`);
    this.name = 'DqtNoAwardDateError';
  }
}

/** Register's `StateTransitionError`. */
export class StateTransitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateTransitionError';
  }
}

const who = (job: Job) => ({ username: JOB_AUDIT_USERNAME, requestUuid: job.id ? `${job.name}#${job.id}` : null });
const state = (t: Trainee): TraineeState => traineeState.fromDb(t.state ?? 0);

async function loadTrainee(db: RegisterDb, id: number): Promise<Trainee> {
  const trainee = await db.selectFrom('trainees').selectAll().where('id', '=', id).executeTakeFirst();
  // Register's ActiveJob raises DeserializationError when a GlobalID's record is gone.
  if (!trainee) throw new UnrecoverableError(`Error while trying to deserialize arguments: Couldn't find Trainee with 'id'=${id}`);
  return trainee;
}

async function payloadSource(db: RegisterDb, trainee: Trainee) {
  const provider = await db.selectFrom('providers').select(['ukprn']).where('id', '=', trainee.provider_id).executeTakeFirstOrThrow();
  const degree = await db.selectFrom('degrees').selectAll().where('trainee_id', '=', trainee.id).orderBy('graduation_year', 'asc').orderBy('id', 'asc').limit(1).executeTakeFirst();
  return { trainee, provider, degree: degree ?? null };
}

const traineeIdFrom = (g: { _aj_globalid: string }) => globalIdRecord(g, 'Trainee')!;

/** Runs one job: validates its data, then does what its Register job did. */
export async function runJob(ctx: JobContext, job: Job): Promise<string> {
  const name = job.name as JobName;
  let data;
  try {
    data = parseJobData(name, job.data);
  } catch (error) {
    throw new UnrecoverableError((error as Error).message);
  }
  switch (name) {
    case 'Dqt::RegisterForTrnJob':
      return registerForTrn(ctx, job, traineeIdFrom((data as { arguments: [{ _aj_globalid: string }] }).arguments[0]));
    case 'Dqt::RetrieveTrnJob': {
      const d = data as { arguments: [{ _aj_globalid: string }, string | null]; trainee: { _aj_globalid: string } };
      return retrieveTrn(ctx, job, globalIdRecord(d.arguments[0], 'Dqt::TrnRequest')!, d.arguments[1]);
    }
    case 'Dqt::UpdateTraineeJob':
      return updateTrainee(ctx, traineeIdFrom((data as { arguments: [{ _aj_globalid: string }] }).arguments[0]));
    case 'Dqt::WithdrawTraineeJob': {
      const d = data as { arguments: [{ _aj_globalid: string }, string | null] };
      return withdrawTrainee(ctx, traineeIdFrom(d.arguments[0]), d.arguments[1]);
    }
    case 'Dqt::RecommendForAwardJob':
      return recommendForAward(ctx, job, traineeIdFrom((data as { arguments: [{ _aj_globalid: string }] }).arguments[0]));
    case 'Trs::RegisterForTrnJob':
      return trsRegisterForTrn(trsContext(ctx, job), traineeIdFrom((data as { arguments: [{ _aj_globalid: string }] }).arguments[0]));
    case 'Trs::RetrieveTrnJob': {
      const d = data as { arguments: [{ _aj_globalid: string }, string | null] };
      return trsRetrieveTrn(trsContext(ctx, job), globalIdRecord(d.arguments[0], 'Trs::TrnRequest')!, d.arguments[1]);
    }
    case 'Trs::UpdateTraineeJob':
      return trsUpdateTrainee(trsContext(ctx, job), traineeIdFrom((data as { arguments: [{ _aj_globalid: string }] }).arguments[0]));
    case 'Trs::UpdateProfessionalStatusJob':
      return trsUpdateProfessionalStatus(trsContext(ctx, job), traineeIdFrom((data as { arguments: [{ _aj_globalid: string }] }).arguments[0]));
    case 'import_applications_from_apply':
      return 'RecruitsApi::ImportApplicationsJob ran: Apply (the Recruits API) is not reachable from this toolkit, so nothing was fetched. Run it in Register.';
    case 'create_trainees_from_apply': {
      const rows = await ctx.db
        .selectFrom('apply_applications')
        .innerJoin('providers', 'providers.code', 'apply_applications.accredited_body_code')
        .select('apply_applications.apply_id')
        .where('apply_applications.state', '=', 0)
        .where('providers.apply_sync_enabled', '=', true)
        .execute();
      return `Trainees::CreateFromApplyJob ran: ${rows.length} importable application(s) of opted-in providers (${rows.map((r) => r.apply_id).join(', ') || 'none'}); creating trainees from Apply data is left to Register.`;
    }
    default:
      throw new UnrecoverableError(`No processor for job "${String(name)}".`);
  }
}

/** What a `Trs::` processor needs, from the worker's context: the TRS client, follow-ups through the queues, the job's audit identity. */
function trsContext(ctx: JobContext, job: Job): TrsJobContext {
  if (!ctx.trs) throw new UnrecoverableError(`${job.name} needs a TRS client, and this worker was started without one (JobContext.trs): start it with the configured TRS.`);
  return {
    db: ctx.db,
    trs: ctx.trs,
    enqueue: (name, args, options) => ctx.queues.enqueue(name, args as never, options),
    ...(ctx.now ? { now: ctx.now } : {}),
    ...(ctx.polling ? { polling: ctx.polling } : {}),
    who: who(job),
  };
}

/** `Dqt::RegisterForTrnJob` + `Dqt::RegisterForTrn`. */
async function registerForTrn(ctx: JobContext, job: Job, traineeId: number): Promise<string> {
  const now = ctx.now?.() ?? new Date();
  const trainee = await loadTrainee(ctx.db, traineeId);
  if (trainee.trn) return `skipped: trainee ${traineeId} already has TRN ${trainee.trn}`;
  const register = await registerFeatures(ctx.db);
  const requests = register.trnRequests.table as 'dqt_trn_requests';
  let request = await latestTrnRequest(ctx.db, traineeId);
  if (!request) {
    request = await ctx.db
      .insertInto(requests)
      .values({ trainee_id: traineeId, request_id: randomUUID(), state: trnRequestState.toDb('requested'), response: null, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  let response: unknown;
  let failed = false;
  try {
    response = await ctx.dqt.registerForTrn(request.request_id, trnRequestBody(await payloadSource(ctx.db, trainee)));
  } catch (error) {
    if (!(error instanceof DqtError)) throw error;
    // Register stores the failure and does not raise: DQT sometimes answers 500 yet creates the request.
    response = { error: error.message };
    failed = true;
  }
  const requestId = request.id;
  await ctx.db.transaction().execute(async (trx) => {
    const stored = failed ? response : Object.fromEntries(Object.entries(response as object).filter(([k]) => k !== 'created'));
    await trx
      .updateTable(requests)
      .set({ response: JSON.stringify(stored), state: trnRequestState.toDb(failed ? 'failed' : 'requested'), updated_at: now })
      .where('id', '=', requestId)
      .execute();
    const current = await trx.selectFrom('trainees').select(['state']).where('id', '=', traineeId).executeTakeFirstOrThrow();
    const changes: Record<string, unknown> = {};
    if (!failed) changes[register.slugSentColumn] = now;
    if (['draft', 'deferred'].includes(traineeState.fromDb(current.state ?? 0))) {
      changes.state = traineeState.toDb('submitted_for_trn');
      changes.submitted_for_trn_at = now;
    }
    await updateTraineeAudited(trx, traineeId, changes, who(job));
  });
  if (failed) return `TRN request failed and was stored as failed: ${(response as { error: string }).error}`;
  await ctx.queues.enqueue('Dqt::RetrieveTrnJob', { trnRequestId: requestId, traineeId, timeoutAfter: null });
  return `TRN requested (request ${request.request_id}); polling enqueued`;
}

/**
 * `Dqt::RetrieveTrnJob(trn_request, timeout_after)` (register-facts 4.8). Past the timeout Register posted
 * "... has timed out after 4 days." to Slack and ended quietly; here the job dies with that text (no retries),
 * so the dead set shows it to whoever is on call.
 */
async function retrieveTrn(ctx: JobContext, job: Job, trnRequestId: number, timeoutAfter: string | null): Promise<string> {
  const now = ctx.now?.() ?? new Date();
  const polling = ctx.polling ?? JOB_POLLING;
  const register = await registerFeatures(ctx.db);
  const request = await trnRequestById(ctx.db, trnRequestId);
  if (!request) throw new UnrecoverableError(`Error while trying to deserialize arguments: Couldn't find ${register.trnRequests.model} with 'id'=${trnRequestId}`);
  const trainee = await loadTrainee(ctx.db, request.trainee_id);
  const requeue = (timeout: string, delayMs: number) =>
    ctx.queues.enqueue('Dqt::RetrieveTrnJob', { trnRequestId, traineeId: trainee.id, timeoutAfter: timeout }, { delayMs });

  if (!timeoutAfter) {
    if (!trainee.submitted_for_trn_at) {
      throw new TraineeAttributeError(`Trainee#submitted_for_trn_at is nil - it should be timestamped (id: ${trainee.id})`);
    }
    const timeout = new Date(timestampToDate(trainee.submitted_for_trn_at).getTime() + polling.maxPollDurationDays * 86_400_000).toISOString();
    await requeue(timeout, 0);
    return `first run: polling until ${timeout}`;
  }
  const info = await ctx.dqt.getTrnRequest(request.request_id);
  if (info.trn) {
    await ctx.db.transaction().execute(async (trx) => {
      // trn_received!(trn): write the TRN if none is stored; receive_trn! unless deferred or withdrawn.
      const current = await trx.selectFrom('trainees').selectAll().where('id', '=', trainee.id).forUpdate().executeTakeFirstOrThrow();
      const changes: Record<string, unknown> = {};
      if (!current.trn) changes.trn = info.trn;
      const s = state(current);
      if (!['deferred', 'withdrawn'].includes(s)) {
        if (!['submitted_for_trn', 'trn_received'].includes(s)) throw new StateTransitionError(`Invalid transition: cannot receive a TRN from state ${s}`);
        changes.state = traineeState.toDb('trn_received');
      }
      await updateTraineeAudited(trx, trainee.id, changes, who(job));
      await trx
        .updateTable(register.trnRequests.table as 'dqt_trn_requests')
        .set({ state: trnRequestState.toDb('received'), response: JSON.stringify(info), updated_at: now })
        .where('id', '=', trnRequestId)
        .execute();
    });
    return `TRN ${info.trn} received`;
  }
  if (now.getTime() < new Date(timeoutAfter).getTime()) {
    await requeue(timeoutAfter, polling.pollDelayHours * 3_600_000);
    return `no TRN yet; polling again in ${polling.pollDelayHours} h`;
  }
  throw new JobTimedOut(`Dqt::RetrieveTrnJob for Trainee id: ${trainee.id} has timed out after ${polling.maxPollDurationDays} days`);
}

/** `Dqt::UpdateTraineeJob` + `Dqt::TraineeUpdate`. */
async function updateTrainee(ctx: JobContext, traineeId: number): Promise<string> {
  const trainee = await loadTrainee(ctx.db, traineeId);
  const s = state(trainee);
  if (!['submitted_for_trn', 'trn_received', 'deferred'].includes(s)) return `skipped: trainee ${traineeId} is ${s}`;
  if (s === 'submitted_for_trn') return `skipped: trainee ${traineeId} is submitted_for_trn (DQT is sent the details with the TRN request)`;
  if (!trainee.trn) throw new TraineeUpdateMissingTrn(traineeId);
  // Register reads allowPIIUpdates from its dqt_teachers cache; without that table no personal details are sent.
  const body = updateBody({ ...(await payloadSource(ctx.db, trainee)), allowPiiUpdates: false });
  await ctx.dqt.updateTrainee(trainee.trn, trainee.date_of_birth, trainee.slug, body);
  return `DQT updated for TRN ${trainee.trn}`;
}

/** `Dqt::WithdrawTraineeJob(trainee, timeout_after)` + `Dqt::WithdrawTrainee`. */
async function withdrawTrainee(ctx: JobContext, traineeId: number, timeoutAfter: string | null): Promise<string> {
  const now = ctx.now?.() ?? new Date();
  const polling = ctx.polling ?? JOB_POLLING;
  const delayMs = polling.pollDelayHours * 3_600_000;
  if (!timeoutAfter) {
    const timeout = new Date(now.getTime() + polling.maxPollDurationDays * 86_400_000).toISOString();
    await ctx.queues.enqueue('Dqt::WithdrawTraineeJob', { traineeId, timeoutAfter: timeout }, { delayMs });
    return `first run: withdrawal sent in ${polling.pollDelayHours} h (waiting for a TRN until ${timeout})`;
  }
  const trainee = await loadTrainee(ctx.db, traineeId);
  if (trainee.trn) {
    await ctx.dqt.withdrawTrainee(trainee.trn, trainee.date_of_birth, trainee.slug, withdrawalBody(await payloadSource(ctx.db, trainee)));
    return `withdrawal sent to DQT for TRN ${trainee.trn}`;
  }
  if (now.getTime() < new Date(timeoutAfter).getTime()) {
    await ctx.queues.enqueue('Dqt::WithdrawTraineeJob', { traineeId, timeoutAfter }, { delayMs });
    return `no TRN yet; trying again in ${polling.pollDelayHours} h`;
  }
  throw new JobTimedOut(`Dqt::WithdrawTraineeJob for Trainee id: ${traineeId} has timed out after ${polling.maxPollDurationDays} days`);
}

/** `Dqt::RecommendForAwardJob` + `Dqt::RecommendForAward`, then `award_qts!(date)`. */
async function recommendForAward(ctx: JobContext, job: Job, traineeId: number): Promise<string> {
  const trainee = await loadTrainee(ctx.db, traineeId);
  if (!trainee.trn) throw new TraineeAwardMissingTrn(traineeId);
  const response = await ctx.dqt.awardTrainee(trainee.trn, trainee.date_of_birth, trainee.slug, awardBody(await payloadSource(ctx.db, trainee)));
  if (!response.qtsDate) throw new DqtNoAwardDateError(traineeId);
  const awardedAt = new Date(`${response.qtsDate}T00:00:00Z`);
  await ctx.db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('trainees').selectAll().where('id', '=', traineeId).forUpdate().executeTakeFirstOrThrow();
    if (state(current) !== 'recommended_for_award') {
      throw new StateTransitionError(`Invalid transition: trainee ${traineeId} is ${state(current)}, and only a trainee recommended for award can be awarded (DQT now holds QTS ${response.qtsDate})`);
    }
    await updateTraineeAudited(trx, traineeId, { awarded_at: awardedAt, state: traineeState.toDb('awarded') }, who(job));
  });
  return `awarded on ${response.qtsDate}`;
}
