import { traineeState, ROUTE_DETAILS, trainingRoute } from '../../db/enums.js';
import { toTimestampText } from '../../db/timestamp.js';
import { mergeSeeds } from '../../sandbox/seed/builders.js';
import { SCENARIO_SETS } from '../../sandbox/seed/index.js';
import { dqtScenarioTeachers, dqtScenarioTrnRequests, UNKNOWN_TO_DQT_INSTITUTION } from '../../sandbox/seed/dqt.js';
import type { DqtSandboxSeed, SandboxTeacherInput } from './records.js';

/**
 * What the DQT sandbox starts with: a DQT record for every seeded Register trainee that has a TRN (same
 * names, date of birth, slug and provider, an ITT record whose result follows the trainee's state), then the
 * DQT scenarios' own records on top (the ones that make each playbook error happen), the scenarios' TRN
 * requests, the seeded providers as known organisations, and Leeds Trinity University's UKPRN not known yet.
 *
 * @example
 * const sandbox = await startDqtSandbox({ apiKey, port: 0, seed: dqtSandboxSeed() });
 */
export function dqtSandboxSeed(): DqtSandboxSeed {
  const rows = mergeSeeds(...SCENARIO_SETS.map((s) => s.rows));
  const providers = new Map((rows.providers ?? []).map((p) => [p.id, p.ukprn ?? null]));
  const teachers = new Map<string, SandboxTeacherInput>();
  for (const t of rows.trainees ?? []) {
    if (!t.trn || !/^\d{7}$/.test(t.trn) || t.discarded_at) continue;
    const state = traineeState.fromDb(typeof t.state === 'number' ? t.state : 0);
    const route = trainingRoute.fromDb(t.training_route ?? null);
    const programmeType = route ? ROUTE_DETAILS[route].programmeType : null;
    const earlyYears = route?.startsWith('early_years') ?? false;
    const awardedOn = state === 'awarded' ? (t.outcome_date ?? (t.awarded_at ? toTimestampText(t.awarded_at).slice(0, 10) : null)) : null;
    const result =
      state === 'awarded' ? 'Pass' : state === 'withdrawn' ? 'Withdrawn' : state === 'deferred' ? 'Deferred' : route === 'assessment_only' ? 'UnderAssessment' : 'InTraining';
    teachers.set(t.trn, {
      trn: t.trn,
      firstName: t.first_names?.split(/\s+/)[0] ?? null,
      middleName: t.middle_names ?? null,
      lastName: t.last_name ?? null,
      dateOfBirth: t.date_of_birth ?? null,
      emailAddress: t.email ?? null,
      slugId: t.slug,
      active: true,
      allowPIIUpdates: false,
      qtsDate: awardedOn && !earlyYears ? awardedOn : null,
      eytsDate: awardedOn && earlyYears ? awardedOn : null,
      earlyYearsStatus: earlyYears ? (awardedOn ? { value: '221', name: 'Early Years Teacher Status' } : { value: '220', name: 'Early Years Trainee' }) : null,
      initialTeacherTraining: [
        {
          programmeStartDate: t.itt_start_date ?? null,
          programmeEndDate: t.itt_end_date ?? null,
          programmeType,
          result,
          provider: { ukprn: providers.get(t.provider_id) ?? null },
          husId: t.hesa_id ?? null,
          active: true,
          slugId: t.slug,
        },
      ],
      ...(state === 'withdrawn' ? { qtsRegistrations: [{ status: null }] } : {}),
    });
  }
  for (const teacher of dqtScenarioTeachers()) teachers.set(teacher.trn, teacher);
  return {
    teachers: [...teachers.values()],
    trnRequests: dqtScenarioTrnRequests(),
    knownOrganisations: [...new Set([...providers.values()].filter((u): u is string => !!u))],
    unknownOrganisations: [UNKNOWN_TO_DQT_INSTITUTION.ukprn],
  };
}
