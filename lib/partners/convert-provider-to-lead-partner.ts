import type { RegisterDb } from '../db/connect.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import type { PlanRef } from '../plan/types.js';
import { registerFeatures } from '../db/versions/detect.js';

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export interface ConvertProvidersInput {
  /** Provider ids: numbers, strings, or one string separated by spaces or commas (as the rake task takes them). */
  providerIds: readonly (number | string)[] | string;
  /** `hei` or `scitt`. */
  recordType: string;
}

const RECORD_TYPES = ['hei', 'scitt'] as const;

/**
 * Playbook "Converting a provider into lead partner" (`copy_providers_to_lead_partners:copy`, register-facts 7; since
 * 2026 "training partner", `copy_providers_to_training_partners:copy`, the same logic), as one plan for all providers,
 * on this Register's partner tables: for each provider, find the partner with its ukprn and provider id or create one
 * (name and record type set only on create), make the provider not accredited, link each of its users to the partner
 * and remove links of users who are no longer its users. Running it again plans nothing. An invalid record type is
 * refused before anything is read. Unlike the rake task, an unknown provider id is refused rather than skipped
 * (register-facts 7 [obs]), and all providers change in one transaction.
 *
 * @example
 * const fix = await convertProvidersToLeadPartners(db, { providerIds: [4], recordType: 'scitt' });
 */
