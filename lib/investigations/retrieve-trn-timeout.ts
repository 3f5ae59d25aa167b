import { trnRequestState } from '../db/enums.js';
import { latestTrnRequest } from '../trainees/trn-request.js';
import { displayTimestamp, timestampToDate, type TimestampText } from '../db/timestamp.js';
import { DqtError } from '../dqt/error.js';
import type { TrnRequestInfo } from '../dqt/schemas.js';
import { FixInputError } from '../plan/errors.js';
import { planReregister, planRestartPolling } from '../queues/actions.js';
import { commonFacts, daysFromToday, deadJobLine, gatherInvestigation, gatherTrsInvestigation, investigationEra, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';
import { TrsError } from '../trs/error.js';
import type { TrsTrnRequestInfo } from '../trs/schemas.js';
import { fullName } from '../trainees/lookup.js';

/** The trainee's TRN request on Register and on DQT. */
export interface TrnRequestFacts {
  id: number;
  requestId: string;
  state: string;
  createdAt: TimestampText | null;
  /** DQT's GET /v2/trn-requests/{requestId}; null when DQT did not answer (see `dqtError`). */
  dqt: TrnRequestInfo | null;
  dqtError: string | null;
  /** On a Register that talks to TRS: TRS's GET /v3/trn-requests?requestId= (then `dqt` is null). */
  trs?: TrsTrnRequestInfo | null;
  /** TRS's refusal (e.g. 404/10031 unknown, 400/10062 rejected or dormant), in Register's words. */
  trsError?: string | null;
  trsErrorCode?: number | null;
}

/** Reads the trainee's latest TRN request from Register (trs_trn_requests) and asks TRS for its status. */
export async function trsTrnRequestFacts(ctx: InvestigationContext, traineeId: number): Promise<TrnRequestFacts | null> {
  const request = await latestTrnRequest(ctx.db, traineeId);
  if (!request) return null;
  let trs: TrsTrnRequestInfo | null = null;
  let trsError: string | null = null;
  let trsErrorCode: number | null = null;
  try {
    trs = await ctx.trs.getTrnRequest(request.request_id);
  } catch (error) {
    if (!(error instanceof TrsError)) throw error;
    trsError = error.message;
    trsErrorCode = error.errorCode;
  }
  return { id: request.id, requestId: request.request_id, state: trnRequestState.fromDb(request.state ?? 0), createdAt: request.created_at ?? null, dqt: null, dqtError: null, trs, trsError, trsErrorCode };
}

/** One line for the TRN request on TRS. */
export function trsRequestLine(request: TrnRequestFacts | null): string {
  if (!request) return 'no request to ask about';
  if (request.trs) return `${request.trs.status}${request.trs.trn ? `, TRN ${request.trs.trn}` : ', no TRN yet'}${request.trs.potentialDuplicate ? ', flagged as a potential duplicate' : ''}`;
  return `not read: ${request.trsErrorCode === 10062 ? '400/10062 (rejected or dormant)' : request.trsErrorCode === 10031 ? '404/10031 (TRS does not know the request)' : request.trsError ?? 'unknown'}`;
}

/** Reads the trainee's latest TRN request from Register and asks DQT for its status. */
export async function trnRequestFacts(ctx: InvestigationContext, traineeId: number): Promise<TrnRequestFacts | null> {
  const request = await latestTrnRequest(ctx.db, traineeId);
  if (!request) return null;
  let dqt: TrnRequestInfo | null = null;
  let dqtError: string | null = null;
  try {
    dqt = await ctx.dqt.getTrnRequest(request.request_id);
  } catch (error) {
    if (!(error instanceof DqtError)) throw error;
    dqtError = error.message;
  }
  return { id: request.id, requestId: request.request_id, state: trnRequestState.fromDb(request.state ?? 0), createdAt: request.created_at ?? null, dqt, dqtError };
}

/** The new polling timeout: the parameter if given (YYYY-MM-DD, in the future), else today + 4 days. */
export function pollingTimeout(timeoutAfter: string | null | undefined, now = new Date()): Date {
  const given = (timeoutAfter ?? '').trim();
  if (!given) return daysFromToday(4, now);
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(given) ? `${given}T00:00:00Z` : given);
  if (Number.isNaN(at.getTime())) throw new FixInputError(`timeoutAfter "${given}" is not a date: give it as YYYY-MM-DD (for example ${daysFromToday(4, now).toISOString().slice(0, 10)}), or leave it empty for today + 4 days.`);
  if (at.getTime() <= now.getTime()) throw new FixInputError(`timeoutAfter ${given} is not in the future: polling would stop at once. Give a later date, or leave it empty for today + 4 days.`);
  return at;
}

