import type { RegisterDb } from '../db/connect.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import { todayInUk } from '../trainees/dates.js';
import { registerFeatures } from '../db/versions/detect.js';

/**
 * Playbook "Creating a lead partner from a school" (the system-admin "Is a lead partner? Yes" switch; since 2026
 * "Is a training partner?"), as a plan, as this Register does it:
 *
 * - DQT era: a lead partner with record type `lead_school`, the school's name and urn, linked to the school, and the
 *   school marked `lead_school` (what `copy_lead_school_to_lead_partner:copy` finds);
 * - since 2026: `TrainingPartner.find_or_create_by!(school_id:, urn:)` with the school's name and record type
 *   `school`; a discarded partner of the school is restored instead (`undiscard!`).
 *
 * Neither is audited by Register: the toolkit's change log records it. Refuses an unknown URN, a closed school, and a
 * school that already is a (kept) partner.
 *
 * @example
 * const fix = await schoolToLeadPartner(db, { urn: '100004' });
 */
export async function schoolToLeadPartner(db: RegisterDb, input: { urn: string | number }): Promise<FixResult> {
  const urn = String(input.urn ?? '').trim();
  if (!/^\d{5,7}$/.test(urn)) throw new FixInputError(`urn "${urn}" is not a school URN: expected the school's unique reference number, 6 digits such as 100004.`);
  const school = await db.selectFrom('schools').selectAll().where('urn', '=', urn).executeTakeFirst();
  if (!school) throw new FixInputError(`No school with URN ${urn} in this database. Make sure the schools data is up to date (docs/setup-development.md in Register).`);
  const register = await registerFeatures(db);
  const names = register.partners;
  const today = todayInUk();
  if (school.close_date && school.close_date <= today) throw new FixInputError(`${school.name} (URN ${urn}) closed on ${school.close_date}: a closed school cannot become a ${names.noun}.`);
  const partnerTable = names.table as 'training_partners';
  const partners = await db
    .selectFrom(partnerTable)
    .selectAll()
    .where((eb) => eb.or([eb('school_id', '=', school.id), eb('urn', '=', urn)]))
    .orderBy('id')
    .execute();
  const kept = partners.find((p) => !p.discarded_at);
  if (kept) throw new FixInputError(`${school.name} (URN ${urn}) is already a ${names.noun}: ${names.noun} ${kept.id} (${kept.name}, ${kept.record_type}). Nothing to do.`);

  const builder = planBuilder(`Make ${school.name} (URN ${urn}) a ${names.noun}`);
  const notes: FixResult['notes'] = [];
  const restorable = partners.find((p) => p.school_id === school.id && p.urn === urn);
  if (restorable && names.discardable) {
    builder.update(partnerTable, restorable.id, { discarded_at: restorable.discarded_at, school_id: school.id }, { discarded_at: null }, restorable.name ?? school.name);
    notes.push({ tone: 'info', message: `The school was a ${names.noun} before (${names.noun} ${restorable.id}, discarded): Register restores that row rather than creating another.` });
  } else if (partners.length) {
    throw new FixInputError(`A discarded ${names.noun} (${partners.map((p) => p.id).join(', ')}) already holds URN ${urn} or this school but not both: Register would fail to create another. Sort it out in system admin first.`);
  } else {
    builder.insert(partnerTable, { record_type: names.schoolRecordType, name: school.name, urn: school.urn, school_id: school.id, ukprn: null, provider_id: null }, { ref: 'partner', absent: { urn: school.urn }, label: school.name });
  }
  if (register.schoolLeadFlag) builder.update('schools', school.id, { lead_school: school.lead_school }, { lead_school: true }, school.name);
  notes.push({ tone: 'info', message: `Register does not audit ${names.noun}s${register.schoolLeadFlag ? ' or schools' : ''}: the toolkit's change log records this change.` });
  notes.push({ tone: 'info', message: `After the commit, verify it in Register: /system-admin/${names.noun === 'lead partner' ? 'lead-partners' : 'training-partners'}.` });
  return { plan: builder.build(), findings: [{ caption: 'School', rows: [school] }, ...(partners.length ? [{ caption: `${names.noun}s of this school`, rows: partners }] : [])], notes };
}
