import institutions from './data/degree-institutions.json';

/**
 * Degree institutions from DfE reference data (`DfE::ReferenceData::Degrees::INSTITUTIONS`, MIT licence,
 * DFE-Digital/dfe-reference-data at 27b6174d), for the UKPRN Register sends to DQT as
 * `qualification.providerUkprn` (dqt-api.md section 9).
 *
 * @example
 * degreeInstitution('5c9e1d2d-3fa2-e811-812b-5065f38ba241')?.ukprn // '10007773' (The Open University)
 * institutionUkprn(null)                                           // null
 */
export interface DegreeInstitution {
  id: string;
  name: string;
  ukprn: string | null;
  hesa_itt_code: string | null;
  closed: string | number | null;
}

export const DEGREE_INSTITUTIONS: readonly DegreeInstitution[] = institutions as DegreeInstitution[];

const byId = new Map(DEGREE_INSTITUTIONS.map((i) => [i.id.toLowerCase(), i]));

/** The institution with this reference-data id (a degree's `institution_uuid`), or null. */
export function degreeInstitution(institutionUuid: string | null | undefined): DegreeInstitution | null {
  if (!institutionUuid) return null;
  return byId.get(institutionUuid.toLowerCase()) ?? null;
}

/** The UKPRN sent to DQT for a degree's institution: null when the institution is unknown or has none, as Register does. */
export function institutionUkprn(institutionUuid: string | null | undefined): string | null {
  return degreeInstitution(institutionUuid)?.ukprn ?? null;
}

/** UKPRNs of every degree institution that has one. */
export function institutionUkprns(): string[] {
  return DEGREE_INSTITUTIONS.flatMap((i) => (i.ukprn ? [i.ukprn] : []));
}
