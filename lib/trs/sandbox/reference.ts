import { TRS_DEGREE_TYPES, TRS_HECOS_SUBJECT_CODES, TRS_REGISTER_SUBJECT_CODES } from '../codes.js';

/**
 * The TRS reference data the sandbox checks a route against (TRS `401992997`: `SetRouteToProfessionalStatus.cs`
 * lines 39–74 for the route types the API accepts, `RouteToProfessionalStatusIdExtensions.cs` for the overseas and
 * induction-exemption types, `TrsDbContext.Seeding.cs` for names and the country list).
 *
 * Subjects and degree types are limited to what Register sends (its HECoS mapping, its three own codes, its
 * degree-type ids): TRS holds about 1,100 active subjects and 40 degree types, all the ones Register sends among
 * them. A test or scenario adds others with `POST /_sandbox/reference`.
 *
 * @example
 * routeType('97497716-5AC5-49AA-A444-27FA3E2C152A')?.name   // 'Provider led Postgrad'
 */
export type ProfessionalStatusType = 'QualifiedTeacherStatus' | 'EarlyYearsTeacherStatus' | 'EarlyYearsProfessionalStatus' | 'PartialQualifiedTeacherStatus';

export interface RouteTypeInfo {
  /** Lower case, as TRS writes a Guid. */
  id: string;
  name: string;
  professionalStatusType: ProfessionalStatusType;
  /** Accepted by PUT routes-to-professional-statuses (else 10043). */
  permitted: boolean;
}

export const ROUTE_TYPE_IDS = {
  applyForQts: '6f27bdeb-d00a-4ef9-b0ea-26498ce64713',
  assessmentOnly: '57b86cef-98e2-4962-a74a-d47c7a34b838',
  europeanRecognition: '2b106b9d-ba39-4e2d-a42e-0ce827fdc324',
  iqts: 'd0b60864-ab1c-4d49-a5c2-ff4bd9872ee1',
  niR: '3604ef30-8f11-4494-8b52-a2f9c5371e03',
  overseasTrainedTeacherRecognition: 'ce61056e-e681-471e-af48-5ffbf2653500',
  qtlsAndSetMembership: 'be6eaf8c-92dd-4eff-aad3-1c89c4bec18c',
  scotlandR: '52835b1f-1f2e-4665-abc6-7fb1ef0a80bb',
  welshR: '877ba701-fe26-4951-9f15-171f3755d50d',
} as const;

