import { z } from 'zod';

/**
 * The DQT sandbox's teacher record: the JSON that GET /v2/teachers/{trn} returns, plus `active` (a deactivated
 * person is invisible to every endpoint) and a few optional sandbox-only fields. This is also the body of the
 * admin endpoint `POST /_sandbox/teachers`.
 *
 * Sandbox-only fields (all optional):
 * - `emailAddress`: matched by find and by TRN-request duplicate checks;
 * - `slugId`: Register's slug stored on the person (requests sending `slugId` match it first);
 * - each ITT row's `slugId`;
 * - `qtsRegistrations`: the QTS registrations and their teacher status (`211` Trainee Teacher:DMS, `212` AOR
 *   candidate, `220` early years trainee, `71`/`100`/`90`/`221` qualified, `null` cleared by a withdrawal).
 *   Default: one, in the trainee status that fits the first ITT row (or qualified when a QTS/EYTS date is set).
 *   `[]` gives "Teacher has no QTS record" (10006) on award.
 * - `duplicate: true`: add a second person with the same TRN instead of replacing (gives 409 / 10002).
 *
 * @example
 * await fetch(`${sandboxUrl}/_sandbox/teachers`, { method: 'POST', body: JSON.stringify({
 *   trn: '2001234', firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-01-01', active: true,
 *   initialTeacherTraining: [{ programmeType: 'ProviderLedPostgrad', result: 'InTraining', provider: { ukprn: '10099001' }, active: true }],
 * }) });
 */
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date "yyyy-MM-dd"');

export const sandboxTrainingSchema = z.object({
  programmeStartDate: date.nullable().default(null),
  programmeEndDate: date.nullable().default(null),
  programmeType: z.string().nullable().default(null),
  result: z.string().nullable().default(null),
  provider: z.object({ ukprn: z.string().nullable() }).nullable().default(null),
  husId: z.string().nullable().default(null),
  active: z.boolean().default(true),
  slugId: z.string().nullable().default(null),
  subject1: z.string().nullable().default(null),
  subject2: z.string().nullable().default(null),
  subject3: z.string().nullable().default(null),
  ageRangeFrom: z.number().nullable().default(null),
  ageRangeTo: z.number().nullable().default(null),
});
export type SandboxTraining = z.infer<typeof sandboxTrainingSchema>;

export const sandboxTeacherSchema = z.object({
  trn: z.string().regex(/^\d{7}$/, 'expected a 7-digit TRN'),
  firstName: z.string().nullable().default(null),
  middleName: z.string().nullable().default(null),
  lastName: z.string().nullable().default(null),
  dateOfBirth: date.nullable().default(null),
  nationalInsuranceNumber: z.string().nullable().default(null),
  hasActiveSanctions: z.boolean().default(false),
  qtsDate: date.nullable().default(null),
  eytsDate: date.nullable().default(null),
  husId: z.string().nullable().default(null),
  earlyYearsStatus: z.object({ value: z.string().nullable(), name: z.string().nullable() }).nullable().default(null),
  initialTeacherTraining: z.array(sandboxTrainingSchema).default([]),
  allowPIIUpdates: z.boolean().default(false),
  active: z.boolean().default(true),
  emailAddress: z.string().nullable().default(null),
  slugId: z.string().nullable().default(null),
  qtsRegistrations: z.array(z.object({ status: z.string().nullable() })).optional(),
  duplicate: z.boolean().optional(),
});
/** What `POST /_sandbox/teachers` accepts (defaults filled in). */
export type SandboxTeacherInput = z.input<typeof sandboxTeacherSchema>;

/** A person as the sandbox stores it. */
export interface SandboxTeacher extends Omit<z.output<typeof sandboxTeacherSchema>, 'qtsRegistrations' | 'duplicate'> {
  /** Internal id (two persons may share a TRN). */
  personId: number;
  /** CRM contact id, as find returns it. */
  uid: string;
  qtsRegistrations: { status: string | null }[];
}

/** A TRN request as the sandbox stores it. */
export interface SandboxTrnRequest {
  requestId: string;
  /** The body it was created with (keys lower-cased), used when a pending request is released. */
  body: Record<string, unknown>;
  /** The person it resolved to; null while pending. */
  personId: number | null;
  slugId: string | null;
}

/** What the sandbox starts with, and goes back to on reset. */
export interface DqtSandboxSeed {
  teachers: SandboxTeacherInput[];
  /** TRN requests already made: `trn` null for a pending (potential duplicate) request. */
  trnRequests: { requestId: string; trn: string | null; slugId?: string | null; body?: Record<string, unknown> }[];
  /** UKPRNs DQT knows as organisations besides degree institutions and teachers' ITT providers (seeded providers). */
  knownOrganisations: string[];
  /** UKPRNs DQT does not know yet even though they are in the reference data ("Organisation not found"). */
  unknownOrganisations: string[];
  /** First TRN handed out to new persons. */
  firstTrn?: number;
}

export const EMPTY_SEED: DqtSandboxSeed = { teachers: [], trnRequests: [], knownOrganisations: [], unknownOrganisations: [] };
