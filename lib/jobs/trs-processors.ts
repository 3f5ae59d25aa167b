import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import type { RegisterDb } from '../db/connect.js';
import { sex as sexEnum, studyMode as studyModeEnum, traineeState, trainingRoute, trnRequestState, type TraineeState } from '../db/enums.js';
import type { Trainee } from '../db/schema.js';
import { timestampToDate, toTimestampText } from '../db/timestamp.js';
import { registerFeatures } from '../db/versions/detect.js';
import type { TrsClient } from '../trs/client.js';
import { TrsError } from '../trs/error.js';
import { trsPersonalDataBody, trsProfessionalStatusBody, trsTrnRequestBody, type TrsTraineeInput } from '../trs/payloads.js';
import {
  PersonUpdateError,
  PersonUpdateMissingTrn,
  ProfessionalStatusUpdateError,
  ProfessionalStatusUpdateMissingTrn,
  registerIgnoresTrsError,
  retrieveTrnTimeoutNotice,
  TraineeAttributeError,
} from '../trs/register-errors.js';
import { latestTrnRequest, trnRequestById } from '../trainees/trn-request.js';
import { updateTraineeAudited } from './audit.js';

/**
 * What Register's TRS-era jobs do when they run (Register `ce1126541`, `app/jobs/trs/*.rb` and `app/services/trs/*.rb`),
 * against the configured TRS: the toolkit's worker runs them for the sandbox of today's Register, so a TRS-era dead job
 * carries Register's exact error class and text (`Error updating professional status: status: 400, body: …`).
 *
 * The feature flag `integrate_with_trs` is taken as on: the worker only runs when someone starts it.
 */
export interface TrsJobContext {
  db: RegisterDb;
  trs: TrsClient;
  /** Enqueues a follow-up job (RetrieveTrn after a registration, UpdateProfessionalStatus after a TRN). */
  enqueue(name: 'Trs::RetrieveTrnJob' | 'Trs::UpdateProfessionalStatusJob', args: { traineeId: number; trnRequestId?: number; timeoutAfter?: string | null }, options?: { delayMs?: number }): Promise<unknown>;
  now?: () => Date;
  polling?: { pollDelayHours: number; maxPollDurationDays: number };
  /** Who the audits of job changes are by, and the request id they carry. */
  who: { username: string; requestUuid?: string | null };
}

/**
 * A TRN polling timeout: Register sends a Teams notice and stops; the toolkit's job dies with that text so it is seen.
 * Register raises nothing here, so the class name is the toolkit's, `Trs::RetrieveTrnJob::Timeout`, shaped like a Ruby
 * class (a dead job's error class is read from the first word of its stack trace), as `Dqt::RetrieveTrnJob::Timeout`.
 */
export class TrsRetrieveTrnTimedOut extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = TRS_RETRIEVE_TRN_TIMEOUT_CLASS;
  }
}

/** The error class a timed-out `Trs::RetrieveTrnJob` dies with in the toolkit (and in the sandbox's Sidekiq sets). */
export const TRS_RETRIEVE_TRN_TIMEOUT_CLASS = 'Trs::RetrieveTrnJob::Timeout';

const stateOf = (t: Trainee): TraineeState => traineeState.fromDb(t.state ?? 0);

async function loadTrainee(db: RegisterDb, id: number): Promise<Trainee> {
  const trainee = await db.selectFrom('trainees').selectAll().where('id', '=', id).executeTakeFirst();
  if (!trainee) throw new UnrecoverableError(`Error while trying to deserialize arguments: Couldn't find Trainee with 'id'=${id}`);
  return trainee;
}

/** What Register's TRS payloads read of a trainee, from Register's tables. */
export async function trsTraineeInput(db: RegisterDb, trainee: Trainee): Promise<TrsTraineeInput> {
  const provider = await db.selectFrom('providers').select(['ukprn']).where('id', '=', trainee.provider_id).executeTakeFirst();
  const name = <T extends string>(e: { fromDb(v: number | null): T | null }, v: number | null) => (v === null ? null : e.fromDb(v));
  return {
    firstNames: trainee.first_names,
    middleNames: trainee.middle_names,
    lastName: trainee.last_name,
    dateOfBirth: trainee.date_of_birth,
    email: trainee.email,
    sex: name(sexEnum, trainee.sex),
    state: stateOf(trainee),
    trainingRoute: name(trainingRoute, trainee.training_route),
    ittStartDate: trainee.itt_start_date,
    traineeStartDate: trainee.trainee_start_date,
    ittEndDate: trainee.itt_end_date,
    studyMode: name(studyModeEnum, trainee.study_mode),
    courseSubjectOne: trainee.course_subject_one,
    courseSubjectTwo: trainee.course_subject_two,
    courseSubjectThree: trainee.course_subject_three,
    courseMinAge: trainee.course_min_age,
    courseMaxAge: trainee.course_max_age,
    iqtsCountry: null,
    providerUkprn: provider?.ukprn ?? null,
    ittQualificationAim: null,
    outcomeDate: trainee.outcome_date,
  };
}