const QTS = 'QualifiedTeacherStatus';
const EYTS = 'EarlyYearsTeacherStatus';
const ROUTE_TYPE_ROWS: [string, string, ProfessionalStatusType, boolean][] = [
  [ROUTE_TYPE_IDS.applyForQts, 'Apply for Qualified Teacher Status in England', QTS, true],
  [ROUTE_TYPE_IDS.europeanRecognition, 'European Recognition', QTS, true],
  [ROUTE_TYPE_IDS.overseasTrainedTeacherRecognition, 'Overseas Trained Teacher Recognition', QTS, true],
  [ROUTE_TYPE_IDS.niR, 'Northern Irish Recognition', QTS, true],
  [ROUTE_TYPE_IDS.scotlandR, 'Scottish Recognition', QTS, true],
  ['6987240e-966e-485f-b300-23b54937fb3a', 'Postgraduate Teaching Apprenticeship', QTS, true],
  [ROUTE_TYPE_IDS.assessmentOnly, 'Assessment Only', QTS, true],
  ['4163c2fb-6163-409f-85fd-56e7c70a54dd', 'Core', QTS, true],
  ['4bd7a9f0-28ca-4977-a044-a7b7828d469b', 'Core Flexible', QTS, true],
  ['d9eef3f8-fde6-4a3f-a361-f6655a42fa1e', 'Early Years ITT Assessment Only', EYTS, true],
  ['4477e45d-c531-4c63-9f4b-e157766366fb', 'Early Years ITT Graduate Employment Based', EYTS, true],
  ['dbc4125b-9235-41e4-abd2-baabbf63f829', 'Early Years ITT Graduate Entry', EYTS, true],
  ['7f09002c-5dad-4839-9693-5e030d037ae9', 'Early Years ITT School Direct', EYTS, true],
  ['c97c0fd2-fd84-4949-97c7-b0e2422fb3c8', 'Early Years ITT Undergraduate', EYTS, true],
  ['f85962c9-cf0c-415d-9de5-a397f95ae261', 'Future Teaching Scholars', QTS, true],
  ['34222549-ed59-4c4a-811d-c0894e78d4c3', 'Graduate Teacher Programme', QTS, true],
  ['10078157-e8c3-42f7-a050-d8b802e83f7b', 'HEI', QTS, true],
  ['bfef20b2-5ac4-486d-9493-e5a4538e1be9', 'High Potential ITT', QTS, true],
  [ROUTE_TYPE_IDS.iqts, 'International Qualified Teacher Status', QTS, true],
  ['2b4862ca-bd30-4a3a-bfce-52b57c2946c7', 'Licensed Teacher Programme', QTS, true],
  ['51756384-cfea-4f63-80e5-f193686e0f71', 'Overseas Trained Teacher Programme', QTS, true],
  ['ef46ff51-8dc0-481e-b158-61ccea9943d9', 'Primary and secondary postgraduate fee funded', QTS, true],
  ['321d5f9a-9581-4936-9f63-cfddd2a95fe2', 'Primary and secondary undergraduate fee funded', QTS, true],
  ['97497716-5ac5-49aa-a444-27fa3e2c152a', 'Provider led Postgrad', QTS, true],
  ['53a7fbda-25fd-4482-9881-5cf65053888d', 'Provider led Undergrad', QTS, true],
  ['70368ff2-8d2b-467e-ad23-efe7f79995d7', 'Registered Teacher Programme', QTS, true],
  ['d9490e58-acdc-4a38-b13e-5a5c21417737', 'School Direct Training Programme', QTS, true],
  ['12a742c3-1cd4-43b7-a2fa-1000bd4cc373', 'School Direct Training Programme Salaried', QTS, true],
  ['97e1811b-d46c-483e-aec3-4a2dd51a55fe', 'School Direct Training Programme Self Funded', QTS, true],
  ['5b7f5e90-1ca6-4529-baa0-dfba68e698b8', 'Teach First Programme', QTS, true],
  ['20f67e38-f117-4b42-bbfc-5812aa717b94', 'Undergraduate Opt In', QTS, true],
  ['11b66de5-4670-4c82-86aa-20e42df723b7', 'Early Years Teacher Degree Apprenticeship', EYTS, true],
  ['5d4c01c1-0841-4306-b49c-48ad6499fdc0', 'Teacher Degree Apprenticeship', QTS, true],
  [ROUTE_TYPE_IDS.welshR, 'Welsh Recognition', QTS, false],
  [ROUTE_TYPE_IDS.qtlsAndSetMembership, 'QTLS and SET Membership', QTS, false],
];

const ROUTE_TYPES = new Map(ROUTE_TYPE_ROWS.map(([id, name, professionalStatusType, permitted]) => [id, { id, name, professionalStatusType, permitted }]));

/** A route type by id (any case), or undefined for an id TRS does not have. */
export function routeType(id: string): RouteTypeInfo | undefined {
  return ROUTE_TYPES.get(id.toLowerCase());
}

/** `IsOverseas()`: routes recognising a qualification gained outside England (no UKPRN; a country other than GB). */
export function isOverseasRoute(id: string): boolean {
  const i = id.toLowerCase();
  return [ROUTE_TYPE_IDS.applyForQts, ROUTE_TYPE_IDS.europeanRecognition, ROUTE_TYPE_IDS.overseasTrainedTeacherRecognition, ROUTE_TYPE_IDS.niR, ROUTE_TYPE_IDS.scotlandR].includes(i as never);
}

/** `CanBeExemptFromInduction()`: routes that must say `isExemptFromInduction`. */
export function canBeExemptFromInduction(id: string): boolean {
  const i = id.toLowerCase();
  return [ROUTE_TYPE_IDS.applyForQts, ROUTE_TYPE_IDS.niR, ROUTE_TYPE_IDS.scotlandR, ROUTE_TYPE_IDS.qtlsAndSetMembership].includes(i as never);
}

