import type { RegisterDb } from '../db/connect.js';
import { findTrainee } from '../db/lookup.js';
import { ROUTE_DETAILS, traineeState, trainingRoute, type TraineeState, type TrainingRoute } from '../db/enums.js';
import type { Trainee } from '../db/schema.js';
import type { DqtClient } from '../dqt/client.js';
import { DqtError, FindTeacherError } from '../dqt/error.js';
import type { DqtFindResult, DqtTeacher, DqtTraining } from '../dqt/schemas.js';

/**
 * Register and DQT side by side for one trainee: the playbook's "cross reference the trainee details on Register with
 * the trainee details on DQT". With a TRN, DQT is asked as `Dqt::RetrieveTeacher` does (GET /v2/teachers/{trn}, which
 * ignores the date of birth, so a 404 means no active teacher has that TRN); without one, as `Dqt::FindTeacher` does
 * (first word of the first names, last name, date of birth, e-mail), then by the TRN found.
 *
 * Each row says whether the two sides agree; `differences` lists the rows that do not.
 *
 * @example
 * const c = await compareWithDqt(db, dqt, '9dtVMY5hLwQWiJcKZLuG7V6y');
 * c.dqtStatus          // 'found'
 * c.differences        // [{ field: 'date of birth', register: '1995-03-14', dqt: '1995-03-04', match: false, … }]
 */
export interface ComparisonRow {
  field: string;
  register: string | null;
  dqt: string | null;
  match: boolean;
  /** Why the row matches or not, when it is not plain equality (e.g. which DQT results fit a Register state). */
  note: string | null;
}

export type DqtLookup = 'retrieve' | 'find';

/**
 * - `found`: DQT returned the teacher.
 * - `not-found`: by TRN, no active teacher has it (inactive or unknown TRN); by find, no teacher matches.
 * - `multiple`: find matched more than one teacher.
 * - `unavailable`: DQT could not be asked (server error, timeout, network, key): `dqtError` says why.
 */
export type DqtStatus = 'found' | 'not-found' | 'multiple' | 'unavailable';

export interface RegisterSide {
  trainee: Trainee;
  state: TraineeState;
  route: TrainingRoute | null;
  provider: { id: number; name: string | null; ukprn: string | null } | null;
  /** DQT's programme type for the route (what Register sends). */
  programmeType: string | null;
  /** QTS or EYTS: the award the route leads to. */
  award: 'QTS' | 'EYTS' | null;
}

export interface DqtComparison {
  register: RegisterSide;
  lookup: DqtLookup;
  dqtStatus: DqtStatus;
  /** The DQT call that failed, in Register's words (`status: 404, body: …`), when DQT did not return the teacher. */
  dqtError: string | null;
  /** GET /v2/teachers/{trn}: the teacher's record (also fetched after a find that returned one teacher). */
  teacher: DqtTeacher | null;
  /** The find result, for a trainee without a TRN. */
  found: DqtFindResult | null;
  /** The ITT row Register's `RetrieveTraining` would pick (same provider UKPRN and programme type), else the closest one. */
  itt: DqtTraining | null;
  /** How `itt` was chosen: 'provider and programme type' | 'provider only' | 'programme type only' | 'only active row' | 'none'. */
  ittMatch: string;
  rows: ComparisonRow[];
  differences: ComparisonRow[];
}

const fold = (s: string | null | undefined): string =>
  (s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();

const dateOf = (v: Date | string | null | undefined): string | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).slice(0, 10);
};

/** The DQT ITT results that fit a Register state (and whether DQT should hold the award date). */
export function expectedDqtResults(state: TraineeState, route: TrainingRoute | null): { results: string[]; awarded: boolean | null } {
  const inTraining = route === 'assessment_only' || route === 'early_years_assessment_only' ? 'UnderAssessment' : 'InTraining';
  switch (state) {
    case 'draft':
      return { results: [], awarded: false };
    case 'submitted_for_trn':
    case 'trn_received':
      return { results: [inTraining], awarded: false };
    case 'recommended_for_award':
      // The award job has not reached DQT yet.
      return { results: [inTraining], awarded: false };
    case 'deferred':
      return { results: ['Deferred'], awarded: false };
    case 'withdrawn':
      return { results: ['Withdrawn'], awarded: false };
    case 'awarded':
      return { results: ['Pass'], awarded: true };
  }
}

