import type { RegisterDb } from '../db/connect.js';
import { ENUM_COLUMNS, traineeState, trainingRoute, trnRequestState, sex, studyMode } from '../db/enums.js';
import { findTrainee } from '../db/lookup.js';
import { fullName } from './lookup.js';
import { registerFeatures } from '../db/versions/detect.js';
import { withdrawalsOf } from './withdrawal.js';
import { latestTrnRequest } from './trn-request.js';
import type { Trainee } from '../db/schema.js';
import type { TimestampText } from '../db/timestamp.js';
import { tableOfModel } from '../plan/audit.js';
import { showHtml, showTable } from '../notebook/display.js';
import { escapeHtml, formatCell } from '../tables/format.js';
import { htmlTable } from '../tables/html.js';
import { textTable } from '../tables/text.js';

/** One change of one field in an audit, with enum integers decoded to names. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** One audit row of the trainee or of a record associated with it, as Register's timeline shows it. */
export interface TimelineEvent {
  /** When the audit was written (`TimestampText`). */
  at: TimestampText | null;
  /** e.g. `Trainee`, `TraineeWithdrawal #101`, `Placement #7`. */
  record: string;
  action: string;
  changes: FieldChange[];
  comment: string | null;
  by: string | null;
  version: number | null;
  requestUuid: string | null;
}

export interface TraineeTimeline {
  trainee: Trainee;
  /** The trainee's main fields with enums as names, in reading order. */
  summary: Record<string, unknown>;
  provider: { id: number; name: string; code: string | null; ukprn: string | null; accredited: boolean } | null;
  leadPartner: { id: number; name: string | null; record_type: string; urn: string | null; ukprn: string | null } | null;
  employingSchool: { id: number; name: string; urn: string } | null;
  /** `id` is null in the DQT era, when the withdrawal is kept on the trainee. */
  currentWithdrawal: { id: number | null; date: string | null; trigger: string | null; future_interest: string | null; reasons: string[]; created_at: TimestampText | null } | null;
  /** Which Register this is (the features the timeline was read with). */
  register: { label: string; partnerNoun: string; trnRequestTable: string };
  trnRequest: { id: number; request_id: string; state: string | null; created_at: TimestampText; days_waiting: number; response: unknown } | null;
  /** Newest first. */
  events: TimelineEvent[];
}

/** Decodes an audit's `audited_changes` into field changes, enum integers shown as names. */
export function decodeAuditedChanges(auditableType: string | null, action: string | null, changes: unknown): FieldChange[] {
  if (!changes || typeof changes !== 'object') return [];
  const enums = ENUM_COLUMNS[tableOfModel(auditableType ?? '') ?? ''] ?? {};
  const decode = (field: string, value: unknown) => {
    const e = enums[field];
    if (e && typeof value === 'number') {
      try {
        return e.fromDb(value);
      } catch {
        return value;
      }
    }
    return value;
  };
  return Object.entries(changes as Record<string, unknown>).map(([field, value]) => {
    if (action === 'update' && Array.isArray(value) && value.length === 2) return { field, before: decode(field, value[0]), after: decode(field, value[1]) };
    if (action === 'destroy') return { field, before: decode(field, value), after: null };
    return { field, before: null, after: decode(field, value) };
  });
}

/**
 * Everything an investigation starts from: the trainee's state, route, TRN and dates, provider, lead partner,
 * employing school, current withdrawal, DQT TRN request, and the audit timeline of the trainee and its associated
 * records (newest first, enums decoded).
 *
 * @example
 * const timeline = await traineeTimeline(db, slug);
 * showTraineeTimeline(timeline);
 */
