import type { RegisterDb } from '../db/connect.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import { todayInUk } from '../trainees/dates.js';

/**
 * Playbook "Creating a lead partner from a school" (the system-admin "Is a lead partner? Yes" switch), as a plan:
 * a lead partner with record type `lead_school`, the school's name and urn, linked to the school, and the school
 * marked `lead_school`. Refuses an unknown URN, a closed school, and a school that already is a partner.
 *
 * @example
 * const fix = await schoolToLeadPartner(db, { urn: '100004' });
 */
export async function schoolToLeadPartner(db: RegisterDb, input: { urn: string | number }): Promise<FixResult> {
  const urn = String(input.urn ?? '').trim();
  if (!/^\d{5,7}$/.test(urn)) throw new FixInputError(`urn "${urn}" is not a school URN: expected the school's unique reference number, 6 digits such as 100004.`);
  const school = await db.selectFrom('schools').selectAll().where('urn', '=', urn).executeTakeFirst();
  if (!school) throw new FixInputError(`No school with URN ${urn} in this database. Make sure the schools data is up to date (docs/setup-development.md in Register).`);
  const today = todayInUk();
  if (school.close_date && school.close_date <= today) throw new FixInputError(`${school.name} (URN ${urn}) closed on ${school.close_date}: a closed school cannot become a lead partner.`);
  const partner = await db
    .selectFrom('lead_partners')
    .select(['id', 'name', 'record_type'])
    .where((eb) => eb.or([eb('school_id', '=', school.id), eb('urn', '=', urn)]))
    .executeTakeFirst();
  if (partner) throw new FixInputError(`${school.name} (URN ${urn}) is already a lead partner: lead partner ${partner.id} (${partner.name}, ${partner.record_type}). Nothing to do.`);

  const plan = planBuilder(`Make ${school.name} (URN ${urn}) a lead partner`)
    .insert('lead_partners', { record_type: 'lead_school', name: school.name, urn: school.urn, school_id: school.id, ukprn: null, provider_id: null }, { ref: 'lead partner', absent: { urn: school.urn }, label: school.name })
    .update('schools', school.id, { lead_school: school.lead_school }, { lead_school: true }, school.name)
    .build();
  return {
    plan,
    findings: [{ caption: 'School', rows: [school] }],
    notes: [{ tone: 'info', message: 'After the commit, verify it in Register: /system-admin/lead-partners.' }],
  };
}
