import { planRetries, readLedger } from '../queues/actions.js';
import { differenceLines } from './compare.js';
import {
  commonFacts,
  deadJobLine,
  gatherInvestigation,
  gatherTrsInvestigation,
  investigationEra,
  messageTraineeBlock,
  messageTrsTraineeBlock,
  trsCommonFacts,
  type Investigation,
  type InvestigationContext,
} from './investigation.js';

/**
 * Playbook "500 error": a DQT server error. "You can usually just rerun these jobs and they'll succeed. If not,
 * speak with DQT about the trainee." Plans the retry of the trainee's dead 500 jobs (an update before an award), and
 * writes the message for DQT to send if the retry fails again. On a Register that talks to TRS, the same for its
 * `Trs::` jobs that died with a TRS 5xx (`Error updating personal data: status: 500, …`), and the message is for TRS.
 *
 * @example
 * const inv = await investigateServerError(ctx, { slug });
 * inv.jobPlan // retry Dqt::UpdateTraineeJob #…
 */
export async function investigateServerError(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation> {
  if ((await investigationEra(ctx)) === 'trs') return serverErrorOnTrs(ctx, input);
  const g = await gatherInvestigation(ctx, input.slug, ['server-error']);
  const { comparison, target } = g;
  const facts = commonFacts(comparison, target);
  if (target.length === 0) {
    return {
      runbook: 'dqt-errors/server-error-500',
      kind: 'server-error',
      trainee: g.traineeRow,
      comparison,
      jobs: g.jobs,
      deadJobs: target,
      facts,
      diagnosis: `Trainee ${comparison.register.trainee.slug} has no dead job that failed with a DQT server error (500), so there is nothing to rerun.`,
      nextStep: g.dead.length ? `Its dead job(s) failed another way: open the runbook the triage names (${[...new Set(g.dead.map((d) => d.kind))].join(', ')}).` : 'Nothing to do: check the trainee timeline if the problem persists.',
      plan: null,
      jobPlan: null,
      planNote: 'No dead 500 job for this trainee.',
      message: null,
      notes: [],
    };
  }
  // A job rerun from this toolkit that died again is in the run ledger: then the playbook's "if not, speak with DQT".
  const ledger = await readLedger(ctx.jobs, 500);
  const rerun = target
    .map((j) => ({ job: j, receipt: ledger.find((r) => r.results.some((x) => x.status === 'done' && x.action.kind === 'retry' && x.action.queue === j.queue && x.action.jobId === j.jobId)) }))
    .filter((x) => x.receipt && (x.job.failedAt ?? '') > x.receipt.committedAt);
  for (const { job, receipt } of rerun) facts.push({ fact: 'Already rerun', value: `${job.jobName} #${job.jobId} on ${receipt!.committedAt} by ${receipt!.operator} ("${receipt!.comment}"), and it died again` });
  const names = target.map((j) => `${j.jobName} #${j.jobId}`).join(' and ');
  const jobPlan = planRetries(target, `Rerun ${target.length} job(s) of trainee ${comparison.register.trainee.id} that died with a DQT 500`);
  const ordered = jobPlan.actions.some((a) => a.kind === 'retry' && a.after);
  return {
    runbook: 'dqt-errors/server-error-500',
    kind: 'server-error',
    trainee: g.traineeRow,
    comparison,
    jobs: g.jobs,
    deadJobs: target,
    facts,
    diagnosis: rerun.length
      ? `${names} died with a DQT server error (500) again after being rerun: not a passing fault, so DQT must look at this trainee.`
      : `${names} died with a DQT server error (500): a passing fault on DQT's side, which usually succeeds when run again.`,
    nextStep: rerun.length
      ? 'Send the message below to DQT now; rerun again only once DQT has found the cause.'
      : `Rerun ${target.length === 1 ? 'the job' : 'the jobs'} (commit the plan below)${ordered ? ', the update first and the award only after the update succeeded' : ''}; if a rerun fails again, send the message below to DQT.`,
    plan: null,
    jobPlan,
    planNote: null,
    message: {
      to: 'DQT',
      when: rerun.length ? null : 'if the rerun fails again',
      subject: `Register trainee TRN ${comparison.register.trainee.trn ?? '(none)'}: repeated 500 errors from the DQT API`,
      body: [
        'Hello,',
        '',
        "Register's jobs for this trainee keep failing with a 500 (server error) from the DQT API, even after a rerun:",
        '',
        messageTraineeBlock(comparison),
        '',
        ...target.map((j) => `- ${deadJobLine(j)}`),
        ...(comparison.differences.length ? ['', 'Differences we see between Register and DQT:', ...differenceLines(comparison.differences)] : []),
        '',
        'Could you check what happens on your side for this teacher?',
        '',
        'Thanks',
      ].join('\n'),
    },
    notes: [],
  };
}

/** A job rerun from this toolkit that died again after the rerun (the run ledger says so). */
async function rerunAndDiedAgain(ctx: InvestigationContext, target: Investigation['deadJobs']) {
  const ledger = await readLedger(ctx.jobs, 500);
  return target
    .map((j) => ({ job: j, receipt: ledger.find((r) => r.results.some((x) => x.status === 'done' && x.action.kind === 'retry' && x.action.queue === j.queue && x.action.jobId === j.jobId)) }))
    .filter((x) => x.receipt && (x.job.failedAt ?? '') > x.receipt.committedAt);
}

/** The 500 section on a TRS-era Register: its Trs:: jobs that died with a TRS server error, rerun; TRS told if it repeats. */
async function serverErrorOnTrs(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation> {
  const g = await gatherTrsInvestigation(ctx, input.slug, ['server-error']);
  const { comparison, target } = g;
  const trainee = comparison.register.trainee;
  const facts = trsCommonFacts(comparison, target);
  const base = { runbook: 'dqt-errors/server-error-500', kind: 'server-error' as const, trainee: g.traineeRow, comparison: null, trsComparison: comparison, jobs: g.jobs, deadJobs: target, facts, plan: null, notes: [] };
  if (target.length === 0) {
    return {
      ...base,
      diagnosis: `Trainee ${trainee.slug} has no dead job that failed with a TRS server error (5xx), so there is nothing to rerun.`,
      nextStep: g.dead.length ? `Its dead job(s) failed another way: open the runbook the triage names (${[...new Set(g.dead.map((d) => d.kind))].join(', ')}).` : 'Nothing to do: check the trainee timeline if the problem persists.',
      jobPlan: null,
      planNote: 'No dead 5xx job for this trainee.',
      message: null,
    };
  }
  const rerun = await rerunAndDiedAgain(ctx, target);
  for (const { job, receipt } of rerun) facts.push({ fact: 'Already rerun', value: `${job.jobName} #${job.jobId} on ${receipt!.committedAt} by ${receipt!.operator} ("${receipt!.comment}"), and it died again` });
  const names = target.map((j) => `${j.jobName} #${j.jobId}`).join(' and ');
  const jobPlan = planRetries(target, `Rerun ${target.length} job(s) of trainee ${trainee.id} that died with a TRS 5xx`);
  const ordered = jobPlan.actions.some((a) => a.kind === 'retry' && a.after);
  return {
    ...base,
    diagnosis: rerun.length
      ? `${names} died with a TRS server error (5xx) again after being rerun: not a passing fault, so TRS must look at this person.`
      : `${names} died with a TRS server error (5xx): a passing fault on TRS's side, which usually succeeds when run again.`,
    nextStep: rerun.length
      ? 'Send the message below to TRS now; rerun again only once TRS has found the cause.'
      : `Rerun ${target.length === 1 ? 'the job' : 'the jobs'} (commit the plan below)${ordered ? ', the personal-data update first and the professional status only after the update succeeded' : ''}; if a rerun fails again, send the message below to TRS.`,
    jobPlan,
    planNote: null,
    message: {
      to: 'TRS',
      when: rerun.length ? null : 'if the rerun fails again',
      subject: `TRN ${trainee.trn ?? '(none)'}: repeated server errors from the TRS API`,
      body: [
        'Hello,',
        '',
        "Register's jobs for this trainee keep failing with a server error from the TRS API (v3), even after a rerun:",
        '',
        messageTrsTraineeBlock(comparison),
        '',
        ...target.map((j) => `- ${deadJobLine(j)}`),
        ...(comparison.differences.length ? ['', 'Differences we see between Register and TRS:', ...comparison.differences.map((r) => `- ${r.field}: Register ${r.register ?? '(none)'}, TRS ${r.dqt ?? '(none)'}`)] : []),
        '',
        'Could you check what happens on your side for this person?',
        '',
        'Thanks',
      ].join('\n'),
    },
  };
}
