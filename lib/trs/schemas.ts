import { z } from 'zod';
import { TRS_ROUTE_STATUSES } from './codes.js';

/**
 * zod schemas of the TRS API v3 responses the client reads, at `X-Api-Version: 20250627` (TRS `401992997`:
 * `V20250627/Responses/GetPersonResponse.cs`, `V20250425` `TrnRequestInfo`). The client validates every response
 * with these: one of the wrong shape is a `TrsError` of kind `shape` naming the field. Parts a request does not
 * `include` are absent from the JSON (TRS's `Option<T>`), so they are optional here.
 *
 * @example
 * const person: TrsPerson = await trs.getPerson('3012201', { include: ['RoutesToProfessionalStatuses'] });
 * person.routesToProfessionalStatuses?.filter((r) => r.status === 'Holds')
 */
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date "yyyy-MM-dd"');

export const trsRouteTypeSchema = z.object({
  routeToProfessionalStatusTypeId: z.string(),
  name: z.string(),
  professionalStatusType: z.enum(['QualifiedTeacherStatus', 'EarlyYearsTeacherStatus', 'EarlyYearsProfessionalStatus', 'PartialQualifiedTeacherStatus']),
});
export type TrsRouteType = z.infer<typeof trsRouteTypeSchema>;

const awardInfo = z.object({ holdsFrom: date, routes: z.array(z.object({ routeToProfessionalStatusType: trsRouteTypeSchema })) });

export const trsRouteSchema = z.object({
  routeToProfessionalStatusId: z.string(),
  routeToProfessionalStatusType: trsRouteTypeSchema,
  status: z.enum(TRS_ROUTE_STATUSES),
  holdsFrom: date.nullable(),
  trainingStartDate: date.nullable(),
  trainingEndDate: date.nullable(),
  trainingSubjects: z.array(z.object({ reference: z.string(), name: z.string() })),
  trainingAgeSpecialism: z.object({ type: z.string(), from: z.number().optional(), to: z.number().optional() }).nullable(),
  trainingCountry: z.object({ reference: z.string(), name: z.string() }).nullable(),
  trainingProvider: z.object({ ukprn: z.string(), name: z.string() }).nullable(),
  degreeType: z.object({ degreeTypeId: z.string(), name: z.string() }).nullable(),
  inductionExemption: z.object({ isExempt: z.boolean(), exemptionReasons: z.array(z.unknown()) }),
});
export type TrsRoute = z.infer<typeof trsRouteSchema>;

/** GET /v3/persons/{trn} */
export const trsPersonSchema = z.object({
  trn: z.string(),
  firstName: z.string(),
  middleName: z.string().nullable(),
  lastName: z.string(),
  dateOfBirth: date,
  nationalInsuranceNumber: z.string().nullable(),
  pendingNameChange: z.boolean().optional(),
  pendingDateOfBirthChange: z.boolean().optional(),
  emailAddress: z.string().nullable(),
  qts: awardInfo.nullable(),
  eyts: awardInfo.nullable(),
  routesToProfessionalStatuses: z.array(trsRouteSchema).optional(),
  previousNames: z.array(z.object({ firstName: z.string(), middleName: z.string().nullable(), lastName: z.string() })).optional(),
  qtlsStatus: z.enum(['None', 'Expired', 'Active']),
});
export type TrsPerson = z.infer<typeof trsPersonSchema>;

/** What GET /v3/persons/{trn} may `include` (comma-separated) at 20250627. */
export const TRS_PERSON_INCLUDES = ['Induction', 'MandatoryQualifications', 'PendingDetailChanges', 'Alerts', 'PreviousNames', 'RoutesToProfessionalStatuses', 'All'] as const;
export type TrsPersonInclude = (typeof TRS_PERSON_INCLUDES)[number];

/** POST /v3/trn-requests and GET /v3/trn-requests?requestId= (version 20250425's `TrnRequestInfo`, served at 20250627). */
export const trsTrnRequestInfoSchema = z.object({
  requestId: z.string(),
  status: z.enum(['Pending', 'Completed']),
  trn: z.string().nullable(),
  potentialDuplicate: z.boolean(),
  accessYourTeachingQualificationsLink: z.string().nullable(),
});
export type TrsTrnRequestInfo = z.infer<typeof trsTrnRequestInfoSchema>;