/**
 * Playbook "Dqt::RetrieveTrnJob for Trainee id: xxx has timed out after 4 days": polling stopped before DQT assigned a
 * TRN. Gathers the facts for DQT ("why is the TRN taking a while? is there a problem we need to address?"): when the
 * trainee was submitted, the TRN request on both sides, whether DQT flagged it as a potential duplicate. Plans
 * `Dqt::RetrieveTrnJob.perform_later(t.dqt_trn_request, Date.today + 4.days)` (`timeoutAfter` overrides the date).
 *
 * @example
 * const inv = await investigateRetrieveTrnTimeout(ctx, { slug, timeoutAfter: '' });
 */
export async function investigateRetrieveTrnTimeout(ctx: InvestigationContext, input: { slug: string; timeoutAfter?: string | null; now?: Date }): Promise<Investigation & { trnRequest: TrnRequestFacts | null }> {
  const now = input.now ?? new Date();
  const timeout = pollingTimeout(input.timeoutAfter, now);
  if ((await investigationEra(ctx)) === 'trs') return retrieveTrnTimeoutOnTrs(ctx, input.slug, timeout, now);
  const g = await gatherInvestigation(ctx, input.slug, ['retrieve-trn-timeout']);
  const { comparison: c, target, trainee } = g;
  const facts = commonFacts(c, target);
  const request = await trnRequestFacts(ctx, trainee.id);
  const submitted = timestampToDate(trainee.submitted_for_trn_at);
  const days = submitted ? Math.floor((now.getTime() - submitted.getTime()) / 86_400_000) : null;
  facts.push(
    { fact: 'Submitted for TRN', value: trainee.submitted_for_trn_at ? `${displayTimestamp(trainee.submitted_for_trn_at)} (${days} days ago)` : 'never (submitted_for_trn_at is empty)' },
    { fact: 'TRN request on Register', value: request ? `#${request.id}, request id ${request.requestId}, ${request.state}` : 'none' },
    {
      fact: 'TRN request on DQT',
      value: request?.dqt ? `${request.dqt.status}${request.dqt.trn ? `, TRN ${request.dqt.trn}` : ', no TRN yet'}${request.dqt.potentialDuplicate ? ', flagged as a potential duplicate' : ''}` : request ? `not read: ${request.dqtError}` : 'no request to ask about',
    },
  );
  let diagnosis: string;
  let nextStep: string;
  let jobPlan = null;
  let planNote: string | null = null;
  let askDqt = true;
  if (trainee.trn) {
    diagnosis = `Register already has TRN ${trainee.trn} for this trainee: the polling that timed out is no longer needed.`;
    nextStep = 'Nothing to poll: the dead RetrieveTrnJob can be deleted from the triage runbook.';
    planNote = 'Nothing planned: the trainee has its TRN.';
    askDqt = false;
  } else if (!request) {
    diagnosis = 'The trainee has no TRN request on Register, so there is nothing to poll: it was never registered with DQT.';
    nextStep = 'Register the trainee for a TRN (commit the plan below); it polls once the registration succeeds.';
    jobPlan = planReregister(trainee.id);
    askDqt = false;
  } else if (request.dqt?.trn) {
    diagnosis = `DQT has assigned TRN ${request.dqt.trn} (request ${request.dqt.status}), but Register's polling stopped before it arrived: polling again will receive it.`;
    nextStep = `Poll again until ${timeout.toISOString().slice(0, 10)} (commit the plan below); no need to ask DQT.`;
    jobPlan = planRestartPolling(trainee.id, request.id, timeout);
    askDqt = false;
  } else if (request.dqt) {
    diagnosis = request.dqt.potentialDuplicate
      ? `DQT is holding the TRN request for review: it matches an existing teacher (a potential duplicate), so no TRN is assigned until DQT's QTS unit resolves it.`
      : `DQT has the TRN request (${request.dqt.status}) but has not assigned a TRN after ${days ?? '?'} days.`;
    nextStep = `Ask DQT why the TRN is taking a while (message below); if there is no issue, poll again until ${timeout.toISOString().slice(0, 10)} (commit the plan below).`;
    jobPlan = planRestartPolling(trainee.id, request.id, timeout);
    planNote = 'The playbook polls again only once DQT confirms there is no issue with the request.';
  } else if (request.dqtError && /^status: 404/.test(request.dqtError)) {
    diagnosis = `DQT does not know TRN request ${request.requestId}: the registration never reached DQT, so polling cannot succeed.`;
    nextStep = 'Register the trainee for a TRN again (commit the plan below) — see also the update-missing-trn runbook.';
    jobPlan = planReregister(trainee.id);
    askDqt = false;
  } else {
    diagnosis = `DQT could not be asked about TRN request ${request.requestId} (${request.dqtError}).`;
    nextStep = `Ask DQT about the request (message below); if there is no issue, poll again until ${timeout.toISOString().slice(0, 10)}.`;
    jobPlan = planRestartPolling(trainee.id, request.id, timeout);
  }
  const message: Investigation['message'] = askDqt
    ? {
        to: 'DQT',
        when: null,
        subject: `TRN request ${request?.requestId ?? ''}: no TRN after ${days ?? '?'} days`,
        body: [
          'Hello,',
          '',
          `Register asked for a TRN for this trainee ${days ?? '?'} days ago and has not received one.`,
          '',
          `Trainee: ${fullName(trainee)}`,
          `Date of birth: ${trainee.date_of_birth ?? 'not recorded'}`,
          `Email: ${trainee.email ?? 'not recorded'}`,
          `Register slug (slugId): ${trainee.slug}`,
          `Provider: ${c.register.provider ? `${c.register.provider.name} (UKPRN ${c.register.provider.ukprn ?? 'none'})` : 'none'}`,
          `Submitted for TRN: ${submitted ? submitted.toISOString().slice(0, 10) : 'unknown'}`,
          `TRN request id: ${request?.requestId ?? 'none'}`,
          `Status on DQT: ${request?.dqt ? `${request.dqt.status}${request.dqt.potentialDuplicate ? ', potential duplicate' : ''}` : request?.dqtError ?? 'unknown'}`,
          ...(c.found ? [`Teacher found on DQT with the same details: TRN ${c.found.trn}`] : []),
          ...target.map((j) => `Failed: ${deadJobLine(j)}`),
          '',
          'Why is the TRN taking a while, and is there a problem we need to address (for example a duplicate to resolve)?',
          '',
          'Thanks',
        ].join('\n'),
      }
    : null;
  return {
    runbook: 'dqt-errors/retrieve-trn-timeout',
    kind: 'retrieve-trn-timeout',
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
    trnRequest: request,
  };
}