/** `Trs::RegisterForTrnJob` + `Trs::RegisterForTrn`: a TRN request (its id kept on a second run), then polling after a minute. */
export async function trsRegisterForTrn(ctx: TrsJobContext, traineeId: number): Promise<string> {
  const now = ctx.now?.() ?? new Date();
  const trainee = await loadTrainee(ctx.db, traineeId);
  if (trainee.trn) return `skipped: trainee ${traineeId} already has TRN ${trainee.trn}`;
  const register = await registerFeatures(ctx.db);
  const table = register.trnRequests.table as 'trs_trn_requests';
  let request = await latestTrnRequest(ctx.db, traineeId);
  if (!request) {
    request = await ctx.db
      .insertInto(table)
      .values({ trainee_id: traineeId, request_id: randomUUID(), state: trnRequestState.toDb('requested'), response: null, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  let response: unknown;
  let failed = false;
  try {
    response = await ctx.trs.createTrnRequest(trsTrnRequestBody(await trsTraineeInput(ctx.db, trainee), request.request_id));
  } catch (error) {
    if (!(error instanceof TrsError)) throw error;
    // As Register: the failure is stored on the request, not raised.
    response = { error: error.message };
    failed = true;
  }
  const requestId = request.id;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable(table).set({ response: JSON.stringify(response), state: trnRequestState.toDb(failed ? 'failed' : 'requested'), updated_at: now }).where('id', '=', requestId).execute();
    const current = await trx.selectFrom('trainees').select(['state']).where('id', '=', traineeId).executeTakeFirstOrThrow();
    const changes: Record<string, unknown> = {};
    if (!failed) changes[register.slugSentColumn] = now;
    if (['draft', 'deferred'].includes(traineeState.fromDb(current.state ?? 0))) {
      changes.state = traineeState.toDb('submitted_for_trn');
      changes.submitted_for_trn_at = now;
    }
    await updateTraineeAudited(trx, traineeId, changes, ctx.who);
  });
  if (failed) return `TRN request failed and was stored as failed: ${(response as { error: string }).error}`;
  await ctx.enqueue('Trs::RetrieveTrnJob', { trnRequestId: requestId, traineeId, timeoutAfter: null }, { delayMs: 60_000 });
  return `TRN requested (request ${request.request_id}); polling in 1 minute`;
}

/** `Trs::RetrieveTrnJob(trn_request, timeout_after)`: poll TRS; a TRN moves the trainee on and sends the route a minute later. */
export async function trsRetrieveTrn(ctx: TrsJobContext, trnRequestId: number, timeoutAfter: string | null): Promise<string> {
  const now = ctx.now?.() ?? new Date();
  const polling = ctx.polling ?? { pollDelayHours: 1, maxPollDurationDays: 4 };
  const register = await registerFeatures(ctx.db);
  const table = register.trnRequests.table as 'trs_trn_requests';
  const request = await trnRequestById(ctx.db, trnRequestId);
  if (!request) throw new UnrecoverableError(`Error while trying to deserialize arguments: Couldn't find ${register.trnRequests.model} with 'id'=${trnRequestId}`);
  const trainee = await loadTrainee(ctx.db, request.trainee_id);
  if (trainee.discarded_at) {
    await ctx.db.deleteFrom(table).where('id', '=', trnRequestId).execute();
    return `trainee ${trainee.id} is discarded: its TRN request was destroyed`;
  }
  if (trainee.trn) {
    await ctx.db.updateTable(table).set({ state: trnRequestState.toDb('received'), updated_at: now }).where('id', '=', trnRequestId).execute();
    return `trainee ${trainee.id} already has TRN ${trainee.trn}`;
  }
  if (!timeoutAfter) {
    if (!trainee.submitted_for_trn_at) throw new TraineeAttributeError(trainee.id);
    const days = now.getUTCMonth() === 9 ? polling.maxPollDurationDays + 6 : polling.maxPollDurationDays;
    const timeout = toTimestampText(new Date(timestampToDate(trainee.submitted_for_trn_at).getTime() + days * 86_400_000));
    await ctx.enqueue('Trs::RetrieveTrnJob', { trnRequestId, traineeId: trainee.id, timeoutAfter: timeout });
    return `first run: polling until ${timeout}`;
  }
  const info = await ctx.trs.getTrnRequest(request.request_id);
  if (info.trn) {
    const trn = info.trn;
    await ctx.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('trainees').selectAll().where('id', '=', trainee.id).forUpdate().executeTakeFirstOrThrow();
      const changes: Record<string, unknown> = {};
      if (!current.trn) changes.trn = trn;
      if (!['deferred', 'withdrawn'].includes(stateOf(current))) changes.state = traineeState.toDb('trn_received');
      await updateTraineeAudited(trx, trainee.id, changes, ctx.who);
      await trx.updateTable(table).set({ state: trnRequestState.toDb('received'), updated_at: now }).where('id', '=', trnRequestId).execute();
    });
    await ctx.enqueue('Trs::UpdateProfessionalStatusJob', { traineeId: trainee.id }, { delayMs: 60_000 });
    return `TRN ${trn} received; professional status sent in 1 minute`;
  }
  if (!trainee.submitted_for_trn_at) throw new TraineeAttributeError(trainee.id);
  if (now.getTime() < timestampToDate(timeoutAfter).getTime()) {
    await ctx.enqueue('Trs::RetrieveTrnJob', { trnRequestId, traineeId: trainee.id, timeoutAfter }, { delayMs: polling.pollDelayHours * 3_600_000 });
    return `no TRN yet; polling again in ${polling.pollDelayHours} h`;
  }
  throw new TrsRetrieveTrnTimedOut(retrieveTrnTimeoutNotice(trainee.slug, polling.maxPollDurationDays).message);
}

