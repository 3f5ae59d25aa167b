import type { RegisterDb } from '../db/connect.js';
import type { Trainee } from '../db/schema.js';
import { timestampToDate } from '../db/timestamp.js';
import type { TrsClient } from '../trs/client.js';
import { TRS_ROUTE_TYPES, trsTrainingStatus, type TrsRegisterRoute, type TrsRegisterState, type TrsRouteStatus } from '../trs/codes.js';
import { TrsError } from '../trs/error.js';
import type { TrsPerson, TrsRoute } from '../trs/schemas.js';
import { registerSide, type ComparisonRow, type RegisterSide } from './compare.js';

/**
 * Register and TRS side by side for one trainee (Register since 2025 talks to the Teaching Record System API v3): the
 * playbook's "cross reference the trainee details on Register with the trainee details on DQT", today. TRS is asked
 * as `Trs::RetrieveTeacher` does (GET /v3/persons/{trn}), with the routes to professional status included, and the
 * route Register sends for this trainee is picked as Register would match it: same route type and training provider
 * UKPRN (else the closest).
 *
 * @example
 * const c = await compareWithTrs(db, trs, '9dtVMY5hLwQWiJcKZLuG7V6y');
 * c.trsStatus          // 'found'
 * c.differences        // [{ field: 'state / route status', register: 'awarded', trs: 'Withdrawn', match: false, … }]
 */
