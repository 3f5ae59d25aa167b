/**
 * Register's TRS code sets at HEAD (`app/lib/code_sets/trs.rb`, `app/lib/trs/params/professional_status.rb`,
 * the HESA course-subject mapping it reads): what Register sends TRS for a route, a state, a sex, a degree
 * type, a subject and an IQTS country. Names and values are Register's; the functions are plain lookups.
 *
 * @example
 * TRS_ROUTE_TYPES.provider_led_postgrad       // '97497716-5ac5-49aa-a444-27fa3e2c152a'
 * trsTrainingStatus('trn_received', 'assessment_only') // 'UnderAssessment'
 * trsSubjectReference('Physical education')    // '999002'
 */

/** Register's training routes (`TRAINING_ROUTE_ENUMS`), plus `teach_first`, which only the TRS mapping still names. */
export type TrsRegisterRoute =
  | 'assessment_only' | 'early_years_assessment_only' | 'early_years_postgrad' | 'early_years_salaried' | 'early_years_undergrad'
  | 'hpitt_postgrad' | 'iqts' | 'opt_in_undergrad' | 'pg_teaching_apprenticeship' | 'provider_led_postgrad' | 'provider_led_undergrad'
  | 'school_direct_salaried' | 'school_direct_tuition_fee' | 'teach_first' | 'teacher_degree_apprenticeship';

/** `CodeSets::Trs::ROUTE_TYPES`: Register's route → TRS `routeToProfessionalStatusTypeId`, as Register spells each id. */
export const TRS_ROUTE_TYPES: Readonly<Record<TrsRegisterRoute, string>> = {
  assessment_only: '57b86cef-98e2-4962-a74a-d47c7a34b838',
  early_years_assessment_only: 'd9eef3f8-fde6-4a3f-a361-f6655a42fa1e',
  early_years_postgrad: 'dbc4125b-9235-41e4-abd2-baabbf63f829',
  early_years_salaried: '4477e45d-c531-4c63-9f4b-e157766366fb',
  early_years_undergrad: 'c97c0fd2-fd84-4949-97c7-b0e2422fb3c8',
  hpitt_postgrad: 'bfef20b2-5ac4-486d-9493-e5a4538e1be9',
  iqts: 'd0b60864-ab1c-4d49-a5c2-ff4bd9872ee1',
  opt_in_undergrad: '20f67e38-f117-4b42-bbfc-5812aa717b94',
  pg_teaching_apprenticeship: '6987240e-966e-485f-b300-23b54937fb3a',
  provider_led_postgrad: '97497716-5ac5-49aa-a444-27fa3e2c152a',
  provider_led_undergrad: '53a7fbda-25fd-4482-9881-5cf65053888d',
  school_direct_salaried: '12a742c3-1cd4-43b7-a2fa-1000bd4cc373',
  school_direct_tuition_fee: 'd9490e58-acdc-4a38-b13e-5a5c21417737',
  teach_first: '5b7f5e90-1ca6-4529-baa0-dfba68e698b8',
  // Register writes this one in upper case; TRS parses ids case-insensitively.
  teacher_degree_apprenticeship: '5D4C01C1-0841-4306-B49C-48AD6499FDC0',
};

