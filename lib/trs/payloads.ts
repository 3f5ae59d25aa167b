import {
  TRS_COUNTRY_CODE_EXCEPTIONS,
  TRS_DEGREE_TYPES,
  TRS_GENDER_CODES,
  TRS_ROUTE_TYPES,
  TRS_TERRITORY_FALLBACK,
  trsSubjectReference,
  trsTrainingStatus,
  type TrsGender,
  type TrsRegisterRoute,
  type TrsRegisterSex,
  type TrsRegisterState,
  type TrsRouteStatus,
} from './codes.js';

/**
 * The request bodies Register sends TRS, built as `app/lib/trs/params/*.rb` build them at HEAD, from a small
 * typed trainee (`TrsTraineeInput`: Register's column values by name, dates as "yyyy-MM-dd"). Key order and
 * the dropping of nulls are Register's, so `JSON.stringify` gives Register's bytes.
 *
 * Where Register's Ruby would raise (a trainee with no date of birth or no sex; an end date to estimate with no
 * start date), these functions throw `RegisterWouldRaiseError` naming the field, rather than inventing a value.
 *
 * @example
 * const body = trsProfessionalStatusBody(trainee);   // PUT /v3/persons/{trn}/routes-to-professional-statuses/{slug}
 * body.routeToProfessionalStatusTypeId               // '97497716-...' for provider_led_postgrad
 */
export interface TrsTraineeInput {
  firstNames: string | null;
  middleNames: string | null;
  lastName: string | null;
  /** "yyyy-MM-dd" */
  dateOfBirth: string | null;
  email: string | null;
  sex: TrsRegisterSex | null;
  state: TrsRegisterState;
  /** Register's `training_route` (a name such as `provider_led_postgrad`). */
  trainingRoute: TrsRegisterRoute | string | null;
  ittStartDate: string | null;
  traineeStartDate: string | null;
  ittEndDate: string | null;
  studyMode: 'full_time' | 'part_time' | null;
  courseSubjectOne: string | null;
  courseSubjectTwo: string | null;
  courseSubjectThree: string | null;
  courseMinAge: number | null;
  courseMaxAge: number | null;
  /** Register's `iqts_country` (a country or territory name), read only on the iqts route. */
  iqtsCountry: string | null;
  /** The provider's UKPRN (`trainee.provider.ukprn`). */
  providerUkprn: string | null;
  /** HESA `itt_qualification_aim` (from `hesa_metadatum`, else `hesa_trainee_detail`), e.g. "BA (Hons)". */
  ittQualificationAim: string | null;
  /** "yyyy-MM-dd" (Register's `outcome_date`). */
  outcomeDate: string | null;
}

/** Register's Ruby would raise here (NoMethodError on nil); the message names the field. */
export class RegisterWouldRaiseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegisterWouldRaiseError';
  }
}

const blank = (v: string | null | undefined): boolean => v === null || v === undefined || v.trim() === '';

function gender(input: TrsTraineeInput): TrsGender {
  if (!input.sex) throw new RegisterWouldRaiseError('Register cannot build this payload: sex is nil (`trainee.sex.to_sym` raises NoMethodError).');
  return TRS_GENDER_CODES[input.sex];
}

function dateOfBirth(input: TrsTraineeInput): string {
  if (!input.dateOfBirth) throw new RegisterWouldRaiseError('Register cannot build this payload: date_of_birth is nil (`date_of_birth.iso8601` raises NoMethodError).');
  return input.dateOfBirth;
}

/** `Trs::Params::TrnRequest`: the body of POST /v3/trn-requests/. */
export function trsTrnRequestBody(input: TrsTraineeInput, requestId: string) {
  return {
    requestId,
    person: {
      firstName: input.firstNames,
      middleName: input.middleNames,
      lastName: input.lastName,
      dateOfBirth: dateOfBirth(input),
      emailAddresses: [input.email],
      nationalInsuranceNumber: null,
      gender: gender(input),
    },
    identityVerified: false,
    oneLoginUserSubject: null,
  };
}

/**
 * `Trs::Params::PersonalData`: the body of PUT /v3/persons/{trn}. Register sends `emailAddresses` (a list) but
 * TRS's request (version 20250425, which serves 20250627) reads `emailAddress`, so TRS sets the e-mail to null
 * (`SetPii.cs`: the handler writes every field it was given, the missing e-mail as null).
 */
export function trsPersonalDataBody(input: TrsTraineeInput) {
  return {
    firstName: input.firstNames,
    middleName: input.middleNames,
    lastName: input.lastName,
    dateOfBirth: dateOfBirth(input),
    emailAddresses: [input.email],
    gender: gender(input),
  };
}

/** Ruby's `Date + n.months`: the same day n months on, or the last day of that month when it is shorter. */
function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** `Trainee#estimated_end_date`: start (trainee_start_date, else itt_start_date) plus 70/34/22/10 months by route and study mode. */
export function trsEstimatedEndDate(input: Pick<TrsTraineeInput, 'traineeStartDate' | 'ittStartDate' | 'trainingRoute' | 'studyMode'>): string {
  const start = input.traineeStartDate ?? input.ittStartDate;
  if (!start) throw new RegisterWouldRaiseError('Register cannot estimate the training end date: no itt_end_date and no start date (`nil + 10.months` raises NoMethodError).');
  const route = input.trainingRoute;
  const partTime = input.studyMode === 'part_time';
  const months =
    route === 'provider_led_undergrad' && partTime ? 70 : route === 'provider_led_undergrad' && input.studyMode === 'full_time' ? 34 : route === 'opt_in_undergrad' || partTime ? 22 : 10;
  return addMonths(start, months);
}

