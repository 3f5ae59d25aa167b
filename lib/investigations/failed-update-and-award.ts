import { AWARD_JOB_NAME, planRetries, UPDATE_JOB_NAME } from '../queues/actions.js';
import { commonFacts, gatherInvestigation, gatherTrsInvestigation, investigationEra, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';

/**
 * Playbook "Sometimes a trainee will have both a failed update job, and a failed award job. In this case, make sure
 * to re-run the update job first." Finds the trainee's dead update and award jobs (whatever they died of) and plans
 * their retry in that order: the award is retried only after the update has succeeded (`planRetries`). On a Register
 * that talks to TRS the two are `Trs::UpdateTraineeJob` (personal data) and `Trs::UpdateProfessionalStatusJob` (the
 * route, which awards), on queue `trs`.
 *
 * @example
 * const inv = await investigateFailedUpdateAndAward(ctx, { slug });
 * inv.jobPlan.actions // [retry update, retry award after the update]
 */
export async function investigateFailedUpdateAndAward(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation> {
  if ((await investigationEra(ctx)) === 'trs') return failedUpdateAndAwardOnTrs(ctx, input);
  const g = await gatherInvestigation(ctx, input.slug, []);
  const { comparison: c, trainee } = g;
  const update = g.dead.find((d) => d.jobName === UPDATE_JOB_NAME);
  const award = g.dead.find((d) => d.jobName === AWARD_JOB_NAME);
  const target = [update, award].filter((j): j is NonNullable<typeof j> => !!j);
  const facts = commonFacts(c, target);
  facts.push({ fact: 'Dead update job', value: update ? `#${update.jobId} (${update.kind})` : 'none' }, { fact: 'Dead award job', value: award ? `#${award.jobId} (${award.kind})` : 'none' });
  let diagnosis: string;
  let nextStep: string;
  let planNote: string | null = null;
  const notes: Investigation['notes'] = [];
  if (update && award) {
    diagnosis = `Both the update #${update.jobId} (${update.kind}) and the award #${award.jobId} (${award.kind}) died: the update must run first, because once the award gives the trainee ${c.register.award ?? 'QTS'} DQT refuses any update.`;
    nextStep = 'Commit the plan below: it retries the update, waits for it to succeed, and only then retries the award (the award is skipped if the update fails).';
    planNote = 'The award waits up to 60 s for the update to succeed: keep a worker running (support worker).';
  } else if (update || award) {
    const only = (update ?? award)!;
    diagnosis = `Only the ${only === update ? 'update' : 'award'} job #${only.jobId} (${only.kind}) is dead; there is no ${only === update ? 'award' : 'update'} to order it against.`;
    nextStep = `Open the runbook for its error (${only.kind}) rather than this one, or retry it here.`;
  } else {
    diagnosis = `Trainee ${trainee.slug} has no dead update or award job.`;
    nextStep = 'Nothing to retry.';
    planNote = 'Nothing planned: no dead update or award job.';
  }
  for (const j of target) if (j.kind !== 'server-error') notes.push({ tone: 'warn', message: `${j.jobName} #${j.jobId} died with ${j.kind}, not a server error: a plain retry may fail the same way. Check its runbook first.` });
  const jobPlan = target.length ? planRetries(target, `Retry the update${award ? ' then the award' : ''} of trainee ${trainee.id}`) : null;
  return {
    runbook: 'dqt-errors/failed-update-and-award',
    kind: 'server-error',
    trainee: g.traineeRow,
    comparison: c,
    jobs: g.jobs,
    deadJobs: target,
    facts,
    diagnosis,
    nextStep,
    plan: null,
    jobPlan,
    planNote,
    message: null,
    notes,
  };
}

const TRS_UPDATE_JOB = 'Trs::UpdateTraineeJob';
const TRS_AWARD_JOB = 'Trs::UpdateProfessionalStatusJob';

/** The section on a TRS-era Register: the personal-data update first, then the professional status (the award). */
async function failedUpdateAndAwardOnTrs(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation> {
  const g = await gatherTrsInvestigation(ctx, input.slug, []);
  const { comparison: c, trainee } = g;
  const update = g.dead.find((d) => d.jobName === TRS_UPDATE_JOB);
  const award = g.dead.find((d) => d.jobName === TRS_AWARD_JOB);
  const target = [update, award].filter((j): j is NonNullable<typeof j> => !!j);
  const facts = trsCommonFacts(c, target);
  facts.push(
    { fact: 'Dead personal-data update (Trs::UpdateTraineeJob)', value: update ? `#${update.jobId} (${update.kind})` : 'none' },
    { fact: 'Dead professional status (Trs::UpdateProfessionalStatusJob)', value: award ? `#${award.jobId} (${award.kind})` : 'none' },
  );
  let diagnosis: string;
  let nextStep: string;
  let planNote: string | null = null;
  const notes: Investigation['notes'] = [];
  if (update && award) {
    diagnosis = `Both the personal-data update #${update.jobId} (${update.kind}) and the professional status #${award.jobId} (${award.kind}) died: the update must run first, because once TRS holds ${c.register.award ?? 'QTS'} it refuses personal-data changes (Register then ignores TRS's 10042, so the details would never reach TRS).`;
    nextStep = 'Commit the plan below: it retries the update, waits for it to succeed, and only then retries the professional status (skipped if the update fails).';
    planNote = "The professional status waits up to 60 s for the update to succeed: Register's Sidekiq (or the toolkit's worker) must be running on queue trs.";
  } else if (update || award) {
    const only = (update ?? award)!;
    diagnosis = `Only the ${only === update ? 'personal-data update' : 'professional status'} job #${only.jobId} (${only.kind}) is dead; there is no ${only === update ? 'professional status' : 'update'} to order it against.`;
    nextStep = `Open the runbook for its error (${only.kind}) rather than this one, or retry it here.`;
  } else {
    diagnosis = `Trainee ${trainee.slug} has no dead personal-data update or professional-status job.`;
    nextStep = 'Nothing to retry.';
    planNote = 'Nothing planned: no dead update or professional-status job.';
  }
  for (const j of target) if (j.kind !== 'server-error') notes.push({ tone: 'warn', message: `${j.jobName} #${j.jobId} died with ${j.kind}, not a server error: a plain retry may fail the same way. Check its runbook first.` });
  const jobPlan = target.length ? planRetries(target, `Retry the personal-data update${award ? ' then the professional status' : ''} of trainee ${trainee.id}`) : null;
  return {
    runbook: 'dqt-errors/failed-update-and-award',
    kind: 'server-error',
    trainee: g.traineeRow,
    comparison: null,
    trsComparison: c,
    jobs: g.jobs,
    deadJobs: target,
    facts,
    diagnosis,
    nextStep,
    plan: null,
    jobPlan,
    planNote,
    message: null,
    notes,
  };
}
