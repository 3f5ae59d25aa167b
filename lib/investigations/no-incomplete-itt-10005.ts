import { traineeState } from '../db/enums.js';
import { toTimestampText } from '../db/timestamp.js';
import { planBuilder } from '../plan/builder.js';
import { planDeletes } from '../queues/actions.js';
import { differenceLines } from './compare.js';
import { commonFacts, deadJobLine, gatherInvestigation, gatherTrsInvestigation, investigationEra, messageTraineeBlock, messageTrsTraineeBlock, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';
import { fullName } from '../trainees/lookup.js';

/** What a 10005 turned out to be. */
export type NoIncompleteIttCause = 'stuck-in-recommended-for-award' | 'details-differ' | 'withdrawn-on-dqt' | 'withdraw-state-differs' | 'unclear';

const IDENTITY_AND_TRAINING = ['TRN', 'first name', 'middle names', 'last name', 'date of birth', 'provider UKPRN', 'programme type', 'ITT row active'];

/**
 * Playbook "400 error" `Teacher has no incomplete ITT record` (errorCode 10005).
 * - From the award job: the trainee may be stuck in recommended for award, DQT having recorded the award already.
 *   "If everything matches on DQT's side (trainee details, the provider) then you may be able to just award the
 *   trainee on Register's side": when DQT holds the Pass and the award date and nothing else differs, plans the award
 *   on Register only (state awarded, `awarded_at` = DQT's date, no job sent to DQT) and the deletion of the dead award
 *   job. Anything that differs: check with the provider.
 * - From the withdraw job: cross-reference with DQT and check with the provider.
 *
 * @example
 * const inv = await investigateNoIncompleteItt(ctx, { slug });
 * inv.cause // 'details-differ'
 */
export async function investigateNoIncompleteItt(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation & { cause: NoIncompleteIttCause }> {
  if ((await investigationEra(ctx)) === 'trs') return noIncompleteIttOnTrs(ctx, input);
  const g = await gatherInvestigation(ctx, input.slug, ['no-incomplete-itt']);
  const { comparison: c, target, trainee } = g;
  const facts = commonFacts(c, target);
  const award = target.find((j) => j.jobName === 'Dqt::RecommendForAwardJob');
  const withdraw = target.find((j) => j.jobName === 'Dqt::WithdrawTraineeJob');
  const awardName = c.register.award ?? 'QTS';
  const dqtAwardDate = c.teacher ? (awardName === 'EYTS' ? c.teacher.eytsDate : c.teacher.qtsDate) : null;
  const detailDifferences = c.differences.filter((d) => IDENTITY_AND_TRAINING.includes(d.field));
  facts.push(
    { fact: 'Failed job', value: award ? 'award (Dqt::RecommendForAwardJob)' : withdraw ? 'withdraw (Dqt::WithdrawTraineeJob)' : target[0]?.jobName ?? 'none found' },
    { fact: `DQT ${awardName} date`, value: dqtAwardDate },
    { fact: 'DQT ITT result', value: c.itt ? `${c.itt.result} (${c.ittMatch})` : 'no ITT row' },
    { fact: 'Trainee details and provider match DQT', value: c.rows.length ? detailDifferences.length === 0 : 'not compared' },
  );

  let cause: NoIncompleteIttCause = 'unclear';
  let diagnosis: string;
  let nextStep: string;
  let plan = null;
  let jobPlan = null;
  let planNote: string | null = null;
  const recommended = c.register.state === 'recommended_for_award';
  if (c.dqtStatus !== 'found' || !c.teacher) {
    diagnosis = `DQT did not return the teacher (${c.dqtStatus}: ${c.dqtError ?? ''}), so Register and DQT cannot be cross-referenced.`;
    nextStep = 'Run again when DQT answers; if DQT does not know the TRN, use the teacher-not-found-404 runbook.';
    planNote = 'Nothing planned: DQT could not be compared.';
  } else if (withdraw && !award) {
    const withdrawnOnDqt = c.itt?.result === 'Withdrawn';
    cause = withdrawnOnDqt ? 'withdrawn-on-dqt' : 'withdraw-state-differs';
    diagnosis = withdrawnOnDqt
      ? `The withdraw job failed because DQT already has the ITT record withdrawn: Register (${c.register.state}) and DQT agree the trainee is withdrawn.`
      : `The withdraw job failed: DQT's ITT record is ${c.itt?.result ?? 'missing'}${detailDifferences.length ? ` and ${detailDifferences.map((d) => d.field).join(', ')} differ` : ''}, so there is no incomplete ITT record to withdraw.`;
    nextStep = withdrawnOnDqt ? 'Nothing to send to DQT: the dead withdraw job can be deleted (triage runbook).' : 'Check with the provider what state the trainee should be in (message below), then correct the wrong side.';
    planNote = 'The playbook has no change for a withdraw job: cross-reference and ask the provider.';
  } else if (recommended && c.itt?.result === 'Pass' && dqtAwardDate && detailDifferences.length === 0) {
    cause = 'stuck-in-recommended-for-award';
    diagnosis = `Stuck in recommended for award: DQT already holds the Pass and ${awardName} date ${dqtAwardDate} for this trainee and everything else matches, so only Register is behind.`;
    nextStep = `Award the trainee on Register only (commit the plan below: state awarded, awarded_at ${dqtAwardDate}); nothing is sent to DQT, which already has the award.`;
    plan = planBuilder(`Award ${trainee.slug} on Register only: DQT already holds ${awardName} ${dqtAwardDate}`)
      .update(
        'trainees',
        trainee.id,
        { state: trainee.state, awarded_at: trainee.awarded_at },
        { state: traineeState.toDb('awarded'), awarded_at: toTimestampText(`${dqtAwardDate}T00:00:00Z`) },
        fullName(trainee),
      )
      .build();
    if (award) jobPlan = planDeletes([award], `Delete the dead award job #${award.jobId}: DQT and Register both hold the award`);
  } else {
    cause = 'details-differ';
    const what = detailDifferences.length
      ? `${detailDifferences.map((d) => `${d.field} (Register ${d.register ?? 'none'}, DQT ${d.dqt ?? 'none'})`).join('; ')}`
      : `DQT's ITT result is ${c.itt?.result ?? 'missing'} with no ${awardName} date`;
    diagnosis = `Not a plain stuck award: ${what}, so DQT has no incomplete ITT record matching what Register sends.`;
    nextStep = 'Do not award on Register: check with the provider (message below) which details are right, then correct the wrong side and rerun the award.';
    planNote = 'Nothing planned: the playbook awards on Register only when everything matches DQT.';
  }
  facts.push({ fact: 'Cause', value: cause });
  const provider = c.register.provider;
  const message =
    cause === 'stuck-in-recommended-for-award' || cause === 'withdrawn-on-dqt' || cause === 'unclear'
      ? null
      : {
          to: `the provider (${provider?.name ?? 'unknown provider'}${provider?.ukprn ? `, UKPRN ${provider.ukprn}` : ''})`,
          when: null,
          subject: `Checking the record of ${[trainee.first_names, trainee.last_name].filter(Boolean).join(' ')} (TRN ${trainee.trn ?? 'none'})`,
          body: [
            'Hello,',
            '',
            `We could not send this trainee's ${award ? `recommendation for ${awardName}` : 'withdrawal'} to the Teaching Regulation Agency's system (DQT): DQT has no incomplete training record for the trainee matching ours (errorCode 10005).`,
            '',
            messageTraineeBlock(c),
            '',
            'What DQT holds differs from Register:',
            ...differenceLines(c.differences),
            '',
            ...target.map((j) => `Failed: ${deadJobLine(j)}`),
            '',
            'Can you confirm which details are right (provider, training route, and the state the trainee should be in)? We will then correct the record so both services agree.',
            '',
            'Thanks',
          ].join('\n'),
        };
  return {
    runbook: 'dqt-errors/no-incomplete-itt-10005',
    kind: 'no-incomplete-itt',
    trainee: g.traineeRow,
    comparison: c,
    jobs: g.jobs,
    deadJobs: target,
    facts,
    diagnosis,
    nextStep,
    plan,
    jobPlan,
    planNote,
    message,
    notes: target.length ? [] : [{ tone: 'info', message: 'This trainee has no dead 10005 job in the dqt queue.' }],
    cause,
  };
}

const TRS_IDENTITY_AND_TRAINING = ['TRN', 'first name', 'middle names', 'last name', 'date of birth', 'training provider UKPRN', 'route type'];

/**
 * The section on a TRS-era Register: DQT's 10005 has no v3 counterpart, but its case remains: a trainee stuck in
 * recommended for award while TRS already holds the award on Register's route (the professional-status job died, e.g.
 * with 500s during a TRS outage, after TRS recorded it). When TRS's route holds the award and the trainee's details,
 * provider and route type match, plans the award on Register only (state awarded, `awarded_at` = TRS's date) and the
 * deletion of the dead professional-status job; otherwise check with the provider.
 */
async function noIncompleteIttOnTrs(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation & { cause: NoIncompleteIttCause }> {
  const g = await gatherTrsInvestigation(ctx, input.slug, []);
  const { comparison: c, trainee } = g;
  const target = g.dead.filter((d) => d.jobName === 'Trs::UpdateProfessionalStatusJob');
  const facts = trsCommonFacts(c, target);
  const awardName = c.register.award ?? 'QTS';
  const held = c.route?.status === 'Holds' ? c.route.holdsFrom ?? (awardName === 'EYTS' ? c.person?.eyts : c.person?.qts)?.holdsFrom ?? null : null;
  const detailDifferences = c.differences.filter((d) => TRS_IDENTITY_AND_TRAINING.includes(d.field));
  facts.push(
    { fact: 'Failed job', value: target.length ? target.map((j) => `${j.jobName} #${j.jobId} (${j.kind})`).join(', ') : 'none found' },
    { fact: `TRS ${awardName}`, value: held ? `route holds from ${held}` : c.route ? `route ${c.route.status}` : 'no route' },
    { fact: 'Register outcome date', value: trainee.outcome_date },
    { fact: 'Trainee details, provider and route type match TRS', value: c.rows.length ? detailDifferences.length === 0 : 'not compared' },
  );
  let cause: NoIncompleteIttCause = 'unclear';
  let diagnosis: string;
  let nextStep: string;
  let plan = null;
  let jobPlan = null;
  let planNote: string | null = null;
  const recommended = c.register.state === 'recommended_for_award';
  if (c.trsStatus !== 'found') {
    diagnosis = `TRS did not return the person (${c.trsStatus}${c.trsError ? `: ${c.trsError}` : ''}), so Register and TRS cannot be cross-referenced.`;
    nextStep = 'Run again when TRS answers; if TRS does not know the TRN, use the teacher-not-found-404 runbook.';
    planNote = 'Nothing planned: TRS could not be compared.';
  } else if (recommended && held && detailDifferences.length === 0) {
    cause = 'stuck-in-recommended-for-award';
    diagnosis = `Stuck in recommended for award: TRS already holds ${awardName} from ${held} on this trainee's route and everything else matches, so only Register is behind.`;
    nextStep = `Award the trainee on Register only (commit the plan below: state awarded, awarded_at ${held}); nothing is sent to TRS, which already holds the award.`;
    plan = planBuilder(`Award ${trainee.slug} on Register only: TRS already holds ${awardName} from ${held}`)
      .update('trainees', trainee.id, { state: trainee.state, awarded_at: trainee.awarded_at }, { state: traineeState.toDb('awarded'), awarded_at: toTimestampText(`${held}T00:00:00Z`) }, fullName(trainee))
      .build();
    if (target.length) jobPlan = planDeletes(target, `Delete the dead professional-status job(s) of trainee ${trainee.id}: TRS and Register both hold the award`);
    if (trainee.outcome_date && trainee.outcome_date !== held) planNote = `Register's outcome date (${trainee.outcome_date}) is not TRS's ${awardName} date (${held}): check with the provider which is right before committing.`;
  } else {
    cause = 'details-differ';
    const what = detailDifferences.length ? detailDifferences.map((d) => `${d.field} (Register ${d.register ?? 'none'}, TRS ${d.dqt ?? 'none'})`).join('; ') : `TRS's route is ${c.route?.status ?? 'missing'} with no ${awardName} date`;
    diagnosis = `Not a plain stuck award: ${what}.`;
    nextStep = 'Check with the provider (message below) before changing either side.';
    planNote = 'Nothing planned: Register and TRS differ beyond the award.';
  }
  const provider = c.register.provider;
  return {
    runbook: 'dqt-errors/no-incomplete-itt-10005',
    kind: 'no-incomplete-itt',
    trainee: g.traineeRow,
    comparison: null,
    trsComparison: c,
    jobs: g.jobs,
    deadJobs: target,
    facts,
    diagnosis,
    nextStep,
    plan,
    jobPlan,
    planNote,
    message:
      cause === 'details-differ'
        ? {
            to: `the provider (${provider?.name ?? 'unknown provider'}${provider?.ukprn ? `, UKPRN ${provider.ukprn}` : ''})`,
            when: null,
            subject: `Please confirm the award of ${fullName(trainee)} (TRN ${trainee.trn ?? 'none'})`,
            body: ['Hello,', '', 'Register and the Teaching Record System (TRS) disagree about this trainee:', '', messageTrsTraineeBlock(c), '', ...c.differences.map((r) => `- ${r.field}: Register ${r.register ?? '(none)'}, TRS ${r.dqt ?? '(none)'}`), '', ...target.map((j) => `Failed: ${deadJobLine(j)}`), '', 'Can you confirm the right details and whether the trainee has been awarded (with the date)?', '', 'Thanks'].join('\n'),
          }
        : null,
    notes: [],
    cause,
  };
}