/** `Trs::UpdateTraineeJob` + `Trs::UpdatePersonalData`: the person's details, for a trainee with a TRN who is not withdrawn or awarded. */
export async function trsUpdateTrainee(ctx: TrsJobContext, traineeId: number): Promise<string> {
  const trainee = await loadTrainee(ctx.db, traineeId);
  const s = stateOf(trainee);
  if (!trainee.trn || s === 'withdrawn' || s === 'awarded') return `skipped: trainee ${traineeId} ${trainee.trn ? `is ${s}` : 'has no TRN'}`;
  try {
    await ctx.trs.setPersonalData(trainee.trn, trsPersonalDataBody(await trsTraineeInput(ctx.db, trainee)));
  } catch (error) {
    if (!(error instanceof TrsError)) throw error;
    if (registerIgnoresTrsError('personalData', error.message)) return `TRS refused a personal-data update that Register ignores (${error.errorCode})`;
    throw new PersonUpdateError(error.message);
  }
  return `personal data sent to TRS for TRN ${trainee.trn}`;
}

/**
 * `Trs::UpdateProfessionalStatusJob` + `Trs::UpdateProfessionalStatus`: the trainee's route to professional status;
 * a trainee recommended for award is then awarded on Register with its own outcome date (TRS sends no date back).
 */
export async function trsUpdateProfessionalStatus(ctx: TrsJobContext, traineeId: number): Promise<string> {
  const trainee = await loadTrainee(ctx.db, traineeId);
  if (!trainee.trn) throw new ProfessionalStatusUpdateMissingTrn({ slug: trainee.slug, id: trainee.id });
  let note = `professional status sent to TRS for TRN ${trainee.trn}`;
  try {
    await ctx.trs.setRouteToProfessionalStatus(trainee.trn, trainee.slug, trsProfessionalStatusBody(await trsTraineeInput(ctx.db, trainee)));
  } catch (error) {
    if (!(error instanceof TrsError)) throw error;
    if (!registerIgnoresTrsError('route', error.message)) throw new ProfessionalStatusUpdateError(error.message);
    note = `TRS says the route is already awarded (${error.errorCode}), which Register ignores`;
  }
  if (stateOf(trainee) === 'recommended_for_award' && trainee.outcome_date) {
    const awardedAt = `${trainee.outcome_date}T00:00:00.000000Z`;
    await ctx.db.transaction().execute((trx) => updateTraineeAudited(trx, traineeId, { awarded_at: awardedAt, state: traineeState.toDb('awarded') }, ctx.who));
    note += `; awarded on Register on ${trainee.outcome_date}`;
  }
  return note;
}
