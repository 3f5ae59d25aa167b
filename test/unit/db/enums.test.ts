import { describe, expect, it } from 'vitest';
import { traineeState, trainingRoute, applyApplicationState, trnRequestState, ROUTE_DETAILS } from '../../../lib/db/enums.js';

describe('Register enums', () => {
  it('maps trainee states to the integers Register stores', () => {
    expect(traineeState.values).toEqual({ draft: 0, submitted_for_trn: 1, trn_received: 2, recommended_for_award: 3, withdrawn: 4, deferred: 5, awarded: 6 });
    expect(traineeState.toDb('withdrawn')).toBe(4);
    expect(traineeState.fromDb(4)).toBe('withdrawn');
    expect(traineeState.fromDb(null)).toBeNull();
  });

  it('keeps the gap at 13 in training routes', () => {
    expect(trainingRoute.toDb('iqts')).toBe(12);
    expect(trainingRoute.toDb('teacher_degree_apprenticeship')).toBe(14);
    expect(() => trainingRoute.fromDb(13)).toThrow(/no training route with value 13/);
    expect(ROUTE_DETAILS.school_direct_salaried.programmeType).toBe('SchoolDirectTrainingProgrammeSalaried');
  });

  it('rejects unknown input naming the valid values', () => {
    expect(() => trainingRoute.parse('school_direct')).toThrow('Unknown training route "school_direct". Valid values: assessment_only, provider_led_postgrad,');
    expect(() => traineeState.parse(4)).toThrow(/Unknown trainee state 4/);
    expect(trainingRoute.parse('iqts')).toBe('iqts');
  });

  it('has the apply and TRN request states of register-facts', () => {
    expect(applyApplicationState.values).toEqual({ importable: 0, non_importable_hei: 1, non_importable_duplicate: 2, imported: 3 });
    expect(trnRequestState.values).toEqual({ requested: 0, received: 1, failed: 2 });
  });
});