/**
 * The section on a TRS-era Register: `Trs::RetrieveTrnJob for Trainee with slug: … has timed out after 4 days.` (Register
 * sends a Teams notice and stops polling). TRS is asked for the request (GET /v3/trn-requests?requestId=); the plan is
 * `Trs::RetrieveTrnJob.perform_later(t.trs_trn_request, Date.today + 4.days)` on queue `trs`.
 */
async function retrieveTrnTimeoutOnTrs(ctx: InvestigationContext, slug: string, timeout: Date, now: Date): Promise<Investigation & { trnRequest: TrnRequestFacts | null }> {
  const g = await gatherTrsInvestigation(ctx, slug, ['retrieve-trn-timeout']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  const request = await trsTrnRequestFacts(ctx, trainee.id);
  const submitted = timestampToDate(trainee.submitted_for_trn_at);
  const days = submitted ? Math.floor((now.getTime() - submitted.getTime()) / 86_400_000) : null;
  facts.push(
    { fact: 'Submitted for TRN', value: trainee.submitted_for_trn_at ? `${displayTimestamp(trainee.submitted_for_trn_at)} (${days} days ago)` : 'never (submitted_for_trn_at is empty)' },
    { fact: 'TRN request on Register (trs_trn_requests)', value: request ? `#${request.id}, request id ${request.requestId}, ${request.state}` : 'none' },
    { fact: 'TRN request on TRS', value: trsRequestLine(request) },
  );
  const until = timeout.toISOString().slice(0, 10);
  let diagnosis: string;
  let nextStep: string;
  let jobPlan = null;
  let planNote: string | null = null;
  let askTrs = true;
  if (trainee.trn) {
    diagnosis = `Register already has TRN ${trainee.trn} for this trainee: the polling that timed out is no longer needed.`;
    nextStep = 'Nothing to poll: the dead Trs::RetrieveTrnJob can be deleted from the triage runbook.';
    planNote = 'Nothing planned: the trainee has its TRN.';
    askTrs = false;
  } else if (!request) {
    diagnosis = 'The trainee has no TRN request on Register, so there is nothing to poll: it was never registered with TRS.';
    nextStep = 'Register the trainee for a TRN (commit the plan below); it polls once the registration succeeds.';
    jobPlan = planReregister(trainee.id, 'Trs::RegisterForTrnJob');
    askTrs = false;
  } else if (request.trs?.trn) {
    diagnosis = `TRS has completed the request with TRN ${request.trs.trn}, but Register's polling stopped before it arrived: polling again will receive it.`;
    nextStep = `Poll again until ${until} (commit the plan below); no need to ask TRS.`;
    jobPlan = planRestartPolling(trainee.id, request.id, timeout, 'Trs::RetrieveTrnJob');
    askTrs = false;
  } else if (request.trs) {
    diagnosis = request.trs.potentialDuplicate
      ? 'TRS is holding the TRN request for review: it matches an existing person (a potential duplicate), so no TRN is given until a TRS user resolves it.'
      : `TRS has the TRN request (${request.trs.status}) but has not given a TRN after ${days ?? '?'} days.`;
    nextStep = `Ask TRS why the TRN is taking a while (message below); if there is no issue, poll again until ${until} (commit the plan below).`;
    jobPlan = planRestartPolling(trainee.id, request.id, timeout, 'Trs::RetrieveTrnJob');
    planNote = 'The playbook polls again only once TRS confirms there is no issue with the request.';
  } else if (request.trsErrorCode === 10062) {
    diagnosis = `TRS rejected the TRN request ${request.requestId} (or it is dormant): polling cannot succeed.`;
    nextStep = 'Use dqt-errors/trn-request-rejected-10062 for this trainee.';
    planNote = 'Nothing planned here: a rejected request needs a new one (see trn-request-rejected-10062).';
    askTrs = false;
  } else if (request.trsErrorCode === 10031) {
    diagnosis = `TRS does not know TRN request ${request.requestId}: the registration never reached TRS, so polling cannot succeed.`;
    nextStep = 'Register the trainee for a TRN again (commit the plan below) — see also the update-missing-trn runbook.';
    jobPlan = planReregister(trainee.id, 'Trs::RegisterForTrnJob');
    askTrs = false;
  } else {
    diagnosis = `TRS could not be asked about TRN request ${request.requestId} (${request.trsError}).`;
    nextStep = `Ask TRS about the request (message below); if there is no issue, poll again until ${until}.`;
    jobPlan = planRestartPolling(trainee.id, request.id, timeout, 'Trs::RetrieveTrnJob');
  }
  const message: Investigation['message'] = askTrs
    ? {
        to: 'TRS',
        when: null,
        subject: `TRN request ${request?.requestId ?? ''}: no TRN after ${days ?? '?'} days`,
        body: [
          'Hello,',
          '',
          `Register asked TRS for a TRN for this trainee ${days ?? '?'} days ago and has not received one.`,
          '',
          `Trainee: ${fullName(trainee)}`,
          `Date of birth: ${trainee.date_of_birth ?? 'not recorded'}`,
          `Email: ${trainee.email ?? 'not recorded'}`,
          `Register slug: ${trainee.slug}`,
          `Provider: ${c.register.provider ? `${c.register.provider.name} (UKPRN ${c.register.provider.ukprn ?? 'none'})` : 'none'}`,
          `Submitted for TRN: ${submitted ? submitted.toISOString().slice(0, 10) : 'unknown'}`,
          `TRN request id: ${request?.requestId ?? 'none'}`,
          `Status on TRS: ${trsRequestLine(request)}`,
          ...target.map((j) => `Failed: ${deadJobLine(j)}`),
          '',
          'Why is the TRN taking a while, and is there a problem we need to address (for example a potential duplicate to resolve)?',
          '',
          'Thanks',
        ].join('\n'),
      }
    : null;
  return {
    runbook: 'dqt-errors/retrieve-trn-timeout',
    kind: 'retrieve-trn-timeout',
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
    notes: [],
    trnRequest: request,
  };
}
