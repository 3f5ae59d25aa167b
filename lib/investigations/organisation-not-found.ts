import { degreeInstitution } from '../dqt/institutions.js';
import { qualification } from '../dqt/payloads.js';
import { planRetries } from '../queues/actions.js';
import { commonFacts, deadJobLine, gatherInvestigation, gatherTrsInvestigation, investigationEra, messageTraineeBlock, messageTrsTraineeBlock, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';

/** The degree whose institution's UKPRN Register sends as `qualification.providerUkprn`. */
export interface DegreeInstitutionFacts {
  degreeId: number;
  /** The institution as written on the degree. */
  institution: string | null;
  institutionUuid: string | null;
  /** From the DfE reference data (lib/dqt/data/degree-institutions.json). */
  referenceName: string | null;
  ukprn: string | null;
  hesaIttCode: string | null;
  closed: string | number | null;
  /** True for the degree Register sends (its first degree). */
  sent: boolean;
}

/**
 * Playbook "400 error" `"qualification.providerUkprn":["Organisation not found"]`: DQT does not know the UKPRN of the
 * trainee's degree institution. Locates the degree's `institution_uuid`, looks up the UKPRN in the DfE reference data
 * (as Register does), and writes the message asking DQT to add the organisation. Plans the rerun, to commit once DQT
 * has added it. (When the key is `initialTeacherTraining.providerUkprn`, it is the training provider's UKPRN instead.)
 *
 * @example
 * const inv = await investigateOrganisationNotFound(ctx, { slug });
 * inv.institutions[0].ukprn // '10003863'
 */
export async function investigateOrganisationNotFound(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation & { institutions: DegreeInstitutionFacts[]; ukprnSent: string | null }> {
  if ((await investigationEra(ctx)) === 'trs') return organisationNotFoundOnTrs(ctx, input);
  const g = await gatherInvestigation(ctx, input.slug, ['organisation-not-found']);
  const { comparison: c, target, trainee } = g;
  const facts = commonFacts(c, target);
  const degrees = await ctx.db.selectFrom('degrees').selectAll().where('trainee_id', '=', trainee.id).orderBy('graduation_year', 'asc').orderBy('id', 'asc').execute();
  const institutions: DegreeInstitutionFacts[] = degrees.map((d, i) => {
    const ref = degreeInstitution(d.institution_uuid);
    return {
      degreeId: d.id,
      institution: d.institution,
      institutionUuid: d.institution_uuid,
      referenceName: ref?.name ?? null,
      ukprn: ref?.ukprn ?? null,
      hesaIttCode: ref?.hesa_itt_code ?? null,
      closed: ref?.closed ?? null,
      sent: i === 0,
    };
  });
  const keys = [...new Set(target.flatMap((j) => Object.entries(j.errors).filter(([, m]) => m.includes('Organisation not found')).map(([k]) => k)))];
  const providerKey = keys.some((k) => k.toLowerCase().startsWith('initialteachertraining'));
  const sent = institutions.find((i) => i.sent) ?? null;
  const ukprnSent = providerKey ? c.register.provider?.ukprn ?? null : degrees[0] ? qualification(degrees[0])?.providerUkprn ?? null : null;
  facts.push(
    { fact: 'Field DQT rejected', value: keys.join(', ') || 'qualification.providerUkprn' },
    { fact: 'UKPRN Register sends', value: ukprnSent },
    ...institutions.map((i) => ({
      fact: `Degree ${i.degreeId}${i.sent ? ' (sent to DQT)' : ''}`,
      value: `${i.institution ?? '(no name)'}; institution_uuid ${i.institutionUuid ?? 'none'}; reference data: ${i.referenceName ? `${i.referenceName}, UKPRN ${i.ukprn ?? 'none'}, HESA code ${i.hesaIttCode ?? 'none'}${i.closed ? `, closed ${i.closed}` : ''}` : 'not found'}`,
    })),
  );

  let diagnosis: string;
  let nextStep: string;
  let message: Investigation['message'] = null;
  if (providerKey) {
    const p = c.register.provider;
    diagnosis = `DQT does not know the training provider's UKPRN ${p?.ukprn ?? '(none)'} (${p?.name ?? 'unknown provider'}), sent as initialTeacherTraining.providerUkprn.`;
    nextStep = 'Send the message below to DQT so they add the provider, then rerun the job.';
    message = {
      to: 'DQT',
      when: null,
      subject: `Please add organisation UKPRN ${p?.ukprn ?? '(none)'} (${p?.name ?? 'unknown'})`,
      body: ['Hello,', '', `DQT rejects Register's update for this trainee with initialTeacherTraining.providerUkprn "Organisation not found".`, '', messageTraineeBlock(c), '', `Could you add the training provider ${p?.name ?? ''}, UKPRN ${p?.ukprn ?? '(none)'}, on your side? We will then send the update again.`, '', 'Thanks'].join('\n'),
    };
  } else if (!sent) {
    diagnosis = 'DQT rejected the degree institution\'s UKPRN, but the trainee has no degree on Register now: the record changed since the job ran.';
    nextStep = 'Rerun the job: without a degree Register sends no qualification.';
  } else if (!sent.ukprn) {
    diagnosis = `The degree institution "${sent.institution ?? ''}" (${sent.institutionUuid ?? 'no institution_uuid'}) has no UKPRN in the DfE reference data, so Register sends none: the record changed since the job ran, or the reference data differs.`;
    nextStep = 'Check the degree on the trainee record, then rerun the job.';
  } else {
    diagnosis = `DQT does not know UKPRN ${sent.ukprn}, the UKPRN of the trainee's degree institution ${sent.referenceName} in the DfE reference data.`;
    nextStep = 'Send the message below to DQT so they add the organisation; once they confirm, rerun the job (commit the plan below).';
    message = {
      to: 'DQT',
      when: null,
      subject: `Please add degree institution ${sent.referenceName} (UKPRN ${sent.ukprn})`,
      body: [
        'Hello,',
        '',
        `DQT rejects Register's update for this trainee with qualification.providerUkprn "Organisation not found": DQT does not have the trainee's degree institution.`,
        '',
        'Degree institution (DfE reference data, DFE-Digital/dfe-reference-data):',
        `- Name: ${sent.referenceName}`,
        `- UKPRN: ${sent.ukprn}`,
        `- HESA code: ${sent.hesaIttCode ?? 'none'}`,
        `- Reference data id (institution_uuid): ${sent.institutionUuid}`,
        ...(sent.closed ? [`- Closed: ${sent.closed}`] : []),
        '',
        messageTraineeBlock(c),
        '',
        ...target.map((j) => `Failed: ${deadJobLine(j)}`),
        '',
        'Could you add this organisation on your side? We will then send the update again.',
        '',
        'Thanks',
      ].join('\n'),
    };
  }
  const jobPlan = target.length ? planRetries(target, `Rerun ${target.length} job(s) of trainee ${trainee.id} once DQT has added UKPRN ${ukprnSent ?? ''}`) : null;
  return {
    runbook: 'dqt-errors/organisation-not-found',
    kind: 'organisation-not-found',
    trainee: g.traineeRow,
    comparison: c,
    jobs: g.jobs,
    deadJobs: target,
    facts,
    diagnosis,
    nextStep,
    plan: null,
    jobPlan,
    planNote: jobPlan ? `Commit the rerun only after DQT confirms they have added UKPRN ${ukprnSent ?? ''}: before that it fails the same way.` : 'No dead "Organisation not found" job for this trainee.',
    message,
    notes: [],
    institutions,
    ukprnSent,
  };
}

/**
 * The section on a TRS-era Register: `Trs::UpdateProfessionalStatusJob` dead with 400/10048 "Invalid training provider
 * UKPRN.": TRS does not know the trainee's training provider (the route PUT sends the provider's UKPRN; degrees are not
 * checked against an organisation list any more). Either Register's UKPRN for the provider is wrong, or TRS must add
 * the provider: the message asks TRS, and once TRS knows the UKPRN the dead job is rerun.
 */
async function organisationNotFoundOnTrs(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation & { institutions: DegreeInstitutionFacts[]; ukprnSent: string | null }> {
  const g = await gatherTrsInvestigation(ctx, input.slug, ['organisation-not-found']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  const provider = c.register.provider;
  const ukprnSent = provider?.ukprn ?? null;
  facts.push({ fact: 'Field TRS rejected', value: 'trainingProviderUkprn (10048 "Invalid training provider UKPRN.")' }, { fact: 'UKPRN Register sends', value: ukprnSent });
  const rejected = target.length > 0;
  const diagnosis = rejected
    ? `TRS does not know UKPRN ${ukprnSent ?? '(none)'} (${provider?.name ?? 'no provider'}) as a training provider, so it refuses the trainee's route (10048).`
    : `Trainee ${trainee.slug} has no dead job refused with 10048.`;
  const nextStep = rejected
    ? `Check the provider's UKPRN on Register against UKRLP; if it is right, send the message below so TRS adds ${provider?.name ?? 'the provider'} as a training provider, then rerun the job (commit the plan below once TRS confirms).`
    : 'Nothing to do here: open the runbook the triage names for its dead job.';
  const jobPlan = rejected ? planRetries(target, `Rerun ${target.length} professional-status job(s) of trainee ${trainee.id} once TRS knows UKPRN ${ukprnSent}`) : null;
  return {
    runbook: 'dqt-errors/organisation-not-found',
    kind: 'organisation-not-found',
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
    planNote: rejected ? `Commit only after TRS confirms it knows UKPRN ${ukprnSent}: until then the rerun dies the same way.` : 'No dead 10048 job for this trainee.',
    message: rejected
      ? {
          to: 'TRS',
          when: null,
          subject: `Training provider UKPRN ${ukprnSent ?? '(none)'} unknown to TRS (10048)`,
          body: [
            'Hello,',
            '',
            `TRS refuses Register's route to professional status with "Invalid training provider UKPRN." (400, errorCode 10048) for this trainee:`,
            '',
            messageTrsTraineeBlock(c),
            '',
            ...target.map((j) => `- ${deadJobLine(j)}`),
            '',
            `Could TRS add ${provider?.name ?? 'the provider'} (UKPRN ${ukprnSent ?? 'none'}) as a training provider, or tell us which UKPRN it knows them by?`,
            '',
            'Thanks',
          ].join('\n'),
        }
      : null,
    notes: [],
    institutions: [],
    ukprnSent,
  };
}
