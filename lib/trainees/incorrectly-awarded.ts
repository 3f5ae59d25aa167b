import type { RegisterDb } from '../db/connect.js';
import { traineeState } from '../db/enums.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import { fullName, traineeForFix, traineeSummary } from './lookup.js';

/**
 * Playbook "Incorrectly awarded trainee": `trainee.update(state: :trn_received, recommended_for_award_at: nil,
 * awarded_at: nil, outcome_date: nil)`, as a plan. Only for a trainee recommended for award or awarded, with a TRN.
 * DQT is not changed: the award must be corrected with DQT separately (the notes say so).
 *
 * @example
 * const fix = await incorrectlyAwarded(db, { slug });
 */
export async function incorrectlyAwarded(db: RegisterDb, input: { slug: string }): Promise<FixResult> {
  const trainee = await traineeForFix(db, input.slug, { states: ['recommended_for_award', 'awarded'], fix: 'undo an award' });
  if (!trainee.trn) throw new FixInputError(`Trainee ${trainee.slug} has no TRN, so it cannot go back to trn_received. Look at its timeline: it may need to go back to submitted_for_trn instead.`);
  const plan = planBuilder(`Incorrectly awarded: put ${trainee.slug} back to trn_received`)
    .update(
      'trainees',
      trainee.id,
      { state: trainee.state, recommended_for_award_at: trainee.recommended_for_award_at, awarded_at: trainee.awarded_at, outcome_date: trainee.outcome_date },
      { state: traineeState.toDb('trn_received'), recommended_for_award_at: null, awarded_at: null, outcome_date: null },
      fullName(trainee),
    )
    .build();
  return {
    plan,
    findings: [
      {
        caption: 'Trainee',
        rows: [{ ...traineeSummary(trainee), recommended_for_award_at: trainee.recommended_for_award_at, awarded_at: trainee.awarded_at, outcome_date: trainee.outcome_date }],
      },
    ],
    notes: [
      {
        tone: 'warn',
        message: `DQT must be corrected too: this changes Register only. ${trainee.state === traineeState.toDb('awarded') ? 'The trainee is awarded, so DQT holds the award (QTS/EYTS)' : 'The trainee was recommended for award, so DQT may already hold the award'}: contact DQT to remove it for TRN ${trainee.trn}. Support may need to tell the trainee and the provider.`,
      },
    ],
  };
}
