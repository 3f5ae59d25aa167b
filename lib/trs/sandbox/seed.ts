import { ROUTE_DETAILS, trainingRoute } from '../../db/enums.js';
import { dqtSandboxSeed } from '../../dqt/sandbox/seed.js';
import type { SandboxTeacherInput } from '../../dqt/sandbox/records.js';
import { mergeSeeds } from '../../sandbox/seed/builders.js';
import { SCENARIO_SETS } from '../../sandbox/seed/index.js';
import { trs as trsScenarioSet, trsScenarioPersons, trsScenarioTrnRequests, UNKNOWN_TO_TRS_PROVIDER } from '../../sandbox/seed/trs.js';
import { TRS_ROUTE_TYPES, type TrsRouteStatus } from '../codes.js';
import { trsAgeSpecialism, trsSubjectReferences } from '../payloads.js';
import type { TrsSandboxPersonInput, TrsSandboxSeed } from './records.js';

/**
 * What the TRS sandbox starts with: the DQT sandbox's teachers as TRS holds them after the move from DQT, so the
 * two sandboxes tell the same story about the same people (same TRNs, names, dates of birth and e-mails;
 * inactive DQT records deactivated; QTS and EYTS dates kept). Each DQT ITT record becomes a route to professional
 * status: Register's, keyed by the trainee's slug, when the record carries a Register slug, else another source's.
 * The route's type comes from the trainee's route (Register's mapping), its status from the ITT result (Pass
 * holds the status from the QTS/EYTS date), its subjects and ages from the trainee. The DQT scenarios' TRN
 * requests are here too (208's pending as a potential duplicate, 209's completed), and every seeded provider is a
 * training provider TRS knows.
 *
 * Records are open to Register's PII updates (`allowPiiUpdates`), as records Register created through TRN requests
 * are; QTS and EYTS holders refuse them with 10042 and 10057 as TRS does.
 *
 * @example
 * const sandbox = await startTrsSandbox({ apiKey, port: 0, seed: trsSandboxSeed() });
 */
export function trsSandboxSeed(): TrsSandboxSeed {
  const rows = mergeSeeds(...SCENARIO_SETS.map((s) => s.rows));
  const providers = rows.providers ?? [];
  const trainees = new Map((rows.trainees ?? []).filter((t) => t.slug).map((t) => [t.slug as string, t]));
  const dqt = dqtSandboxSeed();
  const persons: TrsSandboxPersonInput[] = [];
  // The TRS-era scenarios' trainees are described by their own records below (402's TRN deliberately has none), not by
  // the DQT sandbox's copy of every seeded trainee with a TRN.
  const ownRecords = new Set([...trsScenarioPersons().map((p) => p.trn), ...(trsScenarioSet.rows.trainees ?? []).map((t) => t.trn).filter((trn): trn is string => typeof trn === 'string')]);
  for (const teacher of dqt.teachers) {
    if (ownRecords.has(teacher.trn)) continue;
    const person = personFrom(teacher, trainees);
    if (person) persons.push(person);
  }
  // The TRS-era scenarios' own records (what makes each TRS error happen).
  persons.push(...trsScenarioPersons());
  const trainingProviders: Record<string, string> = {};
  for (const p of providers) if (p.ukprn && p.ukprn !== UNKNOWN_TO_TRS_PROVIDER.ukprn) trainingProviders[p.ukprn] = String(p.name ?? p.ukprn);
  return {
    persons,
    trnRequests: [
      ...dqt.trnRequests.map((r): TrsSandboxSeed['trnRequests'][number] => {
        const body = (r.body ?? {}) as Record<string, unknown>;
        return {
          requestId: r.requestId,
          status: r.trn ? 'Completed' : 'Pending',
          trn: r.trn,
          potentialDuplicate: !r.trn,
          person: {
            firstName: body.firstName ?? null,
            middleName: body.middleName ?? null,
            lastName: body.lastName ?? null,
            dateOfBirth: body.birthDate ?? null,
            emailAddresses: [body.emailAddress ?? null],
            gender: body.genderCode ?? null,
          },
        };
      }),
      ...trsScenarioTrnRequests(),
    ],
    trainingProviders,
  };
}

type TraineeRow = NonNullable<ReturnType<typeof mergeSeeds>['trainees']>[number];

const RESULT_STATUS: Record<string, TrsRouteStatus> = {
  Pass: 'Holds',
  Withdrawn: 'Withdrawn',
  Deferred: 'Deferred',
  DeferredForSkillsTests: 'DeferredForSkillsTest',
  Fail: 'Failed',
  UnderAssessment: 'UnderAssessment',
  InTraining: 'InTraining',
};

/** Register's route for a DQT programme type (the reverse of `ROUTE_DETAILS`). */
function routeForProgrammeType(programmeType: string | null): string | null {
  const found = Object.entries(ROUTE_DETAILS).find(([, d]) => d.programmeType === programmeType);
  return found ? found[0] : null;
}

function personFrom(t: SandboxTeacherInput, trainees: Map<string, TraineeRow>): TrsSandboxPersonInput | null {
  if (!t.dateOfBirth || !t.firstName || !t.lastName) return null;
  const qualified = t.qtsDate ?? t.eytsDate ?? null;
  const rowsOfItt = t.initialTeacherTraining ?? [];
  return {
    trn: t.trn,
    firstName: t.firstName,
    middleName: t.middleName ?? '',
    lastName: t.lastName,
    dateOfBirth: t.dateOfBirth,
    emailAddress: t.emailAddress ?? null,
    status: t.active === false ? 'Deactivated' : 'Active',
    allowPiiUpdates: true,
    qtsDate: t.qtsDate ?? null,
    eytsDate: t.eytsDate ?? null,
    routes: rowsOfItt.map((itt, i) => {
      const slug = itt.slugId ?? (rowsOfItt.length === 1 ? t.slugId ?? null : null);
      const trainee = slug ? trainees.get(slug) : undefined;
      const route = trainee ? trainingRoute.fromDb(trainee.training_route ?? null) : routeForProgrammeType(itt.programmeType ?? null);
      const status = RESULT_STATUS[itt.result ?? 'InTraining'] ?? 'InTraining';
      const subjects = trainee
        ? trsSubjectReferences({ courseSubjectOne: trainee.course_subject_one ?? null, courseSubjectTwo: trainee.course_subject_two ?? null, courseSubjectThree: trainee.course_subject_three ?? null }).filter((s): s is string => s !== null)
        : [];
      const age = trainee ? trsAgeSpecialism({ courseMinAge: trainee.course_min_age ?? null, courseMaxAge: trainee.course_max_age ?? null }) : null;
      return {
        reference: trainee ? slug! : `dqt-itt-${t.trn}-${i + 1}`,
        routeToProfessionalStatusTypeId: (TRS_ROUTE_TYPES as Record<string, string>)[route ?? ''] ?? TRS_ROUTE_TYPES.provider_led_postgrad,
        status,
        holdsFrom: status === 'Holds' ? qualified : null,
        trainingStartDate: itt.programmeStartDate ?? null,
        trainingEndDate: itt.programmeEndDate ?? null,
        trainingSubjectReferences: subjects,
        trainingAgeSpecialism: age,
        trainingCountryReference: 'GB',
        trainingProviderUkprn: itt.provider?.ukprn ?? null,
        fromRegister: !!trainee,
      };
    }),
  };
}
