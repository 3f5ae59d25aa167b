import { z } from 'zod';

/**
 * zod schemas of the DQT v2 responses Register reads (dqt-api.md sections 4 and 5), and the string enums
 * on the wire. The client validates every response with these: a response of the wrong shape is a
 * `DqtError` of kind `shape` naming the field.
 *
 * @example
 * const teacher: DqtTeacher = await dqt.retrieveTeacher(slug);
 * teacher.initialTeacherTraining.filter((itt) => itt.active)
 */
export const ITT_OUTCOMES = [
  'Pass', 'Fail', 'Withdrawn', 'Deferred', 'DeferredForSkillsTests', 'ApplicationReceived', 'ApplicationUnsuccessful',
  'Approved', 'Info', 'InTraining', 'NoResultSubmitted', 'UnderAssessment',
] as const;
export type IttOutcome = (typeof ITT_OUTCOMES)[number];

export const ITT_PROGRAMME_TYPES = [
  'Apprenticeship', 'AssessmentOnlyRoute', 'Core', 'CoreFlexible', 'EYITTAssessmentOnly', 'EYITTGraduateEmploymentBased',
  'EYITTGraduateEntry', 'EYITTSchoolDirectEarlyYears', 'EYITTUndergraduate', 'FutureTeachingScholars', 'GraduateTeacherProgramme',
  'HEI', 'LicensedTeacherProgramme', 'OverseasTrainedTeacherProgramme', 'RegisteredTeacherProgramme', 'SchoolDirectTrainingProgramme',
  'SchoolDirectTrainingProgrammeSalaried', 'SchoolDirectTrainingProgrammeSelfFunded', 'TeachFirstProgramme', 'TeachFirstProgrammeCC',
  'UndergraduateOptIn', 'ProviderLedPostgrad', 'ProviderLedUndergrad', 'InternationalQualifiedTeacherStatus', 'HighPotentialITT',
  'PrimaryAndSecondaryUndergraduateFeeFunded', 'PrimaryAndSecondaryPostgraduateFeeFunded',
] as const;
export type IttProgrammeType = (typeof ITT_PROGRAMME_TYPES)[number];
/** The five early-years programme types (`ITTProgrammeTypeExtensions.cs`). */
export const EARLY_YEARS_PROGRAMME_TYPES: readonly IttProgrammeType[] = [
  'EYITTAssessmentOnly', 'EYITTGraduateEmploymentBased', 'EYITTGraduateEntry', 'EYITTSchoolDirectEarlyYears', 'EYITTUndergraduate',
];

export const GENDER_CODES = ['Male', 'Female', 'Other', 'NotAvailable', 'NotProvided'] as const;
export type GenderCode = (typeof GENDER_CODES)[number];

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date "yyyy-MM-dd"');
/** Dates on the wire are "yyyy-MM-dd"; a timestamp-looking value is cut to its date part. */
const dateOrNull = z.preprocess((v) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? v.slice(0, 10) : v), date.nullable());

export const dqtTrainingSchema = z.object({
  programmeStartDate: dateOrNull,
  programmeEndDate: dateOrNull,
  programmeType: z.string().nullable(),
  result: z.string().nullable(),
  provider: z.object({ ukprn: z.string().nullable() }).nullable(),
  husId: z.string().nullable().optional().default(null),
  active: z.boolean(),
});
export type DqtTraining = z.infer<typeof dqtTrainingSchema>;

/** GET /v2/teachers/{trn} */
export const dqtTeacherSchema = z.object({
  trn: z.string().nullable(),
  firstName: z.string().nullable(),
  middleName: z.string().nullable().optional().default(null),
  lastName: z.string().nullable(),
  dateOfBirth: dateOrNull,
  nationalInsuranceNumber: z.string().nullable(),
  hasActiveSanctions: z.boolean(),
  qtsDate: dateOrNull,
  eytsDate: dateOrNull,
  husId: z.string().nullable(),
  earlyYearsStatus: z.object({ value: z.string().nullable(), name: z.string().nullable() }).nullable(),
  initialTeacherTraining: z.array(dqtTrainingSchema),
  allowPIIUpdates: z.boolean(),
});
export type DqtTeacher = z.infer<typeof dqtTeacherSchema>;

/** One result of GET /v2/teachers/find */
export const dqtFindResultSchema = z.object({
  trn: z.string(),
  emailAddresses: z.array(z.string()),
  firstName: z.string().nullable(),
  middleName: z.string().nullable().optional().default(null),
  lastName: z.string().nullable(),
  dateOfBirth: dateOrNull,
  nationalInsuranceNumber: z.string().nullable(),
  uid: z.string(),
  hasActiveSanctions: z.boolean(),
});
export type DqtFindResult = z.infer<typeof dqtFindResultSchema>;
export const dqtFindResponseSchema = z.object({ results: z.array(dqtFindResultSchema) });

/** PUT and GET /v2/trn-requests/{requestId} */
export const trnRequestInfoSchema = z.object({
  requestId: z.string(),
  status: z.enum(['Pending', 'Completed']),
  trn: z.string().nullable(),
  potentialDuplicate: z.boolean(),
  qtsDate: dateOrNull.optional().default(null),
  slugId: z.string().nullable().optional().default(null),
  accessYourTeachingQualificationsLink: z.string().optional(),
});
export type TrnRequestInfo = z.infer<typeof trnRequestInfoSchema>;

/** PUT /v2/teachers/{trn}/itt-outcome */
export const ittOutcomeResponseSchema = z.object({ trn: z.string(), qtsDate: dateOrNull });
export type IttOutcomeResponse = z.infer<typeof ittOutcomeResponseSchema>;

export { describeShapeIssues } from '../api/transport.js';
