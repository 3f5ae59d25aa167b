import { describe, expect, it } from 'vitest';
import { planRetries, type FailedJobRef } from '../../../lib/queues/actions.js';

/** A failed job in BullMQ's failed set of its queue. */
const failed = (queue: string, jobId: string, jobName: string, traineeId: number): FailedJobRef => ({
  queue,
  jobId,
  jobName,
  traineeId,
  message: 'status: 500, body: ',
  location: { backend: 'bullmq', queue, jobId },
});

describe('planRetries: the playbook order (update before award)', () => {
  it("puts each trainee's failed update first and makes the award of the same era wait for it", () => {
    const plan = planRetries([
      failed('trs', 'a1', 'Trs::UpdateProfessionalStatusJob', 411),
      failed('trs', 'u1', 'Trs::UpdateTraineeJob', 411),
      failed('dqt', 'a2', 'Dqt::RecommendForAwardJob', 211),
      failed('dqt', 'u2', 'Dqt::UpdateTraineeJob', 211),
    ]);
    expect(plan.actions.map((a) => [a.kind, 'jobId' in a ? a.jobId : null, 'after' in a ? (a.after?.jobId ?? null) : null])).toEqual([
      ['retry', 'u1', null],
      ['retry', 'u2', null],
      ['retry', 'a1', 'u1'],
      ['retry', 'a2', 'u2'],
    ]);
  });

  it("never makes a TRS award wait for a DQT update (or another trainee's update)", () => {
    const plan = planRetries([
      failed('trs', 'a1', 'Trs::UpdateProfessionalStatusJob', 411),
      failed('dqt', 'u2', 'Dqt::UpdateTraineeJob', 411),
      failed('trs', 'u3', 'Trs::UpdateTraineeJob', 412),
    ]);
    expect(plan.actions.map((a) => ('after' in a ? (a.after ?? null) : null))).toEqual([null, null, null]);
  });
});
