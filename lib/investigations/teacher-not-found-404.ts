import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import { planRetries } from '../queues/actions.js';
import { differenceLines } from './compare.js';
import { commonFacts, deadJobLine, gatherInvestigation, gatherTrsInvestigation, investigationEra, messageTraineeBlock, messageTrsTraineeBlock, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';
import { fullName } from '../trainees/lookup.js';

/**
 * Which of the playbook's two causes a 404/10001 has. On a TRS-era Register, TRS matches on the TRN alone, so the date of
 * birth is no cause: `unknown-trn` (no TRS person has the TRN: typed wrong, or never given), `inactive-trn`
 * (deactivated 10058, or merged 10059), `no-difference`, `trs-unavailable`.
 */
export type NotFoundCause = 'dob-mismatch' | 'inactive-trn' | 'other-difference' | 'no-difference' | 'dqt-unavailable' | 'unknown-trn' | 'trs-unavailable';

/**
 * Playbook "404 error" (`Teacher with specified TRN not found`, errorCode 10001): DQT matches a trainee on TRN and
 * date of birth, so either the dates of birth differ, or the TRN is inactive on DQT. Shows which: GET
 * /v2/teachers/{trn} ignores the date of birth, so a teacher returned with another date of birth is a mismatch, and
 * a 404 there means no active teacher has the TRN (inactive, or unknown).
 *
 * With `dateOfBirth` (the date agreed with DQT and the provider), plans Register's date of birth change and the
 * rerun of the dead job ("Align the date of birth on both services and re-run the job").
 *
 * @example
 * const inv = await investigateTeacherNotFound(ctx, { slug });
 * inv.cause // 'dob-mismatch'
 */
export async function investigateTeacherNotFound(ctx: InvestigationContext, input: { slug: string; dateOfBirth?: string | null }): Promise<Investigation & { cause: NotFoundCause }> {
  if ((await investigationEra(ctx)) === 'trs') return teacherNotFoundOnTrs(ctx, input);
  const agreed = (input.dateOfBirth ?? '').trim();
  if (agreed && !/^\d{4}-\d{2}-\d{2}$/.test(agreed)) throw new FixInputError(`dateOfBirth "${agreed}" is not a date: give it as YYYY-MM-DD (e.g. 1995-03-04), or leave it empty to only investigate.`);
  const g = await gatherInvestigation(ctx, input.slug, ['teacher-not-found']);
  const { comparison: c, target, trainee } = g;
  const facts = commonFacts(c, target);
  const dob = c.rows.find((r) => r.field === 'date of birth');
  let cause: NotFoundCause;
  let diagnosis: string;
  let nextStep: string;
  if (c.dqtStatus === 'unavailable') {
    cause = 'dqt-unavailable';
    diagnosis = `DQT could not be asked about TRN ${trainee.trn} (${c.dqtError}), so the cause of the 404 is not known yet.`;
    nextStep = 'Run this runbook again when DQT answers.';
  } else if (c.dqtStatus === 'not-found') {
    cause = 'inactive-trn';
    diagnosis = `DQT has no active teacher with TRN ${trainee.trn ?? '(none)'}: the TRN is inactive (deactivated or merged) on DQT, or unknown to it; it is not a date of birth mismatch.`;
    nextStep = 'Send the message below to DQT to ask whether the TRN was deactivated or merged, and which TRN the trainee should have; then correct Register and rerun the job.';
  } else if (dob && !dob.match) {
    cause = 'dob-mismatch';
    diagnosis = `Date of birth mismatch: Register holds ${dob.register}, DQT holds ${dob.dqt} for TRN ${trainee.trn}, so DQT cannot match the trainee.`;
    nextStep = 'Agree the right date of birth with DQT (and the provider), align it on both services, then rerun the job: give the agreed date as `dateOfBirth` to plan the change on Register and the rerun.';
  } else if (c.differences.length) {
    cause = 'other-difference';
    diagnosis = `DQT has TRN ${trainee.trn} with the same date of birth but other differences (${c.differences.map((d) => d.field).join(', ')}): the 404 is not explained by the playbook's two causes.`;
    nextStep = 'Send the message below to DQT with the differences.';
  } else {
    cause = 'no-difference';
    diagnosis = `DQT now finds TRN ${trainee.trn} with the same date of birth as Register: whatever caused the 404 has been fixed, so the job can be rerun.`;
    nextStep = 'Rerun the job (commit the plan below).';
  }
  facts.push({ fact: 'Cause', value: cause });

  let plan = null;
  let jobPlan = null;
  let planNote: string | null = null;
  if (cause === 'no-difference' && target.length) {
    jobPlan = planRetries(target, `Rerun ${target.length} job(s) of trainee ${trainee.id} that died with 404/10001`);
  } else if (agreed) {
    if (cause !== 'dob-mismatch') {
      planNote = `dateOfBirth ${agreed} was given, but the dates of birth are not what differs here (cause: ${cause}): nothing planned.`;
    } else if (agreed === trainee.date_of_birth) {
      planNote = `Register already holds ${agreed}: DQT must change its date of birth (${dob!.dqt}) instead. Rerun the job once DQT has.`;
    } else {
      plan = planBuilder(`Align the date of birth of ${trainee.slug} with DQT (${trainee.date_of_birth} → ${agreed})`)
        .update('trainees', trainee.id, { date_of_birth: trainee.date_of_birth }, { date_of_birth: agreed }, fullName(trainee))
        .build();
      if (target.length) jobPlan = planRetries(target, `Rerun ${target.length} job(s) of trainee ${trainee.id} after the date of birth is aligned`);
      if (agreed !== dob!.dqt) planNote = `The agreed date ${agreed} is not DQT's (${dob!.dqt}): DQT must change theirs too before the rerun can succeed.`;
    }
  } else if (cause === 'dob-mismatch') {
    planNote = 'No change planned until the right date of birth is agreed: set the `dateOfBirth` parameter to plan it.';
  } else {
    planNote = 'The playbook says to speak with DQT first: nothing to change until DQT answers.';
  }

  const message =
    cause === 'no-difference'
      ? null
      : {
          to: 'DQT',
          when: null,
          subject: `Register trainee TRN ${trainee.trn ?? '(none)'}: "Teacher with specified TRN not found" (404, errorCode 10001)`,
          body: [
            'Hello,',
            '',
            'DQT answers "Teacher with specified TRN not found" (404, errorCode 10001) when Register sends this trainee:',
            '',
            messageTraineeBlock(c),
            '',
            ...target.map((j) => `- ${deadJobLine(j)}`),
            '',
            ...(cause === 'inactive-trn'
              ? [`GET /v2/teachers/${trainee.trn} finds no active teacher with this TRN. Is the TRN inactive (deactivated or merged into another record)? If so, which TRN should the trainee have?`]
              : cause === 'dob-mismatch'
                ? ['Register and DQT hold different dates of birth:', ...differenceLines(c.differences), '', 'Which date of birth is correct? We will align Register (or please correct DQT) and send the update again.']
                : ['Differences we see between Register and DQT:', ...differenceLines(c.differences)]),
            '',
            'Thanks',
          ].join('\n'),
        };
  return {
    runbook: 'dqt-errors/teacher-not-found-404',
    kind: 'teacher-not-found',
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
    notes: target.length ? [] : [{ tone: 'info', message: 'This trainee has no dead 404/10001 job in the dqt queue.' }],
    cause,
  };
}

/**
 * The 404 section on a TRS-era Register: `Trs::` jobs dead with 404/10001 "Person not found.". TRS finds a person by TRN
 * alone (no date of birth), so the causes are a TRN no TRS person has (`unknown-trn`: typed wrong on Register, or
 * never TRS's) or an inactive record (`inactive-trn`: deactivated, 10058; merged into another TRN, 10059). When TRS
 * finds the person again, the dead jobs are rerun. `dateOfBirth` plays no part.
 */
async function teacherNotFoundOnTrs(ctx: InvestigationContext, input: { slug: string; dateOfBirth?: string | null }): Promise<Investigation & { cause: NotFoundCause }> {
  const g = await gatherTrsInvestigation(ctx, input.slug, ['teacher-not-found']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  let cause: NotFoundCause;
  let diagnosis: string;
  let nextStep: string;
  if (c.trsStatus === 'unavailable') {
    cause = 'trs-unavailable';
    diagnosis = `TRS could not be asked about TRN ${trainee.trn} (${c.trsError}), so the cause of the 404 is not known yet.`;
    nextStep = 'Run this runbook again when TRS answers.';
  } else if (c.trsStatus === 'deactivated' || c.trsStatus === 'merged') {
    cause = 'inactive-trn';
    diagnosis = `TRS's record for TRN ${trainee.trn} is not active (${c.trsStatus === 'merged' ? 'merged into another record, 10059' : 'deactivated, 10058'}): TRS answers "Person not found." to Register's updates.`;
    nextStep = 'Send the message below to TRS to learn which TRN the trainee should have; then correct the TRN on Register and rerun the job.';
  } else if (c.trsStatus === 'not-found' || c.trsStatus === 'no-trn') {
    cause = 'unknown-trn';
    diagnosis = `TRS has no person with TRN ${trainee.trn ?? '(none)'} (10001): the TRN on Register is not one TRS knows (typed wrong, or never TRS's).`;
    nextStep = "Check the TRN with the provider (the trainee's TRN certificate or Access your teaching qualifications) and with TRS (message below); then correct the TRN on Register and rerun the job.";
  } else if (c.differences.length) {
    cause = 'other-difference';
    diagnosis = `TRS now finds TRN ${trainee.trn}, with differences (${c.differences.map((d) => d.field).join(', ')}): the 404 is not explained by an unknown or inactive TRN.`;
    nextStep = 'Rerun the job (commit the plan below); if it fails again, send the message below to TRS.';
  } else {
    cause = 'no-difference';
    diagnosis = `TRS now finds TRN ${trainee.trn} and agrees with Register: whatever caused the 404 has been fixed, so the job can be rerun.`;
    nextStep = 'Rerun the job (commit the plan below).';
  }
  facts.push({ fact: 'Cause', value: cause });
  const found = c.trsStatus === 'found';
  const jobPlan = found && target.length ? planRetries(target, `Rerun ${target.length} job(s) of trainee ${trainee.id} that died with 404/10001`) : null;
  const planNote = jobPlan ? null : cause === 'trs-unavailable' ? 'Nothing planned until TRS answers.' : found ? 'No dead 404 job to rerun.' : 'Nothing to change until the right TRN is known: correct it on Register, then run this runbook again to plan the rerun.';
  const message =
    cause === 'no-difference'
      ? null
      : {
          to: 'TRS',
          when: cause === 'other-difference' ? 'if the rerun fails again' : null,
          subject: `TRN ${trainee.trn ?? '(none)'}: "Person not found." (404, errorCode 10001) for a Register trainee`,
          body: [
            'Hello,',
            '',
            'TRS answers "Person not found." (404, errorCode 10001) when Register sends this trainee:',
            '',
            messageTrsTraineeBlock(c),
            '',
            ...target.map((j) => `- ${deadJobLine(j)}`),
            '',
            cause === 'inactive-trn'
              ? `GET /v3/persons/${trainee.trn} says the record is ${c.trsStatus === 'merged' ? 'merged into another record' : 'not active'}. Which TRN should the trainee have?`
              : `GET /v3/persons/${trainee.trn} finds no person. Does the trainee have a TRN under other details, and which?`,
            '',
            'Thanks',
          ].join('\n'),
        };
  return {
    runbook: 'dqt-errors/teacher-not-found-404',
    kind: 'teacher-not-found',
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
    planNote: input.dateOfBirth ? `${planNote ?? ''} (dateOfBirth is not used on a Register that talks to TRS: TRS matches by TRN alone.)`.trim() : planNote,
    message,
    notes: target.length ? [] : [{ tone: 'info', message: 'This trainee has no dead 404/10001 job in the trs queue.' }],
    cause,
  };
}