/** Register's side: the trainee (by slug or id), its state, route and provider. */
export async function registerSide(db: RegisterDb, slugOrTrainee: string | Trainee): Promise<RegisterSide> {
  const trainee = typeof slugOrTrainee === 'string' ? await findTrainee(db, slugOrTrainee) : slugOrTrainee;
  const provider = trainee.provider_id
    ? ((await db.selectFrom('providers').select(['id', 'name', 'ukprn']).where('id', '=', trainee.provider_id).executeTakeFirst()) ?? null)
    : null;
  const route = trainee.training_route === null ? null : trainingRoute.fromDb(trainee.training_route);
  return {
    trainee,
    state: traineeState.fromDb(trainee.state ?? 0),
    route,
    provider,
    programmeType: route ? ROUTE_DETAILS[route].programmeType : null,
    award: route ? ROUTE_DETAILS[route].award : null,
  };
}

/** Register's `RetrieveTraining`: the ITT row with the provider's UKPRN and the route's programme type; else the closest. */
export function pickIttRow(rows: readonly DqtTraining[], ukprn: string | null, programmeType: string | null): { itt: DqtTraining | null; how: string } {
  const sameProvider = (t: DqtTraining) => !!ukprn && t.provider?.ukprn === ukprn;
  const sameType = (t: DqtTraining) => !!programmeType && t.programmeType === programmeType;
  const pick = (predicate: (t: DqtTraining) => boolean) => rows.filter(predicate).sort((a, b) => Number(b.active) - Number(a.active))[0];
  const both = pick((t) => sameProvider(t) && sameType(t));
  if (both) return { itt: both, how: 'provider and programme type' };
  const provider = pick(sameProvider);
  if (provider) return { itt: provider, how: 'provider only' };
  const type = pick(sameType);
  if (type) return { itt: type, how: 'programme type only' };
  const active = rows.filter((t) => t.active);
  if (active.length === 1) return { itt: active[0]!, how: 'only active row' };
  return { itt: null, how: 'none' };
}

const row = (field: string, register: string | null, dqt: string | null, match: boolean, note: string | null = null): ComparisonRow => ({ field, register, dqt, match, note });
const same = (field: string, register: string | null | undefined, dqt: string | null | undefined, compare: (s: string | null | undefined) => string = fold) =>
  row(field, register ?? null, dqt ?? null, compare(register) === compare(dqt));

