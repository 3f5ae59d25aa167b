import { registerFeatures } from '../db/versions/detect.js';
import { FixInputError } from '../plan/errors.js';
import { planRetries } from '../queues/actions.js';
import { TRS_ERROR_TITLES } from '../trs/error.js';
import { deadJobLine, gatherTrsInvestigation, messageTrsTraineeBlock, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';

/** What each route-PUT validation code means for a support developer, and what to do. */
const ROUTE_CODES: Readonly<Record<number, { what: string; fix: string }>> = {
  10043: { what: "TRS does not accept the route type Register sends for the trainee's training route", fix: "Check the trainee's training route on Register; if it is right, ask TRS whether the route type is enabled for Register." },
  10045: { what: "TRS does not know a training subject Register sends (the course subject's reference)", fix: "Check the trainee's course subjects on Register (a subject TRS cannot map); correct them, then retry." },
  10047: { what: 'TRS does not know the training country Register sends (iQTS)', fix: "Check the trainee's iQTS country on Register; correct it, then retry." },
  10049: { what: 'TRS does not know the degree type Register sends', fix: "Check the trainee's degree (type) on Register; correct it, then retry." },
  10051: { what: 'TRS does not allow Register to update a route of this type', fix: 'Ask TRS: the route is one Register may not change (e.g. created by another service).' },
  10054: {
    what: "TRS already holds this trainee's route (keyed by the trainee's slug) with another route type, and a route's type cannot be changed",
    fix: "Decide which route is right with the provider. If Register's change of training route was a mistake, change it back (data-fixes/change-training-route) and retry; if it is right, ask TRS to change the route's type on their side (message below), then retry.",
  },
};

/**
 * New in the TRS era (no playbook section before): `Trs::UpdateProfessionalStatusJob` died with a 400 validation of
 * the route PUT (`PUT /v3/persons/{trn}/routes-to-professional-statuses/{slug}`): 10043 route type, 10045 subject, 10047
 * country, 10049 degree type, 10051 updates not allowed, 10054 cannot change the route type (10048, the training
 * provider's UKPRN, has dqt-errors/organisation-not-found). The job retries for about three weeks and dies; retrying
 * it does not help until the data is put right on one side.
 *
 * The investigation shows Register's route beside TRS's routes, names the code and what to fix where. When Register
 * and TRS now agree (same route type on TRS as Register sends), the plan retries the dead job.
 *
 * @example
 * const inv = await investigateTrsRouteRejected(ctx, { slug });
 * inv.errorCodes // [10054]
 */
export async function investigateTrsRouteRejected(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation & { errorCodes: number[] }> {
  if ((await registerFeatures(ctx.db)).api !== 'trs') throw new FixInputError('This runbook is for a Register that talks to TRS (schema 2026-08): DQT had no route PUT.');
  const g = await gatherTrsInvestigation(ctx, input.slug, ['trs-route-rejected']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  const errorCodes = [...new Set(target.map((j) => j.errorCode).filter((x): x is number => x !== null))];
  const trsType = c.route?.routeToProfessionalStatusType ?? null;
  const sameType = !!c.route && c.routeMatch.startsWith('route type');
  facts.push(
    { fact: 'Route Register sends', value: `${c.register.route ?? 'none'} (TRS route type ${c.routeTypeId ?? 'none'})` },
    { fact: "TRS's route for the trainee", value: c.route ? `${trsType!.name} (${trsType!.routeToProfessionalStatusTypeId}), ${c.route.status}, chosen by ${c.routeMatch}` : 'none' },
    ...errorCodes.map((code) => ({ fact: `TRS ${code}`, value: `${TRS_ERROR_TITLES[code] ?? 'unknown code'}: ${ROUTE_CODES[code]?.what ?? ''}` })),
  );

  let diagnosis: string;
  let nextStep: string;
  let jobPlan = null;
  let planNote: string | null = null;
  if (!target.length) {
    diagnosis = 'This trainee has no dead professional-status job refused by a route validation.';
    nextStep = 'Open the triage runbook to find which runbook the trainee\'s dead job belongs to.';
    planNote = 'Nothing to retry.';
  } else if (c.trsStatus !== 'found') {
    diagnosis = `TRS did not return the person with TRN ${trainee.trn ?? '(none)'} (${c.trsStatus}), so the route cannot be compared.`;
    nextStep = c.trsStatus === 'unavailable' ? 'Run this runbook again when TRS answers.' : 'Use dqt-errors/teacher-not-found-404 for this trainee.';
  } else if (errorCodes.includes(10054) && !sameType) {
    diagnosis = `TRS refuses to change the route type (10054): TRS holds the trainee's route as ${trsType?.name ?? 'another type'}, while Register now sends ${c.register.route} (route type ${c.routeTypeId}).`;
    nextStep = ROUTE_CODES[10054]!.fix;
    planNote = 'Nothing planned: the route must be put right on Register or on TRS first. Run this runbook again afterwards to plan the retry.';
  } else if (errorCodes.includes(10054) && sameType) {
    diagnosis = `TRS now holds the trainee's route with the type Register sends (${trsType?.name}): the route type change that TRS refused (10054) is resolved, so the job can be retried.`;
    nextStep = 'Retry the dead job (commit the plan below).';
    jobPlan = planRetries(target, `Retry ${target.length} professional-status job(s) of trainee ${trainee.id} now the route types agree`);
  } else {
    const code = errorCodes[0] ?? null;
    diagnosis = `TRS refused the trainee's route${code ? ` with ${code} "${TRS_ERROR_TITLES[code] ?? ''}"` : ''}: ${code && ROUTE_CODES[code] ? ROUTE_CODES[code]!.what : 'a validation of the route PUT'}.`;
    nextStep = code && ROUTE_CODES[code] ? ROUTE_CODES[code]!.fix : 'Read the error body below and fix the field it names on Register, then retry.';
    planNote = 'Nothing planned until the data is corrected: then retry the job (dqt-errors/server-error-500 reruns any dead job of the trainee).';
  }
  facts.push({ fact: 'Cause', value: errorCodes.length ? errorCodes.join(', ') : 'none' });

  const message =
    target.length && c.trsStatus === 'found' && (errorCodes.includes(10054) ? !sameType : errorCodes.some((x) => x === 10043 || x === 10051))
      ? {
          to: 'TRS',
          when: errorCodes.includes(10054) ? "if the provider confirms Register's route is right" : null,
          subject: `TRN ${trainee.trn}: route to professional status refused (${errorCodes.join(', ')})`,
          body: [
            'Hello,',
            '',
            `TRS refuses Register's route to professional status for this trainee (PUT /v3/persons/${trainee.trn}/routes-to-professional-statuses/${trainee.slug}):`,
            '',
            messageTrsTraineeBlock(c),
            '',
            ...target.map((j) => `- ${deadJobLine(j)}`),
            '',
            errorCodes.includes(10054)
              ? `TRS holds the route as ${trsType?.name ?? '(unknown)'} (${trsType?.routeToProfessionalStatusTypeId ?? ''}); the trainee's route is now ${c.register.route} (${c.routeTypeId}). Please could TRS change the route's type (or remove the old route) so that Register can send it again?`
              : 'Please could TRS tell us why the route is refused, and whether Register may send it?',
            '',
            'Thanks',
          ].join('\n'),
        }
      : null;

  return {
    runbook: 'dqt-errors/trs-route-rejected',
    kind: 'trs-route-rejected',
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
    errorCodes,
  };
}
