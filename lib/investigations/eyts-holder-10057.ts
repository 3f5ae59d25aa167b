import { registerFeatures } from '../db/versions/detect.js';
import { FixInputError } from '../plan/errors.js';
import { planDeletes } from '../queues/actions.js';
import { deadJobLine, gatherTrsInvestigation, messageTrsTraineeBlock, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';

/** The personal-data fields Register sends with `PUT /v3/persons/{trn}`. */
const PERSONAL_FIELDS = ['first name', 'middle names', 'last name', 'date of birth', 'email'];

/**
 * New in the TRS era (no playbook section before): `Trs::UpdateTraineeJob` died with 400/10057 "Updates to PII data is
 * not permitted. Person has EYTS.". TRS refuses personal-data changes to a person who holds EYTS; Register ignores
 * the QTS twin of this answer (10042) but not this one [obs], so the job dies at once (retry 0) every time the
 * trainee is updated. Retrying can never succeed.
 *
 * The investigation compares the personal details on both services. Where they agree, Register had nothing to change
 * and the dead job is only noise: the plan deletes it. Where they differ, TRS must make the change itself (a change
 * request to TRS; the message to send is shown) and the dead job is deleted too, since it cannot succeed.
 *
 * @example
 * const inv = await investigateEytsHolder(ctx, { slug });
 * inv.personalDifferences // ['date of birth']
 */
export async function investigateEytsHolder(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation & { personalDifferences: string[] }> {
  if ((await registerFeatures(ctx.db)).api !== 'trs') throw new FixInputError('This runbook is for a Register that talks to TRS (schema 2026-08): DQT had no 10057.');
  const g = await gatherTrsInvestigation(ctx, input.slug, ['eyts-holder']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  const eyts = c.person?.eyts?.holdsFrom ?? null;
  const personalDifferences = c.differences.filter((d) => PERSONAL_FIELDS.includes(d.field)).map((d) => d.field);
  facts.push(
    { fact: 'EYTS on TRS', value: eyts ? `holds EYTS from ${eyts}` : c.person ? 'no EYTS' : 'not known (TRS did not return the person)' },
    { fact: 'Personal details that differ', value: personalDifferences.length ? personalDifferences.join(', ') : c.person ? 'none' : 'not compared' },
  );

  let diagnosis: string;
  let nextStep: string;
  if (c.trsStatus !== 'found') {
    diagnosis = `TRS did not return the person with TRN ${trainee.trn ?? '(none)'} (${c.trsStatus}${c.trsError ? `: ${c.trsError}` : ''}), so the EYTS refusal cannot be checked now.`;
    nextStep = c.trsStatus === 'unavailable' ? 'Run this runbook again when TRS answers.' : 'Use dqt-errors/teacher-not-found-404 for this trainee.';
  } else if (!eyts) {
    diagnosis = `TRS no longer says TRN ${trainee.trn} holds EYTS, so the personal-data update may now go through.`;
    nextStep = 'Retry the dead job from dqt-errors/server-error-500 (it reruns any dead job of the trainee).';
  } else if (personalDifferences.length) {
    diagnosis = `TRS refuses personal-data updates for TRN ${trainee.trn} because the person holds EYTS (from ${eyts}), and Register and TRS hold different values for ${personalDifferences.join(', ')}: the change can only be made by TRS.`;
    nextStep = 'Check with the provider which details are right; send the message below to TRS for the change; delete the dead job (it can never succeed).';
  } else {
    diagnosis = `TRS refuses personal-data updates for TRN ${trainee.trn} because the person holds EYTS (from ${eyts}); Register and TRS already agree on the personal details, so nothing was lost.`;
    nextStep = 'Delete the dead job (commit the plan below): it can never succeed and there is nothing to send.';
  }
  facts.push({ fact: 'Register ignores 10057', value: 'no: every update of this trainee dies the same way (Register ignores only 10041 and 10042)' });

  const deletable = c.trsStatus === 'found' && !!eyts && target.length > 0;
  const jobPlan = deletable ? planDeletes(target, `Delete ${target.length} dead personal-data update(s) of trainee ${trainee.id} refused for an EYTS holder (10057)`, 'TRS refuses personal-data updates of an EYTS holder: it can never succeed') : null;
  const planNote = deletable
    ? personalDifferences.length
      ? 'Delete the job only once the message to TRS is sent: the differences must be put right by TRS.'
      : null
    : target.length
      ? 'Nothing planned until TRS confirms the person holds EYTS.'
      : 'This trainee has no dead 400/10057 job: nothing to delete.';

  const message =
    c.trsStatus === 'found' && eyts && personalDifferences.length
      ? {
          to: 'TRS',
          when: null,
          subject: `TRN ${trainee.trn}: personal details differ from Register, updates refused for an EYTS holder (10057)`,
          body: [
            'Hello,',
            '',
            'TRS answers "Updates to PII data is not permitted. Person has EYTS." (400, errorCode 10057) when Register sends this trainee\'s personal details:',
            '',
            messageTrsTraineeBlock(c),
            '',
            ...target.map((j) => `- ${deadJobLine(j)}`),
            '',
            'Register and TRS hold different details:',
            ...c.differences.filter((d) => PERSONAL_FIELDS.includes(d.field)).map((d) => `- ${d.field}: Register ${d.register ?? '(none)'}, TRS ${d.dqt ?? '(none)'}`),
            '',
            'Please could TRS check and correct the record (the provider confirms the details on Register).',
            '',
            'Thanks',
          ].join('\n'),
        }
      : null;

  return {
    runbook: 'dqt-errors/eyts-holder-10057',
    kind: 'eyts-holder',
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
    message,
    notes: target.length ? [] : [{ tone: 'info', message: 'This trainee has no dead 400/10057 job in the trs queue.' }],
    personalDifferences,
  };
}
