import { z } from 'zod';
import type { JobName } from './names.js';
import { REGISTER_GLOBALID_APP } from '../queues/globalid.js';

/**
 * Job data shaped like Register's ActiveJob arguments: records travel as GlobalIDs under `_aj_globalid`
 * (`gid://register-trainee-teachers/Trainee/201`, Register's GlobalID app name; any app name is read), so the dead-job tools find the trainee the way Register's did.
 * `Dqt::RetrieveTrnJob` and `Trs::RetrieveTrnJob` carry the TRN request's GlobalID (their first argument, as in
 * Register: `Dqt::TrnRequest` in the DQT era, `Trs::TrnRequest` today) and also the trainee's, under `trainee`,
 * because a TRN request id is not a trainee id (register-facts 5 [obs]).
 *
 * @example
 * traineeGlobalId(201)                                   // { _aj_globalid: 'gid://register-trainee-teachers/Trainee/201' }
 * trsTrnRequestGlobalId(404)                             // { _aj_globalid: 'gid://register-trainee-teachers/Trs::TrnRequest/404' }
 * traineeIdOf({ arguments: [traineeGlobalId(201)] })     // 201
 */
export const GLOBAL_ID_APP = REGISTER_GLOBALID_APP;

export const globalIdSchema = z.object({ _aj_globalid: z.string().regex(/^gid:\/\/[^/]+\/[A-Za-z:]+\/\d+$/, 'expected a GlobalID such as gid://register-trainee-teachers/Trainee/201') });
export type GlobalId = z.infer<typeof globalIdSchema>;

export const globalId = (model: string, id: number): GlobalId => ({ _aj_globalid: `gid://${GLOBAL_ID_APP}/${model}/${id}` });
export const traineeGlobalId = (id: number) => globalId('Trainee', id);
export const trnRequestGlobalId = (id: number) => globalId('Dqt::TrnRequest', id);
/** Today's Register's TRN request model (`app/models/trs/trn_request.rb`, table `trs_trn_requests`). */
export const trsTrnRequestGlobalId = (id: number) => globalId('Trs::TrnRequest', id);

/** The record id of a GlobalID of this model, or null. */
export function globalIdRecord(value: GlobalId, model: string): number | null {
  const m = /^gid:\/\/[^/]+\/([A-Za-z:]+)\/(\d+)$/.exec(value._aj_globalid);
  return m && m[1] === model ? Number(m[2]) : null;
}

const traineeRef = globalIdSchema.refine((g) => globalIdRecord(g, 'Trainee') !== null, 'expected a Trainee GlobalID');
const trnRequestRef = globalIdSchema.refine((g) => globalIdRecord(g, 'Dqt::TrnRequest') !== null, 'expected a Dqt::TrnRequest GlobalID');
const trsTrnRequestRef = globalIdSchema.refine((g) => globalIdRecord(g, 'Trs::TrnRequest') !== null, 'expected a Trs::TrnRequest GlobalID');
/** An ISO time, or null for "not set yet" (Register's `timeout_after = nil`). */
const timeout = z.string().datetime({ offset: true, message: 'expected an ISO time such as 2024-09-14T10:00:00.000Z' }).nullable();

export const JOB_DATA_SCHEMAS = {
  'Dqt::RegisterForTrnJob': z.object({ job_class: z.literal('Dqt::RegisterForTrnJob'), arguments: z.tuple([traineeRef]) }),
  'Dqt::RetrieveTrnJob': z.object({ job_class: z.literal('Dqt::RetrieveTrnJob'), arguments: z.tuple([trnRequestRef, timeout]), trainee: traineeRef }),
  'Dqt::UpdateTraineeJob': z.object({ job_class: z.literal('Dqt::UpdateTraineeJob'), arguments: z.tuple([traineeRef]) }),
  'Dqt::WithdrawTraineeJob': z.object({ job_class: z.literal('Dqt::WithdrawTraineeJob'), arguments: z.tuple([traineeRef, timeout]) }),
  'Dqt::RecommendForAwardJob': z.object({ job_class: z.literal('Dqt::RecommendForAwardJob'), arguments: z.tuple([traineeRef]) }),
  'Trs::RegisterForTrnJob': z.object({ job_class: z.literal('Trs::RegisterForTrnJob'), arguments: z.tuple([traineeRef]) }),
  'Trs::RetrieveTrnJob': z.object({ job_class: z.literal('Trs::RetrieveTrnJob'), arguments: z.tuple([trsTrnRequestRef, timeout]), trainee: traineeRef }),
  'Trs::UpdateTraineeJob': z.object({ job_class: z.literal('Trs::UpdateTraineeJob'), arguments: z.tuple([traineeRef]) }),
  'Trs::UpdateProfessionalStatusJob': z.object({ job_class: z.literal('Trs::UpdateProfessionalStatusJob'), arguments: z.tuple([traineeRef]) }),
  import_applications_from_apply: z.object({
    job_class: z.literal('RecruitsApi::ImportApplicationsJob'),
    arguments: z.tuple([z.object({ from_date: z.string().nullable(), recruitment_cycle_years: z.array(z.number().int()).nullable() })]),
  }),
  create_trainees_from_apply: z.object({ job_class: z.literal('Trainees::CreateFromApplyJob'), arguments: z.tuple([]) }),
} satisfies Record<JobName, z.ZodType>;

export type JobData<N extends JobName> = z.infer<(typeof JOB_DATA_SCHEMAS)[N]>;

/** Checks a job's data; throws naming the wrong field. */
export function parseJobData<N extends JobName>(name: N, data: unknown): JobData<N> {
  const result = JOB_DATA_SCHEMAS[name].safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
    throw new Error(`The data of this ${name} job is not what the job expects: ${issues}`);
  }
  return result.data as JobData<N>;
}

/**
 * The trainee id a job is about: its `trainee` GlobalID when it has one, else the first Trainee GlobalID found
 * anywhere in its data (depth first, as Register's `deep_dig`, but only Trainee GlobalIDs count). Null if none.
 */
export function traineeIdOf(data: unknown): number | null {
  if (data && typeof data === 'object' && 'trainee' in data) {
    const id = traineeIdOf((data as { trainee: unknown }).trainee);
    if (id !== null) return id;
  }
  const stack: unknown[] = [data];
  const seen = new Set<unknown>();
  while (stack.length) {
    const node = stack.shift();
    if (!node || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    const gid = (node as Record<string, unknown>)._aj_globalid;
    if (typeof gid === 'string') {
      const id = globalIdRecord({ _aj_globalid: gid }, 'Trainee');
      if (id !== null) return id;
    }
    stack.push(...Object.values(node as Record<string, unknown>));
  }
  return null;
}
