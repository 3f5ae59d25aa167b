import { trnRequestState } from '../db/enums.js';
import { registerFeatures } from '../db/versions/detect.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import { planDeletes, planReregister } from '../queues/actions.js';
import { latestTrnRequest } from '../trainees/trn-request.js';
import { fullName } from '../trainees/lookup.js';
import { TrsError } from '../trs/error.js';
import { deadJobLine, gatherTrsInvestigation, messageTrsTraineeBlock, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';

/** What TRS says of the trainee's TRN request now. */
export type TrnRequestOnTrs = 'rejected-or-dormant' | 'pending' | 'completed' | 'unknown-to-trs' | 'no-request' | 'trs-unavailable';

/**
 * New in the TRS era (no playbook section before): TRN polling (`Trs::RetrieveTrnJob`) died with 400/10062
 * "Unsupported TRN request status.". TRS (`GetTrnRequest.cs`) answers 10062 when the request is **Rejected** (a TRS
 * user turned it down, e.g. not a new person) or **Dormant**, because the API version Register calls
 * (20250627) does not support those statuses: polling can never succeed, so retrying the job is pointless.
 *
 * The way on is a new TRN request, once the reason is known (ask TRS). Register's `Trs::RegisterForTrn` reuses the
 * trainee's existing `trs_trn_requests` row and its `request_id`, and TRS refuses a request id it has seen (409,
 * 10029 "TRN request has already been created."), so the old row must go first. With `reregister = true` the plan
 * deletes the old row (audited, revertible), deletes the dead polling job and enqueues `Trs::RegisterForTrnJob`
 * (a new request id; polling follows on success).
 *
 * @example
 * const inv = await investigateTrnRequestRejected(ctx, { slug });
 * inv.requestOnTrs // 'rejected-or-dormant'
 */
export async function investigateTrnRequestRejected(ctx: InvestigationContext, input: { slug: string; reregister?: boolean }): Promise<Investigation & { requestOnTrs: TrnRequestOnTrs }> {
  const features = await registerFeatures(ctx.db);
  if (features.api !== 'trs') throw new FixInputError('This runbook is for a Register that talks to TRS (schema 2026-08): DQT had no 10062. Use dqt-errors/retrieve-trn-timeout for a DQT-era TRN request.');
  const g = await gatherTrsInvestigation(ctx, input.slug, ['trn-request-rejected']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  const request = await latestTrnRequest(ctx.db, trainee.id);
  let requestOnTrs: TrnRequestOnTrs;
  let trsAnswer: string;
  if (!request) {
    requestOnTrs = 'no-request';
    trsAnswer = 'Register has no TRN request for the trainee';
  } else {
    try {
      const info = await ctx.trs.getTrnRequest(request.request_id);
      requestOnTrs = info.status === 'Completed' ? 'completed' : 'pending';
      trsAnswer = `${info.status}${info.trn ? ` (TRN ${info.trn})` : ''}${info.potentialDuplicate ? ', potential duplicate' : ''}`;
    } catch (error) {
      if (!(error instanceof TrsError)) throw error;
      requestOnTrs = error.errorCode === 10062 ? 'rejected-or-dormant' : error.errorCode === 10031 ? 'unknown-to-trs' : 'trs-unavailable';
      trsAnswer = `${error.status} ${error.errorCode ?? ''} ${error.title ?? error.message}`.replace(/\s+/g, ' ');
    }
  }
  facts.push(
    { fact: `Register's TRN request (${features.trnRequests.table})`, value: request ? `#${request.id} request_id ${request.request_id}, state ${trnRequestState.fromDb(request.state ?? 0)}, created ${String(request.created_at)}` : 'none' },
    { fact: 'TRS on the request (GET /v3/trn-requests?requestId=)', value: trsAnswer },
    { fact: 'Request on TRS', value: requestOnTrs },
  );

  let diagnosis: string;
  let nextStep: string;
  switch (requestOnTrs) {
    case 'rejected-or-dormant':
      diagnosis = `TRS rejected the TRN request ${request!.request_id} (or left it dormant): it answers 400/10062 "Unsupported TRN request status." to every poll, so ${trainee.slug} will never get a TRN from this request.`;
      nextStep = 'Ask TRS why the request was rejected (message below). If the trainee should get a TRN, set `reregister = true`: the old TRN request row is deleted (TRS refuses its request id again with 10029) and the trainee is registered for a TRN anew.';
      break;
    case 'pending':
    case 'completed':
      diagnosis = `TRS now answers the request as ${trsAnswer}: it is no longer rejected, so polling can go on.`;
      nextStep = 'Use dqt-errors/retrieve-trn-timeout to restart polling for this request.';
      break;
    case 'unknown-to-trs':
      diagnosis = `TRS has no TRN request ${request!.request_id} (404/10031): the request never reached TRS.`;
      nextStep = 'Register the trainee for a TRN again (set `reregister = true`).';
      break;
    case 'no-request':
      diagnosis = 'Register has no TRN request for this trainee: there is nothing TRS could have rejected.';
      nextStep = 'Check the trainee was submitted for a TRN; dqt-errors/update-missing-trn covers a trainee without one.';
      break;
    default:
      diagnosis = `TRS could not be asked about the TRN request (${trsAnswer}).`;
      nextStep = 'Run this runbook again when TRS answers.';
  }

  let plan = null;
  let jobPlan = null;
  let planNote: string | null = null;
  const mayReregister = requestOnTrs === 'rejected-or-dormant' || requestOnTrs === 'unknown-to-trs';
  if (trainee.trn) {
    planNote = `The trainee already has TRN ${trainee.trn} on Register: nothing to request.`;
  } else if (!input.reregister) {
    planNote = mayReregister ? 'Nothing planned until TRS has said why: set `reregister = true` to plan a new TRN request.' : 'Nothing to change here.';
  } else if (!mayReregister) {
    planNote = `reregister was asked, but the request is ${requestOnTrs} on TRS: nothing planned.`;
  } else {
    const table = features.trnRequests.table;
    const row = request!;
    plan = planBuilder(`Replace the rejected TRN request of ${trainee.slug}: delete ${table} #${row.id} (request_id ${row.request_id})`)
      .delete(table, row.id, row, `TRN request of ${fullName(trainee)}`)
      .build();
    // The dead polls first (they can never succeed), then a new registration: Register makes a new request id.
    const deletes = target.length ? planDeletes(target, 'dead polls', 'TRS rejected the request: polling it can never succeed').actions : [];
    const reregister = planReregister(trainee.id, 'Trs::RegisterForTrnJob');
    jobPlan = { ...reregister, title: `${deletes.length ? `Delete ${deletes.length} dead poll(s) and r` : 'R'}egister trainee ${trainee.id} for a TRN again (new request id)`, actions: [...deletes, ...reregister.actions] };
    planNote = 'Commit only once TRS has said the trainee should have a TRN: a request turned down for the same reason will be rejected again.';
  }

  const message =
    requestOnTrs === 'rejected-or-dormant' || requestOnTrs === 'unknown-to-trs'
      ? {
          to: 'TRS',
          when: null,
          subject: `Register trainee ${fullName(trainee)}: TRN request ${request!.request_id} ${requestOnTrs === 'unknown-to-trs' ? 'unknown to TRS' : 'rejected (10062)'}`,
          body: [
            'Hello,',
            '',
            requestOnTrs === 'unknown-to-trs'
              ? `TRS answers "TRN request does not exist." (404, errorCode 10031) for TRN request ${request!.request_id} that Register sent for this trainee:`
              : `TRS answers "Unsupported TRN request status." (400, errorCode 10062) when Register polls TRN request ${request!.request_id}, so we take it that the request was rejected (or is dormant):`,
            '',
            messageTrsTraineeBlock(c),
            `TRN request submitted: ${String(trainee.submitted_for_trn_at ?? 'unknown')}`,
            '',
            ...target.map((j) => `- ${deadJobLine(j)}`),
            '',
            'Why was the request rejected? Does the trainee already have a TRN (if so, which), or should Register send a new TRN request?',
            '',
            'Thanks',
          ].join('\n'),
        }
      : null;

  return {
    runbook: 'dqt-errors/trn-request-rejected-10062',
    kind: 'trn-request-rejected',
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
    message,
    notes: target.length ? [] : [{ tone: 'info', message: 'This trainee has no dead 400/10062 polling job.' }],
    requestOnTrs,
  };
}