export interface TrsComparison {
  register: RegisterSide;
  /**
   * - `found`: TRS returned the person.
   * - `no-trn`: Register has no TRN yet, so there is nothing to look up (the TRN request says where it stands).
   * - `not-found`: no person has this TRN (10001).
   * - `deactivated` (10058) or `merged` (10059): the TRN's record is not active; `mergedInto` when TRS says which.
   * - `unavailable`: TRS could not be asked (server error, timeout, network, key): `trsError` says why.
   */
  trsStatus: 'found' | 'no-trn' | 'not-found' | 'deactivated' | 'merged' | 'unavailable';
  trsError: string | null;
  /** TRS's error code when it refused the lookup. */
  trsErrorCode: number | null;
  person: TrsPerson | null;
  /** The route to professional status that is Register's for this trainee, as Register matches it. */
  route: TrsRoute | null;
  /** How `route` was chosen: 'route type and provider' | 'route type only' | 'provider only' | 'only route' | 'none'. */
  routeMatch: string;
  /** TRS's route type id for the trainee's Register route (what Register sends). */
  routeTypeId: string | null;
  /** The route status Register sends for the trainee's state (`CodeSets::Trs.training_status`). */
  expectedStatus: TrsRouteStatus | null;
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

/** Register's route among the person's routes: same route type and training provider, else the closest. */
export function pickTrsRoute(routes: readonly TrsRoute[], routeTypeId: string | null, ukprn: string | null): { route: TrsRoute | null; how: string } {
  const sameType = (r: TrsRoute) => !!routeTypeId && r.routeToProfessionalStatusType.routeToProfessionalStatusTypeId.toLowerCase() === routeTypeId.toLowerCase();
  const sameProvider = (r: TrsRoute) => !!ukprn && r.trainingProvider?.ukprn === ukprn;
  const both = routes.find((r) => sameType(r) && sameProvider(r));
  if (both) return { route: both, how: 'route type and provider' };
  const type = routes.find(sameType);
  if (type) return { route: type, how: 'route type only' };
  const provider = routes.find(sameProvider);
  if (provider) return { route: provider, how: 'provider only' };
  if (routes.length === 1) return { route: routes[0]!, how: 'only route' };
  return { route: null, how: 'none' };
}

const row = (field: string, register: string | null, trs: string | null, match: boolean, note: string | null = null): ComparisonRow => ({ field, register, dqt: trs, match, note });
const same = (field: string, register: string | null | undefined, trs: string | null | undefined) => row(field, register ?? null, trs ?? null, fold(register) === fold(trs));
const dateOf = (v: string | null | undefined): string | null => (v ? (v.length > 10 ? timestampToDate(v).toISOString().slice(0, 10) : v) : null);

/** The comparison rows for a Register side and what TRS returned. */
export function trsComparisonRows(side: RegisterSide, person: TrsPerson | null, route: TrsRoute | null, how: string, expectedStatus: TrsRouteStatus | null): ComparisonRow[] {
  const t = side.trainee;
  if (!person) return [];
  const rows: ComparisonRow[] = [
    row('TRN', t.trn, person.trn, (t.trn ?? '') === person.trn),
    same('first name', t.first_names, person.firstName),
    same('middle names', t.middle_names, person.middleName),
    same('last name', t.last_name, person.lastName),
    row('date of birth', t.date_of_birth, person.dateOfBirth, t.date_of_birth === person.dateOfBirth),
    row('email', t.email, person.emailAddress, fold(t.email) === fold(person.emailAddress), 'TRS keeps one e-mail address; Register sends it as emailAddresses, which TRS does not read'),
  ];
  const status = route?.status ?? null;
  rows.push(
    row(
      'state / route status',
      side.state,
      status,
      expectedStatus === null ? status === null : status === expectedStatus,
      expectedStatus ? `Register sends ${expectedStatus} for ${side.state}` : `a ${side.state} trainee is not sent to TRS`,
    ),
  );
  const award = side.award === 'EYTS' ? person.eyts : person.qts;
  const awardName = side.award ?? 'QTS';
  const registerAward = side.state === 'awarded' ? dateOf(t.awarded_at) : null;
  const awardedOnRegister = side.state === 'awarded';
  rows.push(
    row(
      `${awardName} date`,
      registerAward,
      award?.holdsFrom ?? null,
      awardedOnRegister ? !!award && award.holdsFrom === registerAward : !route || route.status !== 'Holds',
      awardedOnRegister ? `awarded on Register: TRS must hold ${awardName} from the same date` : `not awarded on Register: this route should not hold ${awardName} on TRS`,
    ),
  );
  rows.push(
    row(
      'training provider UKPRN',
      side.provider?.ukprn ?? null,
      route?.trainingProvider?.ukprn ?? null,
      !!route && (route.trainingProvider?.ukprn ?? null) === (side.provider?.ukprn ?? null),
      route ? `route chosen by ${how}` : 'TRS has no route for this trainee',
    ),
  );
  rows.push(row('route type', side.route, route?.routeToProfessionalStatusType.name ?? null, !!route && how.startsWith('route type'), null));
  return rows;
}

/**
 * Register's fields against TRS's record of the trainee, each difference flagged. Never throws for TRS's answer: a
 * person TRS does not have, or a TRS that cannot be reached, is a status (`trsStatus`, `trsError`).
 */
export async function compareWithTrs(db: RegisterDb, trs: TrsClient, slug: string | Trainee): Promise<TrsComparison> {
  const register = await registerSide(db, slug);
  const t = register.trainee;
  const routeTypeId = register.route ? (TRS_ROUTE_TYPES[register.route as TrsRegisterRoute] ?? null) : null;
  const expectedStatus = trsTrainingStatus(register.state as TrsRegisterState, register.route);
  const base = { register, routeTypeId, expectedStatus, route: null, routeMatch: 'none', rows: [] as ComparisonRow[], differences: [] as ComparisonRow[] };
  if (!t.trn) return { ...base, trsStatus: 'no-trn', trsError: null, trsErrorCode: null, person: null };
  let person: TrsPerson;
  try {
    person = await trs.getPerson(t.trn, { include: ['RoutesToProfessionalStatuses'] });
  } catch (error) {
    if (!(error instanceof TrsError)) throw error;
    const code = error.errorCode ?? null;
    const trsStatus = code === 10001 ? 'not-found' : code === 10058 ? 'deactivated' : code === 10059 ? 'merged' : error.status === 404 ? 'not-found' : 'unavailable';
    return { ...base, trsStatus, trsError: error.message, trsErrorCode: code, person: null };
  }
  const { route, how } = pickTrsRoute(person.routesToProfessionalStatuses ?? [], routeTypeId, register.provider?.ukprn ?? null);
  const rows = trsComparisonRows(register, person, route, how, expectedStatus);
  return { ...base, trsStatus: 'found', trsError: null, trsErrorCode: null, person, route, routeMatch: how, rows, differences: rows.filter((r) => !r.match) };
}
