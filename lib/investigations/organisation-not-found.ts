import { degreeInstitution } from '../dqt/institutions.js';
import { qualification } from '../dqt/payloads.js';
import { planRetries } from '../queues/actions.js';
import { commonFacts, deadJobLine, gatherInvestigation, messageTraineeBlock, type Investigation, type InvestigationContext } from './investigation.js';

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