export async function convertProvidersToLeadPartners(db: RegisterDb, input: ConvertProvidersInput): Promise<FixResult> {
  const recordType = typeof input.recordType === 'string' ? input.recordType.trim() : String(input.recordType);
  if (!(RECORD_TYPES as readonly string[]).includes(recordType)) {
    throw new FixInputError(`'${recordType}' is not a valid record_type, should be one of ["hei", "scitt"]. Nothing was changed.`);
  }
  const ids = parseIds(input.providerIds);
  const providers = await db.selectFrom('providers').selectAll().where('id', 'in', ids).orderBy('id').execute();
  const unknown = ids.filter((id) => !providers.some((p) => p.id === id));
  if (unknown.length) throw new FixInputError(`No provider with id ${unknown.join(', ')} in this database (the rake task would skip ${unknown.length === 1 ? 'it' : 'them'} silently). Check the ids.`);

  const names = (await registerFeatures(db)).partners;
  const partnerTable = names.table as 'lead_partners';
  const usersTable = names.usersTable as 'lead_partner_users';
  const userColumn = names.column as 'lead_partner_id';
  const builder = planBuilder(`Convert provider${providers.length > 1 ? 's' : ''} ${providers.map((p) => `${p.id} ${p.name}`).join(', ')} to ${recordType} ${names.noun}${providers.length > 1 ? 's' : ''}`);
  const findings: FixResult['findings'] = [];
  const notes: FixResult['notes'] = [];
  const partnerRows: Record<string, unknown>[] = [];
  const userRows: Record<string, unknown>[] = [];

  for (const provider of providers) {
    if (recordType === 'hei' && !provider.ukprn) throw new FixInputError(`Provider ${provider.id} (${provider.name}) has no ukprn: an hei ${names.noun} needs one. Set the provider's ukprn first.`);
    const existing = await db
      .selectFrom(partnerTable)
      .selectAll()
      .where('provider_id', '=', provider.id)
      .where((eb) => (provider.ukprn === null ? eb('ukprn', 'is', null) : eb('ukprn', '=', provider.ukprn)))
      .orderBy('id')
      .executeTakeFirst();
    if (!existing && provider.ukprn) {
      const clash = await db.selectFrom(partnerTable).select(['id', 'name', 'provider_id']).where('ukprn', '=', provider.ukprn).executeTakeFirst();
      if (clash) {
        throw new FixInputError(`${capitalise(names.noun)} ${clash.id} (${clash.name}) already has ukprn ${provider.ukprn} but belongs to provider ${clash.provider_id ?? 'none'}, not ${provider.id}: the rake task would fail here. Sort that partner out first.`);
      }
    }
    const ref = `${names.noun} of provider ${provider.id}`;
    const partnerId: number | PlanRef = existing ? existing.id : builder.ref(ref);
    if (existing) {
      partnerRows.push({ provider_id: provider.id, [names.column]: existing.id, name: existing.name, record_type: existing.record_type, action: 'kept (already exists)' });
      if (existing.record_type !== recordType) notes.push({ tone: 'info', message: `${capitalise(names.noun)} ${existing.id} already exists as ${existing.record_type}; as the rake task, its record type is not changed to ${recordType}.` });
      if ((existing as { discarded_at?: unknown }).discarded_at) notes.push({ tone: 'warn', message: `${capitalise(names.noun)} ${existing.id} is discarded; as the rake task, it is reused and stays discarded. Restore it in system admin if it should be active.` });
    } else {
      builder.insert(partnerTable, { ukprn: provider.ukprn, provider_id: provider.id, name: provider.name, record_type: recordType, urn: null, school_id: null }, { ref, absent: provider.ukprn ? { ukprn: provider.ukprn } : { provider_id: provider.id }, label: provider.name });
      partnerRows.push({ provider_id: provider.id, [names.column]: 'new', name: provider.name, record_type: recordType, action: 'created' });
    }
    builder.update('providers', provider.id, { accredited: provider.accredited }, { accredited: false }, provider.name);

    const providerUsers = await db.selectFrom('provider_users').select(['id', 'user_id']).where('provider_id', '=', provider.id).orderBy('user_id').execute();
    // The links follow the provider's users as previewed: a user added or removed since refuses the commit.
    builder.expectSet('provider_users', { provider_id: provider.id }, providerUsers.map((u) => u.id), { label: `users of provider ${provider.id} (${provider.name})`, lock: { table: 'providers', ids: [provider.id] } });
    const wanted = new Set(providerUsers.map((u) => u.user_id));
    const links = existing ? await db.selectFrom(usersTable).selectAll().where(userColumn, '=', existing.id).orderBy('id').execute() : [];
    const linked = new Set(links.map((l) => l.user_id));
    if (existing) builder.expectSet(usersTable, { [userColumn]: existing.id } as { lead_partner_id: number }, links.map((l) => l.id), { label: `users of ${names.noun} ${existing.id} (${existing.name ?? provider.name})`, lock: { table: partnerTable, ids: [existing.id] } });
    for (const userId of wanted) {
      if (linked.has(userId)) userRows.push({ provider_id: provider.id, user_id: userId, action: 'kept' });
      else {
        builder.insert(usersTable, { [userColumn]: partnerId, user_id: userId } as { lead_partner_id: number | PlanRef; user_id: number }, { label: `user ${userId}` });
        userRows.push({ provider_id: provider.id, user_id: userId, action: 'linked' });
      }
    }
    for (const link of links) {
      if (wanted.has(link.user_id)) continue;
      builder.delete(usersTable, link.id, link, `user ${link.user_id}`);
      userRows.push({ provider_id: provider.id, user_id: link.user_id, action: 'unlinked (no longer a provider user)' });
    }
  }
  findings.push(
    { caption: 'Providers', rows: providers.map((p) => ({ id: p.id, name: p.name, ukprn: p.ukprn, accreditation_id: p.accreditation_id, accredited: p.accredited })) },
    { caption: names.noun === 'lead partner' ? 'Lead partners' : 'Training partners (lead partners before 2026)', rows: partnerRows },
    { caption: 'User links', rows: userRows },
  );
  notes.push({ tone: 'info', message: `As the rake task, trainees are not moved and no users are created: existing provider users are linked to the ${names.noun}.` });
  notes.push({ tone: 'info', message: `Register audits the provider change (accredited); it does not audit ${names.noun}s or their users, so those are recorded in the toolkit's change log only.` });
  return { plan: builder.build(), findings, notes };
}

function parseIds(input: ConvertProvidersInput['providerIds']): number[] {
  const parts = (typeof input === 'string' ? input.split(/[\s,]+/) : [...(input ?? [])].flatMap((x) => String(x).split(/[\s,]+/))).filter((p) => p !== '');
  if (parts.length === 0) throw new FixInputError('providerIds is empty: give the ids of the providers to convert, e.g. ["4"] or "4 5".');
  const bad = parts.filter((p) => !/^\d+$/.test(p) || Number(p) <= 0);
  if (bad.length) throw new FixInputError(`providerIds ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is not a provider id' : 'are not provider ids'}: expected whole numbers such as 4.`);
  return [...new Set(parts.map(Number))];
}
