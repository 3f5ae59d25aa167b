import { differenceLines } from './compare.js';
import { commonFacts, deadJobLine, gatherInvestigation, messageTraineeBlock, type Investigation, type InvestigationContext } from './investigation.js';

/**
 * Playbook "400 error" `Teacher has no QTS record` (errorCode 10006): Register and DQT disagree on the trainee's state
 * (seen when a trainee was withdrawn on DQT and awarded on Register). The playbook's steps: check with support for
 * existing comms about the trainee, then ask the provider what the state of the record should be. Shows Register's
 * state against DQT's ITT result and QTS date, and writes the message to the provider. Changes nothing: which side
 * is wrong is the provider's answer.
 *
 * @example
 * const inv = await investigateNoQtsRecord(ctx, { slug });
 * inv.message.to // 'the provider (…)'
 */
export async function investigateNoQtsRecord(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation> {
  const g = await gatherInvestigation(ctx, input.slug, ['no-qts-record']);
  const { comparison: c, target, trainee } = g;
  const facts = commonFacts(c, target);
  const state = c.rows.find((r) => r.field === 'state / ITT result');
  const qts = c.rows.find((r) => r.field === 'QTS date' || r.field === 'EYTS date');
  const dqtState = c.teacher
    ? `ITT result ${c.itt?.result ?? 'none'}${c.itt && !c.itt.active ? ' (inactive row)' : ''}, ${qts?.field ?? 'QTS date'} ${qts?.dqt ?? 'none'}`
    : `no teacher (${c.dqtStatus}${c.dqtError ? `: ${c.dqtError}` : ''})`;
  facts.push({ fact: 'Register state', value: c.register.state }, { fact: 'DQT state', value: dqtState });
  const mismatch = !state || !state.match || (qts && !qts.match);
  const diagnosis = mismatch
    ? `State mismatch: Register has the trainee ${c.register.state} but DQT has ${dqtState} and no QTS record to award, so DQT refuses the ${target[0]?.jobName ?? 'job'}.`
    : `State mismatch on DQT's side: Register has the trainee ${c.register.state} and DQT's ITT record looks in line (${dqtState}), but DQT holds no QTS record (teacher status) to ${target[0]?.jobName === 'Dqt::RecommendForAwardJob' ? 'award' : 'update'} — as when a trainee was withdrawn on DQT — so DQT refuses the job.`;
  const provider = c.register.provider;
  return {
    runbook: 'dqt-errors/no-qts-record-10006',
    kind: 'no-qts-record',
    trainee: g.traineeRow,
    comparison: c,
    jobs: g.jobs,
    deadJobs: target,
    facts,
    diagnosis,
    nextStep:
      'First ask support whether there are existing comms about this trainee (known cases exist); then send the message below to the provider to learn what the state should be, and correct the wrong side (Register with the data-fix runbooks, DQT through the DQT team) before rerunning.',
    plan: null,
    jobPlan: null,
    planNote: "Nothing to change until the provider says which state is right (the playbook's step).",
    message: {
      to: `the provider (${provider?.name ?? 'unknown provider'}${provider?.ukprn ? `, UKPRN ${provider.ukprn}` : ''})`,
      when: 'after checking support for existing comms about the trainee',
      subject: `What should the state of ${[trainee.first_names, trainee.last_name].filter(Boolean).join(' ')}'s record be? (TRN ${trainee.trn ?? 'none'})`,
      body: [
        'Hello,',
        '',
        "We could not send this trainee's record to the Teaching Regulation Agency's system (DQT): DQT says the teacher has no QTS record (errorCode 10006), because the two services disagree on the trainee's status.",
        '',
        messageTraineeBlock(c),
        `DQT status: ${dqtState}`,
        '',
        ...(c.differences.length ? ['Differences between Register and DQT:', ...differenceLines(c.differences), ''] : []),
        ...target.map((j) => `Failed: ${deadJobLine(j)}`),
        '',
        `Can you confirm what the status of this trainee should be (for example in training, withdrawn, or recommended for ${c.register.award ?? 'QTS'}, with the date)? We will then correct the record so both services agree.`,
        '',
        'Thanks',
      ].join('\n'),
    },
    notes: target.length ? [] : [{ tone: 'info', message: 'This trainee has no dead 10006 job in the dqt queue.' }],
  };
}