/** The comparison rows for a Register side and what DQT returned. */
export function comparisonRows(side: RegisterSide, dqt: { teacher: DqtTeacher | null; found: DqtFindResult | null; itt: DqtTraining | null; ittMatch: string }): ComparisonRow[] {
  const t = side.trainee;
  const rows: ComparisonRow[] = [];
  const person = dqt.teacher ?? dqt.found;
  if (!person) return rows;
  const trnNote = !t.trn && person.trn ? 'DQT knows this trainee with a TRN that Register has not received' : null;
  rows.push(row('TRN', t.trn, person.trn, (t.trn ?? '') === (person.trn ?? ''), trnNote));
  rows.push(same('first name', t.first_names, person.firstName));
  rows.push(same('middle names', t.middle_names, person.middleName));
  rows.push(same('last name', t.last_name, person.lastName));
  rows.push(same('date of birth', t.date_of_birth, person.dateOfBirth, (s) => dateOf(s) ?? ''));
  if (dqt.found && !dqt.teacher) {
    const emails = dqt.found.emailAddresses;
    rows.push(row('email', t.email, emails.join(', ') || null, emails.some((e) => fold(e) === fold(t.email))));
  }
  const teacher = dqt.teacher;
  if (!teacher) return rows;
  const itt = dqt.itt;
  // State vs the ITT result and the award date.
  const expected = expectedDqtResults(side.state, side.route);
  const result = itt?.result ?? null;
  const awardDate = side.award === 'EYTS' ? teacher.eytsDate : teacher.qtsDate;
  const awardName = side.award ?? 'QTS';
  rows.push(
    row(
      'state / ITT result',
      side.state,
      result,
      result !== null && expected.results.includes(result),
      expected.results.length ? `Register ${side.state} fits DQT ${expected.results.join(' or ')}` : `a ${side.state} trainee is not on DQT yet`,
    ),
  );
  const registerAward = side.state === 'awarded' ? dateOf(t.awarded_at) : null;
  rows.push(
    row(
      `${awardName} date`,
      registerAward,
      awardDate,
      expected.awarded ? !!awardDate && awardDate === registerAward : !awardDate,
      expected.awarded ? `awarded on Register: DQT must hold the same ${awardName} date` : `not awarded on Register: DQT should hold no ${awardName} date`,
    ),
  );
  if (side.award === 'QTS' && teacher.eytsDate) rows.push(row('EYTS date', null, teacher.eytsDate, false, 'DQT holds an EYTS date on a QTS route'));
  if (side.award === 'EYTS' && teacher.qtsDate) rows.push(row('QTS date', null, teacher.qtsDate, false, 'DQT holds a QTS date on an EYTS route'));
  rows.push(
    row('provider UKPRN', side.provider?.ukprn ?? null, itt?.provider?.ukprn ?? null, !!itt && (itt.provider?.ukprn ?? null) === (side.provider?.ukprn ?? null), itt ? `ITT row chosen by ${dqt.ittMatch}` : 'DQT has no ITT row for this trainee'),
  );
  rows.push(row('programme type', side.programmeType, itt?.programmeType ?? null, !!itt && itt.programmeType === side.programmeType));
  rows.push(row('ITT row active', itt ? 'true' : null, itt ? String(itt.active) : null, !!itt && itt.active, 'an inactive ITT row is ignored by DQT updates and awards'));
  return rows;
}

/**
 * Register's fields against DQT's record of the trainee, each difference flagged. Never throws for DQT's answer:
 * a teacher DQT does not have, or a DQT that cannot be reached, is a status (`dqtStatus`, `dqtError`).
 */
export async function compareWithDqt(db: RegisterDb, dqt: DqtClient, slug: string | Trainee): Promise<DqtComparison> {
  const register = await registerSide(db, slug);
  const t = register.trainee;
  let teacher: DqtTeacher | null = null;
  let found: DqtFindResult | null = null;
  let dqtStatus: DqtStatus = 'found';
  let dqtError: string | null = null;
  const lookup: DqtLookup = t.trn ? 'retrieve' : 'find';
  const failed = (error: unknown) => {
    if (error instanceof FindTeacherError) {
      dqtStatus = error.message.startsWith('Multiple') ? 'multiple' : 'not-found';
      dqtError = error.message;
    } else if (error instanceof DqtError) {
      dqtStatus = error.status === 404 ? 'not-found' : 'unavailable';
      dqtError = error.message;
    } else throw error;
  };
  if (t.trn) {
    try {
      teacher = await dqt.retrieveTeacher(t);
    } catch (error) {
      failed(error);
    }
  } else {
    try {
      found = await dqt.findTeacher(t);
      try {
        teacher = await dqt.getTeacher(found.trn, t.date_of_birth);
      } catch (error) {
        if (!(error instanceof DqtError)) throw error;
      }
    } catch (error) {
      failed(error);
    }
  }
  const { itt, how } = teacher ? pickIttRow(teacher.initialTeacherTraining, register.provider?.ukprn ?? null, register.programmeType) : { itt: null, how: 'none' };
  const rows = comparisonRows(register, { teacher, found, itt, ittMatch: how });
  return { register, lookup, dqtStatus, dqtError, teacher, found, itt, ittMatch: how, rows, differences: rows.filter((r) => !r.match) };
}

/** The differences as lines for a message: `- date of birth: Register 1995-03-14, DQT 1995-03-04`. */
export function differenceLines(rows: readonly ComparisonRow[]): string[] {
  return rows.map((r) => `- ${r.field}: Register ${r.register ?? '(none)'}, DQT ${r.dqt ?? '(none)'}`);
}