export async function traineeTimeline(db: RegisterDb, slug: string): Promise<TraineeTimeline> {
  const trainee = await findTrainee(db, slug);
  const register = await registerFeatures(db);
  const partnerId = trainee[register.partners.column];
  const [provider, leadPartner, employingSchool, withdrawals, trnRequest] = await Promise.all([
    db.selectFrom('providers').select(['id', 'name', 'code', 'ukprn', 'accredited']).where('id', '=', trainee.provider_id).executeTakeFirst(),
    partnerId
      ? db.selectFrom(register.partners.table as 'lead_partners').select(['id', 'name', 'record_type', 'urn', 'ukprn']).where('id', '=', partnerId).executeTakeFirst()
      : undefined,
    trainee.employing_school_id
      ? db.selectFrom('schools').select(['id', 'name', 'urn']).where('id', '=', trainee.employing_school_id).executeTakeFirst()
      : undefined,
    withdrawalsOf(db, trainee),
    latestTrnRequest(db, trainee.id),
  ]);
  const withdrawal = withdrawals.filter((w) => !w.discardedAt).pop();
  // A trainee's history: its own audits, those associated with it (degrees, placements, reasons…) and, since 2025,
  // those of its withdrawal records, which Register audits on their own.
  const withdrawalIds = withdrawals.map((w) => w.id).filter((id): id is number => id !== null);
  const audits = await db
    .selectFrom('audits')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('auditable_type', '=', 'Trainee'), eb('auditable_id', '=', trainee.id)]),
        eb.and([eb('associated_type', '=', 'Trainee'), eb('associated_id', '=', trainee.id)]),
        ...(withdrawalIds.length ? [eb.and([eb('auditable_type', '=', 'TraineeWithdrawal'), eb('auditable_id', 'in', withdrawalIds)])] : []),
      ]),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const reasons = withdrawal?.reasons ?? [];
  const name = fullName(trainee);
  const enumName = <T extends string>(e: { fromDb(v: number | null): T | null }, v: number | null) => {
    try {
      return e.fromDb(v);
    } catch {
      return v;
    }
  };
  const today = new Date();
  return {
    trainee,
    summary: {
      id: trainee.id,
      slug: trainee.slug,
      name,
      state: enumName(traineeState, trainee.state),
      training_route: enumName(trainingRoute, trainee.training_route),
      trn: trainee.trn,
      date_of_birth: trainee.date_of_birth,
      email: trainee.email,
      sex: enumName(sex, trainee.sex),
      study_mode: enumName(studyMode, trainee.study_mode),
      trainee_start_date: trainee.trainee_start_date,
      itt_start_date: trainee.itt_start_date,
      itt_end_date: trainee.itt_end_date,
      submitted_for_trn_at: trainee.submitted_for_trn_at,
      recommended_for_award_at: trainee.recommended_for_award_at,
      outcome_date: trainee.outcome_date,
      awarded_at: trainee.awarded_at,
      defer_date: trainee.defer_date,
      reinstate_date: trainee.reinstate_date,
      discarded_at: trainee.discarded_at,
      record_source: trainee.record_source,
      hesa_id: trainee.hesa_id,
      created_at: trainee.created_at,
      updated_at: trainee.updated_at,
    },
    register: { label: register.label, partnerNoun: register.partners.noun, trnRequestTable: register.trnRequests.table },
    provider: provider ?? null,
    leadPartner: leadPartner ?? null,
    employingSchool: employingSchool ?? null,
    currentWithdrawal: withdrawal
      ? { id: withdrawal.id, date: withdrawal.date, trigger: withdrawal.trigger, future_interest: withdrawal.futureInterest, reasons, created_at: withdrawal.createdAt }
      : null,
    trnRequest: trnRequest
      ? {
          id: trnRequest.id,
          request_id: trnRequest.request_id,
          state: (enumName(trnRequestState, trnRequest.state ?? null) as string | null) ?? null,
          created_at: trnRequest.created_at,
          days_waiting: Math.floor((Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - Date.parse(trnRequest.created_at.slice(0, 10))) / 86_400_000),
          response: trnRequest.response,
        }
      : null,
    events: audits.map((a) => ({
      at: a.created_at,
      record: a.auditable_type === 'Trainee' ? 'Trainee' : `${a.auditable_type} #${a.auditable_id}`,
      action: a.action ?? '',
      changes: decodeAuditedChanges(a.auditable_type, a.action, a.audited_changes),
      comment: a.comment,
      by: a.username,
      version: a.version,
      requestUuid: a.request_uuid,
    })),
  };
}

/** The timeline's events as table rows: one row per audit, changes as `field: before → after` lines. */
export function timelineRows(timeline: TraineeTimeline): Record<string, unknown>[] {
  return timeline.events.map((e) => ({
    when: e.at,
    record: e.record,
    action: e.action,
    changes: e.changes
      .map((c) => (e.action === 'create' ? `${c.field} = ${formatCell(c.after)}` : e.action === 'destroy' ? `${c.field} was ${formatCell(c.before)}` : `${c.field}: ${formatCell(c.before)} → ${formatCell(c.after)}`))
      .join('\n'),
    comment: e.comment,
    by: e.by,
  }));
}

/** Shows the trainee's summary, related records and timeline as tables (HTML in a notebook, text elsewhere). */
export function showTraineeTimeline(timeline: TraineeTimeline): void {
  const s = timeline.summary;
  const fieldRows = Object.entries(s).map(([field, value]) => ({ field, value }));
  const related = [
    { record: 'Provider', value: timeline.provider ? `${timeline.provider.name} (id ${timeline.provider.id}, code ${timeline.provider.code ?? '–'}, UKPRN ${timeline.provider.ukprn ?? '–'}${timeline.provider.accredited ? '' : ', not accredited'})` : null },
    {
      record: timeline.register.partnerNoun === 'lead partner' ? 'Lead partner' : 'Training partner (lead partner)',
      value: timeline.leadPartner ? `${timeline.leadPartner.name} (id ${timeline.leadPartner.id}, ${timeline.leadPartner.record_type})` : null,
    },
    { record: 'Employing school', value: timeline.employingSchool ? `${timeline.employingSchool.name} (URN ${timeline.employingSchool.urn})` : null },
    {
      record: 'Current withdrawal',
      value: timeline.currentWithdrawal
        ? `${timeline.currentWithdrawal.date ?? 'no date'} (${timeline.currentWithdrawal.id === null ? "kept on the trainee's withdraw_date" : `row ${timeline.currentWithdrawal.id}; trigger ${timeline.currentWithdrawal.trigger ?? '–'}`}; reasons: ${timeline.currentWithdrawal.reasons.join(', ') || 'none'})`
        : null,
    },
    {
      record: timeline.register.trnRequestTable === 'trs_trn_requests' ? 'TRS TRN request' : 'DQT TRN request',
      value: timeline.trnRequest
        ? `${timeline.trnRequest.state} (request ${timeline.trnRequest.request_id}, ${timeline.trnRequest.days_waiting} days since it was made)`
        : null,
    },
  ];
  showTable(fieldRows, { caption: `Trainee ${s.name} (${s.slug})`, pageSize: 40 });
  showTable(related, { caption: 'Related records' });
  const rows = timelineRows(timeline);
  const html = htmlTable(
    rows.map((r) => ({ ...r, changes: escapeHtml(String(r.changes)).replace(/\n/g, '<br>') })),
    { caption: 'Audit timeline, newest first', htmlColumns: ['changes'], pageSize: 25 },
  );
  showHtml(html, `Audit timeline, newest first (${rows.length} rows)\n${textTable(rows, { maxWidth: 80 })}`);
}
