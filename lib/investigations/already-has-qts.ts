import { planDeletes } from '../queues/actions.js';
import { differenceLines } from './compare.js';
import { commonFacts, deadJobLine, gatherInvestigation, gatherTrsInvestigation, investigationEra, messageTraineeBlock, messageTrsTraineeBlock, trsCommonFacts, type Investigation, type InvestigationContext } from './investigation.js';

/**
 * Playbook "400 error" `{"initialTeacherTraining.programmeType":["Teacher already has QTS/EYTS date"]}`: likely a race,
 * the award job reaching DQT before the update job. "Cross reference the trainee details on Register with the trainee
 * details on DQT. If there are no differences, it is likely a race condition and you can delete the failed update
 * job. If there are differences, speak to DQT and maybe contact the provider."
 *
 * Plans the deletion of the failed update ONLY when the comparison ran and found no difference; otherwise plans
 * nothing and writes the message with the differences.
 *
 * @example
 * const inv = await investigateAlreadyHasQts(ctx, { slug });
 * inv.jobPlan // null while Register and DQT differ
 */
export async function investigateAlreadyHasQts(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation> {
  if ((await investigationEra(ctx)) === 'trs') return alreadyHasQtsOnTrs(ctx, input);
  const g = await gatherInvestigation(ctx, input.slug, ['already-has-qts']);
  const { comparison: c, target, trainee } = g;
  const facts = commonFacts(c, target);
  const compared = c.dqtStatus === 'found' && c.rows.length > 0;
  const award = c.register.award ?? 'QTS';
  let diagnosis: string;
  let nextStep: string;
  let jobPlan = null;
  let planNote: string | null = null;
  let message: Investigation['message'] = null;
  if (!compared) {
    diagnosis = `DQT did not return the teacher (${c.dqtStatus}: ${c.dqtError ?? ''}), so Register and DQT cannot be compared and the failed update must stay.`;
    nextStep = 'Run again when DQT answers.';
    planNote = 'Not planned: the failed update is deleted only after a comparison that shows no differences.';
  } else if (c.differences.length === 0) {
    diagnosis = `A race: DQT recorded the award (${award} ${c.teacher?.qtsDate ?? c.teacher?.eytsDate ?? ''}) before the update arrived, and Register and DQT agree on every field, so the failed update has nothing left to send.`;
    nextStep = target.length ? 'Delete the failed update job (commit the plan below).' : 'Nothing to delete: the trainee has no dead update job of this kind.';
    if (target.length) jobPlan = planDeletes(target, `Delete ${target.length} failed update(s) of trainee ${trainee.id}: a race with the award, Register and DQT agree`);
  } else {
    diagnosis = `Register and DQT differ (${c.differences.map((d) => d.field).join(', ')}), so this is not only a race: the failed update must not be deleted yet.`;
    nextStep = 'Send the message below to DQT (and ask the provider if the difference is in the trainee\'s details or state); once both sides agree, run this runbook again to delete the failed update.';
    planNote = `Deletion refused: the comparison shows ${c.differences.length} difference(s). The playbook deletes the failed update only when there are none.`;
    message = {
      to: 'DQT',
      when: null,
      subject: `Register trainee TRN ${trainee.trn ?? '(none)'}: update refused with "Teacher already has ${award} date", and our records differ`,
      body: [
        'Hello,',
        '',
        `DQT refused Register's update for this trainee with "Teacher already has QTS/EYTS date". Comparing our record with yours, these differ:`,
        '',
        ...differenceLines(c.differences),
        '',
        messageTraineeBlock(c),
        '',
        ...target.map((j) => `Failed: ${deadJobLine(j)}`),
        '',
        'Could you confirm which values are right on your side? We may also check with the provider.',
        '',
        'Thanks',
      ].join('\n'),
    };
  }
  facts.push({ fact: 'Compared with DQT', value: compared }, { fact: 'Deletion planned', value: !!jobPlan });
  return {
    runbook: 'dqt-errors/already-has-qts',
    kind: 'already-has-qts',
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
  };
}

/**
 * The section on a TRS-era Register: Register ignores TRS's "already awarded" (10052, route PUT) and "person has QTS"
 * (10042, personal-data PUT), so no job dies and the race is silent. What is left is the playbook's cross-reference:
 * where TRS holds QTS/EYTS and Register and TRS differ, say so (message to TRS, provider when it is the state); any
 * dead update of the trainee refused for the award is deleted only when they agree.
 */
async function alreadyHasQtsOnTrs(ctx: InvestigationContext, input: { slug: string }): Promise<Investigation> {
  const g = await gatherTrsInvestigation(ctx, input.slug, ['already-has-qts']);
  const { comparison: c, target, trainee } = g;
  const facts = trsCommonFacts(c, target);
  const award = c.register.award ?? 'QTS';
  const held = (award === 'EYTS' ? c.person?.eyts : c.person?.qts)?.holdsFrom ?? null;
  facts.push({ fact: `${award} on TRS`, value: held ? `holds from ${held}` : c.person ? 'none' : 'not known' }, { fact: 'Register ignores', value: '10052 (route already awarded) and 10042 (person has QTS): no job dies for them' });
  const compared = c.trsStatus === 'found' && c.rows.length > 0;
  let diagnosis: string;
  let nextStep: string;
  let jobPlan = null;
  let planNote: string | null = null;
  let message: Investigation['message'] = null;
  if (!compared) {
    diagnosis = `TRS did not return the person (${c.trsStatus}${c.trsError ? `: ${c.trsError}` : ''}), so Register and TRS cannot be compared.`;
    nextStep = 'Run again when TRS answers.';
    planNote = 'Nothing planned without a comparison.';
  } else if (c.differences.length === 0) {
    diagnosis = `Register and TRS agree on every field${held ? ` (TRS holds ${award} from ${held})` : ''}: nothing was lost.`;
    nextStep = target.length ? 'Delete the refused update job(s) (commit the plan below).' : 'Nothing to do.';
    if (target.length) jobPlan = planDeletes(target, `Delete ${target.length} refused update(s) of trainee ${trainee.id}: Register and TRS agree`);
  } else {
    diagnosis = `Register and TRS differ (${c.differences.map((d) => d.field).join(', ')})${held ? `: TRS holds ${award} from ${held} while Register has the trainee ${c.register.state}` : ''}. Register ignores TRS's "already awarded" answers, so no job died, but the two services disagree.`;
    nextStep = "Ask the provider whether the trainee was awarded (and when); then correct the wrong side: Register with the data-fix runbooks, TRS through the message below.";
    planNote = `Nothing planned: the comparison shows ${c.differences.length} difference(s); which side is right is the provider's answer.`;
    message = {
      to: 'TRS',
      when: "once the provider has confirmed the trainee's state",
      subject: `TRN ${trainee.trn ?? '(none)'}: TRS holds ${award} that Register has not awarded`,
      body: [
        'Hello,',
        '',
        `TRS holds ${award}${held ? ` from ${held}` : ''} for this trainee, and Register's record differs:`,
        '',
        ...c.differences.map((r) => `- ${r.field}: Register ${r.register ?? '(none)'}, TRS ${r.dqt ?? '(none)'}`),
        '',
        messageTrsTraineeBlock(c),
        '',
        'Could you check how the award was recorded on TRS?',
        '',
        'Thanks',
      ].join('\n'),
    };
  }
  return {
    runbook: 'dqt-errors/already-has-qts',
    kind: 'already-has-qts',
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
  };
}
