import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { commitIfRequested, commitPlan, revertPlan } from '../../../lib/plan/index.js';
import { convertProvidersToLeadPartners, schoolToLeadPartner } from '../../../lib/partners/index.js';
import { createTestDatabase, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { diff, snapshot } from '../plan/snapshot.js';

const config = { operator: 'Ada Support', writesAllowed: true, database: TEST_SANDBOX };
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await seed(t.db);
});
afterAll(() => t?.drop());

const auditsOf = (planId: string) => t.db.selectFrom('audits').selectAll().where('request_uuid', '=', planId).orderBy('id').execute();

describe('convert-provider-to-lead-partner', () => {
  it('refuses an invalid record type before reading anything, and unknown or malformed ids', async () => {
    await expect(convertProvidersToLeadPartners(t.db, { providerIds: ['4'], recordType: 'lead_school' })).rejects.toThrow(`'lead_school' is not a valid record_type, should be one of ["hei", "scitt"]. Nothing was changed.`);
    await expect(convertProvidersToLeadPartners(t.db, { providerIds: ['4', '77'], recordType: 'scitt' })).rejects.toThrow('No provider with id 77 in this database (the rake task would skip it silently). Check the ids.');
    await expect(convertProvidersToLeadPartners(t.db, { providerIds: ['four'], recordType: 'scitt' })).rejects.toThrow('providerIds "four" is not a provider id: expected whole numbers such as 4.');
    await expect(convertProvidersToLeadPartners(t.db, { providerIds: [], recordType: 'scitt' })).rejects.toThrow(/^providerIds is empty/);
  });

  it('creates the partner, unaccredits the provider and links its users; a second run plans nothing; stale links are removed; revert undoes it', async () => {
    const before = await snapshot(t.db);
    const fix = await convertProvidersToLeadPartners(t.db, { providerIds: '4', recordType: 'scitt' });
    expect(await commitIfRequested(t.db, fix.plan, { commit: false, auditComment: 'x', config })).toBeNull();
    expect(diff(before, await snapshot(t.db))).toEqual([]);
    const receipt = (await commitIfRequested(t.db, fix.plan, { commit: true, auditComment: 'Harbour lost accreditation (ticket 77)', config }))!;
    const changes = diff(before, await snapshot(t.db)).filter((c) => c.table !== 'audits');
    const partner = await t.db.selectFrom('lead_partners').selectAll().where('provider_id', '=', 4).executeTakeFirstOrThrow();
    expect(partner).toMatchObject({ record_type: 'scitt', name: 'Harbour Teaching Alliance', ukprn: '10099004', urn: null, school_id: null });
    expect(changes.map((c) => [c.table, c.kind, c.kind === 'update' ? Object.keys(c.changes!).sort() : c.row!.user_id ?? c.row!.name])).toEqual([
      ['providers', 'update', ['accredited', 'updated_at']],
      ['lead_partners', 'insert', 'Harbour Teaching Alliance'],
      ['lead_partner_users', 'insert', 3],
      ['lead_partner_users', 'insert', 4],
    ]);
    expect(changes.filter((c) => c.table === 'lead_partner_users').every((c) => c.row!.lead_partner_id === partner.id)).toBe(true);
    const audits = await auditsOf(fix.plan.id);
    expect(audits.map((a) => [a.auditable_type, a.action, a.version, a.associated_type, a.associated_id])).toEqual([
      ['LeadPartner', 'create', 1, null, null],
      ['Provider', 'update', 1, null, null],
      ['LeadPartnerUser', 'create', 1, 'LeadPartner', partner.id],
      ['LeadPartnerUser', 'create', 1, 'LeadPartner', partner.id],
    ]);
    expect(audits[1]!.audited_changes).toEqual({ accredited: [true, false] });
    expect(audits.every((a) => a.comment === 'Harbour lost accreditation (ticket 77)')).toBe(true);

    // Idempotent: run again, nothing to do.
    const again = await convertProvidersToLeadPartners(t.db, { providerIds: ['4'], recordType: 'scitt' });
    expect(again.plan.changes).toEqual([]);

    // A user who is no longer a provider user loses the link; a new provider user gains one.
    await t.db.deleteFrom('provider_users').where('provider_id', '=', 4).where('user_id', '=', 4).execute();
    await t.db.insertInto('provider_users').values({ provider_id: 4, user_id: 6 }).execute();
    const sync = await convertProvidersToLeadPartners(t.db, { providerIds: ['4'], recordType: 'hei' });
    expect(sync.notes.some((n) => n.message.includes('already exists as scitt'))).toBe(true);
    expect(sync.plan.changes.map((c) => [c.kind, c.table])).toEqual([
      ['insert', 'lead_partner_users'],
      ['delete', 'lead_partner_users'],
    ]);
    await commitPlan(t.db, sync.plan, { auditComment: 'user sync', config });
    const links = await t.db.selectFrom('lead_partner_users').select('user_id').where('lead_partner_id', '=', partner.id).orderBy('user_id').execute();
    expect(links.map((l) => l.user_id)).toEqual([3, 6]);

    // Revert of the first commit: refused, because the links changed since (drift on a deleted row).
    await expect(commitPlan(t.db, revertPlan(receipt), { auditComment: 'undo', config })).rejects.toMatchObject({ reason: 'missing-row' });
  });
});

describe('school-to-lead-partner', () => {
  it('refuses unknown, closed and already-partner schools and a malformed URN', async () => {
    await expect(schoolToLeadPartner(t.db, { urn: '999999' })).rejects.toThrow(/^No school with URN 999999 in this database/);
    await expect(schoolToLeadPartner(t.db, { urn: '100005' })).rejects.toThrow('Old Quay Infant School (URN 100005) closed on 2023-08-31: a closed school cannot become a lead partner.');
    await expect(schoolToLeadPartner(t.db, { urn: '100001' })).rejects.toThrow('Meadow Lane Primary School (URN 100001) is already a lead partner: lead partner 1 (Meadow Lane Primary School, lead_school). Nothing to do.');
    await expect(schoolToLeadPartner(t.db, { urn: 'URN 1' })).rejects.toThrow(/^urn "URN 1" is not a school URN/);
  });

  it('creates a lead_school partner with the school’s name and urn', async () => {
    const before = await snapshot(t.db);
    const fix = await schoolToLeadPartner(t.db, { urn: '100004' });
    const receipt = await commitPlan(t.db, fix.plan, { auditComment: 'Riverside asked to be a lead partner', config });
    const changes = diff(before, await snapshot(t.db)).filter((c) => c.table !== 'audits');
    expect(changes).toHaveLength(2);
    expect(changes.find((c) => c.table === 'lead_partners')!.row).toMatchObject({ record_type: 'lead_school', name: 'Riverside Primary School', urn: '100004', school_id: 4, ukprn: null, provider_id: null });
    expect(changes.find((c) => c.table === 'schools')!.changes).toMatchObject({ lead_school: [false, true] });
    expect(receipt.auditIds).toHaveLength(2);
    await expect(schoolToLeadPartner(t.db, { urn: '100004' })).rejects.toThrow(/is already a lead partner/);
  });
});
