import { z } from 'zod';
import { TRS_ROUTE_STATUSES } from '../codes.js';

/**
 * What the TRS sandbox holds: persons (with their routes to professional status), TRN requests and the training
 * providers it knows by UKPRN. `POST /_sandbox/persons` takes a `TrsSandboxPersonInput`.
 *
 * Sandbox-only fields of a person:
 * - `status`: `Active` or `Deactivated`; `mergedWithTrn`: the TRN this record was merged into (GET gives 10059);
 * - `allowPiiUpdates`: TRS lets Register change this record's PII (`AllowDetailsUpdatesFromSourceApplication` and
 *   Register as its source application); false gives 10041 on PUT /v3/persons/{trn};
 * - each route's `reference` (Register's trainee slug) and `fromRegister` (false: another service's route, which
 *   Register's PUT does not update but creates beside).
 *
 * @example
 * await fetch(`${url}/_sandbox/persons`, { method: 'POST', body: JSON.stringify({
 *   trn: '3012290', firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-01-01', qtsDate: '2025-07-01' }) });
 */
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date "yyyy-MM-dd"');

export const trsSandboxRouteSchema = z.object({
  reference: z.string().min(1),
  routeToProfessionalStatusTypeId: z.string().regex(/^[0-9a-f-]{36}$/i, 'expected a route type id (a GUID)'),
  status: z.enum(TRS_ROUTE_STATUSES),
  holdsFrom: date.nullable().default(null),
  trainingStartDate: date.nullable().default(null),
  trainingEndDate: date.nullable().default(null),
  trainingSubjectReferences: z.array(z.string()).default([]),
  trainingAgeSpecialism: z.object({ type: z.string(), from: z.number().nullable().optional(), to: z.number().nullable().optional() }).nullable().default(null),
  trainingCountryReference: z.string().nullable().default(null),
  trainingProviderUkprn: z.string().nullable().default(null),
  degreeTypeId: z.string().nullable().default(null),
  isExemptFromInduction: z.boolean().nullable().default(null),
  fromRegister: z.boolean().default(true),
});
export type TrsSandboxRoute = z.output<typeof trsSandboxRouteSchema> & { routeToProfessionalStatusId: string };

export const trsSandboxPersonSchema = z.object({
  trn: z.string().regex(/^\d{7}$/, 'expected a 7-digit TRN'),
  firstName: z.string().min(1),
  middleName: z.string().default(''),
  lastName: z.string().min(1),
  dateOfBirth: date,
  emailAddress: z.string().nullable().default(null),
  nationalInsuranceNumber: z.string().nullable().default(null),
  gender: z.enum(['Male', 'Female', 'Other']).nullable().default(null),
  status: z.enum(['Active', 'Deactivated']).default('Active'),
  mergedWithTrn: z.string().regex(/^\d{7}$/).nullable().default(null),
  allowPiiUpdates: z.boolean().default(true),
  qtsDate: date.nullable().default(null),
  eytsDate: date.nullable().default(null),
  qtlsStatus: z.enum(['None', 'Expired', 'Active']).default('None'),
  routes: z.array(trsSandboxRouteSchema).default([]),
});
/** What `POST /_sandbox/persons` accepts (defaults filled in). */
export type TrsSandboxPersonInput = z.input<typeof trsSandboxPersonSchema>;
/** A person as the sandbox stores it. */
export type TrsSandboxPerson = Omit<z.output<typeof trsSandboxPersonSchema>, 'routes'> & { routes: TrsSandboxRoute[] };

/** TRS's request states: Pending and Completed on the wire; Rejected and Dormant give 10062 on GET at 20250627. */
export type TrsTrnRequestStatus = 'Pending' | 'Completed' | 'Rejected' | 'Dormant';

export interface TrsSandboxTrnRequest {
  requestId: string;
  status: TrsTrnRequestStatus;
  /** The TRN of the person it resolved to (null while pending, rejected or dormant). */
  trn: string | null;
  potentialDuplicate: boolean;
  /** The person part of the request (keys lower-cased), used when a pending request is resolved to a new record. */
  person: Record<string, unknown>;
  trnToken: string | null;
}

/** What the sandbox starts with, and goes back to on reset. */
export interface TrsSandboxSeed {
  persons: TrsSandboxPersonInput[];
  trnRequests: { requestId: string; status: TrsTrnRequestStatus; trn?: string | null; potentialDuplicate?: boolean; person?: Record<string, unknown> }[];
  /** UKPRN → name of the training providers TRS knows (unknown UKPRNs give 10048). */
  trainingProviders: Record<string, string>;
  /** First TRN handed to new records. */
  firstTrn?: number;
}

export const EMPTY_TRS_SEED: TrsSandboxSeed = { persons: [], trnRequests: [], trainingProviders: {} };