/** `CodeSets::Trs::DEGREE_TYPES`: HESA ITT qualification aim → TRS `degreeTypeId` ("Unknown" shares the masters id). */
export const TRS_DEGREE_TYPES: Readonly<Record<string, string>> = {
  BA: '969c89e7-35b8-43d8-be07-17ef76c3b4bf',
  'BA (Hons)': 'dbb7c27b-8a27-4a94-908d-4b4404acebd5',
  BEd: 'b7b0635a-22c3-41e3-a420-77b9b58c51cd',
  'BEd (Hons)': '9b35bdfa-cbd5-44fd-a45a-6167e7559de7',
  BSc: '35d04fbb-c19b-4cd9-8fa6-39d90883a52a',
  'BSc (Hons)': '9959e914-f4f4-44cd-909f-e170a0f1ac42',
  'Postgraduate Certificate in Education': '40a85dd0-8512-438e-8040-649d7d677d07',
  'Postgraduate Diploma in Education': '63d80489-ee3d-43af-8c4a-1d6ae0d65f68',
  'Undergraduate Master of Teaching': 'dba69141-4101-4e05-80e0-524e3967d589',
  'Professional Graduate Certificate in Education': 'd8e267d2-ed85-4eee-8119-45d0c6cc5f6b',
  'Masters, not by research': '9cf31754-5ac5-46a1-99e5-5c98cba1b881',
  Unknown: '9cf31754-5ac5-46a1-99e5-5c98cba1b881',
};

export type TrsRegisterSex = 'male' | 'female' | 'other' | 'prefer_not_to_say' | 'sex_not_provided';
export type TrsGender = 'Male' | 'Female' | 'Other';

/** `CodeSets::Trs::GENDER_CODES`: every sex that is not male or female is sent as "Other". */
export const TRS_GENDER_CODES: Readonly<Record<TrsRegisterSex, TrsGender>> = {
  male: 'Male',
  female: 'Female',
  other: 'Other',
  prefer_not_to_say: 'Other',
  sex_not_provided: 'Other',
};

/** The statuses of a route to professional status on the wire (TRS `RouteToProfessionalStatusStatus`, version 20250627). */
export const TRS_ROUTE_STATUSES = ['InTraining', 'Holds', 'Deferred', 'DeferredForSkillsTest', 'Failed', 'Withdrawn', 'UnderAssessment'] as const;
export type TrsRouteStatus = (typeof TRS_ROUTE_STATUSES)[number];

/** Register's trainee states (`trainees.state`). */
export type TrsRegisterState = 'draft' | 'submitted_for_trn' | 'trn_received' | 'recommended_for_award' | 'withdrawn' | 'deferred' | 'awarded';

/**
 * `CodeSets::Trs.training_status(state, route)`: withdrawn → Withdrawn, deferred → Deferred, awarded and
 * recommended_for_award → Holds, submitted_for_trn and trn_received → InTraining (UnderAssessment on
 * assessment_only, and only there: early-years assessment only is InTraining). Null for draft, which Register then
 * leaves out of the payload.
 */
export function trsTrainingStatus(state: TrsRegisterState, route: string | null): TrsRouteStatus | null {
  switch (state) {
    case 'withdrawn':
      return 'Withdrawn';
    case 'deferred':
      return 'Deferred';
    case 'awarded':
    case 'recommended_for_award':
      return 'Holds';
    case 'trn_received':
    case 'submitted_for_trn':
      return route === 'assessment_only' ? 'UnderAssessment' : 'InTraining';
    default:
      return null;
  }
}

/** `CodeSets::Trs.valid_for_update?`: Register sends no updates for withdrawn or awarded trainees. */
export function trsValidForUpdate(state: TrsRegisterState): boolean {
  return state !== 'withdrawn' && state !== 'awarded';
}

/** Register's own three subject codes, agreed with TRS because HESA does not code them (exact, case-sensitive names). */
export const TRS_REGISTER_SUBJECT_CODES: Readonly<Record<string, string>> = {
  Citizenship: '999001',
  'Physical education': '999002',
  'Design and technology': '999003',
};

/**
 * `Hesa::CodeSets::CourseSubjects::MAPPING` inverted: Register's course-subject name → HECoS code. Names are
 * matched exactly, as Ruby's hash lookup does; "science" is a Register subject with no code here.
 */
