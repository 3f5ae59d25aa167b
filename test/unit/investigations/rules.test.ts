import { describe, expect, it } from 'vitest';
import { daysFromToday, errorPrefixOf, pickIttRow, planBulkSafeActions, pollingTimeout, expectedDqtResults } from '../../../lib/investigations/index.js';
import { applyUpdateBeforeAward, type TriageRecord } from '../../../lib/triage/triage.js';
import { classifyFailure, PLAYBOOK_RULES } from '../../../lib/triage/rules.js';
import type { DqtTraining } from '../../../lib/dqt/schemas.js';

const record = (jobId: string, jobName: string, traineeId: number, message: string, trnRequestId: number | null = null): TriageRecord => {
  const c = classifyFailure(message);
  const rule = PLAYBOOK_RULES[c.kind];
  return { queue: 'dqt', jobId, jobName, traineeId, slug: null, failedAt: null, attempts: 1, status: c.status, errorCode: c.errorCode, errorClass: c.errorClass, explanation: rule.explanation, action: rule.action, bulkSafe: rule.bulkSafe, runbook: rule.runbook, kind: c.kind, fingerprint: c.fingerprint, error: c.detail, message, trnRequestId, state: 'failed', firstFailedAt: null, enqueuedAt: null, nextRetryAt: null, removedByCleanup: false, shape: 'activejob', location: { backend: 'bullmq', queue: 'dqt', jobId } };
};

describe('errorPrefixOf', () => {
  it('keeps the status of DQT errors and the words before the first id of other messages', () => {
    expect(errorPrefixOf('status: 405, body: ')).toBe('status: 405');
    expect(errorPrefixOf('Cannot update trainee on DQT without a trn (id: 209)')).toBe('Cannot update trainee on DQT without a trn');
    expect(errorPrefixOf('Dqt::RetrieveTrnJob for Trainee id: 208 has timed out after 4 days')).toBe('Dqt::RetrieveTrnJob for Trainee id');
    expect(errorPrefixOf('')).toBe('(empty)');
  });
});

describe('planBulkSafeActions', () => {
  const now = new Date('2026-11-30T10:00:00Z');
  it('retries bulk-safe 500s, polls again for timeouts (once per TRN request), and leaves everything else out', () => {
    const records = applyUpdateBeforeAward([
      record('1', 'Dqt::UpdateTraineeJob', 201, 'status: 500, body: '),
      record('2', 'Dqt::UpdateTraineeJob', 202, 'status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}'),
      record('3', 'Dqt::UpdateTraineeJob', 211, 'status: 500, body: '),
      record('4', 'Dqt::RecommendForAwardJob', 211, 'status: 500, body: '),
      record('5', 'Dqt::RetrieveTrnJob', 208, 'Dqt::RetrieveTrnJob for Trainee id: 208 has timed out after 4 days', 201),
      record('6', 'Dqt::RetrieveTrnJob', 208, 'Dqt::RetrieveTrnJob for Trainee id: 208 has timed out after 4 days', 201),
    ]);
    const plan = planBulkSafeActions(records, { now });
    expect(plan.actions).toEqual([
      { kind: 'retry', queue: 'dqt', jobId: '1', jobName: 'Dqt::UpdateTraineeJob', traineeId: 201, expectedError: 'status: 500, body: ', location: { backend: 'bullmq', queue: 'dqt', jobId: '1' } },
      { kind: 'restart-polling', traineeId: 208, trnRequestId: 201, timeoutAfter: '2026-12-04T00:00:00.000Z', jobClass: 'Dqt::RetrieveTrnJob', queue: 'dqt' },
    ]);
  });

  it('refuses a polling timeout in the past, naming the date', () => {
    const records = [record('5', 'Dqt::RetrieveTrnJob', 208, 'Dqt::RetrieveTrnJob for Trainee id: 208 has timed out after 4 days', 201)];
    expect(() => planBulkSafeActions(records, { timeoutAfter: '2026-11-29', now })).toThrow('timeoutAfter 2026-11-29 is not in the future');
  });
});

describe('pollingTimeout and daysFromToday', () => {
  it('defaults to today + 4 days at midnight UTC (Date.today + 4.days)', () => {
    expect(pollingTimeout('', new Date('2026-11-30T23:59:00Z')).toISOString()).toBe('2026-12-04T00:00:00.000Z');
    expect(daysFromToday(4, new Date('2026-12-30T01:00:00Z')).toISOString()).toBe('2027-01-03T00:00:00.000Z');
  });
  it('refuses what is not a date', () => {
    expect(() => pollingTimeout('next week')).toThrow('timeoutAfter "next week" is not a date: give it as YYYY-MM-DD');
  });
});

describe('what DQT should hold for a Register state', () => {
  it('maps states to ITT results, assessment-only routes to UnderAssessment, and only awarded to an award date', () => {
    expect(expectedDqtResults('trn_received', 'provider_led_postgrad')).toEqual({ results: ['InTraining'], awarded: false });
    expect(expectedDqtResults('trn_received', 'assessment_only')).toEqual({ results: ['UnderAssessment'], awarded: false });
    expect(expectedDqtResults('recommended_for_award', 'provider_led_postgrad')).toEqual({ results: ['InTraining'], awarded: false });
    expect(expectedDqtResults('withdrawn', 'provider_led_postgrad')).toEqual({ results: ['Withdrawn'], awarded: false });
    expect(expectedDqtResults('deferred', 'provider_led_postgrad')).toEqual({ results: ['Deferred'], awarded: false });
    expect(expectedDqtResults('awarded', 'early_years_postgrad')).toEqual({ results: ['Pass'], awarded: true });
  });
});

describe('pickIttRow (Register\'s RetrieveTraining)', () => {
  const row = (ukprn: string, programmeType: string, active = true): DqtTraining => ({ programmeStartDate: null, programmeEndDate: null, programmeType, result: 'InTraining', provider: { ukprn }, husId: null, active });
  it('prefers the provider and programme type, then provider, then programme type, then a lone active row', () => {
    const a = row('1', 'HEI');
    const b = row('2', 'ProviderLedPostgrad');
    const c = row('1', 'ProviderLedPostgrad');
    expect(pickIttRow([a, b, c], '1', 'ProviderLedPostgrad')).toEqual({ itt: c, how: 'provider and programme type' });
    expect(pickIttRow([a, b], '1', 'ProviderLedPostgrad')).toEqual({ itt: a, how: 'provider only' });
    expect(pickIttRow([b], '9', 'ProviderLedPostgrad')).toEqual({ itt: b, how: 'programme type only' });
    expect(pickIttRow([a, row('3', 'Core', false)], '9', 'X')).toEqual({ itt: a, how: 'only active row' });
    expect(pickIttRow([], '1', 'HEI')).toEqual({ itt: null, how: 'none' });
  });
});
