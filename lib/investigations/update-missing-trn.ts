import { timestampToDate } from '../db/timestamp.js';
import { JOB_POLLING } from '../jobs/names.js';
import { planReregister, planRestartPolling, type JobPlan } from '../queues/actions.js';
import { commonFacts, deadJobLine, gatherInvestigation, gatherTrsInvestigation, investigationEra, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';
import { fullName } from '../trainees/lookup.js';
import { pollingTimeout, trnRequestFacts, trsRequestLine, trsTrnRequestFacts, type TrnRequestFacts } from './retrieve-trn-timeout.js';

/**
 * Whether DQT knows the trainee, which decides the playbook's remedy. On a Register that talks to TRS, whether TRS knows
 * the TRN request: `known-to-trs`, `unknown-to-trs`, `request-rejected` (10062), `trs-unavailable`.
 */
export type MissingTrnCause = 'known-to-dqt' | 'unknown-to-dqt' | 'known-without-request' | 'multiple-on-dqt' | 'has-trn-now' | 'dqt-unavailable' | 'known-to-trs' | 'unknown-to-trs' | 'request-rejected' | 'trs-unavailable';

/**
 * Playbook "Dqt::TraineeUpdate::TraineeUpdateMissingTrn" (`Cannot update trainee on DQT without a trn (id: …)`): an
 * update was sent before Register had a TRN. Whether DQT knows the trainee (`Dqt::FindTeacher`, and the TRN request
 * on DQT) decides:
 * 1. not on DQT → re-register (`Dqt::RegisterForTrnJob.perform_later(t)`), and poll with a future timeout when the
 *    trainee was submitted more than 4 days ago (registering a draft or deferred trainee resets the submission, and
 *    its own polling then runs 4 days from now);
 * 2. on DQT but the TRN never arrived → poll again (`Dqt::RetrieveTrnJob.perform_later(t.dqt_trn_request, Date.today + 4.days)`).
 *
 * @example
 * const inv = await investigateUpdateMissingTrn(ctx, { slug });
 * inv.cause // 'known-to-dqt'
 */
export async function investigateUpdateMissingTrn(ctx: InvestigationContext, input: { slug: string; timeoutAfter?: string | null; now?: Date }): Promise<Investigation & { cause: MissingTrnCause; trnRequest: TrnRequestFacts | null }> {
  const now = input.now ?? new Date();
  const timeout = pollingTimeout(input.timeoutAfter, now);
  if ((await investigationEra(ctx)) === 'trs') return updateMissingTrnOnTrs(ctx, input.slug, timeout, now);
  const g = await gatherInvestigation(ctx, input.slug, ['update-missing-trn']);
  const { comparison: c, target, trainee } = g;
  const facts = commonFacts(c, target);
  const request = await trnRequestFacts(ctx, trainee.id);
  const requestKnown = !!request?.dqt;
  const requestMissingOnDqt = !!request?.dqtError && /^status: 404/.test(request.dqtError);
  facts.push(
    { fact: 'Dqt::FindTeacher', value: c.found ? `one teacher: TRN ${c.found.trn}` : c.dqtError ?? c.dqtStatus },
    { fact: 'TRN request on Register', value: request ? `#${request.id}, request id ${request.requestId}, ${request.state}` : 'none' },
    { fact: 'TRN request on DQT', value: request?.dqt ? `${request.dqt.status}${request.dqt.trn ? `, TRN ${request.dqt.trn}` : ', no TRN yet'}` : request ? `not found: ${request.dqtError}` : 'no request to ask about' },
  );
  let cause: MissingTrnCause;
  let diagnosis: string;
  let nextStep: string;
  let jobPlan: JobPlan | null = null;
  let planNote: string | null = null;
  let message: Investigation['message'] = null;
  if (trainee.trn) {
    cause = 'has-trn-now';
    diagnosis = `Register now has TRN ${trainee.trn}: the TRN arrived after the update failed.`;
    nextStep = 'Rerun the failed update (server-error-500 or triage runbook): it has a TRN to send now.';
    planNote = 'Nothing to register or poll.';
  } else if (c.dqtStatus === 'unavailable' || (request && !requestKnown && !requestMissingOnDqt)) {
    cause = 'dqt-unavailable';
    diagnosis = `DQT could not be asked whether it knows the trainee (${c.dqtError ?? request?.dqtError ?? ''}).`;
    nextStep = 'Run again when DQT answers.';
    planNote = 'Nothing planned until DQT answers.';
  } else if (c.dqtStatus === 'multiple') {
    cause = 'multiple-on-dqt';
    diagnosis = 'DQT has more than one teacher matching the trainee, so Register cannot tell which is theirs.';
    nextStep = 'Send the message below to DQT to resolve the duplicate.';
    planNote = 'Nothing planned until DQT says which teacher is the trainee.';
    message = dqtMessage('more than one teacher on DQT matches this trainee; which TRN is theirs?');
  } else if (requestKnown || c.found) {
    if (request && requestKnown) {
      cause = 'known-to-dqt';
      diagnosis = `DQT knows the trainee (${c.found ? `teacher TRN ${c.found.trn}` : 'TRN request'}; request ${request.dqt!.status}${request.dqt!.trn ? ` with TRN ${request.dqt!.trn}` : ''}), but Register never received the TRN: the polling stopped.`;
      nextStep = `Poll DQT again until ${timeout.toISOString().slice(0, 10)} (commit the plan below); once the TRN arrives, rerun the failed update.`;
      jobPlan = planRestartPolling(trainee.id, request.id, timeout);
    } else {
      cause = 'known-without-request';
      diagnosis = `DQT has the teacher (TRN ${c.found!.trn}) but not Register's TRN request, so polling cannot bring the TRN to Register.`;
      nextStep = 'Send the message below to DQT to confirm the TRN and link it to Register\'s request; do not re-register (it would create a duplicate).';
      planNote = 'Nothing planned: re-registering a trainee DQT already has would raise a duplicate.';
      message = dqtMessage(`DQT has this teacher with TRN ${c.found!.trn}, but not Register's TRN request${request ? ` ${request.requestId}` : ''}. Can you confirm the TRN is theirs and attach it to the request?`);
    }
  } else {
    cause = 'unknown-to-dqt';
    const submitted = timestampToDate(trainee.submitted_for_trn_at);
    const resetsSubmission = ['draft', 'deferred'].includes(c.register.state);
    const stale = !resetsSubmission && (!submitted || submitted.getTime() + JOB_POLLING.maxPollDurationDays * 86_400_000 <= now.getTime());
    diagnosis = `DQT does not know the trainee (no teacher found, ${request ? `TRN request ${request.requestId} unknown to DQT` : 'no TRN request'}): the registration never reached DQT${request?.state === 'failed' ? ' (Register stored it as failed)' : ''}.`;
    const reregister = planReregister(trainee.id);
    if (stale && request) {
      const poll = planRestartPolling(trainee.id, request.id, timeout);
      jobPlan = { ...reregister, title: `Register trainee ${trainee.id} with DQT again, and poll for the TRN until ${timeout.toISOString().slice(0, 10)}`, actions: [...reregister.actions, ...poll.actions] };
      nextStep = `Register the trainee again and poll until ${timeout.toISOString().slice(0, 10)} (commit the plan below); make sure the registration succeeds.`;
      planNote = 'The trainee was submitted more than 4 days ago, so the polling the registration starts would time out at once: the plan also polls with the new timeout.';
    } else {
      jobPlan = reregister;
      nextStep = 'Register the trainee again (commit the plan below) and make sure it succeeds; the registration starts the polling for the TRN.';
      planNote = resetsSubmission
        ? `The trainee is ${c.register.state}: registering resets submitted_for_trn_at to now, so its polling runs for 4 days from now.`
        : null;
    }
  }
  facts.push({ fact: 'Cause', value: cause });

  function dqtMessage(question: string): Investigation['message'] {
    return {
      to: 'DQT',
      when: null,
      subject: `Register trainee ${fullName(trainee)}: no TRN on Register`,
      body: [
        'Hello,',
        '',
        `Register cannot update this trainee on DQT because it has no TRN for them: ${question}`,
        '',
        `Trainee: ${fullName(trainee)}`,
        `Date of birth: ${trainee.date_of_birth ?? 'not recorded'}`,
        `Email: ${trainee.email ?? 'not recorded'}`,
        `Register slug (slugId): ${trainee.slug}`,
        `TRN request id: ${request?.requestId ?? 'none'}`,
        ...target.map((j) => `Failed: ${deadJobLine(j)}`),
        '',
        'Thanks',
      ].join('\n'),
    };
  }
  return {
    runbook: 'dqt-errors/update-missing-trn',
    kind: 'update-missing-trn',
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
    message,
    notes: [],
    cause,
    trnRequest: request,
  };
}

/**
 * The section on a TRS-era Register: `Trs::UpdateProfessionalStatusJob` or `Trs::UpdateTraineeJob` dead with
 * `Cannot update … on TRS without a TRN`. Register's TRS client cannot search persons by details, so the TRN request
 * decides: TRS knows it (completed, or pending) → poll again (`Trs::RetrieveTrnJob` with a new timeout); TRS does not
 * know it (10031, or Register has none) → register again (`Trs::RegisterForTrnJob`, which reuses the request id TRS never
 * saw); rejected (10062) → the trn-request-rejected runbook.
 */
async function updateMissingTrnOnTrs(ctx: InvestigationContext, slug: string, timeout: Date, now: Date): Promise<Investigation & { cause: MissingTrnCause; trnRequest: TrnRequestFacts | null }> {
  const g = await gatherTrsInvestigation(ctx, slug, ['update-missing-trn']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  const request = await trsTrnRequestFacts(ctx, trainee.id);
  facts.push(
    { fact: 'TRN request on Register (trs_trn_requests)', value: request ? `#${request.id}, request id ${request.requestId}, ${request.state}` : 'none' },
    { fact: 'TRN request on TRS', value: trsRequestLine(request) },
  );
  const until = timeout.toISOString().slice(0, 10);
  let cause: MissingTrnCause;
  let diagnosis: string;
  let nextStep: string;
  let jobPlan: JobPlan | null = null;
  let planNote: string | null = null;
  if (trainee.trn) {
    cause = 'has-trn-now';
    diagnosis = `Register now has TRN ${trainee.trn}: the TRN arrived after the job failed.`;
    nextStep = 'Rerun the failed job (server-error-500 or triage runbook): it has a TRN to send now.';
    planNote = 'Nothing to register or poll.';
  } else if (request?.trs) {
    cause = 'known-to-trs';
    diagnosis = `TRS knows the trainee's TRN request (${request.trs.status}${request.trs.trn ? ` with TRN ${request.trs.trn}` : ', no TRN yet'}), but Register never received the TRN: the polling stopped.`;
    nextStep = `Poll TRS again until ${until} (commit the plan below); once the TRN arrives, Register sends the professional status itself (RetrieveTrn enqueues it).`;
    jobPlan = planRestartPolling(trainee.id, request.id, timeout, 'Trs::RetrieveTrnJob');
  } else if (request?.trsErrorCode === 10062) {
    cause = 'request-rejected';
    diagnosis = `TRS rejected the trainee's TRN request ${request.requestId} (10062): there is no TRN to wait for.`;
    nextStep = 'Use dqt-errors/trn-request-rejected-10062 for this trainee.';
    planNote = 'Nothing planned here: a rejected request needs a new one (see trn-request-rejected-10062).';
  } else if (!request || request.trsErrorCode === 10031) {
    cause = 'unknown-to-trs';
    const submitted = timestampToDate(trainee.submitted_for_trn_at);
    const resetsSubmission = ['draft', 'deferred'].includes(c.register.state);
    const stale = !resetsSubmission && (!submitted || submitted.getTime() + JOB_POLLING.maxPollDurationDays * 86_400_000 <= now.getTime());
    diagnosis = `TRS does not know the trainee's TRN request (${request ? `request ${request.requestId} unknown to TRS${request.state === 'failed' ? ', stored as failed on Register' : ''}` : 'Register has none'}): the registration never reached TRS.`;
    const reregister = planReregister(trainee.id, 'Trs::RegisterForTrnJob');
    if (stale && request) {
      const poll = planRestartPolling(trainee.id, request.id, timeout, 'Trs::RetrieveTrnJob');
      jobPlan = { ...reregister, title: `Register trainee ${trainee.id} with TRS again, and poll for the TRN until ${until}`, actions: [...reregister.actions, ...poll.actions] };
      nextStep = `Register the trainee again and poll until ${until} (commit the plan below); make sure the registration succeeds.`;
      planNote = 'The trainee was submitted more than 4 days ago, so the polling the registration starts would time out at once: the plan also polls with the new timeout.';
    } else {
      jobPlan = reregister;
      nextStep = 'Register the trainee again (commit the plan below) and make sure it succeeds; the registration starts the polling for the TRN.';
      planNote = resetsSubmission ? `The trainee is ${c.register.state}: registering resets submitted_for_trn_at to now, so its polling runs for 4 days from now.` : null;
    }
  } else {
    cause = 'trs-unavailable';
    diagnosis = `TRS could not be asked about the TRN request (${request.trsError ?? ''}).`;
    nextStep = 'Run again when TRS answers.';
    planNote = 'Nothing planned until TRS answers.';
  }
  facts.push({ fact: 'Cause', value: cause });
  return {
    runbook: 'dqt-errors/update-missing-trn',
    kind: 'update-missing-trn',
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
    notes: [],
    cause,
    trnRequest: request,
  };
}
