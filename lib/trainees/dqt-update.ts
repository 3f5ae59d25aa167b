import { canEnqueueJobs } from '../plan/actions.js';
import type { PlanBuilder } from '../plan/builder.js';
import type { FixResult } from '../plan/fix.js';
import type { Trainee } from '../db/schema.js';
import { stateName } from './lookup.js';

/** States in which Register's `Dqt::UpdateTraineeJob` sends anything (register-facts 4.6). */
const UPDATE_JOB_STATES = ['submitted_for_trn', 'trn_received', 'deferred'];

/**
 * Adds "enqueue `Dqt::UpdateTraineeJob` after the commit" to a plan, as Register does after an edit, when the job
 * queue is available; otherwise adds a note saying DQT must be updated by hand. `stateAfter` is the trainee's
 * state once the plan is committed.
 */
export function addDqtUpdate(builder: PlanBuilder, notes: FixResult['notes'], trainee: Trainee, stateAfter = stateName(trainee)): void {
  if (!canEnqueueJobs()) {
    notes.push({ tone: 'warn', message: 'The DQT update job cannot be enqueued from this toolkit yet (the job queue library is not available): update DQT by hand after the commit (runbook dqt-errors/update-missing-trn shows how).' });
    return;
  }
  builder.enqueue({ job: 'Dqt::UpdateTraineeJob', queue: 'dqt', traineeId: trainee.id, description: 'Send the corrected record to DQT' });
  if (!UPDATE_JOB_STATES.includes(stateAfter)) {
    notes.push({ tone: 'info', message: `Register's Dqt::UpdateTraineeJob only sends trainees that are ${UPDATE_JOB_STATES.join(', ')}; this trainee will be ${stateAfter}, so the job will send nothing.` });
  }
}