/** Degree types Register sends, by id, with TRS's names. */
export const DEGREE_TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ['969c89e7-35b8-43d8-be07-17ef76c3b4bf', 'BA'],
  ['dbb7c27b-8a27-4a94-908d-4b4404acebd5', 'BA (Hons)'],
  ['b7b0635a-22c3-41e3-a420-77b9b58c51cd', 'BEd'],
  ['9b35bdfa-cbd5-44fd-a45a-6167e7559de7', 'BEd (Hons)'],
  ['35d04fbb-c19b-4cd9-8fa6-39d90883a52a', 'BSc'],
  ['9959e914-f4f4-44cd-909f-e170a0f1ac42', 'BSc (Hons)'],
  ['40a85dd0-8512-438e-8040-649d7d677d07', 'Postgraduate Certificate in Education'],
  ['63d80489-ee3d-43af-8c4a-1d6ae0d65f68', 'Postgraduate Diploma in Education'],
  ['dba69141-4101-4e05-80e0-524e3967d589', 'Undergraduate Master of Teaching'],
  ['d8e267d2-ed85-4eee-8119-45d0c6cc5f6b', 'Professional Graduate Certificate in Education'],
  ['9cf31754-5ac5-46a1-99e5-5c98cba1b881', 'Unknown'],
]);
// Every degree-type id Register sends is one TRS has.
for (const id of Object.values(TRS_DEGREE_TYPES)) if (!DEGREE_TYPE_NAMES.has(id)) throw new Error(`TRS sandbox reference data lacks degree type ${id}`);

/** Active subjects by reference: the ones Register can send, named as Register names them. */
export function defaultSubjects(): Map<string, string> {
  const subjects = new Map<string, string>();
  for (const [name, code] of Object.entries(TRS_HECOS_SUBJECT_CODES)) subjects.set(code, name);
  for (const [name, code] of Object.entries(TRS_REGISTER_SUBJECT_CODES)) subjects.set(code, name);
  return subjects;
}

/** TRS's training countries (`countries.country_id`): ISO 3166 codes plus TRS's own territories. No "XC": Register's Cyprus code is not among them. */
export const TRS_COUNTRY_IDS: ReadonlySet<string> = new Set(
  `
  AF XQZ AL DZ AD AO AI AG AR AM AU AT AZ BH BD BB BY BE BZ BJ BM BT BO BA BW BR BAT IO VG BN BG BF BI KH CM CA 
  CV KY CF TD CL CN CO KM CG CD CR HR CU CY CZ DK XXD DJ DM DO TL EC EG SV GB-ENG GQ ER EE SZ ET FK FM FJ FI FR 
  GA GE DE GH GI GR GD GT GG GN GW GY HT HN HK HU IS IN ID IR IQ IE IM IL IT CI JM JP JE JO KZ KE KI XK KW KG 
  LA LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX MD MC MN ME MS MA MZ MM NA NR NP NL NZ NI NE NG KP 
  MK GB-NIR NO OM PK PW PA PG PY PE PH PN PL PT QA RO RU RW WS SM ST SA GB-SCT SN RS SC SL SG SK SI SB SO ZA GS 
  KR SS ES LK SH KN LC VC SD SR SE CH SY TJ TZ TH BS GM TG TO TT TN TR TM TC TV UG UA AE GB US UY UZ VU VA VE 
  VN GB-WLS GB-CYM YE ZM ZW 
`.trim().split(/\s+/),
);

let countryNames: Intl.DisplayNames | undefined;
/** A country's English name, for GET person's `trainingCountry.name`. */
export function countryName(id: string): string {
  const special: Record<string, string> = { 'GB-ENG': 'England', 'GB-NIR': 'Northen Ireland', 'GB-SCT': 'Scotland', 'GB-WLS': 'Wales', 'GB-CYM': 'Wales' };
  if (special[id]) return special[id]!;
  countryNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  try {
    return countryNames.of(id) ?? id;
  } catch {
    return id;
  }
}