export const TRS_HECOS_SUBJECT_CODES: Readonly<Record<string, string>> = {
  "Ancient Hebrew": '101117',
  "applied biology": '100343',
  "applied chemistry": '101038',
  "applied computing": '100358',
  "applied physics": '101060',
  "Arabic languages": '101192',
  biology: '100346',
  "business and management": '100078',
  "business studies": '100079',
  chemistry: '100417',
  "child development": '100456',
  "Chinese languages": '101165',
  "classical Greek studies": '101126',
  "classical studies": '100300',
  "computer science": '100366',
  "construction and the built environment": '100150',
  "art and design": '101361',
  dance: '100068',
  design: '100048',
  drama: '100069',
  "early years teaching": '100510',
  economics: '100450',
  "English as a second or other language": '101109',
  "English studies": '100320',
  "environmental sciences": '100381',
  "food and beverage studies": '101017',
  "French language": '100321',
  "general or integrated engineering": '100184',
  "general science": '100390',
  geography: '100409',
  "German language": '100323',
  "graphic design": '100061',
  "hair and beauty sciences": '101373',
  "health and social care": '100476',
  "health studies": '100473',
  "historical linguistics": '101410',
  history: '100302',
  hospitality: '100891',
  "information technology": '100372',
  "Italian language": '100326',
  "Latin language": '101420',
  law: '100485',
  "manufacturing engineering": '100202',
  "materials science": '100225',
  mathematics: '100403',
  "media and communication studies": '100444',
  "modern languages": '100329',
  "music education and teaching": '100642',
  "performing arts": '100071',
  philosophy: '100337',
  physics: '100425',
  "Portuguese language": '101142',
  "primary teaching": '100511',
  "product design": '100050',
  "production and manufacturing engineering": '100209',
  psychology: '100497',
  "public services": '100091',
  "recreation and leisure studies": '100893',
  "religious studies": '100339',
  "retail management": '100092',
  "Russian languages": '100330',
  "social sciences": '100471',
  "Spanish language": '100332',
  "sport and exercise sciences": '100433',
  "sports management": '100097',
  statistics: '100406',
  "textiles technology": '100214',
  "travel and tourism": '100101',
  "UK government/parliamentary studies": '100610',
  "Welsh language": '100333',
  "Japanese language": '101169',
  "teaching English as a foreign language": '100513',
};

/**
 * The subject reference Register sends for a course subject: its own code for citizenship, PE and D&T, else the
 * HECoS code, else null (Register then sends `null` inside the array, which TRS refuses with 10045).
 */
export function trsSubjectReference(subject: string): string | null {
  return TRS_REGISTER_SUBJECT_CODES[subject] ?? TRS_HECOS_SUBJECT_CODES[subject] ?? null;
}

/** `TERRITORY_FALLBACK_MAPPING`: territories no longer in the reference data gem → the country code Register sends. */
export const TRS_TERRITORY_FALLBACK: Readonly<Record<string, string>> = {
  Ajman: 'AE', 'Abu Dhabi': 'AE', Dubai: 'AE', Fujairah: 'AE', 'Ras al-Khaimah': 'AE', Sharjah: 'AE', 'Umm al-Quwain': 'AE',
  Bonaire: 'NL', Saba: 'NL', 'Sint Eustatius': 'NL',
  Ceuta: 'ES', Melilla: 'ES',
  Ascension: 'GB', 'Saint Helena': 'GB', 'Tristan da Cunha': 'GB',
  'Johnston Atoll': 'US', 'Midway Islands': 'US', 'Navassa Island': 'US', 'Wake Island': 'US', 'Baker Island': 'US',
  'Howland Island': 'US', 'Jarvis Island': 'US', 'Kingman Reef': 'US', 'Palmyra Atoll': 'US',
  Taiwan: 'CN',
};

/** `COUNTRY_CODE_EXCEPTIONS`: Register sends Cyprus as "XC" ("to match TRS"; TRS's own country list has "CY", not "XC"). */
export const TRS_COUNTRY_CODE_EXCEPTIONS: Readonly<Record<string, string>> = { CY: 'XC' };