/** `trainingSubjectReferences`: [] without a first subject; otherwise each present subject's reference (null when Register has no code). */
export function trsSubjectReferences(input: Pick<TrsTraineeInput, 'courseSubjectOne' | 'courseSubjectTwo' | 'courseSubjectThree'>): (string | null)[] {
  if (blank(input.courseSubjectOne)) return [];
  return [input.courseSubjectOne, input.courseSubjectTwo, input.courseSubjectThree].filter((s): s is string => !blank(s)).map(trsSubjectReference);
}

/** `trainingAgeSpecialism`: a Range from the course's ages when both are set, else null (and then left out). */
export function trsAgeSpecialism(input: Pick<TrsTraineeInput, 'courseMinAge' | 'courseMaxAge'>): { type: 'Range'; from: number; to: number } | null {
  if (input.courseMinAge === null || input.courseMaxAge === null) return null;
  return { type: 'Range', from: input.courseMinAge, to: input.courseMaxAge };
}

/** Codes ICU names that are not current ISO 3166-1 countries (withdrawn, reserved or groupings): never a country's code. */
const NOT_COUNTRY_CODES = new Set(['AC', 'AN', 'BU', 'CP', 'CQ', 'CS', 'DD', 'DG', 'DY', 'EA', 'EU', 'EZ', 'FX', 'HV', 'IC', 'NH', 'QO', 'RH', 'SU', 'TA', 'TP', 'UK', 'UN', 'VD', 'XA', 'XB', 'YD', 'YU', 'ZR', 'ZZ']);

let regionNames: Map<string, string> | undefined;
/** English country names → ISO 3166 alpha-2, from the ICU data Node carries. */
function regionCodeByName(name: string): string | null {
  if (!regionNames) {
    regionNames = new Map();
    const display = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (let a = 65; a < 91; a++) {
      for (let b = 65; b < 91; b++) {
        const code = String.fromCharCode(a, b);
        const label = display.of(code);
        if (label && !NOT_COUNTRY_CODES.has(code)) regionNames.set(label.toLowerCase(), code);
      }
    }
  }
  return regionNames.get(name.trim().toLowerCase()) ?? null;
}

/**
 * `trainingCountryReference`: "GB" unless the trainee is on iqts with a country; then the territory fallback, else
 * the country's code, with any territory suffix cut and Cyprus sent as "XC"; null when the name is not found (and
 * then left out of the body, which TRS refuses for iqts).
 *
 * Register looks names up in DfE reference data (then HESA's country list); this toolkit uses the English names
 * Node's ICU data gives, which agree for countries but may miss a name the reference data spells differently.
 */
export function trsCountryReference(input: Pick<TrsTraineeInput, 'trainingRoute' | 'iqtsCountry'>): string | null {
  if (input.trainingRoute !== 'iqts' || blank(input.iqtsCountry)) return 'GB';
  const country = input.iqtsCountry!;
  if (TRS_TERRITORY_FALLBACK[country]) return TRS_TERRITORY_FALLBACK[country]!;
  const found = regionCodeByName(country);
  if (!found) return null;
  const code = found.replace(/-\w+$/, '');
  return TRS_COUNTRY_CODE_EXCEPTIONS[code] ?? code;
}

/** `degreeTypeId`: from the HESA ITT qualification aim; null when there is none or Register has no id for it. */
export function trsDegreeTypeId(input: Pick<TrsTraineeInput, 'ittQualificationAim'>): string | null {
  if (blank(input.ittQualificationAim)) return null;
  return TRS_DEGREE_TYPES[input.ittQualificationAim!] ?? null;
}

/** The route's `routeToProfessionalStatusTypeId` (null for a route Register has no id for). */
export function trsRouteTypeId(route: string | null): string | null {
  return route ? (TRS_ROUTE_TYPES as Record<string, string>)[route] ?? null : null;
}

export interface TrsProfessionalStatusBody {
  routeToProfessionalStatusTypeId?: string;
  status?: TrsRouteStatus;
  holdsFrom?: string;
  trainingStartDate?: string;
  trainingEndDate?: string;
  trainingSubjectReferences: (string | null)[];
  trainingAgeSpecialism?: { type: 'Range'; from: number; to: number };
  trainingCountryReference?: string;
  trainingProviderUkprn?: string;
  degreeTypeId?: string;
}

/**
 * `Trs::Params::ProfessionalStatus`: the body of PUT /v3/persons/{trn}/routes-to-professional-statuses/{slug}.
 * Every null is dropped (Ruby's `compact`), so a draft trainee's body has no `status`, and a provider without a
 * UKPRN sends no `trainingProviderUkprn`. `holdsFrom` is the outcome date for recommended-for-award and awarded
 * trainees; `isExemptFromInduction` is always null and so never sent.
 */
export function trsProfessionalStatusBody(input: TrsTraineeInput): TrsProfessionalStatusBody {
  const holds = input.state === 'recommended_for_award' || input.state === 'awarded';
  const body: Record<string, unknown> = {
    routeToProfessionalStatusTypeId: trsRouteTypeId(input.trainingRoute),
    status: trsTrainingStatus(input.state, input.trainingRoute),
    holdsFrom: holds ? input.outcomeDate : null,
    trainingStartDate: input.ittStartDate ?? input.traineeStartDate,
    trainingEndDate: input.ittEndDate ?? trsEstimatedEndDate(input),
    trainingSubjectReferences: trsSubjectReferences(input),
    trainingAgeSpecialism: trsAgeSpecialism(input),
    trainingCountryReference: trsCountryReference(input),
    trainingProviderUkprn: input.providerUkprn,
    degreeTypeId: trsDegreeTypeId(input),
    isExemptFromInduction: null,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined)) as unknown as TrsProfessionalStatusBody;
}
