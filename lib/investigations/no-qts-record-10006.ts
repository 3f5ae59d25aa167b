import { differenceLines } from './compare.js';
import { commonFacts, deadJobLine, gatherInvestigation, gatherTrsInvestigation, investigationEra, messageTraineeBlock, messageTrsTraineeBlock, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';

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
  if ((await investigationEra(ctx)) === 'trs') return noQtsRecordOnTrs(ctx, input);
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

/**
 * The section on a TRS-era Register: DQT's 10006 has no v3 counterpart; the same disagreement on the trainee's state
 * shows as the route PUT refused with 10055 (TRS holds the route as Failed) or 10056 (Withdrawn), TRS refusing to move
 * it back. Shows Register's state against TRS's route status and writes the message to the provider. Changes nothing.
 */
async function noQtsRecordOnTrs(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation> {
  const g = await gatherTrsInvestigation(ctx, input.slug, ['no-qts-record']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  const trsState = c.route ? `route ${c.route.routeToProfessionalStatusType.name} ${c.route.status}${c.route.holdsFrom ? ` from ${c.route.holdsFrom}` : ''}` : `no route (${c.trsStatus})`;
  facts.push({ fact: 'Register state', value: c.register.state }, { fact: 'TRS state', value: trsState }, { fact: 'Register sends', value: c.expectedStatus ?? 'nothing for this state' });
  const codes = [...new Set(target.map((j) => j.errorCode).filter((x) => x !== null))];
  const provider = c.register.provider;
  return {
    runbook: 'dqt-errors/no-qts-record-10006',
    kind: 'no-qts-record',
    trainee: g.traineeRow,
    comparison: null,
    trsComparison: c,
    jobs: g.jobs,
    deadJobs: target,
    facts,
    diagnosis: `State mismatch: Register has the trainee ${c.register.state} (it sends ${c.expectedStatus ?? 'nothing'}) but TRS holds ${trsState}, and TRS will not change a ${c.route?.status ?? 'closed'} route back${codes.length ? ` (${codes.join(', ')})` : ''}.`,
    nextStep:
      'First ask support whether there are existing comms about this trainee; then send the message below to the provider to learn what the state should be, and correct the wrong side (Register with the data-fix runbooks, TRS through the TRS team) before rerunning.',
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
        "We could not send this trainee's record to the Teaching Record System (TRS): TRS holds the trainee's training with another outcome than Register, and will not change it back.",
        '',
        messageTrsTraineeBlock(c),
        `TRS status: ${trsState}`,
        '',
        ...(c.differences.length ? ['Differences between Register and TRS:', ...c.differences.map((r) => `- ${r.field}: Register ${r.register ?? '(none)'}, TRS ${r.dqt ?? '(none)'}`), ''] : []),
        ...target.map((j) => `Failed: ${deadJobLine(j)}`),
        '',
        `Can you confirm what the status of this trainee should be (for example in training, withdrawn, failed, or recommended for ${c.register.award ?? 'QTS'}, with the date)? We will then correct the record so both services agree.`,
        '',
        'Thanks',
      ].join('\n'),
    },
    notes: target.length ? [] : [{ tone: 'info', message: 'This trainee has no dead 10055/10056 job in the trs queue.' }],
  };
}
